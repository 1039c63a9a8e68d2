import Foundation
import RewardZoo
import JSON
import Testing

@testable import Ablate

/// The test fixtures in the source tree (the fake trial script, studies, the report fixture and golden files).
let fixtureRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

/// A runner on `study` in a fresh run store, whose trials are the fake trial script (no trainer needed).
func fakeRunner(_ study: Study, store: RunStore, jobs: Int = 2, retryFailed: Bool = false, force: Set<String> = [],
                environment: [String: String] = [:], basePath: String = "runs/cache/base.safetensors") throws -> StudyRunner {
    let script = fixtureRoot + "/fake-trial.sh"
    var options = StudyRunner.Options(command: { config, out in ["/bin/sh", script, "train", "--config", config, "--out", out] })
    options.jobs = jobs
    options.retryFailed = retryFailed
    options.force = force
    options.environment = environment.merging(["OPENBLAS_NUM_THREADS": "1"]) { a, _ in a }
    return try StudyRunner(study: study, basePath: basePath, store: store, options: options, log: { _ in })
}

func fakeStudy(_ variants: String = "vigor: {reward: {name: vigor}}\n  random: {reward: {name: random}}",
               seeds: String = "[1, 2, 3]", steps: Int = 3) throws -> Study {
    RewardRegistry.register(FaultReward.self)  // the failure-isolation variants
    return try Study.parse(yaml: """
        description: runner test
        train: {max_steps: \(steps)}
        evaluation: {suites: [arith, word, trace], n: 10}
        seeds: \(seeds)
        variants:
          \(variants)
        comparisons: {control: random}
        """, path: "studies/fake.yaml")
}

func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

