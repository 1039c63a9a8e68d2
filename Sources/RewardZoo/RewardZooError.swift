/// Every error RewardZoo reports. Messages name the reward, the option and the bad value, and list the valid ones.
public enum RewardZooError: Error, CustomStringConvertible, Equatable, Sendable {
    case unknownReward(String, valid: [String])
    case unknownOption(reward: String, option: String, valid: [String])
    case invalidOptionValue(reward: String, option: String, value: String, expected: String)
    case malformedSpec(String)
    /// A reward returned NaN or ±inf: a bug the trainer reports as a failed run.
    case nonFinite(reward: String, index: Int, value: Double)
    /// A group lacks a signal the reward declared it needs (a trainer bug) or has arrays of the wrong length.
    case missingSignal(reward: String, signal: String)
    /// The test-only `fault` reward's injected error.
    case injectedFault(step: Int)

    public var description: String {
        switch self {
        case let .unknownReward(name, valid):
            return "unknown reward '\(name)'; please provide one of \(Self.list(valid))"
        case let .unknownOption(reward, option, valid):
            return valid.isEmpty ? "the reward '\(reward)' has no options, got '\(option)'"
                : "unknown option '\(option)' for reward '\(reward)'; valid options: \(Self.list(valid))"
        case let .invalidOptionValue(reward, option, value, expected):
            return "invalid value '\(value)' for option '\(option)' of reward '\(reward)': expected \(expected)"
        case let .malformedSpec(reason):
            return "malformed reward: \(reason)"
        case let .nonFinite(reward, index, value):
            return "the reward '\(reward)' returned \(value) for completion \(index); rewards must be finite (or nil to abstain)"
        case let .missingSignal(reward, signal):
            return "the reward '\(reward)' needs the signal '\(signal)', which the group does not carry"
        case let .injectedFault(step):
            return "injected fault at step \(step) (the test-only 'fault' reward)"
        }
    }

    static func list(_ names: [String]) -> String {
        switch names.count {
        case 0: return "(none)"
        case 1: return "'\(names[0])'"
        default: return names.dropLast().map { "'\($0)'" }.joined(separator: ", ") + " or '\(names[names.count - 1])'"
        }
    }
}
