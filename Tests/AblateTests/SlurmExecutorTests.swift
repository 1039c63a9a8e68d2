import Foundation
import Testing

@testable import Ablate

/// These tests submit to a real Slurm: the single-node one of `scripts/local-slurm start` (with SLURM_CONF
/// exported), or any cluster whose client commands answer here. In CI (CI=true) they always run, so a missing or
/// dead Slurm fails them; elsewhere they are skipped when no Slurm answers.
enum SlurmTestCluster {
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let reachable: Bool = (try? SlurmClient().check(["sinfo", "-h", "-o", "%P"])) != nil
    static var enabled: Bool { isCI || reachable }
    /// The configuration clients read.
    static var configPath: String { ProcessInfo.processInfo.environment["SLURM_CONF"] ?? "/etc/slurm/slurm.conf" }
}

/// Holds a value across threads (the waiting runner runs on its own thread while a test acts on Slurm).
final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}

func slurmOptions(maxParallel: Int? = 2, detach: Bool = false, environment: [String: String] = [:],
                  sbatch: [String] = [], partition: String? = nil) -> SlurmOptions {
    var o = SlurmOptions()
    o.maxParallel = maxParallel
    o.detach = detach
    o.environment = environment
    o.sbatchArguments = sbatch
    o.partition = partition
    o.pollInterval = 0.2
    o.heartbeatSeconds = 2
    o.unansweredLimit = 20
    return o
}

/// The fake-trial runner of StudyRunnerTests, launching through Slurm.
func slurmRunner(_ study: Study, store: RunStore, slurm: SlurmOptions = slurmOptions(),
                 environment: [String: String] = [:]) throws -> StudyRunner {
    let script = fixtureRoot + "/fake-trial.sh"
    var options = StudyRunner.Options(command: { config, out in ["/bin/sh", script, "train", "--config", config, "--out", out] })
    options.environment = environment.merging(["OPENBLAS_NUM_THREADS": "1"]) { a, _ in a }
    options.executor = .slurm(slurm)
    return try StudyRunner(study: study, basePath: "runs/cache/base.safetensors", store: store, options: options, log: { _ in })
}

func startCount(_ path: String) -> [String] {
    String(decoding: contents(path) ?? Data(), as: UTF8.self).split(separator: "\n").map(String.init)
}

/// The report without its wall-time line (the only part that depends on how long trials took).
func reportWithoutWallTime(_ study: Study, _ store: RunStore) -> String {
    StudyReport(study: study, results: TrialResult.load(study: study, store: store)).render()
        .map { $0.0 + "\n" + $0.1 }.joined(separator: "\n")
        .split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("wall time") }.joined(separator: "\n")
}

