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
        (--pilot) or the study's own `sd:`. An analysis study's hypotheses are planned in mixed groups from a \
        pilot analysis's report folder (--pilot NAME reads <notebooks>/NAME/group_auroc.csv) or its `sd:`.

        Example:
          ablate check studies/quick.yaml
          ablate check studies/learning-rate.yaml --pilot learning-rate
        """)

    @OptionGroup var location: StudyLocation

    @Option(name: .long, help: "A study already run (its name under runs/, or its file) whose between-seed SD plans this one's power; for an analysis study, an analysis already reported.")
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
                if let sel = s.selection {
                    let groups = s.selectionGroups(by: sel.by).filter { $0.members.count > 1 }
                    let budget = sel.budget.map { "; step budget: the first evaluated step where \($0.group) at its best \(sel.by) gains ≥ \($0.gain) over the base model" } ?? "; at the last evaluated step"
                    try StandardStreams.emit("selection: \(sel.by) per group (\(groups.map { "\($0.label) ×\($0.members.count)" }.joined(separator: ", "))) by validation \(sel.metric) on \(sel.suite)\(budget)")
                    // A choice, not a test: what its seeds can resolve, from a pilot's validation values.
                    var resolution = "  a choice, not a test (no hypotheses, no Holm); give --pilot STUDY to see what \(s.seeds.count) seeds per value can resolve"
                    if let pilot {
                        let (name, results) = try PilotResults.load(pilot, runs: location.runs)
                        let last: (TrialResult) -> Double? = { $0.validation.last?.suites[sel.suite]?[sel.metric] }
                        if let r = SelectionFindings.resolution(groups: s.selectionGroups(by: sel.by), results: results, seeds: s.seeds.count, value: last) {
                            resolution = "  a choice, not a test: σ = \(String(format: "%.4f", r.sd)) (pilot \(name), final validation \(sel.metric), df \(r.df)); \(s.seeds.count) seeds per value resolve a difference of \(r.resolvable.map { String(format: "%.3f", $0) } ?? "—") between two values (80% power, α = 0.05)"
                        } else {
                            resolution = "  a choice, not a test: pilot \(name) has no value with 2 complete seeds yet"
                        }
                    }
                    try StandardStreams.emit(resolution)
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
                if let along = a.alongTraining {
                    let heading = "along training: \(along.study)/\(along.variant) at steps \(along.steps.map(String.init).joined(separator: ", ")), sampling seed \(s.seeds.first ?? 0): "
                    // Not a failure of `check`: the train study may not have run yet. Its reason is printed as is,
                    // so a missing step checkpoint reads as such rather than as "nothing yet".
                    do {
                        let found = try AlongTraining.policies(along, store: RunStore(root: location.runs))
                        let seeds = Set(found.map(\.seed)).sorted()
                        try StandardStreams.emit(heading + "\(seeds.count) complete trial seed(s) (\(seeds.map(String.init).joined(separator: ", "))), \(Set(found.map(\.path)).count) policies to score")
                    } catch {
                        try StandardStreams.emit(heading + "not ready: \(error)")
                    }
                }
                try emitAnalysisPlan(s, a)
                try StandardStreams.emit("(`ablate run` samples and scores these groups and writes the report; no trials are stored)")
            }
        }
    }
}

extension CheckCommand {
    /// The power of an analysis study's declared hypotheses, from a pilot analysis's report folder or `sd:`.
    func emitAnalysisPlan(_ s: Study, _ a: Study.Analysis) throws {
        guard !a.hypotheses.isEmpty else {
            if pilot != nil { throw AblateError.run(reason: "--pilot plans the power of declared hypotheses, and \(s.path) declares none under `analysis:`") }
            return
        }
        var spreads: [String: AnalysisHypotheses.PilotSpread] = [:]
        var pilotName: String?
        if let pilot {
            let name = pilot.hasSuffix(".yaml") || pilot.hasSuffix(".yml") ? try Study.load(path: pilot).name : pilot
            guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
                throw AblateError.run(reason: "--pilot \(pilot): give an analysis study's name (its report folder under \(location.notebooks)/) or its file")
            }
            spreads = try AnalysisHypotheses.pilotSpreads(folder: "\(location.notebooks)/\(name)")
            pilotName = name
        }
        let m = a.hypotheses.count
        // The problems the study's seeds draw (no model needed) when it analyses its own base model.
        let draws = a.checkpoint == "base" ? try AnalysisHypotheses.draws(prompts: a.prompts, seeds: s.seeds, overrides: s.recipe.familyOverrides) : [:]
        try StandardStreams.emit("hypotheses: \(m), Holm at α = \(a.alpha) (first level α/m = \(String(format: "%.4f", a.alpha / Double(m)))), smallest effect δ = \(a.smallestEffect) of AUROC from 0.5; one-sample t over problems, pooled over \(s.seeds.count) sampling seed(s)")
        for p in try AnalysisHypotheses.plan(a, pilot: spreads, pilotName: pilotName, draws: draws) {
            let prompts = a.prompts.first { $0.suite == p.suite }?.count ?? 0
            var line = "  \(p.reward) on \(p.suite): "
            if p.sd.isNaN {
                line += p.source
            } else {
                line += "SD of a group's AUROC \(String(format: "%.3f", p.sd)) (\(p.source)); "
                if let n = p.expectedGroups, let distinct = p.distinctProblems {
                    line += "\(distinct) distinct problems over \(s.seeds.count) seed(s) of \(prompts) prompts, about \(n) with a mixed group; power \(p.power.map { String(format: "%.2f", $0) } ?? "–") at δ; "
                } else if let n = p.expectedGroups {
                    line += "about \(n) of \(prompts) groups mixed, power \(p.power.map { String(format: "%.2f", $0) } ?? "–") at δ; "
                } else {
                    line += "share of mixed groups unknown without a pilot; "
                }
                line += "\(p.groupsFor80.map(String.init) ?? "–") units give 80%"
            }
            try StandardStreams.emit(line)
        }
    }

    /// The power of each declared hypothesis at the study's seeds and the seeds it needs, from the pilot's pooled
    /// SD (or the study's declared `sd:`).
    func emitPlan(_ s: Study) throws {
        guard let c = s.comparison else { return }
        if c.hypotheses.isEmpty {
            try StandardStreams.emit("hypotheses: none declared (every comparison will be exploratory); declare them as `hypotheses:` in the study file")
            return
        }
        var sds: [StudyFindings.PooledSD] = []
        var pilotResults: [TrialResult] = []
        if let pilot {
            let (name, results) = try PilotResults.load(pilot, runs: location.runs)
            pilotResults = results
            guard results.contains(where: { $0.state == .complete }) else {
                throw AblateError.run(reason: "--pilot \(pilot): no complete trials found under \(location.runs)/\(name)/ (run that study first, or declare `sd:` in the study file)")
            }
            // The pilot's arms that this study's hypotheses compare, when it has them; else all of its arms.
            let arms = Set(c.hypotheses.flatMap { [$0.variant, $0.control] })
            sds = StudyFindings.pooledSD(results: results, suites: s.evaluation.suites, metrics: c.metrics,
                                         source: "pilot \(name)", arms: arms)
        }
        let plan = StudyFindings.plan(study: s, sds: sds, pilot: pilotResults)
        try StandardStreams.emit("power plan: \(c.hypotheses.count) primary hypothes\(c.hypotheses.count == 1 ? "is" : "es"), Holm at α = \(c.alpha): planned at α/\(c.hypotheses.count) = \(String(format: "%.4g", c.alpha / Double(c.hypotheses.count))), 80% target, \(c.paired ? "paired (SD of differences σ√2)" : "independent (Welch)")")
        for p in plan {
            let h = p.hypothesis
            var line = "  \(h.variant) vs \(h.control), \(h.suite) \(h.metric) (\(h.alternative.rawValue)), δ = \(p.smallestEffect): "
            if h.test != .mean {
                line = "  \(h.variant) vs \(h.control), \(h.suite) \(h.metric) \(h.test.rawValue) (\(h.test == .collapse ? "Fisher's exact" : "Brown–Forsythe")): \(p.reason ?? "")"
                if let power = p.power {
                    line += "; power at \(p.seeds) seeds = \(String(format: "%.2f", power)); seeds per arm for 80% = \(p.seedsFor80.map(String.init) ?? "more than 60")"
                    if (p.seedsFor80 ?? Int.max) > p.seeds { line += "  ← the study has \(p.seeds): it cannot conclude as planned" }
                }
            } else if let sd = p.sd, let power = p.power {
                line += "σ = \(String(format: "%.4f", sd.sd)) (\(sd.source)\(sd.df.map { ", df \($0)" } ?? "")); power at \(p.seeds) seeds = \(String(format: "%.2f", power)); seeds per arm for 80% = \(p.seedsFor80.map(String.init) ?? "more than 10^7")"
                if let need = p.seedsFor80, need > p.seeds { line += "  ← the study has \(p.seeds): it cannot conclude as planned" }
                if let upper = p.sdUpper80, let powerUp = p.powerAtUpper80 {
                    line += "\n    at σ's 80% upper confidence bound \(String(format: "%.4f", upper)) (χ², df \(sd.df ?? 0)): power \(String(format: "%.2f", powerUp)), seeds per arm for 80% = \(p.seedsFor80AtUpper80.map(String.init) ?? "more than 10^7")"
                }
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

        With --executor slurm the pending trials go out as one Slurm job array (a task per trial, the same trial \
        command, its output in the trial's train.log); the run waits and shows queued / running / complete / failed, \
        then writes the report. --detach returns after submission; `ablate status` shows each trial and its job; \
        `ablate run` again attaches to what is queued or running instead of submitting it twice; `ablate cancel` \
        cancels it. Ctrl-C while waiting leaves the tasks to Slurm unless --cancel-on-interrupt. A study half-run on \
        one executor finishes on the other. scripts/local-slurm starts a single-node Slurm to try it.

        Example:
          ablate run studies/quick.yaml --jobs 2
          ablate run studies/quick.yaml --retry-failed --force vigor/seed-1
          ablate run studies/learning-rate.yaml --executor slurm --partition gpu --max-parallel 16 --time 02:00:00 --mem 4G
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

    @OptionGroup var slurm: SlurmFlags

    @Flag(name: .long, help: ArgumentHelp("Do not obtain the base model first (fake trials in tests).", visibility: .hidden))
    var noPretrain = false

    func run() throws {
        var stopped: Int32? = nil
        var failed = 0
        var interrupted = 0
        try reportingErrors("run") {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
            let executor = try slurm.makeExecutor()
            let s = try location.load()
            try StudyReport.checkOutput(notebooks: location.notebooks, study: s.name)  // before any work
            var base = try location.basePath(s)
            guard s.kind == .train else {
                if case .slurm = executor {
                    throw AblateError.run(reason: "\(s.path) is an analysis study: it samples and scores in this process and has no trials to submit; run it without --executor slurm")
                }
                // An analysis study: the base model, then the groups sampled and scored, then its report.
                if !noPretrain {
                    base = try BaseModelCache.obtain(recipe: s.recipe, threads: 2, directory: "\(location.runs)/cache",
                                                     note: { StandardStreams.warn($0) },
                                                     progress: { StandardStreams.warn("pretrain: \($0.line)") }).path
                }
                try StandardStreams.emit("report: \(try AnalysisStudy.run(s, basePath: base, notebooks: location.notebooks, runs: location.runs))")
                return
            }
            // A heading per phase on stderr, so a log read later shows where the time went.
            StandardStreams.warn("== 1/3 base model: recipe \(try s.recipe.hash()) ==")
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
            options.executor = executor
            options.warmEvaluations = trialCommand == nil && !noPretrain
            let interactive = isatty(STDERR_FILENO) != 0
            let runner = try StudyRunner(study: s, basePath: base, store: RunStore(root: location.runs), options: options,
                                         log: { try? StandardStreams.write($0, to: 2) }, interactive: interactive)
            StandardStreams.warn("== 2/3 trials: \(runner.trials.count) (\(s.variants.count) variants × \(s.seeds.count) seeds), \(jobs) at a time ==")
            let summary = try runner.run()
            stopped = summary.stoppedBy
            failed = summary.failed
            // On Slurm a trial can end interrupted while the run waits (scancel, preemption, time limit).
            interrupted = summary.outcomes.filter { $0.outcome == .interrupted }.count
            if slurm.detach {
                let jobs = summary.submittedJobs.isEmpty ? "nothing new submitted" : "Slurm job \(summary.submittedJobs.joined(separator: ", "))"
                let left = summary.outcomes.filter { $0.outcome == .onSlurm }.count
                try StandardStreams.emit("detached: \(left) trial(s) on Slurm (\(jobs)); `ablate status \(location.study)` shows them, `ablate run \(location.study)` again waits for them and writes the report")
                return
            }
            StandardStreams.warn("== 3/3 report ==")
            let results = TrialResult.load(study: s, store: RunStore(root: location.runs), trials: runner.trials)
            failed += warnUntrusted(results, command: "run")
            let report = StudyReport(study: s, results: results)
            let path = try report.write(notebooks: location.notebooks)
            for line in report.verdictLines() { try StandardStreams.emit(line) }
            try StandardStreams.emit("report: \(path)")
        }
        if let stopped { throw ExitCode(128 + stopped) }
        if failed > 0 || interrupted > 0 {
            if failed > 0 { StandardStreams.warn("ablate run: \(failed) trial(s) failed (listed in the report)") }
            if interrupted > 0 {
                StandardStreams.warn("ablate run: \(interrupted) trial(s) ended interrupted (cancelled, preempted or out of time); `ablate run` again restarts them")
            }
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

/// The options of `ablate run` that choose and shape the Slurm executor.
struct SlurmFlags: ParsableArguments {
    @Option(name: .long, help: "How trials are launched: local (child processes, --jobs at a time) or slurm (one job array).")
    var executor = "local"

    @Option(name: .long, help: "Slurm partition (default: the cluster's default).")
    var partition: String?

    @Option(name: .long, help: "Slurm: at most N trials at once (--array=...%N).")
    var maxParallel: Int?

    @Option(name: .long, help: "Slurm: time limit of each trial (HH:MM:SS); at the limit the trial is interrupted.")
    var time: String?

    @Option(name: .long, help: "Slurm: memory of each trial (e.g. 4G).")
    var mem: String?

    @Option(name: .long, help: "Slurm: CPUs of each trial.")
    var cpusPerTrial = 1

    @Option(name: .long, parsing: .unconditionalSingleValue, help: "Slurm: one more sbatch argument (repeatable), e.g. --sbatch-arg --account=lab.")
    var sbatchArg: [String] = []

    @Flag(name: .long, help: "Slurm: let Slurm requeue a preempted trial (it restarts from its beginning).")
    var requeue = false

    @Flag(name: .long, help: "Slurm: return once submitted; `ablate status` shows progress, `ablate run` again attaches.")
    var detach = false

    @Flag(name: .long, help: "Slurm: Ctrl-C while waiting also cancels the study's tasks (default: they go on).")
    var cancelOnInterrupt = false

    func makeExecutor() throws -> StudyRunner.Executor {
        switch executor {
        case "local":
            let slurmOnly = [partition != nil ? "--partition" : nil, maxParallel != nil ? "--max-parallel" : nil,
                             time != nil ? "--time" : nil, mem != nil ? "--mem" : nil, cpusPerTrial != 1 ? "--cpus-per-trial" : nil,
                             sbatchArg.isEmpty ? nil : "--sbatch-arg", requeue ? "--requeue" : nil, detach ? "--detach" : nil,
                             cancelOnInterrupt ? "--cancel-on-interrupt" : nil].compactMap { $0 }
            if !slurmOnly.isEmpty {
                throw ValidationError("only with --executor slurm: \(slurmOnly.joined(separator: ", "))")
            }
            return .local
        case "slurm":
            if let maxParallel, maxParallel < 1 { throw ValidationError("--max-parallel must be at least 1, got \(maxParallel)") }
            guard (1...1024).contains(cpusPerTrial) else { throw ValidationError("--cpus-per-trial must be 1...1024, got \(cpusPerTrial)") }
            var o = SlurmOptions()
            o.partition = partition
            o.maxParallel = maxParallel
            o.time = time
            o.mem = mem
            o.cpusPerTrial = cpusPerTrial
            o.sbatchArguments = sbatchArg
            o.requeue = requeue
            o.detach = detach
            o.cancelOnInterrupt = cancelOnInterrupt
            return .slurm(o)
        default:
            throw ValidationError("--executor \(executor): use local or slurm")
        }
    }
}

/// A runner for a study's trials (for `status` and `cancel`: the trials, the store and Slurm, nothing run).
private func inspectingRunner(_ location: StudyLocation) throws -> StudyRunner {
    let s = try location.load()
    guard s.kind == .train else { throw AblateError.run(reason: "\(s.path) is an analysis study: it has no trials") }
    let options = StudyRunner.Options(command: StudyRunner.Options.trainCommand(executable: RunCommand.executablePath()))
    return try StudyRunner(study: s, basePath: try location.basePath(s), store: RunStore(root: location.runs), options: options,
                           log: { _ in })
}

/// `ablate status`: each trial's state and Slurm job.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each trial of a study: its state (queued, running, complete, ...), step and Slurm task.",
        discussion: """
        Reads the run store and, for trials submitted with `ablate run --executor slurm`, asks squeue.

        Example:
          ablate status studies/quick.yaml
        """)

    @OptionGroup var location: StudyLocation

    func run() throws {
        try reportingErrors("status") {
            let runner = try inspectingRunner(location)
            let rows = try runner.states()
            try StandardStreams.emit("trial                     hash              step  job          state")
            for r in rows {
                try StandardStreams.emit(r.label.padding(toLength: 25, withPad: " ", startingAt: 0) + " " + r.hash + "  "
                    + (r.step.map(String.init) ?? "-").padding(toLength: 5, withPad: " ", startingAt: 0) + " "
                    + (r.job ?? "-").padding(toLength: 12, withPad: " ", startingAt: 0) + " " + r.state
                    + (r.reason.map { ": \($0)" } ?? ""))
            }
            var counts: [String: Int] = [:]
            for r in rows { counts[r.state.split(separator: " ").first.map(String.init) ?? r.state, default: 0] += 1 }
            try StandardStreams.emit(counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: " · "))
        }
    }
}

/// `ablate cancel`: cancels what a study has queued or running on Slurm.
struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel the Slurm tasks of a study's queued or running trials (they end interrupted; a re-run restarts them).",
        discussion: """
        Example:
          ablate cancel studies/quick.yaml
        """)

    @OptionGroup var location: StudyLocation

    func run() throws {
        try reportingErrors("cancel") {
            let cancelled = try inspectingRunner(location).cancelOnSlurm()
            try StandardStreams.emit(cancelled.isEmpty ? "nothing of this study is queued or running on Slurm"
                                     : "cancelled \(cancelled.count) Slurm task(s): \(cancelled.joined(separator: " "))")
        }
    }
}
