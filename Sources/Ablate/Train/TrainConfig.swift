import Foundation
import JSON
import MiniLM
import RewardZoo
import Seeded
import Tasks

/// Everything that determines one RL run (a trial): the base checkpoint, the reward, GRPO's settings, the data,
/// the evaluation and the thread count. JSON keys are snake_case and follow TRL's `GRPOConfig` where it has a
/// name. A resolved config (every key present) is what a trial directory records and `ablate train --config`
/// repeats; its `hash` identifies the trial.
///
/// Defaults follow the VIGOR/INTUITOR recipe (docs/REFERENCE.md) scaled to MiniLM: G = 8, β = 0.01, ε = 0.2,
/// τ = 1, one iteration per batch; the learning rate is tuned for the base model (see `learningRate`).
public struct TrainConfig: Codable, Equatable, Sendable {
    /// The base checkpoint (a `.safetensors` file from `ablate pretrain`).
    public var base: String = ""
    /// The reward, with every option resolved.
    public var reward = RewardSpec.default
    /// Within-group shaping; nil = the reward's own default (a resolved config holds the concrete value).
    public var shaping: Shaping? = nil
    /// Seed of the prompts, the sampling draws and stochastic rewards.
    public var seed: UInt64 = 1
    /// RL steps. 1500 at 16 × 8 completions: ~8 minutes of `gold` on 2 cores, where its arith accuracy has gained
    /// 15 points.
    public var maxSteps = 1500
    /// Prompts per step. 16 × 8 = 128 completions: enough mixed groups per step for a stable update.
    public var promptsPerStep = 16
    /// G, completions per prompt (the paper's 8).
    public var numGenerations = 8
    /// Sampling temperature τ (also of log-probs, entropy and self-certainty).
    public var temperature = 1.0
    public var topP = 1.0
    /// New tokens per completion. 96: the longest gold solutions of the base knobs fit, with room to ramble.
    public var maxCompletionLength = 96
    /// Peak learning rate (AdamW). Tuned with the `gold` reward from the default base model (greedy arith test
    /// accuracy from 60.2%, 2 threads, AMD EPYC Zen 4): after 300 steps 1e-4 → 64.6%, 3e-4 → 66.2%, 1e-3 → 62.2% (a dip
    /// to 46% on the way), 3e-3 → 13.8% (collapse); after 1500 steps 1e-4 → 71.8%, 3e-4 → 75.2%.
    public var learningRate = 3e-4
    /// Linear warm-up as a fraction of the steps, then cosine to `minLRRatio` (VIGOR: 10% warm-up).
    public var warmupRatio = 0.1
    public var minLRRatio = 0.1
    /// AdamW decoupled weight decay (TRL's default 0: RL fine-tuning should not shrink the base model).
    public var weightDecay = 0.0
    public var adamBeta1 = 0.9
    /// 0.99 (TRL / PyTorch use 0.999): a few hundred steps are too few for a 0.999 second moment to settle.
    public var adamBeta2 = 0.99
    public var maxGradNorm = 1.0
    /// k3 KL coefficient to the frozen base model; 0 skips the reference forward.
    public var beta = 0.01
    public var epsilon = 0.2
    public var epsilonHigh = 0.2
    public var lossType = GRPOLossType.grpo
    /// Advantage scaling: group (÷ group std + ε), batch, or none (Dr. GRPO).
    public var scaleRewards = AdvantageScaling.group
    public var maskTruncatedCompletions = false
    public var numIterations = 1
    /// Task families the prompts come from (train split, the base model's knobs). Math only by default, so
    /// `trace` measures transfer (the paper's math → code claim).
    public var trainSuites = ["arith"]
    public var evalSuites = TaskRegistry.names
    /// Problems per suite of each evaluation (the same problems for every trial: seed 0, as `ablate eval`): test
    /// for the base and final models, validation for those and the periodic ones. 1000: the binomial SE of an
    /// accuracy near 50% is 1.6 points.
    public var evalN = 1000
    /// Samples per problem for pass@k and maj@k at evaluation (1 = greedy only).
    public var evalK = 1
    /// Temperature of the k samples per problem at evaluation (avg@k, pass@k, maj@k). Absent: 0.8, what every
    /// trial before this key sampled at (absent keys leave a config's hash as it was); a study that reads the
    /// self-consistency gain at the training temperature sets it equal to `temperature`.
    public var evalTemperature: Double? = nil
    /// The evaluated suites whose k samples are drawn (avg@k, pass@k, maj@k); the others are evaluated greedy
    /// only. Absent: every evaluated suite, as before this key.
    public var evalKSuites: [String]? = nil
    /// The splits whose evaluations draw the k samples (`test`, `validation`); the others are greedy only. Absent:
    /// both, as before this key. `[test]` when no choice is made on sampled validation metrics: the k samples are
    /// most of a trial's evaluation time.
    public var evalKSplits: [String]? = nil
    /// Steps between periodic evaluations (0 = only the base model and the final one).
    public var evalInterval = 0
    /// Steps after which the policy is also saved (`model-step-<n>.safetensors` beside the final `model.safetensors`),
    /// e.g. for the reward analysis along training; each in 1..<max_steps, increasing. Absent: none, as before
    /// this key (absent keys leave a config's hash as it was).
    public var checkpointSteps: [Int]? = nil
    /// Worker threads, each with one BLAS thread; part of a result's identity (bits differ across counts).
    public var threads = 1
    /// Sample rollouts written per step to rollouts.jsonl.
    public var logRollouts = 4