@Suite(.serialized, .enabled(if: SlurmTestCluster.enabled)) struct SlurmExecutorTests {
    @Test func aStudyThroughSlurmGivesTheSameResultsAndReportAsTheLocalExecutor() throws {
        let dir = try temporaryDirectory()
        let study = try fakeStudy(seeds: "[1, 2]", steps: 3)
        let local = RunStore(root: dir + "/local/runs"), slurm = RunStore(root: dir + "/slurm/runs")
        let l = try fakeRunner(study, store: local).run()
        let s = try slurmRunner(study, store: slurm).run()
        #expect(l.outcomes.map(\.outcome) == Array(repeating: .complete, count: 4))
        #expect(s.outcomes.map(\.outcome) == Array(repeating: .complete, count: 4))
        #expect(s.submittedJobs.count == 1)
        for t in try study.trials(basePath: "runs/cache/base.safetensors") {
            for name in ["metrics.jsonl", "eval.json"] {
                let a = contents(local.trialDirectory(hash: t.hash) + "/" + name)
                #expect(a != nil && a == contents(slurm.trialDirectory(hash: t.hash) + "/" + name), "\(t.label) \(name)")
            }
            let status = try #require(slurm.status(hash: t.hash))
            #expect(status.status == .complete)
            #expect(status.job?.hasPrefix(s.submittedJobs[0] + "_") == true, "\(status)")
            #expect(slurm.runnerRecord(hash: t.hash)?.exitCode == 0)
        }
        let a = reportWithoutWallTime(study, local), b = reportWithoutWallTime(study, slurm)
        #expect(a.contains("vigor") && a == b)
        // Complete trials are never redone, whichever executor asks.
        let again = try slurmRunner(study, store: local).run()
        #expect(again.outcomes.map(\.outcome) == Array(repeating: .alreadyComplete, count: 4) && again.submittedJobs.isEmpty)
    }

    @Test func aCancelledRunningTaskEndsInterruptedAndOnlyItRunsAgain() throws {
        let dir = try temporaryDirectory()
        let store = RunStore(root: dir + "/runs")
        let count = dir + "/starts.txt"
        let study = try fakeStudy(seeds: "[1, 2]", steps: 4)
        let runner = try slurmRunner(study, store: store, environment: ["FAKE_TRIAL_SLEEP": "1", "FAKE_TRIAL_COUNT": count])
        let victim = try #require(runner.trials.first { $0.label == "vigor/seed-1" })
        let result = Box<Result<StudyRunner.Summary, Error>?>(nil)
        let shared = Box(runner)
        let thread = Thread { result.value = Result { try shared.value.run() } }
        thread.start()
        // Wait until the victim's task is running a step, then cancel that one task.
        let deadline = Date().addingTimeInterval(60)
        var job: String? = nil
        while Date() < deadline, result.value == nil {
            if let s = store.status(hash: victim.hash), s.status == .running, s.step >= 1, let j = s.job { job = j; break }
            usleep(100_000)
        }
        let task = try #require(job, "the victim never ran")
        try SlurmClient().check(["scancel", task])
        while result.value == nil, Date() < deadline.addingTimeInterval(60) { usleep(100_000) }
        let summary = try #require(result.value).get()
        let byTrial = Dictionary(uniqueKeysWithValues: summary.outcomes.map { ($0.trial, $0.outcome) })
        #expect(byTrial["vigor/seed-1"] == .interrupted)
        #expect(byTrial.filter { $0.key != "vigor/seed-1" }.values.allSatisfy { $0 == .complete }, "\(byTrial)")
        #expect(store.status(hash: victim.hash)?.status == .interrupted)
        #expect(startCount(count).count == 4)
        // A re-run runs only that one.
        let again = try slurmRunner(study, store: store, environment: ["FAKE_TRIAL_COUNT": count]).run()
        #expect(again.outcomes.filter { $0.outcome == .complete }.map(\.trial) == ["vigor/seed-1"])
        #expect(again.outcomes.filter { $0.outcome == .alreadyComplete }.count == 3)
        #expect(startCount(count).count == 5 && startCount(count).last == "vigor/1")
    }

    @Test func aFailingTrialIsFailedWithItsReasonAndTheRestComplete() throws {
        let dir = try temporaryDirectory()
        let store = RunStore(root: dir + "/runs")
        let study = try fakeStudy("fault: {reward: {name: fault}}\n  random: {reward: {name: random}}", seeds: "[1, 2]")
        let summary = try slurmRunner(study, store: store).run()
        let byTrial = Dictionary(uniqueKeysWithValues: summary.outcomes.map { ($0.trial, $0.outcome) })
        #expect(byTrial["fault/seed-1"] == .failed && byTrial["fault/seed-2"] == .failed)
        #expect(byTrial["random/seed-1"] == .complete && byTrial["random/seed-2"] == .complete)
        #expect(summary.failed == 2)
        let failed = TrialResult.load(study: study, store: store).filter { $0.state == .failed }
        #expect(failed.count == 2 && failed.allSatisfy { $0.reason == "non-finite reward at step 2 (reward 'fault', completion 3)" })
        #expect(failed.allSatisfy { store.runnerRecord(hash: $0.hash)?.exitCode == 1 })
    }

    @Test func detachThenStatusThenRunAgainSubmitsNoTrialTwice() throws {
        let dir = try temporaryDirectory()
        let store = RunStore(root: dir + "/runs")
        let count = dir + "/starts.txt"
        let study = try fakeStudy(seeds: "[1, 2]", steps: 3)
        let env = ["FAKE_TRIAL_SLEEP": "1", "FAKE_TRIAL_COUNT": count]
        let detached = try slurmRunner(study, store: store, slurm: slurmOptions(detach: true), environment: env).run()
        #expect(detached.outcomes.map(\.outcome) == Array(repeating: .onSlurm, count: 4))
        #expect(detached.submittedJobs.count == 1)
        let job = detached.submittedJobs[0]
        let states = try slurmRunner(study, store: store).states()
        #expect(states.count == 4)
        #expect(states.allSatisfy { $0.job?.hasPrefix(job + "_") == true }, "\(states.map(\.job))")
        #expect(states.allSatisfy { ["queued", "running", "complete"].contains($0.state) }, "\(states.map(\.state))")
        // Attaches: waits for the same tasks, submits nothing.
        let attached = try slurmRunner(study, store: store, environment: env).run()
        #expect(attached.submittedJobs.isEmpty)
        #expect(attached.outcomes.allSatisfy { $0.outcome == .complete || $0.outcome == .alreadyComplete })
        #expect(attached.outcomes.contains { $0.outcome == .complete })  // some were still on Slurm when it attached
        #expect(startCount(count).sorted() == ["random/1", "random/2", "vigor/1", "vigor/2"])
        #expect(try slurmRunner(study, store: store).states().allSatisfy { $0.state == "complete" })
    }

    @Test func aStudyHalfRunOnOneExecutorFinishesOnTheOther() throws {
        let dir = try temporaryDirectory()
        let count = dir + "/starts.txt"
        let half = try fakeStudy(seeds: "[1]"), whole = try fakeStudy(seeds: "[1, 2]")
        // Local first, then Slurm.
        let a = RunStore(root: dir + "/a")
        _ = try fakeRunner(half, store: a, environment: ["FAKE_TRIAL_COUNT": count]).run()
        let onSlurm = try slurmRunner(whole, store: a, environment: ["FAKE_TRIAL_COUNT": count]).run()
        #expect(onSlurm.outcomes.map(\.outcome) == [.alreadyComplete, .complete, .alreadyComplete, .complete])
        // Slurm first, then local.
        let b = RunStore(root: dir + "/b")
        _ = try slurmRunner(half, store: b, environment: ["FAKE_TRIAL_COUNT": count]).run()
        let local = try fakeRunner(whole, store: b, environment: ["FAKE_TRIAL_COUNT": count]).run()
        #expect(local.outcomes.map(\.outcome) == [.alreadyComplete, .complete, .alreadyComplete, .complete])
        #expect(startCount(count).count == 8)  // each trial of each store ran once
        #expect(reportWithoutWallTime(whole, a) == reportWithoutWallTime(whole, b))
    }

    @Test func cancelStopsWhatTheStudyHasOnSlurm() throws {
        let dir = try temporaryDirectory()
        let store = RunStore(root: dir + "/runs")
        let study = try fakeStudy(seeds: "[1, 2]", steps: 30)
        let env = ["FAKE_TRIAL_SLEEP": "1"]
        let detached = try slurmRunner(study, store: store, slurm: slurmOptions(maxParallel: 1, detach: true), environment: env).run()
        #expect(detached.submittedJobs.count == 1)
        // One task running a step, three queued behind it.
        let first = try #require(try study.trials(basePath: "runs/cache/base.safetensors").first)
        let started = Date().addingTimeInterval(30)
        while Date() < started, (store.status(hash: first.hash)?.step ?? 0) < 1 { usleep(100_000) }
        #expect(try slurmRunner(study, store: store).states().map(\.state) == ["running", "queued", "queued", "queued"])
        let cancelled = try slurmRunner(study, store: store).cancelOnSlurm()
        #expect(cancelled.count == 4)
        // The running one writes interrupted on SIGTERM; the pending ones were marked at once.
        let deadline = Date().addingTimeInterval(40)
        while Date() < deadline, !runnerTrialsAll(study, store, .interrupted) { usleep(200_000) }
        #expect(runnerTrialsAll(study, store, .interrupted))
        #expect(try slurmRunner(study, store: store).cancelOnSlurm().isEmpty)
        // Nothing of it stays on Slurm (the cancelled task ends within Slurm's kill wait).
        let job = detached.submittedJobs[0]
        while Date() < deadline, try SlurmClient().activeTasks().keys.contains(where: { $0.hasPrefix(job + "_") }) { usleep(200_000) }
        #expect(try !SlurmClient().activeTasks().keys.contains(where: { $0.hasPrefix(job + "_") }))
    }

    @Test(arguments: ["no sbatch", "controller down", "unknown partition", "rejected submission"])
    func aSlurmThatCannotTakeTheStudyIsAClearErrorAndNoTrialIsMarked(_ what: String) throws {
        let dir = try temporaryDirectory()
        let store = RunStore(root: dir + "/runs")
        let study = try fakeStudy(seeds: "[1]", steps: 2)
        let before = Set(try SlurmClient().activeTasks().keys)
        var o = slurmOptions()
        var expected: [String] = []
        switch what {
        case "no sbatch":
            o.environment = ["PATH": dir + "/empty-bin"]
            expected = ["`sbatch` is not on PATH"]
        case "controller down":
            // The same cluster, but a controller port nobody listens on.
            let conf = String(decoding: contents(SlurmTestCluster.configPath) ?? Data(), as: UTF8.self)
            let dead = conf.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("SlurmctldPort") }.joined(separator: "\n") + "\nSlurmctldPort=6999\n"
            try RunStore.writeAtomically(text: dead, to: dir + "/dead.conf")
            o.environment = ["SLURM_CONF": dir + "/dead.conf"]
            expected = ["`sinfo -h -o %P` failed", "Unable to contact slurm controller"]
        case "unknown partition":
            o.partition = "no-such-partition"
            expected = ["--partition no-such-partition: Slurm has no such partition"]
        default:
            o.sbatchArguments = ["--time=not-a-time"]
            expected = ["`sbatch --parsable --hold", "failed (exit ", "Invalid --time specification"]
        }
        do {
            _ = try slurmRunner(study, store: store, slurm: o).run()
            Issue.record("\(what): no error")
        } catch {
            let text = "\(error)"
            for e in expected { #expect(text.contains(e), "\(what): \(text)") }
        }
        for t in try study.trials(basePath: "runs/cache/base.safetensors") {
            #expect(store.status(hash: t.hash) == nil, "\(what): \(t.label) was marked")
        }
        #expect(Set(try SlurmClient().activeTasks().keys).isSubset(of: before), "\(what): something was left on Slurm")
    }

    @Test func theCommandExitsNonZeroWithTheErrorWhenSbatchIsMissing() throws {
        let dir = try temporaryDirectory()
        let binary = try ablateBinary()
        try RunStore.writeAtomically(text: """
            description: slurm errors
            train: {max_steps: 2}
            evaluation: {suites: [arith], n: 10}
            seeds: [1]
            variants:
              random: {reward: {name: random}}
            """, to: dir + "/s.yaml")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["run", dir + "/s.yaml", "--runs", dir + "/runs", "--notebooks", dir + "/nb", "--executor", "slurm",
                       "--trial-command", fixtureRoot + "/fake-trial.sh", "--no-pretrain"]
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = dir + "/empty-bin"
        p.environment = env
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus != 0)
        #expect(text.contains("ablate run: error: `sbatch` is not on PATH"), "\(text)")
        let trials = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/runs/trials")) ?? []
        #expect(trials.allSatisfy { !FileManager.default.fileExists(atPath: dir + "/runs/trials/\($0)/status.json") })
    }
}

