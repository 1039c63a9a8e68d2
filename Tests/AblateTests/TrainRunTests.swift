import Foundation
import JSON
import MiniLM
import RewardZoo
import Testing

@testable import Ablate

@Suite struct TrainRunTests {
    /// A tiny checkpoint with the task vocabulary in a fresh temporary directory.
    func tinyBase() throws -> (directory: String, checkpoint: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rz-train-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tok = try TaskVocabulary.tokenizer()
        let config = ModelConfig(vocabSize: tok.vocabSize, contextLength: 64, layers: 1, heads: 2, dModel: 16, mlpHidden: 32)
        let path = (dir as NSString).appendingPathComponent("base.safetensors")
        try Checkpoint.save(model: try GPT(config: config, seed: 3), tokenizer: tok, to: path)
        return (dir, path)
    }

    func config(base: String, reward: String, options: [String: String] = [:]) throws -> TrainConfig {
        RewardRegistry.register(FaultReward.self)
        var c = TrainConfig()
        c.base = base
        c.reward = try RewardRegistry.spec(name: reward, options: options)
        c.maxSteps = 3
        c.promptsPerStep = 2
        c.numGenerations = 3
        c.maxCompletionLength = 8
        c.evalN = 4
        c.evalSuites = ["arith"]
        c.threads = 2
        return c
    }

