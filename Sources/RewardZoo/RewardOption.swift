import MiniLM

/// A value of a reward option.
public enum RewardOptionValue: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case double(Double)
    case int(Int)
    case bool(Bool)

    public var description: String {
        switch self {
        case let .string(s): return s
        case let .double(d): return "\(d)"
        case let .int(i): return "\(i)"
        case let .bool(b): return b ? "true" : "false"
        }
    }
}

/// One typed option of a reward, with its default; a value outside its kind is refused with what is expected.
public struct RewardOption: Sendable {
    public enum Kind: Sendable {
        case choice([String])
        case double(ClosedRange<Double>)
        case int(ClosedRange<Int>)
        case bool
        /// A parameter subset: all | lm_head | last:K.
        case subset
    }

    public let name: String
    public let kind: Kind
    public let defaultValue: RewardOptionValue
    public let help: String

    public init(_ name: String, _ kind: Kind, default defaultValue: RewardOptionValue, help: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
    }

    /// What a value must be, for messages and `ablate rewards`.
    public var expected: String {
        switch kind {
        case let .choice(c): return "one of " + RewardZooError.list(c)
        case let .double(r): return "a number in \(r.lowerBound)...\(r.upperBound)"
        case let .int(r): return "an integer in \(r.lowerBound)...\(r.upperBound)"
        case .bool: return "true or false"
        case .subset: return "all, lm_head or last:K"
        }
    }

    /// Checks a typed value (from JSON or YAML) against the kind; integers are accepted for number options.
    func validate(_ value: RewardOptionValue, reward: String) throws -> RewardOptionValue {
        let bad = RewardZooError.invalidOptionValue(reward: reward, option: name, value: value.description, expected: expected)
        switch (kind, value) {
        case let (.choice(c), .string(s)): guard c.contains(s) else { throw bad }; return value
        case let (.double(r), .double(d)): guard d.isFinite, r.contains(d) else { throw bad }; return value
        case let (.double(r), .int(i)): guard r.contains(Double(i)) else { throw bad }; return .double(Double(i))
        case let (.int(r), .int(i)): guard r.contains(i) else { throw bad }; return value
        case let (.int(r), .double(d)):
            guard d == d.rounded(), abs(d) < 1e15, r.contains(Int(d)) else { throw bad }
            return .int(Int(d))
        case (.bool, .bool): return value
        case let (.subset, .string(s)):
            guard (try? ParameterSubset(parsing: s)) != nil else { throw bad }
            return value
        default: throw bad
        }
    }

    /// Parses a command-line string (`k=v`) by the option's kind.
    func parse(_ text: String, reward: String) throws -> RewardOptionValue {
        let bad = RewardZooError.invalidOptionValue(reward: reward, option: name, value: text, expected: expected)
        switch kind {
        case .choice, .subset: return try validate(.string(text), reward: reward)
        case .double: guard let d = Double(text) else { throw bad }; return try validate(.double(d), reward: reward)
        case .int: guard let i = Int(text) else { throw bad }; return try validate(.int(i), reward: reward)
        case .bool:
            switch text { case "true", "1", "yes": return .bool(true); case "false", "0", "no": return .bool(false); default: throw bad }
        }
    }
}

/// A reward's validated option values, every option present (defaults filled in).
public struct RewardOptions: Sendable, Hashable {
    public let values: [String: RewardOptionValue]
    public init(_ values: [String: RewardOptionValue]) { self.values = values }

    public func string(_ name: String) -> String {
        if case let .string(s)? = values[name] { return s }
        return ""
    }
    public func double(_ name: String) -> Double {
        switch values[name] {
        case let .double(d)?: return d
        case let .int(i)?: return Double(i)
        default: return 0
        }
    }
    public func int(_ name: String) -> Int {
        switch values[name] {
        case let .int(i)?: return i
        case let .double(d)?: return Int(d)
        default: return 0
        }
    }
    public func bool(_ name: String) -> Bool {
        if case let .bool(b)? = values[name] { return b }
        return false
    }
    /// A validated subset option (`all` if absent).
    public func subset(_ name: String) -> ParameterSubset { (try? ParameterSubset(parsing: string(name))) ?? .all }
}