func runnerTrialsAll(_ study: Study, _ store: RunStore, _ state: TrialState) -> Bool {
    ((try? study.trials(basePath: "runs/cache/base.safetensors")) ?? []).allSatisfy { store.status(hash: $0.hash)?.status == state }
}

@Suite struct SlurmRecordTests {
    @Test func aStatusNamesItsSlurmTaskOnlyInsideOneAndOldStatusFilesStillRead() throws {
        #expect(TrialStatus.slurmTask(["SLURM_ARRAY_JOB_ID": "17", "SLURM_ARRAY_TASK_ID": "3"]) == "17_3")
        #expect(TrialStatus.slurmTask(["SLURM_JOB_ID": "17"]) == nil)
        #expect(TrialStatus.slurmTask([:]) == nil)
        let old = #"{"hash":"0123456789abcdef","pid":1,"reason":null,"status":"running","step":2,"updated":"x"}"#
        let status = try JSONDecoder().decode(TrialStatus.self, from: Data(old.utf8))
        #expect(status.job == nil && status.step == 2)
        let encoded = try JSONEncoder().encode(TrialStatus(status: .running, step: 0, hash: "0123456789abcdef", job: "5_1"))
        #expect(try JSONDecoder().decode(TrialStatus.self, from: encoded).job == "5_1")
    }

