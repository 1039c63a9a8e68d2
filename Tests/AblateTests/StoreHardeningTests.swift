import Foundation
import JSON
import Testing

@testable import Ablate

// Issue 15: the run store and the runner keep their promises under hostile input and faults. One table per
// class of the issue; small sizes where the real case is huge (the 10⁵-deep list runs at full size).

// MARK: - Hostile study files

struct HostileStudy: Sendable, CustomTestStringConvertible {
    let name: String
    let file: String
    let yaml: @Sendable () -> String
    /// `line:column` the error must name, or nil when only the message matters.
    let at: String?
    let says: String
    var testDescription: String { name }
}

let aliasBomb: String = {
    // 9 nested anchors, each list 10 aliases of the previous: 10⁹ nodes once expanded (700 bytes).
    var lines = ["description: bomb", "seeds: [1]", "variants: {a: {}}", "x0: &a0 [arith, arith, arith, arith, arith, arith, arith, arith, arith, arith]"]
    for i in 1...8 { lines.append("x\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]") }
    lines.append("train: {train_suites: *a8}")
    return lines.joined(separator: "\n") + "\n"
}()

let hostileStudies: [HostileStudy] = [
    HostileStudy(name: "alias bomb (9 nested anchors)", file: "studies/bomb.yaml", yaml: { aliasBomb }, at: "9:",
                 says: "the document expands to more than 250000 nodes"),
    HostileStudy(name: "alias bomb inside train:", file: "studies/bomb.yaml",
                 yaml: { aliasBomb.replacingOccurrences(of: "train: {train_suites: *a8}", with: "train: {train_suites: [*a8, *a8]}") },
                 at: "9:", says: "expands to more than"),
    HostileStudy(name: "seeds nested 10⁵ deep (full size)", file: "studies/deep.yaml",
                 yaml: { "description: deep\nseeds: " + String(repeating: "[", count: 100_000) + "1" + String(repeating: "]", count: 100_000) + "\n" },
                 at: "2:71", says: "nested more than 64 deep"),
    HostileStudy(name: "train_suites nested 5000 deep (block style)", file: "studies/deep.yaml",
                 yaml: { "description: d\nseeds: [1]\nvariants: {a: {}}\ntrain:\n  train_suites:\n    " + String(repeating: "- ", count: 5000) + "arith\n" },
                 at: "6:", says: "nested more than 64 deep"),
    HostileStudy(name: "10⁵ seeds", file: "studies/seeds.yaml",
                 yaml: { "description: s\nseeds: [" + (0..<100_000).map(String.init).joined(separator: ", ") + "]\nvariants: {a: {}}\n" },
                 at: "2:8", says: "100000 seeds; a study may have at most 10000 trials"),
    HostileStudy(name: "200 variants × 60 seeds", file: "studies/grid.yaml",
                 yaml: { "description: g\nseeds: [" + (0..<60).map(String.init).joined(separator: ", ") + "]\nvariants:\n"
                         + (0..<200).map { "  v\($0): {}" }.joined(separator: "\n") + "\n" },
                 at: "4:3", says: "200 variants × 60 seeds = 12000 trials; a study may have at most 10000"),
    HostileStudy(name: "study named '..'", file: "studies/...yaml", yaml: { "description: d\nseeds: [1]\nvariants: {a: {}}\n" },
                 at: "1:1", says: "the study name (the file's name without .yaml) '..' cannot be a directory name"),
    HostileStudy(name: "study named '-rf'", file: "studies/-rf.yaml", yaml: { "description: d\nseeds: [1]\nvariants: {a: {}}\n" },
                 at: "1:1", says: "'-rf' cannot be a directory name: it starts with '-'"),
    HostileStudy(name: "study named 'quarantine'", file: "studies/quarantine.yaml", yaml: { "description: d\nseeds: [1]\nvariants: {a: {}}\n" },
                 at: "1:1", says: "reserved for the run store"),
    HostileStudy(name: "variant named '..'", file: "studies/v.yaml", yaml: { "description: d\nseeds: [1]\nvariants: {..: {}}\n" },
                 at: "3:12", says: "variants: name '..' cannot be a directory name"),
    HostileStudy(name: "variant named '.'", file: "studies/v.yaml", yaml: { "description: d\nseeds: [1]\nvariants: {.: {}}\n" },
                 at: "3:12", says: "variants: name '.' cannot be a directory name"),
    HostileStudy(name: "variant named '-x'", file: "studies/v.yaml", yaml: { "description: d\nseeds: [1]\nvariants: {-x: {}}\n" },
                 at: "3:12", says: "it starts with '-'"),
]

