import MiniLM

/// The validated options of one reward, every option present (defaults filled in), with typed getters.
/// A getter for an option the reward does not declare, or of another type, throws (a programmer error in the
/// reward, reported rather than trapped).
public struct RewardOptions: Sendable, Hashable {
    public let reward: String
    /// What a resolved spec records: every option, except one with `recordedAtDefault == false` at its default.
    public let values: [String: RewardOptionValue]
    /// The defaults of the options left out of `values`; the getters read them like any other.
    private let implied: [String: RewardOptionValue]

    /// Validates `given` against `options` (unknown names, types, ranges) and fills in the defaults.
    public init(reward: String, options: [RewardOption], given: [String: RewardOptionValue]) throws {
        let valid = options.map(\.name)
        for key in given.keys.sorted() where !valid.contains(key) {
            throw RewardZooError.unknownOption(reward: reward, option: key, valid: valid)
        }
        var values: [String: RewardOptionValue] = [:]
        var implied: [String: RewardOptionValue] = [:]
        for option in options {
            let v: RewardOptionValue
            if let given = given[option.name] {
                v = try option.check(given, reward: reward)
            } else if let d = option.defaultValue {
                v = d
            } else {
                throw RewardZooError.missingOption(reward: reward, option: option.name)
            }
            if !option.recordedAtDefault, v == option.defaultValue { implied[option.name] = v } else { values[option.name] = v }
        }
        self.reward = reward
        self.values = values
        self.implied = implied
    }

    private func value(_ name: String) throws -> RewardOptionValue {
        guard let v = values[name] ?? implied[name] else {
            throw RewardZooError.unknownOption(reward: reward, option: name, valid: values.keys.sorted())
        }
        return v
    }

    private func wrongType(_ name: String, _ v: RewardOptionValue, _ expected: String) -> RewardZooError {
        .badOptionValue(reward: reward, option: name, value: v.description, expected: expected)
    }

    public func string(_ name: String) throws -> String {
        let v = try value(name)
        guard case let .string(s) = v else { throw wrongType(name, v, "a string") }
        return s
    }

    public func double(_ name: String) throws -> Double {
        let v = try value(name)
        switch v {
        case let .double(d): return d
        case let .int(i): return Double(i)
        default: throw wrongType(name, v, "a number")
        }
    }

    public func int(_ name: String) throws -> Int {
        let v = try value(name)
        guard case let .int(i) = v else { throw wrongType(name, v, "an integer") }
        return i
    }

    public func bool(_ name: String) throws -> Bool {
        let v = try value(name)
        guard case let .bool(b) = v else { throw wrongType(name, v, "true or false") }
        return b
    }

    public func subset(_ name: String) throws -> ParameterSubset {
        let s = try string(name)
        guard let subset = try? ParameterSubset(parsing: s) else {
            throw RewardZooError.badOptionValue(reward: reward, option: name, value: s, expected: "'all', 'lm_head' or 'last:K'")
        }
        return subset
    }

    public func components(_ name: String) throws -> [WeightedComponent] {
        let v = try value(name)
        guard case let .components(c) = v else { throw wrongType(name, v, "weighted components") }
        return c
    }
}
