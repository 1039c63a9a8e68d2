/// The one place studies and the runner use `TrainConfig`: checking one train key, and resolving a trial's
/// whole object into its config and identity.
///
/// MERGE: main's real `TrainConfig` (f1ee96b) has this contract's `resolve(json:)` and `hash`, plus `resolved()`
/// (shaping filled from the reward's default) and `validate()` (ranges). Re-point `resolve` to
/// ```
/// let config = try TrainConfig.resolve(json: .object(object)).resolved()
/// try config.validate()
/// return (config, config.hash)
/// ```
/// keep `check` as it is, and delete the stand-in Sources/Ablate/Train/TrainConfig.swift (its
/// `JSONValue: Encodable` goes with it; nothing else uses it).
public enum TrialConfig {
    /// Checks a single train key and its value (unknown key, wrong type); the error names the key.
    public static func check(key: String, value: JSONValue) throws {
        _ = try TrainConfig.resolve(json: .object([("base", .string("x")), (key, value)]))
    }

    /// The resolved config of a trial's complete object (base `train:`, the variant's overrides, seed, base) and
    /// its hash, the trial's identity.
    public static func resolve(_ object: [(key: String, value: JSONValue)], source: String) throws
        -> (config: TrainConfig, hash: String)
    {
        let config = try TrainConfig.resolve(json: .object(object))
        return (config, config.hash)
    }
}
