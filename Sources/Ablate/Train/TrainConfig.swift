import Foundation
import Seeded

// STAND-IN (branch `studies`): the trainer engineer owns this file; at merge the real `TrainConfig` replaces it.
// Everything else in Ablate uses only what the trial contract promises: `Codable`, `fieldNames`,
// `resolve(json:)`, `hash`. Nothing outside this file touches `reward`'s representation.

/// The GRPO training configuration of one trial (trial contract): snake_case keys, TRL names, every key optional
/// on input, always complete once resolved.
public struct TrainConfig: Codable, Equatable, Sendable {
    public var base: String
    public var reward: JSONValue = .object([(key: "name", value: .string("vigor"))])
    public var shaping: String? = nil
    public var seed: Int = 1
    public var maxSteps: Int = 100
    public var promptsPerStep: Int = 16
    public var numGenerations: Int = 8
    public var temperature: Double = 1.0
    public var topP: Double = 1.0
    public var maxCompletionLength: Int = 96
    public var learningRate: Double = 1e-5
    public var warmupRatio: Double = 0.1
    public var minLRRatio: Double = 0.1
    public var weightDecay: Double = 0.0
    public var adamBeta1: Double = 0.9
    public var adamBeta2: Double = 0.99
    public var maxGradNorm: Double = 1.0
    public var beta: Double = 0.01
    public var epsilon: Double = 0.2
    public var epsilonHigh: Double = 0.2
    public var lossType: String = "grpo"
    public var scaleRewards: String = "group"
    public var maskTruncatedCompletions: Bool = false
    public var numIterations: Int = 1
    public var trainSuites: [String] = ["arith"]
    public var evalSuites: [String] = ["arith", "word", "trace"]
    public var evalN: Int = 500
    public var evalK: Int = 1
    public var evalInterval: Int = 0
    public var threads: Int = 1
    public var logRollouts: Int = 4

    enum CodingKeys: String, CodingKey, CaseIterable {
        case base, reward, shaping, seed, temperature, beta, epsilon, threads
        case maxSteps = "max_steps", promptsPerStep = "prompts_per_step", numGenerations = "num_generations"
        case topP = "top_p", maxCompletionLength = "max_completion_length", learningRate = "learning_rate"
        case warmupRatio = "warmup_ratio", minLRRatio = "min_lr_ratio", weightDecay = "weight_decay"
        case adamBeta1 = "adam_beta1", adamBeta2 = "adam_beta2", maxGradNorm = "max_grad_norm"
        case epsilonHigh = "epsilon_high", lossType = "loss_type", scaleRewards = "scale_rewards"
        case maskTruncatedCompletions = "mask_truncated_completions", numIterations = "num_iterations"
        case trainSuites = "train_suites", evalSuites = "eval_suites", evalN = "eval_n", evalK = "eval_k"
        case evalInterval = "eval_interval", logRollouts = "log_rollouts"
    }

    /// Every key, sorted.
    public static let fieldNames: [String] = CodingKeys.allCases.map(\.rawValue).sorted()

    /// The resolved configuration of a JSON object: defaults fill missing keys; an unknown key or a wrong type is
    /// an `AblateError.invalidOption` naming the key and the valid keys or the expected type.
    public static func resolve(json: JSONValue) throws -> TrainConfig {
        guard case let .object(pairs) = json else {
            throw AblateError.invalidOption(name: "train config", value: json.serialized, valid: "expected a JSON object")
        }
        var c = TrainConfig(base: "")
        var sawBase = false
        for (key, value) in pairs {
            guard let k = CodingKeys(rawValue: key) else {
                throw AblateError.invalidOption(name: "train key", value: key,
                                                valid: "please provide one of \(AblateError.list(fieldNames))")
            }
            func bad(_ expected: String) -> AblateError {
                AblateError.invalidOption(name: key, value: value.serialized, valid: "expected \(expected)")
            }
            func int() throws -> Int {
                guard case let .number(d) = value, d == d.rounded(), abs(d) < 1e15 else { throw bad("an integer") }
                return Int(d)
            }
            func num() throws -> Double {
                guard case let .number(d) = value else { throw bad("a number") }
                return d
            }
            func str() throws -> String {
                guard case let .string(s) = value else { throw bad("a string") }
                return s
            }
            func strs() throws -> [String] {
                guard case let .array(items) = value else { throw bad("a list of strings") }
                return try items.map { item in
                    guard case let .string(s) = item else { throw bad("a list of strings") }
                    return s
                }
            }
            switch k {
            case .base: c.base = try str(); sawBase = true
            case .reward:
                guard case let .object(r) = value, case .string? = r.first(where: { $0.key == "name" })?.value else {
                    throw bad("an object with a string 'name'")
                }
                c.reward = value
            case .shaping:
                if value == .null { c.shaping = nil } else { c.shaping = try str() }
            case .seed: c.seed = try int()
            case .maxSteps: c.maxSteps = try int()
            case .promptsPerStep: c.promptsPerStep = try int()
            case .numGenerations: c.numGenerations = try int()
            case .temperature: c.temperature = try num()
            case .topP: c.topP = try num()
            case .maxCompletionLength: c.maxCompletionLength = try int()
            case .learningRate: c.learningRate = try num()
            case .warmupRatio: c.warmupRatio = try num()
            case .minLRRatio: c.minLRRatio = try num()
            case .weightDecay: c.weightDecay = try num()
            case .adamBeta1: c.adamBeta1 = try num()
            case .adamBeta2: c.adamBeta2 = try num()
            case .maxGradNorm: c.maxGradNorm = try num()
            case .beta: c.beta = try num()
            case .epsilon: c.epsilon = try num()
            case .epsilonHigh: c.epsilonHigh = try num()
            case .lossType: c.lossType = try str()
            case .scaleRewards: c.scaleRewards = try str()
            case .maskTruncatedCompletions:
                guard case let .bool(b) = value else { throw bad("true or false") }
                c.maskTruncatedCompletions = b
            case .numIterations: c.numIterations = try int()
            case .trainSuites: c.trainSuites = try strs()
            case .evalSuites: c.evalSuites = try strs()
            case .evalN: c.evalN = try int()
            case .evalK: c.evalK = try int()
            case .evalInterval: c.evalInterval = try int()
            case .threads: c.threads = try int()
            case .logRollouts: c.logRollouts = try int()
            }
        }
        guard sawBase else {
            throw AblateError.invalidOption(name: "base", value: "(missing)", valid: "the base checkpoint path is required")
        }
        if c.shaping == nil { c.shaping = "rank" }  // stand-in: the real one asks the reward for its default
        return c
    }

    /// Trial identity: FNV-1a-64 of the canonical sorted-keys JSON of the resolved config, 16 hex digits.
    public var hash: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = (try? encoder.encode(self)) ?? Data()
        return String(format: "%016llx", StableHash.fnv1a64(bytes))
    }
}

// Stand-in only: the real config holds a typed `RewardSpec`.
extension JSONValue: Encodable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .null: var c = encoder.singleValueContainer(); try c.encodeNil()
        case let .bool(b): var c = encoder.singleValueContainer(); try c.encode(b)
        case let .number(d):
            var c = encoder.singleValueContainer()
            if d == d.rounded(), abs(d) < 9e15 { try c.encode(Int64(d)) } else { try c.encode(d) }
        case let .string(s): var c = encoder.singleValueContainer(); try c.encode(s)
        case let .array(items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case let .object(pairs):
            var c = encoder.container(keyedBy: Key.self)
            for (k, v) in pairs { try c.encode(v, forKey: Key(stringValue: k)) }
        }
    }
}