@Suite struct HostileStudyTests {
    @Test("refused with the line", arguments: hostileStudies)
    func refused(_ c: HostileStudy) throws {
        let start = Date()
        do {
            _ = try Study.parse(yaml: c.yaml(), path: c.file)
            Issue.record("\(c.name): accepted")
        } catch let AblateError.study(path, line, column, message) {
            #expect(path == c.file)
            #expect(message.contains(c.says), "\(c.name): \(message)")
            if let at = c.at { #expect("\(line):\(column)".hasPrefix(at), "\(c.name): at \(line):\(column), expected \(at)") }
        }
        #expect(Date().timeIntervalSince(start) < 10, "\(c.name) took \(Date().timeIntervalSince(start)) s")
    }

    /// Aliases within the limits still work, and a grid of exactly 10⁴ trials is fine.
    @Test func smallAliasesAndTheLargestGridAreAccepted() throws {
        let s = try Study.parse(yaml: """
            description: d
            seeds: [1, 2]
            variants:
              a: {reward: &r {name: vigor}}
              b: {reward: *r, learning_rate: 1.0e-4}
            """, path: "studies/ok.yaml")
        #expect(s.variants.count == 2)
        #expect(JSONValue.object(s.variants[1].overrides)["reward"] == JSONValue.object([("name", .string("vigor"))]))
        let limits = try Study.parse(yaml: "description: d\nseeds: [" + (0..<100).map(String.init).joined(separator: ", ")
                                       + "]\nvariants:\n" + (0..<100).map { "  v\($0): {}" }.joined(separator: "\n") + "\n",
                                     path: "studies/big.yaml")
        #expect(limits.variants.count * limits.seeds.count == StudyLimits.maxTrials)
    }

    @Test func aDirectoryAsStudyPathSaysSo() throws {
        let dir = try temporaryDirectory()
        #expect { try Study.load(path: dir) } throws: { "\($0)".contains("is a directory, not a study file") }
        #expect { try Study.load(path: dir + "/none.yaml") } throws: { "\($0)".contains("no such file") }
    }

    @Test("path components", arguments: [
        ("ok", nil), ("vigor_1.5-x", nil), ("", "empty"), (".", "'.' and '..'"), ("..", "'.' and '..'"), ("a/b", "'/'"),
        ("a\u{0}b", "NUL"), ("-x", "'-'"), (".hidden", "'.'"), ("a\nb", "control"), (String(repeating: "x", count: 256), "256 bytes"),
    ] as [(String, String?)])
    func pathNames(_ name: String, _ problem: String?) {
        let found = PathName.problem(name)
        if let problem { #expect(found?.contains(problem) == true, "\(name.debugDescription): \(found ?? "accepted")") } else { #expect(found == nil) }
    }
}

// MARK: - A corrupted store

/// One corruption of a complete trial (`dir` is its `runs/trials/<hash>`, `link` the study's link to it).
struct Corruption: Sendable, CustomTestStringConvertible {
    let name: String
    let apply: @Sendable (_ dir: String, _ link: String, _ scratch: String) throws -> Void
    /// The problem `ablate report` (TrialResult) and `ablate run` name.
    let problem: String
    /// The run refuses it without --force (finished results there); false: the run recovers by itself.
    let refused: Bool
    var testDescription: String { name }
}

func write(_ text: String, _ path: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }

let corruptions: [Corruption] = [
    Corruption(name: "forged link outside the store (named by the real hash)", apply: { dir, link, scratch in
        let forged = scratch + "/forged/" + (dir as NSString).lastPathComponent
        try FileManager.default.createDirectory(atPath: scratch + "/forged", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dir, toPath: forged)
        let eval = String(decoding: contents(forged + "/eval.json") ?? Data(), as: UTF8.self)
        try write(eval.replacingOccurrences(of: #""accuracy": 0."#, with: #""accuracy": 0.99"#), forged + "/eval.json")
        try FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: forged)
    }, problem: "the trial link is a link to", refused: false),
    Corruption(name: "status complete, eval.json gone", apply: { dir, _, _ in
        try FileManager.default.removeItem(atPath: dir + "/eval.json")
    }, problem: "status.json says complete but eval.json is missing", refused: true),
    Corruption(name: "status complete, model gone", apply: { dir, _, _ in
        try FileManager.default.removeItem(atPath: dir + "/model.safetensors")
    }, problem: "status.json says complete but model.safetensors is missing", refused: true),
    Corruption(name: "config.json edited (learning rate 0.5)", apply: { dir, _, _ in
        let text = String(decoding: contents(dir + "/config.json") ?? Data(), as: UTF8.self)
        try write(text.replacingOccurrences(of: #""learning_rate":0.0003"#, with: #""learning_rate":0.5"#), dir + "/config.json")
    }, problem: "config.json holds another config", refused: true),
    Corruption(name: "torn status.json", apply: { dir, _, _ in
        let data = contents(dir + "/status.json") ?? Data()
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: dir + "/status.json"))
    }, problem: "status.json is not a trial status", refused: true),
    Corruption(name: "garbage status.json", apply: { dir, _, _ in try write("\u{0}\u{1}garbage", dir + "/status.json") },
               problem: "status.json is not a trial status", refused: true),
    Corruption(name: "status.json of another trial", apply: { dir, _, _ in
        let text = String(decoding: contents(dir + "/status.json") ?? Data(), as: UTF8.self)
        try write(text.replacingOccurrences(of: (dir as NSString).lastPathComponent, with: "0123456789abcdef"), dir + "/status.json")
    }, problem: "status.json names trial '0123456789abcdef'", refused: true),
]

@Suite(.serialized) struct StoreTrustTests {
    /// A complete 1 × 2 study in a fresh store; returns the study, the store, the scratch directory and seed-1.
    func completeStudy() throws -> (Study, RunStore, String, TrialSpec) {
        let scratch = try temporaryDirectory()
        let store = RunStore(root: scratch + "/runs")
        let study = try fakeStudy(seeds: "[1]")  // vigor/seed-1, random/seed-1
        let summary = try fakeRunner(study, store: store).run()
        #expect(summary.outcomes.map(\.outcome) == [.complete, .complete])
        let trial = try study.trials(basePath: "runs/cache/base.safetensors")[0]
        return (study, store, scratch, trial)
    }

    @Test func aCompleteTrialOfTheRunnerIsTrusted() throws {
        let (study, store, _, trial) = try completeStudy()
        let check = store.verifiedState(hash: trial.hash)
        guard let status = check.status else { Issue.record("not verified: \(check)"); return }
        #expect(status.status == .complete && check.state == .complete)
        #expect(store.linkState(study: study.name, trial: trial) == .store(hash: trial.hash))
        #expect(TrialResult.load(study: study, store: store).map(\.state) == [.complete, .complete])
    }

    @Test("reported, kept out of the report, never deleted", arguments: corruptions)
    func corruption(_ c: Corruption) throws {
        let (study, store, scratch, trial) = try completeStudy()
        let dir = store.trialDirectory(hash: trial.hash)
        let link = store.linkPath(study: study.name, trial: trial)
        let before = TrialResult.load(study: study, store: store)[0]
        try c.apply(dir, link, scratch)

        // `ablate report` reads it as untrusted, with the problem, and uses none of its numbers.
        let results = TrialResult.load(study: study, store: store)
        #expect(results[0].state == .untrusted, "\(c.name): \(results[0].state)")
        #expect(results[0].reason?.contains(c.problem) == true, "\(c.name): \(results[0].reason ?? "no reason")")
        #expect(results[0].eval.isEmpty && results[0].train.isEmpty)
        let md = StudyReport(study: study, results: results).render()[0].1
        #expect(md.contains("| vigor/seed-1 |") && md.contains("untrusted"), "\(c.name): the report does not list it")
        #expect(!md.contains("0.99"), "\(c.name): a forged number entered the report")

        let count = scratch + "/starts.txt"
        if c.refused {
            // `ablate run` refuses before changing anything, names the trial and the problem, deletes nothing.
            let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
            #expect { try fakeRunner(study, store: store, environment: ["FAKE_TRIAL_COUNT": count]).run() } throws: { e in
                let text = "\(e)"
                return text.contains("vigor/seed-1 (trial \(trial.hash)): \(c.problem)") && text.contains("--force vigor/seed-1")
                    && text.contains("Nothing was changed or deleted")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == files)
            #expect(contents(count) == nil, "a trial started")
            // With --force it is moved to quarantine (whole) and runs again.
            let forced = try fakeRunner(study, store: store, force: ["vigor/seed-1"], environment: ["FAKE_TRIAL_COUNT": count]).run()
            #expect(forced.outcomes.map(\.outcome) == [.complete, .alreadyComplete])
            let quarantined = try FileManager.default.contentsOfDirectory(atPath: store.root + "/quarantine")
            #expect(quarantined.count == 1 && quarantined[0].hasPrefix(trial.hash + "-"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/quarantine/" + quarantined[0]).sorted() == files)
        } else {
            // The link is ours to fix: it is re-pointed at the store's trial, which is complete and not redone.
            let again = try fakeRunner(study, store: store, environment: ["FAKE_TRIAL_COUNT": count]).run()
            #expect(again.outcomes.map(\.outcome) == [.alreadyComplete, .alreadyComplete])
            #expect(contents(count) == nil, "a trial started")
            #expect(store.linkState(study: study.name, trial: trial) == .store(hash: trial.hash))
        }
        let after = TrialResult.load(study: study, store: store)[0]
        #expect(after.state == .complete)
        #expect(after.eval == before.eval, "\(c.name): the recovered result differs")
    }

    /// A real directory of results where the link belongs: reported by `report`, refused by `run`, left alone.
    @Test func aDirectoryInPlaceOfTheLinkIsReportedAndLeftAlone() throws {
        let (study, store, _, trial) = try completeStudy()
        let link = store.linkPath(study: study.name, trial: trial)
        try FileManager.default.removeItem(atPath: link)
        try FileManager.default.copyItem(atPath: store.trialDirectory(hash: trial.hash), toPath: link)
        let results = TrialResult.load(study: study, store: store)
        #expect(results[0].state == .untrusted && results[0].reason?.contains("the trial link is a directory, not a link into") == true)
        #expect { try fakeRunner(study, store: store).run() } throws: { e in
            "\(e)".contains("\(link) is a directory, not a link into") && "\(e)".contains("move it away and run again (nothing was changed)")
        }
        #expect(FileManager.default.fileExists(atPath: link + "/eval.json"))
    }

    @Test func forceNamesMustExist() throws {
        let (study, store, _, _) = try completeStudy()
        #expect { try fakeRunner(study, store: store, force: ["nosuch/seed-9"]).run() } throws: { e in
            "\(e)".contains("--force nosuch/seed-9: no such trial in study 'fake'") && "\(e)".contains("vigor/seed-1")
        }
        #expect(try fakeRunner(study, store: store, force: ["all"]).run().outcomes.count == 2)
    }

