/// Every error RewardZoo reports. Messages name the offending value and list the valid ones.
public enum RewardZooError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A reward name the registry does not know.
    case unknownReward(name: String, valid: [String])
    /// An option the reward does not have.
    case unknownOption(reward: String, option: String, valid: [String])
    /// An option value of the wrong type or out of range; `expected` says what would be accepted.
    case badOptionValue(reward: String, option: String, value: String, expected: String)
    /// A required option (no default) is missing.
    case missingOption(reward: String, option: String)
    /// A reward spec that is not a JSON object with a string "name".
    case malformedSpec(String)
    /// A group lacks a signal the reward declared (a trainer bug: it computes what `needs` lists).
    case missingSignal(reward: String, signal: String)
    /// A group whose arrays disagree in length.
    case malformedGroup(String)
    /// A reward returned the wrong number of scores.
    case wrongScoreCount(reward: String, expected: Int, got: Int)
    /// A reward returned NaN or ±inf for completion `index` (a bug; the trainer fails the run with the step).
    case nonFinite(reward: String, index: Int, value: Double)
    /// The test-only `fault` reward's injected error.
    case injectedFault(step: Int)

    static func list(_ values: [String]) -> String {
        values.isEmpty ? "(none)" : values.map { "'\($0)'" }.joined(separator: ", ")
    }

    public var description: String {
        switch self {
        case let .unknownReward(name, valid):
            return "unknown reward '\(name)'; valid rewards: \(Self.list(valid)) (see `ablate rewards`)"
        case let .unknownOption(reward, option, valid):
            return "reward '\(reward)' has no option '\(option)'; valid options: \(Self.list(valid))"
        case let .badOptionValue(reward, option, value, expected):
            return "bad value '\(value)' for option '\(option)' of reward '\(reward)': expected \(expected)"
        case let .missingOption(reward, option):
            return "reward '\(reward)' needs option '\(option)' (it has no default; see `ablate rewards`)"
        case let .malformedSpec(reason):
            return "malformed reward spec: \(reason)"
        case let .missingSignal(reward, signal):
            return "reward '\(reward)' needs signal '\(signal)' but the group does not carry it (the trainer computes what the reward's needs list)"
        case let .malformedGroup(reason):
            return "malformed completion group: \(reason)"
        case let .wrongScoreCount(reward, expected, got):
            return "reward '\(reward)' returned \(got) scores for \(expected) completions"
        case let .nonFinite(reward, index, value):
            return "reward '\(reward)' returned the non-finite value \(value) for completion \(index)"
        case let .injectedFault(step):
            return "injected fault at step \(step) (reward 'fault', for testing failure isolation)"
        }
    }
}