    public init() {}

    /// The defaults with a base checkpoint.
    public init(base: String) {
        self.init()
        self.base = base
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case base, reward, shaping, seed, threads, temperature, beta, epsilon
        case maxSteps = "max_steps", promptsPerStep = "prompts_per_step", numGenerations = "num_generations"
        case topP = "top_p", maxCompletionLength = "max_completion_length", learningRate = "learning_rate"
        case warmupRatio = "warmup_ratio", minLRRatio = "min_lr_ratio", weightDecay = "weight_decay"
        case adamBeta1 = "adam_beta1", adamBeta2 = "adam_beta2", maxGradNorm = "max_grad_norm"
        case epsilonHigh = "epsilon_high", lossType = "loss_type", scaleRewards = "scale_rewards"
        case maskTruncatedCompletions = "mask_truncated_completions", numIterations = "num_iterations"
        case trainSuites = "train_suites", evalSuites = "eval_suites", evalN = "eval_n", evalK = "eval_k"
        case evalInterval = "eval_interval", logRollouts = "log_rollouts", evalTemperature = "eval_temperature"
        case evalKSuites = "eval_k_suites", checkpointSteps = "checkpoint_steps", evalKSplits = "eval_k_splits"
    }

    /// Keys that may be absent from a resolved config (nil: the documented behaviour, and no change to the hash).
    static let optionalKeys = [CodingKeys.shaping.rawValue, CodingKeys.evalTemperature.rawValue, CodingKeys.evalKSuites.rawValue,
                               CodingKeys.checkpointSteps.rawValue, CodingKeys.evalKSplits.rawValue]

    /// Every JSON key, sorted.
    public static let fieldNames = CodingKeys.allCases.map(\.rawValue).sorted()

    // Codable is synthesised from `CodingKeys`; every decoding goes through `decode(json:source:)`, which merges
    // the given keys onto the defaults (`Overrides`), so a file missing a newer key gets its default. Adding a
    // setting: its property, its coding key and (when it has limits) a line in `validate()`.

    // MARK: Resolution and validation

    /// The config with `shaping` resolved to the reward's default (a `RewardSpec` always names a registered
    /// reward).
    public func resolved() -> TrainConfig {
        var r = self
        if r.shaping == nil { r.shaping = (try? RewardRegistry.type(named: reward.name))?.defaultShaping }
        return r
    }

