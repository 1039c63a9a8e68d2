/// The one place study files validate a `reward:` object.
///
/// MERGE: main's RewardZoo has `RewardSpec.decode(json:)` and `RewardRegistry.names`. `problem(spec:)` becomes
/// ```
/// do { _ = try RewardSpec.decode(json: JSONValue.object(spec).serialized); return nil } catch {
///     if case let RewardZooError.unknownOption(_, option, _) = error { return (option, "\(error)") }
///     return ("name", "\(error)")   // unknown name (lists RewardRegistry.names) or a bad option value
/// }
/// ```
/// (a bad option value: point at that option's key if the error names it), `import RewardZoo` here, and
/// `knownNames` goes away. Its contract stays: nil when valid, else the offending key ("name" or the option)
/// and a message that lists the valid values. The parser reports it at that key's line and column.
public enum RewardCheck {
    /// Stand-in for `RewardRegistry`'s names (DESIGN.md), plus `fault`, the test-only reward whose scores turn
    /// non-finite (the trial contract's failure example).
    public static let knownNames = ["fault", "gold", "majority_vote", "neg_entropy", "random", "self_certainty",
                                    "trajectory_logprob", "vigor"]

    /// What is wrong with a flat reward spec `{"name": ..., option: value, ...}`, or nil.
    public static func problem(spec: [(key: String, value: JSONValue)]) -> (key: String, message: String)? {
        guard let name = spec.first(where: { $0.key == "name" })?.value else {
            return ("name", "a reward needs a 'name'; please provide one of \(AblateError.list(knownNames))")
        }
        guard case let .string(text) = name else {
            return ("name", "the reward name must be a string; please provide one of \(AblateError.list(knownNames))")
        }
        guard knownNames.contains(text) else {
            return ("name", "unknown reward '\(text)'; please provide one of \(AblateError.list(knownNames))")
        }
        for (key, value) in spec where key != "name" {
            switch value {
            case .array, .object:
                return (key, "reward option '\(key)' must be a scalar (string, number or boolean)")
            default: continue
            }
        }
        return nil
    }
}
