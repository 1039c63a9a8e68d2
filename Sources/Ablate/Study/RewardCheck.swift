/// The one place study files validate a `reward:` object.
///
/// MERGE (tried on a scratch merge with main f1ee96b: builds, and the study tests pass): `import RewardZoo`,
/// `knownNames` becomes `RewardRegistry.names`, and `problem(spec:)` becomes
/// ```
/// do { _ = try RewardSpec.decode(json: JSONValue.object(spec).serialized); return nil } catch {
///     switch error {
///     case let RewardZooError.unknownOption(_, option, _): return (option, "\(error)")
///     case let RewardZooError.badOptionValue(_, option, _, _): return (option, "\(error)")
///     default: return ("name", "\(error)")   // unknown or missing name: the message lists the registry
///     }
/// }
/// ```
/// Its contract stays: nil when valid, else the offending key ("name" or the option) and a message that lists
/// the valid values; the parser reports it at that key's line and column.
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
