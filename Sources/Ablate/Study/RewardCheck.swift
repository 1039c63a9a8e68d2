/// The one place study files validate a `reward:` object.
///
/// MERGE: when the RewardZoo module lands, `RewardCheck.problem(spec:)` becomes a call to `RewardRegistry`
/// (decode a `RewardSpec` from the flat object: unknown name, unknown option, wrong option type, each listing
/// the valid choices). Its contract stays: nil when valid, else the offending key ("name" or the option) and
/// a message that lists the valid values. `knownNames` goes away with it.
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