    func lines(_ path: String) throws -> [JSONValue] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONValue.parse(Data($0.utf8)) }
    }

    /// The base model's evaluations are computed once and shared: a second trial from the same checkpoint (another
    /// seed) reuses them, with the same numbers as a trial that evaluates afresh; a dirty code version shares
    /// nothing; a damaged entry is recomputed.
    @Test func baseEvaluationsAreSharedBetweenTrials() throws {
        let (dir, base) = try tinyBase()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = (dir as NSString).appendingPathComponent("evaluations")
        var info = RunInfo.current()
        info.codeVersion = "0123456789ab"
        func run(_ name: String, seed: UInt64, cached: Bool, version: String = "0123456789ab") throws -> (evals: [JSONValue], log: [String]) {
            var c = try config(base: base, reward: "random")
            c.seed = seed
            let out = (dir as NSString).appendingPathComponent(name)
            var trial = TrainRun(config: c, directory: out)
            trial.evaluationCache = cached ? cache : nil
            trial.runInfo = info
            trial.runInfo.codeVersion = version
            let log = Box<[String]>([])
            trial.progress = { line in log.value.append(line) }
            guard case .complete = try trial.run() else { Issue.record("not complete"); return ([], []) }
            let evals = try lines((out as NSString).appendingPathComponent("metrics.jsonl")).filter { $0["kind"] == .string("eval") && $0["step"] == .number(0) }
            return (evals, log.value)
        }
        let first = try run("a", seed: 1, cached: true)
        #expect(first.evals.count == 2 && !first.log.contains { $0.hasPrefix("reusing") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache).count == 2, "test and validation")
        let second = try run("b", seed: 2, cached: true)
        #expect(second.log.filter { $0.hasPrefix("reusing the base model's evaluation") }.count == 2)
        let fresh = try run("c", seed: 3, cached: false)
        #expect(first.evals == second.evals && second.evals == fresh.evals)
        let dirty = try run("d", seed: 4, cached: true, version: "0123456789ab-dirty")
        #expect(!dirty.log.contains { $0.hasPrefix("reusing") } && dirty.evals == fresh.evals)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache).count == 2)
        // A damaged entry: recomputed, replaced, same numbers.
        for name in try FileManager.default.contentsOfDirectory(atPath: cache) {
            _ = FileManager.default.createFile(atPath: (cache as NSString).appendingPathComponent(name), contents: Data("{\"key\": 1".utf8))
        }
        let repaired = try run("e", seed: 5, cached: true)
        #expect(repaired.log.filter { $0.hasPrefix("replacing an unreadable cached evaluation") }.count == 2)
        #expect(repaired.evals == fresh.evals)
        #expect(try run("f", seed: 6, cached: true).log.filter { $0.hasPrefix("reusing") }.count == 2)
    }

    /// The warm-up computes each distinct base evaluation of the pending trials once (test and validation, per
    /// distinct settings), and a trial then finds exactly those entries: the same keys and the same numbers as a
    /// trial that evaluates afresh. A second warm-up has nothing left to do.
    @Test func warmUpFillsTheEntriesTrialsAskFor() throws {
        let (dir, base) = try tinyBase()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = (dir as NSString).appendingPathComponent("evaluations")
        var info = RunInfo.current()
        info.codeVersion = "0123456789ab"
        var a = try config(base: base, reward: "random"), b = a, c = a
        a.seed = 1
        b.seed = 2          // same evaluation settings as a: nothing more to compute
        c.evalK = 2         // other settings: two more entries
        let computed = try EvaluationWarmup.warm([a, b, c], jobs: 2, directory: cache, info: info)
        #expect(computed == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache).count == 4)
        #expect(try EvaluationWarmup.warm([a, b, c], jobs: 2, directory: cache, info: info) == 0)
        func run(_ config: TrainConfig, _ name: String, cached: Bool) throws -> (evals: [JSONValue], log: [String]) {
            var trial = TrainRun(config: config, directory: (dir as NSString).appendingPathComponent(name))
            trial.evaluationCache = cached ? cache : nil
            trial.runInfo = info
            let log = Box<[String]>([])
            trial.progress = { line in log.value.append(line) }
            guard case .complete = try trial.run() else { Issue.record("not complete"); return ([], []) }
            let evals = try lines((dir as NSString).appendingPathComponent("\(name)/metrics.jsonl"))
                .filter { $0["kind"] == .string("eval") && $0["step"] == .number(0) }
            return (evals, log.value)
        }
        for (config, name) in [(b, "b"), (c, "c")] {
            let warm = try run(config, name, cached: true)
            #expect(warm.log.filter { $0.hasPrefix("reusing the base model's evaluation") }.count == 2, "\(name)")
            #expect(warm.evals == (try run(config, name + "-fresh", cached: false)).evals, "\(name)")
        }
    }

    /// A run writes every file of the trial contract; the same config run again gives the same numbers; the
    /// config.json it wrote repeats it.
    @Test func runWritesTheTrialDirectoryAndRepeats() throws {
        let (dir, base) = try tinyBase()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = try config(base: base, reward: "vigor")
        let first = (dir as NSString).appendingPathComponent("a")
        guard case .complete = try TrainRun(config: c, directory: first).run() else { Issue.record("not complete"); return }
        for name in ["config.json", "status.json", "metrics.jsonl", "rollouts.jsonl", "eval.json", "model.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: (first as NSString).appendingPathComponent(name)), "\(name)")
        }
        let status = try TrialStatus.read((first as NSString).appendingPathComponent("status.json"))
        let hash = c.hash
        #expect(status.status == .complete && status.step == 3 && status.hash == hash)
        let metrics = try lines((first as NSString).appendingPathComponent("metrics.jsonl"))
        #expect(metrics.filter { $0["kind"] == .string("train") }.count == 3)
        // The base and the final model on test and validation, in that order; nothing periodic (eval_interval 0).
        let evals = metrics.filter { $0["kind"] == .string("eval") }
        #expect(evals.map { "\($0["step"]?.serialized ?? "")/\($0["split"]?.serialized ?? "")" }
                == ["0/\"test\"", "0/\"validation\"", "3/\"validation\"", "3/\"test\""])
        let read = TrialResult.read(directory: first, variant: "v", seed: 1)
        #expect(read.validation.map(\.step) == [0, 3] && read.baseEval["arith"]?["accuracy"] != nil)
        let train = try #require(metrics.first { $0["kind"] == .string("train") })
        for key in ["reward_raw_mean", "rollout_accuracy", "auroc_groups", "length_rho", "entropy", "kl", "clip_fraction", "grad_norm",
                    "completion_length", "truncation_rate", "repetition_3gram", "time_norms_s", "time_sampling_s"] {
            #expect(train[key] != nil, "metrics line lacks \(key)")
        }
        // Repeat from the written config.json: identical metrics apart from wall times.
        let written = try Data(contentsOf: URL(fileURLWithPath: (first as NSString).appendingPathComponent("config.json")))
        guard case let .object(doc)? = try? JSONValue.parse(written), let inner = doc.first(where: { $0.key == "config" })?.value else {
            Issue.record("config.json has no config"); return
        }
        let again = try TrainConfig.decode(json: Data(inner.serialized.utf8), source: "config.json")
        let resolved = c.resolved()
        #expect(again == resolved)
        // The BLAS core is recorded in run_info, outside the hashed config: the trial hash does not see it (issue 16).
        let runInfo = doc.first { $0.key == "run_info" }?.value
        let core = RunInfo.current().blasCore
        #expect(runInfo?["blas_core"] == .string(core.core) && runInfo?["blas_core_choice"] == .string(core.choice))
        #expect(runInfo?["blas_core_detected"] == (core.detected.map(JSONValue.string) ?? .null))
        #expect(doc.first { $0.key == "hash" }?.value == .string(hash) && again.hash == hash)
        #expect(!inner.serialized.contains("blas"))
        let second = (dir as NSString).appendingPathComponent("b")
        _ = try TrainRun(config: again, directory: second).run()
        func numbers(_ path: String) throws -> [JSONValue] {
            try lines((path as NSString).appendingPathComponent("metrics.jsonl")).map { line in
                guard case let .object(pairs) = line else { return line }
                return .object(pairs.filter { !$0.key.hasPrefix("time_") && $0.key != "tokens_per_s" })
            }
        }
        let (n1, n2) = (try numbers(first), try numbers(second))
        #expect(n1 == n2)
    }

    /// A reward that turns NaN at step 2 fails the run with the step and the reason; status.json records it.
    @Test func nonFiniteRewardFailsTheRunWithItsStep() throws {
        let (dir, base) = try tinyBase()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = try config(base: base, reward: "fault", options: ["at_step": "1", "kind": "nan"])
        let out = (dir as NSString).appendingPathComponent("f")
        let outcome = try TrainRun(config: c, directory: out).run()
        guard case let .failed(step, reason) = outcome else { Issue.record("expected a failure, got \(outcome)"); return }
        #expect(step == 2, "\(reason)")
        let status = try TrialStatus.read((out as NSString).appendingPathComponent("status.json"))
        #expect(status.status == .failed && status.step == 1 && (status.reason ?? "").contains("step 2"))
        // A reward's bug is its own error, not a divergence that sends the user to the learning rate.
        #expect(reason.hasPrefix("the reward failed at step 2 on prompt 0") && reason.contains("fault"), "\(reason)")
        #expect(!reason.contains("lower the learning rate"), "\(reason)")
    }

    @Test(arguments: [
        (#"{"max_stepz": 3}"#, "max_stepz", "valid keys"),
        (#"{"max_steps": "many"}"#, "max_steps", "expected"),
        (#"{"loss_type": "ppo"}"#, "loss_type", "'grpo', 'bnpo', 'dr_grpo' or 'dapo'"),
        (#"{"reward": {"name": "vigour"}}"#, "vigour", "'vigor'"),
        (#"{"reward": {"name": "vigor", "length_corection": "sqrt"}}"#, "length_corection", "length_correction"),
    ])
    func badConfigsNameTheKey(json: String, key: String, message: String) {
        do {
            let c = try TrainConfig.decode(json: Data(json.utf8), source: "c.json")
            try c.validate()
            Issue.record("accepted \(json)")
        } catch {
            #expect("\(error)".contains(key) && "\(error)".contains(message), "\(error)")
        }
    }

    @Test func validationNamesTheField() throws {
        var c = TrainConfig()
        c.base = "b.safetensors"
        c.numGenerations = 0
        #expect(throws: AblateError.self) { try c.validate() }
        c.numGenerations = 8
        c.evalSuites = ["arith", "arith"]
        do { try c.validate(); Issue.record("accepted a repeated suite") } catch { #expect("\(error)".contains("eval_suites")) }
    }
}