    /// Checks every field; the first bad one is an `AblateError.invalidTrainConfig` naming it.
    public func validate() throws {
        func require(_ ok: Bool, _ key: CodingKeys, _ value: Any, _ reason: String) throws {
            if !ok { throw AblateError.invalidTrainConfig(field: key.rawValue, value: "\(value)", reason: reason) }
        }
        try require(!base.isEmpty, .base, base, "name a base checkpoint (.safetensors), e.g. the path `ablate pretrain --print-path` prints")
        try require((1...100_000).contains(maxSteps), .maxSteps, maxSteps, "must be in 1...100000")
        try require((1...4096).contains(promptsPerStep), .promptsPerStep, promptsPerStep, "must be in 1...4096")
        try require((1...256).contains(numGenerations), .numGenerations, numGenerations, "must be in 1...256")
        try require(promptsPerStep * numGenerations <= 8192, .numGenerations, numGenerations,
                    "prompts_per_step × num_generations must be at most 8192 completions per step")
        try require(temperature > 0 && temperature <= 10, .temperature, temperature, "must be in (0, 10]")
        try require(topP > 0 && topP <= 1, .topP, topP, "must be in (0, 1]")
        try require((1...4096).contains(maxCompletionLength), .maxCompletionLength, maxCompletionLength, "must be in 1...4096")
        try require(learningRate > 0 && learningRate < 1, .learningRate, learningRate, "must be in (0, 1)")
        try require((0...1).contains(warmupRatio), .warmupRatio, warmupRatio, "must be in 0...1")
        try require((0...1).contains(minLRRatio), .minLRRatio, minLRRatio, "must be in 0...1")
        try require(weightDecay >= 0 && weightDecay < 1, .weightDecay, weightDecay, "must be in [0, 1)")
        try require((0..<1).contains(adamBeta1), .adamBeta1, adamBeta1, "must be in [0, 1)")
        try require((0..<1).contains(adamBeta2), .adamBeta2, adamBeta2, "must be in [0, 1)")
        try require(maxGradNorm >= 0 && maxGradNorm.isFinite, .maxGradNorm, maxGradNorm, "must be non-negative (0 = no clipping)")
        try require(beta >= 0 && beta.isFinite, .beta, beta, "must be non-negative (0 = no KL, no reference model)")
        try require(epsilon >= 0 && epsilon < 1, .epsilon, epsilon, "must be in [0, 1)")
        try require(epsilonHigh >= 0 && epsilonHigh.isFinite, .epsilonHigh, epsilonHigh, "must be non-negative")
        try require((1...16).contains(numIterations), .numIterations, numIterations, "must be in 1...16")
        try require(!trainSuites.isEmpty, .trainSuites, trainSuites, "name at least one of \(AblateError.list(TaskRegistry.names))")
        for s in trainSuites + evalSuites where !TaskRegistry.names.contains(s) { throw AblateError.unknownSuite(name: s, valid: TaskRegistry.names) }
        try require(Set(evalSuites).count == evalSuites.count, .evalSuites, evalSuites, "names a suite twice")
        try require(Set(trainSuites).count == trainSuites.count, .trainSuites, trainSuites, "names a suite twice")
        try require((1...TaskRegistry.maxCount).contains(evalN), .evalN, evalN, "must be in 1...\(TaskRegistry.maxCount)")
        try require((1...64).contains(evalK), .evalK, evalK, "must be in 1...64")
        if let t = evalTemperature { try require(t > 0 && t <= 10, .evalTemperature, t, "must be in (0, 10]") }
        if let sampled = evalKSuites {
            try require(!sampled.isEmpty && sampled.allSatisfy(evalSuites.contains), .evalKSuites, sampled,
                        "name one or more of the evaluated suites \(AblateError.list(evalSuites))")
            try require(Set(sampled).count == sampled.count, .evalKSuites, sampled, "names a suite twice")
        }
        if let splits = evalKSplits {
            let valid = [Split.test.rawValue, Split.validation.rawValue]
            try require(!splits.isEmpty && splits.allSatisfy(valid.contains) && Set(splits).count == splits.count, .evalKSplits, splits,
                        "name one or both of 'test' and 'validation', once each")
        }
        try require(evalInterval >= 0, .evalInterval, evalInterval, "must be non-negative (0 = final evaluation only)")
        if let steps = checkpointSteps {
            try require(steps.count <= 1000 && steps.allSatisfy { (1..<maxSteps).contains($0) }, .checkpointSteps, steps,
                        "each must be in 1..<max_steps (\(maxSteps)): the final policy is model.safetensors, the first is the base")
            try require(zip(steps, steps.dropFirst()).allSatisfy { $0 < $1 }, .checkpointSteps, steps, "must be increasing")
        }
        try require((1...64).contains(threads), .threads, threads, "must be in 1...64")
        try require((0...1024).contains(logRollouts), .logRollouts, logRollouts, "must be in 0...1024")
        do { _ = try RewardPipeline(spec: reward, shaping: shaping) } catch {
            throw AblateError.invalidTrainConfig(field: "reward", value: reward.description, reason: "\(error)")
        }
    }