    /// A torn status.json of a trial without results (nothing finished): it starts again, with a note.
    @Test func aTornStatusWithoutResultsStartsAgain() throws {
        let scratch = try temporaryDirectory()
        let store = RunStore(root: scratch + "/runs")
        let study = try fakeStudy(seeds: "[1]")
        let trial = try study.trials(basePath: "runs/cache/base.safetensors")[0]
        try store.link(study: study.name, trial: trial)
        try write("{\"status\": \"runn", store.trialDirectory(hash: trial.hash) + "/status.json")
        var lines: [String] = []
        var options = StudyRunner.Options(command: { config, out in ["/bin/sh", fixtureRoot + "/fake-trial.sh", "train", "--config", config, "--out", out] })
        options.jobs = 1
        let summary = try StudyRunner(study: study, basePath: "runs/cache/base.safetensors", store: store, options: options,
                                      log: { lines.append($0) }).run()
        #expect(summary.outcomes.map(\.outcome) == [.complete, .complete])
        #expect(lines.contains { $0.contains("vigor/seed-1 (trial \(trial.hash)): status.json is not a trial status") && $0.contains("starts again") })
    }
}

// MARK: - Two runners at once

@Suite(.serialized) struct TwoRunnerTests {
    /// Deterministic: runner B plans, then runner A runs the whole study before B starts anything. B must find
    /// every trial complete under its lock and start none.
    @Test func aTrialFinishedByAnotherRunnerAfterThePlanIsNotRunAgain() throws {
        let dir = try temporaryDirectory()
        let store = RunStore(root: dir + "/runs")
        let count = dir + "/starts.txt"
        let study = try fakeStudy("vigor: {reward: {name: vigor}}\n  fault: {reward: {name: fault}}\n  random: {reward: {name: random}}", seeds: "[1, 2]")
        nonisolated(unsafe) let first = try fakeRunner(study, store: store, environment: ["FAKE_TRIAL_COUNT": count])
        var options = try fakeRunner(study, store: store, retryFailed: true, environment: ["FAKE_TRIAL_COUNT": count]).options
        nonisolated(unsafe) var firstSummary: StudyRunner.Summary? = nil
        options.afterPlanning = { firstSummary = try? first.run() }
        let second = try StudyRunner(study: study, basePath: "runs/cache/base.safetensors", store: store, options: options, log: { _ in })
        let summary = try second.run()
        #expect(firstSummary?.outcomes.map(\.outcome) == [.complete, .complete, .failed, .failed, .complete, .complete])
        #expect(summary.outcomes.map(\.outcome) == [.alreadyComplete, .alreadyComplete, .skippedFailed, .skippedFailed,
                                                    .alreadyComplete, .alreadyComplete])
        let starts = String(decoding: contents(count) ?? Data(), as: UTF8.self).split(separator: "\n")
        #expect(starts.count == 6, "\(starts)")
    }

    /// Two `ablate run` processes started at once on one study: every trial starts exactly once.
    @Test func twoRunnerProcessesAtOnceRunEachTrialOnce() throws {
        let dir = try temporaryDirectory()
        let binary = try ablateBinary()
        let studyPath = dir + "/race.yaml"
        try write("""
            description: two runners at once
            train: {max_steps: 2}
            evaluation: {suites: [arith, word, trace], n: 10}
            seeds: [1, 2, 3, 4, 5, 6]
            variants:
              vigor: {reward: {name: vigor}}
              random: {reward: {name: random}}
            """, studyPath)
        let count = dir + "/starts.txt"
        func launch(_ n: Int) throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["run", studyPath, "--jobs", "1", "--trial-command", fixtureRoot + "/fake-trial.sh", "--no-pretrain"]
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            var env = ProcessInfo.processInfo.environment
            env["FAKE_TRIAL_SLEEP"] = "0.02"
            env["FAKE_TRIAL_COUNT"] = count
            p.environment = env
            _ = FileManager.default.createFile(atPath: dir + "/runner\(n).log", contents: nil)
            let log = FileHandle(forWritingAtPath: dir + "/runner\(n).log") ?? FileHandle.nullDevice
            p.standardOutput = log
            p.standardError = log
            try p.run()
            return p
        }
        let a = try launch(1), b = try launch(2)
        a.waitUntilExit()
        b.waitUntilExit()
        let logs = (1...2).map { String(decoding: contents(dir + "/runner\($0).log") ?? Data(), as: UTF8.self) }
        #expect(a.terminationStatus == 0 && b.terminationStatus == 0, "\(logs)")
        let starts = String(decoding: contents(count) ?? Data(), as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(starts.count == 12 && Set(starts).count == 12, "trials started more than once: \(starts.sorted())")
        let study = try Study.load(path: studyPath)
        #expect(TrialResult.load(study: study, store: RunStore(root: dir + "/runs")).allSatisfy { $0.state == .complete })
    }
}

