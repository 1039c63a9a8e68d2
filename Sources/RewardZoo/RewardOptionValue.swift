/// A typed option value as it appears in a resolved `RewardSpec` and in JSON.
public enum RewardOptionValue: Sendable, Hashable, CustomStringConvertible {
    /// A choice or a parameter subset (canonical form, e.g. "last:2").
    case string(String)
    case double(Double)
    case int(Int)
    case bool(Bool)
    /// The components of the `weighted` composite.
    case components([WeightedComponent])

    public var description: String {
        switch self {
        case let .string(s): return s
        case let .double(d): return d.description
        case let .int(i): return String(i)
        case let .bool(b): return String(b)
        case let .components(c): return c.map(\.cliForm).joined(separator: ",")
        }
    }
}