@Suite(.serialized) struct StudyRunnerTests {
    @Test func runsEveryTrialOnceAndResumesWithoutRedoingAny() throws {
        let dir = try temporaryDirectory()
        let store = RunStore(root: dir + "/runs")
        let count = dir + "/starts.txt"
        let study = try fakeStudy()
        let summary = try fakeRunner(study, store: store, environment: ["FAKE_TRIAL_COUNT": count]).run()
        #expect(summary.outcomes.map(\.outcome) == Array(repeating: .complete, count: 6))
        #expect(summary.stoppedBy == nil)
        let starts = String(decoding: contents(count) ?? Data(), as: UTF8.self).split(separator: "\n")
        #expect(starts.count == 6)
        for t in try study.trials(basePath: "runs/cache/base.safetensors") {
            let link = store.linkPath(study: "fake", trial: t)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "../../trials/\(t.hash)")
            #expect(store.status(hash: t.hash)?.status == .complete)
            let config = try JSONValue.parse(contents(link + "/config.json") ?? Data())
            #expect(config["hash"] == .string(t.hash))
        }
        let again = try fakeRunner(study, store: store, environment: ["FAKE_TRIAL_COUNT": count]).run()
        #expect(again.outcomes.map(\.outcome) == Array(repeating: .alreadyComplete, count: 6))
        #expect(String(decoding: contents(count) ?? Data(), as: UTF8.self).split(separator: "\n").count == 6)
    }

    @Test func aFailingTrialIsIsolatedAndReported() throws {
        let dir = try temporaryDirectory()
        let store = RunStore(root: dir + "/runs")
        let study = try fakeStudy("vigor: {reward: {name: vigor}}\n  fault: {reward: {name: fault}}\n  random: {reward: {name: random}}",
                                  seeds: "[1, 2]")
        let summary = try fakeRunner(study, store: store).run()
        let byTrial = Dictionary(uniqueKeysWithValues: summary.outcomes.map { ($0.trial, $0.outcome) })
        #expect(byTrial["fault/seed-1"] == .failed && byTrial["fault/seed-2"] == .failed)
        #expect(byTrial["vigor/seed-1"] == .complete && byTrial["random/seed-2"] == .complete)
        #expect(summary.failed == 2)
        let results = TrialResult.load(study: study, store: store)
        let failed = results.filter { $0.state == .failed }
        #expect(failed.map(\.label) == ["fault/seed-1", "fault/seed-2"])
        #expect(failed.allSatisfy { $0.reason == "non-finite reward at step 2 (reward 'fault', completion 3)" })
        let md = StudyReport(study: study, results: results).render()[0].1
        #expect(md.contains("| fault/seed-1 | `\(failed[0].hash)` | failed | 1 | non-finite reward at step 2 (reward 'fault', completion 3) |"))
        // Failed trials are not retried by default, and are with retryFailed.
        let again = try fakeRunner(study, store: store).run()
        #expect(again.outcomes.filter { $0.outcome == .skippedFailed }.count == 2)
        let retried = try fakeRunner(study, store: store, retryFailed: true).run()
        #expect(retried.outcomes.filter { $0.outcome == .failed }.count == 2)
        #expect(retried.outcomes.filter { $0.outcome == .alreadyComplete }.count == 4)
    }

    @Test func aProcessThatDiesWithoutAStatusIsMarkedFailedWithItsExitCode() throws {
        let dir = try temporaryDirectory()
        let store = RunStore(root: dir + "/runs")
        let study = try fakeStudy("random: {reward: {name: random}}", seeds: "[1]")
        var options = StudyRunner.Options(command: { _, _ in ["/bin/sh", "-c", "echo boom >&2; exit 3"] })
        options.jobs = 1
        let summary = try StudyRunner(study: study, basePath: "b", store: store, options: options, log: { _ in }).run()
        #expect(summary.outcomes.map(\.outcome) == [.failed])
        let hash = summary.outcomes[0].hash
        let status = try #require(store.status(hash: hash))
        #expect(status.status == .failed)
        #expect(status.reason?.contains("exited with code 3") == true)
        #expect(String(decoding: contents(store.trialDirectory(hash: hash) + "/train.log") ?? Data(), as: UTF8.self) == "boom\n")
        #expect(store.runnerRecord(hash: hash)?.exitCode == 3)
    }

    @Test func aChangedConfigOfAFinishedTrialIsRefusedUnlessForced() throws {
        let dir = try temporaryDirectory()
        let store = RunStore(root: dir + "/runs")
        _ = try fakeRunner(try fakeStudy(seeds: "[1, 2]", steps: 3), store: store).run()
        let edited = try fakeStudy(seeds: "[1, 2]", steps: 4)
        do {
            _ = try fakeRunner(edited, store: store).run()
            Issue.record("a changed finished trial was not refused")
        } catch {
            let text = "\(error)"
            #expect(text.contains("changed the config of 4 finished trial(s)"), "\(text)")
            #expect(text.contains("--force vigor/seed-1 --force vigor/seed-2 --force random/seed-1 --force random/seed-2"), "\(text)")
        }
        let partly = try fakeRunner(edited, store: store, force: ["vigor/seed-1", "vigor/seed-2", "random/seed-1", "random/seed-2"]).run()
        #expect(partly.outcomes.map(\.outcome) == Array(repeating: .complete, count: 4))
        // The old results stay in the store for any other study that uses them.
        let old = try fakeStudy(seeds: "[1, 2]", steps: 3).trials(basePath: "runs/cache/base.safetensors")
        #expect(old.allSatisfy { store.status(hash: $0.hash)?.status == .complete })
    }

    @Test func aTrialSharedByTwoStudiesRunsOnce() throws {
        let dir = try temporaryDirectory()
        let store = RunStore(root: dir + "/runs")
        let count = dir + "/starts.txt"
        _ = try fakeRunner(try fakeStudy(seeds: "[1]"), store: store, environment: ["FAKE_TRIAL_COUNT": count]).run()
        let other = try Study.parse(yaml: """
            description: another study sharing the vigor arm
            train: {max_steps: 3}
            evaluation: {suites: [arith, word, trace], n: 10}
            seeds: [1]
            variants:
              vigor: {reward: {name: vigor}}
              gold: {reward: {name: gold}}
            """, path: "studies/other.yaml")
        let summary = try fakeRunner(other, store: store, environment: ["FAKE_TRIAL_COUNT": count]).run()
        #expect(summary.outcomes.map(\.outcome) == [.alreadyComplete, .complete])
        #expect(String(decoding: contents(count) ?? Data(), as: UTF8.self).split(separator: "\n").sorted() == ["gold/1", "random/1", "vigor/1"])
        #expect(contents(dir + "/runs/other/vigor/seed-1/eval.json") == contents(dir + "/runs/fake/vigor/seed-1/eval.json"))
    }

    @Test func aRunningTrialWithAFreeLockRestartsAndAHeldOneWaits() throws {
        let dir = try temporaryDirectory()
        let store = RunStore(root: dir + "/runs")
        let study = try fakeStudy("random: {reward: {name: random}}", seeds: "[1, 2]")
        let trials = try study.trials(basePath: "runs/cache/base.safetensors")
        for t in trials {
            try store.link(study: study.name, trial: t)
            var status = TrialStatus(status: .running, step: 1, hash: t.hash)
            status.pid = 999_999  // a runner that is gone
            try store.writeStatus(status)
        }
        // seed-2 is held by a live process (this test) for a moment; seed-1's runner is gone.
        let held = try #require(try TrialLock.acquire(directory: store.trialDirectory(hash: trials[1].hash)))
        #expect(TrialLock.isHeld(directory: store.trialDirectory(hash: trials[1].hash)))
        #expect(!TrialLock.isHeld(directory: store.trialDirectory(hash: trials[0].hash)))
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { held.release() }
        let summary = try fakeRunner(study, store: store).run()
        #expect(summary.outcomes.map(\.outcome) == [.complete, .complete])
    }

    @Test func sigtermMarksRunningTrialsInterruptedAndResumeFinishesThem() throws {
        let dir = try temporaryDirectory()
        let binary = try ablateBinary()
        let studyPath = dir + "/slow.yaml"
        try Data("""
            description: slow fake trials
            train: {max_steps: 40}
            evaluation: {suites: [arith, word, trace], n: 10}
            seeds: [1, 2]
            variants:
              vigor: {reward: {name: vigor}}
            """.utf8).write(to: URL(fileURLWithPath: studyPath))
        let p = try launchRunner(binary, study: studyPath, in: dir, sleep: "0.05")
        let study = try Study.load(path: studyPath)
        // SIGTERM once both trials have started (a slow start-up would otherwise meet the default action).
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, TrialResult.load(study: study, store: RunStore(root: dir + "/runs")).contains(where: { $0.train.isEmpty }) {
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        #expect(p.terminationStatus == 128 + SIGTERM)
        let results = TrialResult.load(study: study, store: RunStore(root: dir + "/runs"))
        #expect(results.map(\.state) == [.interrupted, .interrupted])
        let resumed = try launchRunner(binary, study: studyPath, in: dir, sleep: "0")
        resumed.waitUntilExit()
        #expect(resumed.terminationStatus == 0)
        #expect(TrialResult.load(study: study, store: RunStore(root: dir + "/runs")).map(\.state) == [.complete, .complete])
    }

    @Test func killMinus9OfTheRunnerLosesNoCompleteTrial() throws {
        let dir = try temporaryDirectory()
        let binary = try ablateBinary()
        let studyPath = dir + "/fake.yaml"
        try Data("""
            description: resume test
            train: {max_steps: 4}
            evaluation: {suites: [arith, word, trace], n: 10}
            seeds: [1, 2, 3]
            variants:
              vigor: {reward: {name: vigor}}
              self_certainty: {reward: {name: self_certainty}}
              random: {reward: {name: random}}
            """.utf8).write(to: URL(fileURLWithPath: studyPath))
        let study = try Study.load(path: studyPath)
        let runs = dir + "/runs"
        let store = RunStore(root: runs)
        // 4 steps × 0.1 s per trial, 2 at a time: 9 trials take about 2 s; kill the runner after about half.
        let p = try launchRunner(binary, study: studyPath, in: dir, sleep: "0.1")
        // The CLI names the base model by its cache path; the in-process runs below must resolve the same configs.
        let base = try BaseModelCache.path(for: study.recipe, directory: "runs/cache")
        let trials = try study.trials(basePath: base)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let done = TrialResult.load(study: study, store: store).filter { $0.state == .complete }.count
            if done >= 3 { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let before = TrialResult.load(study: study, store: store)
        let finished = before.filter { $0.state == .complete }.map(\.label)
        #expect(finished.count >= 3 && finished.count < 9, "finished before the kill: \(finished)")
        var saved: [String: [Data?]] = [:]
        for label in finished {
            let d = runs + "/" + study.name + "/" + label
            saved[label] = ["status.json", "eval.json", "metrics.jsonl", "runner.json", "config.json"].map { contents(d + "/" + $0) }
        }
        // Resume in process; any orphaned trial process still holds its lock, so the runner waits for it.
        let count = dir + "/starts.txt"
        let summary = try fakeRunner(study, store: store, environment: ["FAKE_TRIAL_COUNT": count], basePath: base).run()
        #expect(summary.outcomes.allSatisfy { $0.outcome == .complete || $0.outcome == .alreadyComplete })
        let restarted = String(decoding: contents(count) ?? Data(), as: UTF8.self).split(separator: "\n").map(String.init)
        for label in finished {
            let d = runs + "/" + study.name + "/" + label
            #expect(["status.json", "eval.json", "metrics.jsonl", "runner.json", "config.json"].map { contents(d + "/" + $0) } == saved[label],
                    "\(label) changed on resume")
            let parts = label.split(separator: "/")
            #expect(!restarted.contains("\(parts[0])/\(parts[1].dropFirst(5))"), "\(label) ran again")
        }
        // The results equal those of an uninterrupted run.
        let clean = try temporaryDirectory()
        let cleanStore = RunStore(root: clean + "/runs")
        _ = try fakeRunner(study, store: cleanStore, basePath: base).run()
        for t in trials {
            for file in ["eval.json", "metrics.jsonl"] {
                #expect(contents(store.linkPath(study: study.name, trial: t) + "/" + file)
                        == contents(cleanStore.linkPath(study: study.name, trial: t) + "/" + file), "\(t.label) \(file)")
            }
            #expect(store.status(hash: t.hash)?.status == .complete)
        }
    }
}

