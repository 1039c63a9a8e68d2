import Ablate
import ArgumentParser
import Foundation

/// Options shared by `check`, `run` and `report`.
struct StudyLocation: ParsableArguments {
    @Argument(help: "A study file (YAML), e.g. studies/quick.yaml.")
    var study: String

    @Option(name: .long, help: "The run store: trials, per-study links and the base-model cache.")
    var runs = "runs"

    @Option(name: .long, help: "Where reports go (<dir>/<study>.md and <dir>/<study>/ figures).")
    var notebooks = "notebooks-md"

    func load() throws -> Study { try Study.load(path: study) }

    /// The base checkpoint path every trial config names (the cache path of the study's recipe).
    func basePath(_ s: Study) throws -> String {
        try BaseModelCache.path(for: s.recipe, directory: "\(runs)/cache")
    }
}

/// Runs `body`, turning Ablate errors into one line on stderr and exit code 2.
func reportingErrors(_ command: String, _ body: () throws -> Void) throws {
    do { try body() } catch let e as ExitCode { throw e } catch let e as ValidationError { throw e } catch {
        StandardStreams.warn("ablate \(command): \(error)")
        throw ExitCode(2)
    }
}

/// `ablate check`: validates a study file and prints its grid.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a study file without running it and print its grid of trials.",
        discussion: """
        Every key is checked; a problem is reported as file:line:column with the valid choices. A train study \
        prints one line per trial (variant, seed, trial hash, directory, state in the run store); an analysis \
        study prints its scoring plan.

        Example:
          ablate check studies/quick.yaml
        """)

    @OptionGroup var location: StudyLocation

    func run() throws {
        try reportingErrors("check") {
            let s = try location.load()
            let base = try location.basePath(s)
            try StandardStreams.emit("\(s.path): valid \(s.kind.rawValue) study '\(s.name)': \(s.description)")
            try StandardStreams.emit("base model: \(base) (recipe \(try s.recipe.hash()))")
            switch s.kind {
            case .train:
                let trials = try s.trials(basePath: base)
                let store = RunStore(root: location.runs)
                try StandardStreams.emit("\(s.variants.count) variant(s) × \(s.seeds.count) seed(s) = \(trials.count) trial(s)")
                try StandardStreams.emit("variant              seed  hash              state        directory")
                for t in trials {
                    let state = trialStateText(store, t)
                    let linked = store.linkedHash(study: s.name, trial: t)
                    let note = linked != nil && linked != t.hash ? " (config changed since trial \(linked!))" : ""
                    try StandardStreams.emit(t.variant.padding(toLength: 20, withPad: " ", startingAt: 0) + " "
                          + String(t.seed).padding(toLength: 5, withPad: " ", startingAt: 0) + " " + t.hash + "  "
                          + state.padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                          + store.linkPath(study: s.name, trial: t) + " -> trials/\(t.hash)" + note)
                    if let problem = untrustedProblem(store, t) { try StandardStreams.emit("  \(t.label): untrusted: \(problem)") }
                }
                if let c = s.comparison {
                    try StandardStreams.emit("comparisons: every variant vs \(c.control) on \(c.metrics.joined(separator: ", ")), \(c.paired ? "paired" : "independent"), \(c.correction.rawValue) correction, α = \(c.alpha)")
                }
            case .analysis:
                guard let a = s.analysis else { return }
                try StandardStreams.emit("checkpoint: \(a.checkpoint == "base" ? base : a.checkpoint); G = \(a.numGenerations), temperature \(a.temperature), max completion \(a.maxCompletionLength)")
                try StandardStreams.emit("rewards: " + a.rewards.map { "\($0.label) = \($0.spec.serialized)" }.joined(separator: "; "))
                for job in s.analysisPlan {
                    try StandardStreams.emit("seed-\(job.seed)/\(job.suite): \(job.prompts) prompts × G \(a.numGenerations) = \(job.completions) completions, scored by \(a.rewards.count) reward(s)")
                }
                try StandardStreams.emit("(`ablate run` samples and scores these groups and writes the report; no trials are stored)")
            }
        }
    }
}

