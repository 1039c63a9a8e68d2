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

        With declared hypotheses it prints each one's power at the study's seeds and the seeds per arm it needs \
        for 80% (at Holm's α/m, at the smallest effect that matters), from the between-seed SD of a pilot study \
        (--pilot) or the study's own `sd:`.

        Example:
          ablate check studies/quick.yaml
          ablate check studies/learning-rate.yaml --pilot learning-rate
        """)

    @OptionGroup var location: StudyLocation

    @Option(name: .long, help: "A study already run (its name under runs/, or its file) whose between-seed SD plans this one's power.")
    var pilot: String?

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
                    try StandardStreams.emit("comparisons: each variant vs its control (default \(c.control)) on \(c.metrics.joined(separator: ", ")), \(c.paired ? "paired" : "independent"), α = \(c.alpha)")
                    try emitPlan(s)
                } else if pilot != nil {
                    throw AblateError.run(reason: "--pilot plans the power of declared hypotheses, and \(s.path) has no `comparisons:`")
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

extension CheckCommand {
    /// The power of each declared hypothesis at the study's seeds and the seeds it needs, from the pilot's pooled
    /// SD (or the study's declared `sd:`).
    func emitPlan(_ s: Study) throws {
        guard let c = s.comparison else { return }
        if c.hypotheses.isEmpty {
            try StandardStreams.emit("hypotheses: none declared (every comparison will be exploratory); declare them under comparisons.hypotheses")
            return
        }
        var sds: [StudyFindings.PooledSD] = []
        if let pilot {
            let (name, results) = try PilotResults.load(pilot, runs: location.runs)
            guard results.contains(where: { $0.state == .complete }) else {
                throw AblateError.run(reason: "--pilot \(pilot): no complete trials found under \(location.runs)/\(name)/ (run that study first, or declare `sd:` in the study file)")
            }
            sds = StudyFindings.pooledSD(results: results, suites: s.evaluation.suites, metrics: c.metrics, source: "pilot \(name)")
        }
        let plan = StudyFindings.plan(study: s, sds: sds)
        try StandardStreams.emit("power plan: \(c.hypotheses.count) primary hypothes\(c.hypotheses.count == 1 ? "is" : "es"), Holm at α = \(c.alpha): planned at α/\(c.hypotheses.count) = \(String(format: "%.4g", c.alpha / Double(c.hypotheses.count))), 80% target, \(c.paired ? "paired (SD of differences σ√2)" : "independent (Welch)")")
        for p in plan {
            let h = p.hypothesis
            var line = "  \(h.variant) vs \(h.control), \(h.suite) \(h.metric) (\(h.alternative.rawValue)), δ = \(p.smallestEffect): "
            if let sd = p.sd, let power = p.power {
                line += "σ = \(String(format: "%.4f", sd.sd)) (\(sd.source)\(sd.df.map { ", df \($0)" } ?? "")); power at \(p.seeds) seeds = \(String(format: "%.2f", power)); seeds per arm for 80% = \(p.seedsFor80.map(String.init) ?? "more than 10^7")"
                if let need = p.seedsFor80, need > p.seeds { line += "  ← the study has \(p.seeds): it cannot conclude as planned" }
            } else {
                line += p.reason ?? "no power"
            }
            try StandardStreams.emit(line)
        }
    }
}

/// A pilot study's trial results: by study file, or by name through `runs/<name>/<variant>/seed-<n>`.
enum PilotResults {
    static func load(_ pilot: String, runs: String) throws -> (String, [TrialResult]) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if pilot.hasSuffix(".yaml") || pilot.hasSuffix(".yml") {
            let study = try Study.load(path: pilot)
            return (study.name, TrialResult.load(study: study, store: RunStore(root: runs)))
        }
        let dir = "\(runs)/\(pilot)"
        guard !pilot.contains("/"), pilot != ".", pilot != "..", fm.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw AblateError.run(reason: "--pilot \(pilot): no study of that name under \(runs)/ (give a study name that has run, e.g. learning-rate, or a study file)")
        }
        var results: [TrialResult] = []
        for variant in ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
            for seedDir in ((try? fm.contentsOfDirectory(atPath: "\(dir)/\(variant)")) ?? []).sorted() {
                guard seedDir.hasPrefix("seed-"), let seed = Int(seedDir.dropFirst(5)) else { continue }
                results.append(TrialResult.read(directory: "\(dir)/\(variant)/\(seedDir)", variant: variant, seed: seed))
            }
        }
        return (pilot, results)
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
            let report = StudyReport(study: s, results: results)
            let path = try report.write(notebooks: location.notebooks)
            for line in report.verdictLines() { try StandardStreams.emit(line) }
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
          ablate report studies/quick.yaml --json > quick.json
        """)

    @OptionGroup var location: StudyLocation

    @Flag(name: .long, help: "Print the study's numbers (every arm, comparison, interval, power and verdict) as JSON instead of writing the report.")
    var json = false

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
            let report = StudyReport(study: s, results: results)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try StandardStreams.emit(String(decoding: try encoder.encode(report.findings), as: UTF8.self))
                return
            }
            try StandardStreams.emit(try report.write(notebooks: location.notebooks))
        }
    }
}