/// The `ablate` executable of this build (`swift build` puts it beside the test bundle).
func ablateBinary(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    var url = Bundle.module.bundleURL.deletingLastPathComponent()
    for _ in 0..<3 {
        let candidate = url.appendingPathComponent("ablate").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        url = url.deletingLastPathComponent()
    }
    throw AblateError.run(reason: "no ablate executable beside the test bundle; run `swift build` first")
}

/// `ablate run STUDY --trial-command fake-trial.sh --no-pretrain --jobs 2` in `dir`, output to dir/runner.log.
func launchRunner(_ binary: String, study: String, in dir: String, sleep: String) throws -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: binary)
    p.arguments = ["run", study, "--jobs", "2", "--trial-command", fixtureRoot + "/fake-trial.sh", "--no-pretrain"]
    p.currentDirectoryURL = URL(fileURLWithPath: dir)
    var env = ProcessInfo.processInfo.environment
    env["FAKE_TRIAL_SLEEP"] = sleep
    p.environment = env
    let log = FileHandle(forWritingAtPath: dir + "/runner.log") ?? {
        _ = FileManager.default.createFile(atPath: dir + "/runner.log", contents: nil)
        return FileHandle(forWritingAtPath: dir + "/runner.log") ?? FileHandle.nullDevice
    }()
    p.standardOutput = log
    p.standardError = log
    try p.run()
    return p
}

@Suite struct RunStoreTests {
    @Test func atomicWritesReplaceWholeFilesAndFailuresAreErrors() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/status.json"
        try RunStore.writeAtomically(Data("one".utf8), to: path)
        try RunStore.writeAtomically(Data("two".utf8), to: path)
        #expect(contents(path) == Data("two".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["status.json"])  // no temporary left
        #expect(throws: AblateError.self) { try RunStore.writeAtomically(Data("x".utf8), to: dir + "/missing/status.json") }
    }

    @Test func linksPointAtTheContentAddressedTrialAndMoveWithTheConfig() throws {
        let dir = try temporaryDirectory()
        let store = RunStore(root: dir + "/runs")
        let trials = try fakeStudy(seeds: "[1]").trials(basePath: "b")
        try store.link(study: "s", trial: trials[0])
        #expect(store.linkedHash(study: "s", trial: trials[0]) == trials[0].hash)
        var moved = trials[0]
        moved.hash = "0123456789abcdef"
        try store.link(study: "s", trial: moved)
        #expect(store.linkedHash(study: "s", trial: trials[0]) == "0123456789abcdef")
        #expect(FileManager.default.fileExists(atPath: store.trialDirectory(hash: trials[0].hash)))
    }
}