// MARK: - Late or silent checks

@Suite struct OutputCheckTests {
    @Test func notebooksMustBeADirectoryWeCanWrite() throws {
        let dir = try temporaryDirectory()
        try write("x", dir + "/file")
        #expect { try StudyReport.checkOutput(notebooks: dir + "/file", study: "s") } throws: { "\($0)".contains("is a file, not a directory") }
        try FileManager.default.createDirectory(atPath: dir + "/nb/s.md", withIntermediateDirectories: true)
        #expect { try StudyReport.checkOutput(notebooks: dir + "/nb", study: "s") } throws: { "\($0)".contains("s.md: is a directory") }
        try StudyReport.checkOutput(notebooks: dir + "/new/deeper", study: "s")  // created when written
    }

    @Test("train --set names the key and the range", arguments: [
        ("seed", "-1", "seed = -1: must be an integer in 0...18446744073709551615"),
        ("max_steps", "1e30", "max_steps = 1e30: must be in 1...100000"),
        ("max_steps", "-1e30", "max_steps = -1e30: must be in 1...100000"),
        ("max_steps", "2.5", "max_steps = 2.5: must be a whole number"),
        ("learning_rate", "5", "learning_rate = 5: must be in (0, 1)"),
        ("loss_type", "nope", "loss_type = nope: please provide one of 'grpo'"),
        ("mask_truncated_completions", "3", "mask_truncated_completions = 3: expected true or false"),
        ("train_suites", "7", "train_suites = 7: expected a list of names"),
        ("nosuch", "1", "nosuch = 1: unknown key; valid keys: adam_beta1"),
    ])
    func setErrors(_ key: String, _ text: String, _ message: String) {
        let value = (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
        #expect { try TrainConfig.checkSetting(key: key, value: value, text: text) } throws: { "\($0)".contains(message) }
    }

    @Test func aGoodSettingPassesAndCombinationsWaitForTheWholeConfig() throws {
        try TrainConfig.checkSetting(key: "seed", value: 7, text: "7")
        try TrainConfig.checkSetting(key: "prompts_per_step", value: 4096, text: "4096")  // with num_generations=2 later
    }

    @Test func outNeverCreatesParentsAndKeepsOtherRuns() throws {
        let dir = try temporaryDirectory()
        let config = try TrainConfig.resolve(json: .object([("base", .string("b.safetensors"))])).resolved()
        let hash = config.hash
        #expect { try TrainRun.checkOutput(directory: dir + "/nope/deeper/x", hash: hash, createParents: false) } throws: {
            "\($0)".contains("its parent directory \(dir)/nope/deeper does not exist")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/nope"))
        try TrainRun.checkOutput(directory: dir + "/fresh", hash: hash, createParents: false)
        try TrainRun.checkOutput(directory: dir + "/a/b/c", hash: hash, createParents: true)
        // An earlier run of another config: refused, its files untouched.
        try FileManager.default.createDirectory(atPath: dir + "/other", withIntermediateDirectories: false)
        try write("{}", dir + "/other/eval.json")
        #expect { try TrainRun.checkOutput(directory: dir + "/other", hash: hash, createParents: false) } throws: {
            "\($0)".contains("is not empty (eval.json) and holds no unfinished run of this config")
        }
        // The same trial unfinished (the runner's restart): allowed; complete: refused.
        try FileManager.default.createDirectory(atPath: dir + "/same", withIntermediateDirectories: false)
        try write("{\"config\": \(try config.json()), \"hash\": \"\(hash)\"}", dir + "/same/config.json")
        try TrialStatus(status: .running, step: 3, hash: hash).write(to: dir + "/same/status.json")
        try TrainRun.checkOutput(directory: dir + "/same", hash: hash, createParents: false)
        try TrialStatus(status: .complete, step: 3, hash: hash).write(to: dir + "/same/status.json")
        #expect { try TrainRun.checkOutput(directory: dir + "/same", hash: hash, createParents: false) } throws: {
            "\($0)".contains("already holds the complete run of this config")
        }
        try write("x", dir + "/file")
        #expect { try TrainRun.checkOutput(directory: dir + "/file", hash: hash, createParents: false) } throws: { "\($0)".contains("is a file") }
    }

    /// The report of a study edited after its trials ran marks the arms trained under the old config.
    @Test func aReportAfterTheStudyChangedMarksTheArms() throws {
        let dir = try temporaryDirectory()
        let store = RunStore(root: dir + "/runs")
        let study = try fakeStudy(seeds: "[1, 2]")
        _ = try fakeRunner(study, store: store).run()
        let edited = try fakeStudy("vigor: {reward: {name: vigor}, learning_rate: 1.0e-4}\n  random: {reward: {name: random}}", seeds: "[1, 2]")
        let trials = try edited.trials(basePath: "runs/cache/base.safetensors")
        let results = TrialResult.load(study: edited, store: store, trials: trials)
        #expect(results.map(\.trainedUnderAnotherConfig) == [true, true, false, false])
        let report = StudyReport(study: edited, results: results)
        #expect(report.variantsTrainedUnderAnotherConfig.map(\.variant) == ["vigor"])
        let md = report.render()[0].1
        #expect(md.contains("**Trained under another config.**") && md.contains("`vigor` (vigor/seed-1, vigor/seed-2)"))
        #expect(md.contains("| vigor ⚠ trained under another config |"))
        #expect(!md.contains("| random ⚠"))
        // Unchanged study: no mark.
        let plain = StudyReport(study: study, results: TrialResult.load(study: study, store: store,
                                                                         trials: try study.trials(basePath: "runs/cache/base.safetensors")))
        #expect(!plain.render()[0].1.contains("trained under another config"))
    }
}