/// `ablate run`: runs (or resumes) a study, then writes its report.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a study's trials (resuming), N at a time, then write its report.",
        discussion: """
        Each trial runs as its own process, `ablate train --config <trial>/config.json --out <trial>`, with one \
        BLAS thread. Trials live in runs/trials/<hash>/ and runs/<study>/<variant>/seed-<n> links to them. \
        Complete trials are never redone; interrupted ones (and ones a dead runner left running) restart; failed \
        ones only with --retry-failed. Ctrl-C or SIGTERM marks running trials interrupted.

        Example:
          ablate run studies/quick.yaml --jobs 2
          ablate run studies/quick.yaml --retry-failed --force vigor/seed-1
        """)

    @OptionGroup var location: StudyLocation

    @Option(name: .long, help: "Trials run at once.")
    var jobs = 2

    @Flag(name: .long, help: "Run failed trials again.")
    var retryFailed = false

    @Option(name: .long, help: "A trial (variant/seed-n, or 'all') whose changed config may replace its finished result; repeatable.")
    var force: [String] = []

    @Option(name: .long, help: ArgumentHelp("Trial executable instead of this ablate (called with train --config C --out D).", visibility: .hidden))
    var trialCommand: String?

    @Flag(name: .long, help: ArgumentHelp("Do not obtain the base model first (fake trials in tests).", visibility: .hidden))
    var noPretrain = false

    func run() throws {
        var stopped: Int32? = nil
        var failed = 0
        try reportingErrors("run") {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
            let s = try location.load()
            try StudyReport.checkOutput(notebooks: location.notebooks, study: s.name)  // before any work
            var base = try location.basePath(s)
            guard s.kind == .train else {
                // An analysis study: the base model, then the groups sampled and scored, then its report.
                if !noPretrain {
                    base = try BaseModelCache.obtain(recipe: s.recipe, threads: 2, directory: "\(location.runs)/cache",
                                                     note: { StandardStreams.warn($0) },
                                                     progress: { StandardStreams.warn("pretrain: \($0.line)") }).path
                }
                try StandardStreams.emit("report: \(try AnalysisStudy.run(s, basePath: base, notebooks: location.notebooks))")
                return
            }
            if !noPretrain {
                let outcome = try BaseModelCache.obtain(recipe: s.recipe, threads: 2, directory: "\(location.runs)/cache",
                                                        note: { StandardStreams.warn($0) },
                                                        progress: { StandardStreams.warn("pretrain: \($0.line)") })
                base = outcome.path
            }
            let executable = trialCommand ?? Self.executablePath()
            var options = StudyRunner.Options(command: StudyRunner.Options.trainCommand(executable: executable))
            options.jobs = jobs
            options.retryFailed = retryFailed
            options.force = Set(force)
            let interactive = isatty(STDERR_FILENO) != 0
            let runner = try StudyRunner(study: s, basePath: base, store: RunStore(root: location.runs), options: options,
                                         log: { try? StandardStreams.write($0, to: 2) }, interactive: interactive)
            let summary = try runner.run()
            stopped = summary.stoppedBy
            failed = summary.failed
            let results = TrialResult.load(study: s, store: RunStore(root: location.runs), trials: runner.trials)
            failed += warnUntrusted(results, command: "run")
            let path = try StudyReport(study: s, results: results).write(notebooks: location.notebooks)
            try StandardStreams.emit("report: \(path)")
        }
        if let stopped { throw ExitCode(128 + stopped) }
        if failed > 0 {
            StandardStreams.warn("ablate run: \(failed) trial(s) failed (listed in the report)")
            throw ExitCode(1)
        }
    }

    /// This executable's absolute path (/proc/self/exe), so trials run the same build.
    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// `ablate report`: writes a study's report from the trial results on disk.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write notebooks-md/<study>.md and its figures from the study's trial results.",
        discussion: """
        Byte-identical for the same trial results. Trials are read through runs/<study>/<variant>/seed-<n>.

        Example:
          ablate report studies/quick.yaml
        """)

    @OptionGroup var location: StudyLocation

    func run() throws {
        try reportingErrors("report") {
            let s = try location.load()
            try StudyReport.checkOutput(notebooks: location.notebooks, study: s.name)  // before any work
            guard s.kind == .train else {
                throw AblateError.run(reason: "\(s.path) is an analysis study: it has no trials to read; `ablate run \(s.path)` samples, scores and writes its report (deterministic for its seed)")
            }
            let store = RunStore(root: location.runs)
            // The report shows what is on disk; say so when the study file has moved on since.
            let trials = try s.trials(basePath: try location.basePath(s))
            let stale = trials.filter { t in
                store.linkedHash(study: s.name, trial: t).map { $0 != t.hash } ?? false
            }
            if !stale.isEmpty {
                StandardStreams.warn("ablate report: the study file changed the config of \(stale.map(\.label).joined(separator: ", ")) since they ran; the report shows the results on disk (`ablate run` with --force reruns them)")
            }
            let results = TrialResult.load(study: s, store: store, trials: trials)  // checked; stale arms marked
            _ = warnUntrusted(results, command: "report")
            try StandardStreams.emit(try StudyReport(study: s, results: results).write(notebooks: location.notebooks))
        }
    }
}