    // MARK: JSON

    /// The config as sorted-keys JSON.
    public func json(pretty: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Decodes a JSON object of config keys (any subset; defaults fill the rest). An unknown key lists the valid
    /// ones; a wrong type names the key and the expected type. Not validated: call `validate()`.
    public static func decode(json data: Data, source: String) throws -> TrainConfig {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw AblateError.unreadableFile(path: source, reason: "not valid JSON (\(error.localizedDescription))")
        }
        guard let dict = object as? [String: Any] else {
            throw AblateError.unreadableFile(path: source, reason: "expected a JSON object of training settings")
        }
        do { return try Overrides.apply(dict, to: TrainConfig(), optionalKeys: optionalKeys) } catch let failure as Overrides.Failure {
            switch failure {
            case let .unknownKey(key, _), let .renamed(key, _):
                throw AblateError.invalidTrainConfig(field: key, value: "\(dict[key] ?? "")",
                                                     reason: Suggestion.unknownKey(key, valid: fieldNames, list: fieldNames.joined(separator: ", ")))
            case let .wrongType(field, expected, detail):
                let choices: [String: [String]] = [
                    CodingKeys.lossType.rawValue: GRPOLossType.allCases.map(\.rawValue),
                    CodingKeys.scaleRewards.rawValue: AdvantageScaling.allCases.map(\.rawValue),
                    CodingKeys.shaping.rawValue: Shaping.allCases.map(\.rawValue),
                ]
                if let valid = choices[field] {
                    throw AblateError.invalidTrainConfig(field: field, value: "\(dict[field] ?? "(in \(source))")",
                                                         reason: "please provide one of \(AblateError.list(valid))")
                }
                let reason = expected == "a valid value" ? detail : "expected \(expected)"
                throw AblateError.invalidTrainConfig(field: field, value: "(in \(source))", reason: reason)
            case .notAnObject:
                throw AblateError.unreadableFile(path: source, reason: "expected a JSON object of training settings")
            }
        } catch let e as AblateError { throw e } catch {
            throw AblateError.invalidTrainConfig(field: "(config)", value: source, reason: "\(error)")
        }
    }

    /// FNV-1a-64 of the resolved config's canonical JSON, 16 hex digits: the trial's identity (code version and
    /// machine excluded, so a trial shared by two studies runs once).
    public var hash: String {
        let data = Data(((try? resolved().json()) ?? "").utf8)
        return String(format: "%016llx", StableHash.fnv1a64(data))
    }

    /// A config from a JSON object of config keys (defaults fill the rest): `decode(json:source:)` on a
    /// `JSONValue`, for study files.
    public static func resolve(json: JSONValue) throws -> TrainConfig {
        try decode(json: Data(json.serialized.utf8), source: "train settings")
    }

    // MARK: Derived settings

    /// The MiniLM GRPO settings of this config over `totalSteps` steps.
    func grpoConfig() -> GRPOConfig {
        var g = GRPOConfig()
        g.groupSize = numGenerations
        g.temperature = Float(temperature)
        g.topP = Float(topP)
        g.maxNewTokens = maxCompletionLength
        g.loss = GRPOLoss(lossType: lossType, epsilonLow: epsilon, epsilonHigh: epsilonHigh, beta: beta,
                          maxCompletionLength: maxCompletionLength)
        g.maskTruncatedCompletions = maskTruncatedCompletions
        g.numIterations = numIterations
        g.adam.learningRate = learningRate
        g.adam.beta1 = adamBeta1
        g.adam.beta2 = adamBeta2
        g.adam.weightDecay = weightDecay
        // Each iteration is one optimiser step.
        let updates = maxSteps * numIterations
        g.schedule = LearningRateSchedule(peak: learningRate, warmupSteps: Int((warmupRatio * Double(updates)).rounded()),
                                          totalSteps: updates, minRatio: minLRRatio)
        g.maxGradNorm = maxGradNorm
        g.seed = seed
        return g
    }
}