    @Test func theBatchScriptQuotesEveryArgumentAndRunsTheTrialCommandOfItsTask() throws {
        let dir = try temporaryDirectory()
        let script = slurmBatchScript(tasks: [(dir + "/a", ["/bin/echo", "it's", "$HOME"]), (dir + "/b", ["/bin/false"])],
                                      environment: ["OPENBLAS_NUM_THREADS": "1", "BAD NAME": "x"], heartbeat: 1)
        #expect(script.contains(#"0) dir='\#(dir)/a'; set -- '/bin/echo' 'it'\''s' '$HOME' ;;"#))
        #expect(script.contains("export OPENBLAS_NUM_THREADS='1'") && !script.contains("BAD NAME"))
        // Run task 0 as Slurm would, its status naming the task: the command's output lands in train.log.
        try RunStore.makeDirectory(dir + "/a")
        try RunStore.writeAtomically(text: #"{"job":"9_0","status":"running"}"#, to: dir + "/a/status.json")
        try RunStore.writeAtomically(text: script, to: dir + "/task.sh")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = [dir + "/task.sh"]
        p.environment = ["SLURM_ARRAY_JOB_ID": "9", "SLURM_ARRAY_TASK_ID": "0", "PATH": "/usr/bin:/bin"]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(String(decoding: contents(dir + "/a/train.log") ?? Data(), as: UTF8.self) == "it's $HOME\n")
        #expect(try JSONDecoder().decode(RunnerRecord.self, from: contents(dir + "/a/runner.json") ?? Data()).exitCode == 0)
        // A task whose trial's status names another task does not run it.
        try RunStore.writeAtomically(text: #"{"job":"10_0","status":"running"}"#, to: dir + "/a/status.json")
        try FileManager.default.removeItem(atPath: dir + "/a/train.log")
        let q = Process()
        q.executableURL = URL(fileURLWithPath: "/bin/sh")
        q.arguments = [dir + "/task.sh"]
        q.environment = p.environment
        try q.run()
        q.waitUntilExit()
        #expect(q.terminationStatus == 0 && contents(dir + "/a/train.log") == nil)
    }
}
