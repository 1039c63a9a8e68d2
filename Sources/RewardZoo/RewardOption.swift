import Foundation
import MiniLM

/// One typed option of a reward: name, kind, default and help, as `ablate rewards` shows them.
public struct RewardOption: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// One of these strings.
        case choice([String])
        /// A finite number in the range.
        case double(ClosedRange<Double>)
        /// An integer in the range.
        case int(ClosedRange<Int>)
        /// true or false.
        case bool
        /// A parameter subset: all | lm_head | last:K.
        case subset
        /// Weighted components, CLI form `weight:shaping:reward[+key=value...]` joined by commas.
        case components
    }

    public var name: String
    public var kind: Kind
    /// nil = required (only `weighted`'s components: a composite has no sensible default).
    public var defaultValue: RewardOptionValue?
    public var help: String
    /// false for an option added after trials were recorded: at its default it is left out of a resolved spec (and
    /// so of every config and trial hash), and written only when set to something else. Every option the first
    /// rewards shipped with is recorded always.
    public var recordedAtDefault: Bool

    public init(_ name: String, _ kind: Kind, default defaultValue: RewardOptionValue?, help: String,
                recordedAtDefault: Bool = true) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
        self.recordedAtDefault = recordedAtDefault
    }

    /// What a value must look like, for error messages and `ablate rewards`.
    public var expectation: String {
        switch kind {
        case let .choice(c): return "one of \(RewardZooError.list(c))"
        case let .double(r): return "a number in \(r.lowerBound)...\(r.upperBound)"
        case let .int(r): return "an integer in \(r.lowerBound)...\(r.upperBound)"
        case .bool: return "true or false"
        case .subset: return "'all', 'lm_head' or 'last:K' (K ≥ 0 final blocks)"
        case .components: return "comma-separated weight:shaping:reward[+key=value...] with shaping one of \(RewardZooError.list(Shaping.allCases.map(\.rawValue))), e.g. 0.5:rank:vigor,0.5:raw:gold"
        }
    }

    func bad(_ reward: String, _ value: String) -> RewardZooError {
        .badOptionValue(reward: reward, option: name, value: value, expected: expectation)
    }

    /// Parses the CLI string form (`--reward-opt name=value`).
    public func parse(_ text: String, reward: String) throws -> RewardOptionValue {
        let s = text.trimmingCharacters(in: .whitespaces)
        switch kind {
        case let .choice(c):
            guard c.contains(s) else { throw bad(reward, text) }
            return .string(s)
        case .double:
            guard let d = Double(s), let v = try? check(.double(d), reward: reward) else { throw bad(reward, text) }
            return v  // the error names the value as typed
        case .int:
            guard let i = Int(s), let v = try? check(.int(i), reward: reward) else { throw bad(reward, text) }
            return v
        case .bool:
            switch s.lowercased() {
            case "true", "1", "yes": return .bool(true)
            case "false", "0", "no": return .bool(false)
            default: throw bad(reward, text)
            }
        case .subset:
            guard let subset = try? ParameterSubset(parsing: s) else { throw bad(reward, text) }
            return .string(subset.description)
        case .components:
            return try check(.components(WeightedComponent.parseList(s, reward: reward, option: self)), reward: reward)
        }
    }

    /// Checks a typed value against the kind (range, choices) and returns its canonical form.
    public func check(_ value: RewardOptionValue, reward: String) throws -> RewardOptionValue {
        switch (kind, value) {
        case let (.choice(c), .string(s)) where c.contains(s): return value
        case let (.double(r), .double(d)) where d.isFinite && r.contains(d): return value
        case let (.double(r), .int(i)) where r.contains(Double(i)): return .double(Double(i))
        case let (.int(r), .int(i)) where r.contains(i): return value
        case let (.int(r), .double(d)) where d.rounded() == d && d.magnitude < 1e15 && r.contains(Int(d)): return .int(Int(d))
        case (.bool, .bool): return value
        case let (.subset, .string(s)):
            guard let subset = try? ParameterSubset(parsing: s) else { throw bad(reward, s) }
            return .string(subset.description)
        case let (.components, .components(c)) where !c.isEmpty:
            for comp in c where !comp.weight.isFinite { throw bad(reward, value.description) }
            return value
        case let (_, .string(s)) where kind != .components:
            return try parse(s, reward: reward)  // YAML-like front ends may hand every value over as a string
        default:
            throw bad(reward, value.description)
        }
    }
}
