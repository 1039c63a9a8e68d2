import JSON

/// The one place studies and the runner use `TrainConfig`: checking one train key, and resolving a trial's
/// whole object into its config and identity.
public enum TrialConfig {
    /// Checks a single train key and its value (unknown key, wrong type); the error names the key.
    public static func check(key: String, value: JSONValue) throws {
        _ = try TrainConfig.resolve(json: .object([("base", .string("x")), (key, value)]))
    }

    /// The resolved config of a trial's complete object (base `train:`, the variant's overrides, seed, base),
    /// validated, and its hash, the trial's identity.
    public static func resolve(_ object: [(key: String, value: JSONValue)], source: String) throws
        -> (config: TrainConfig, hash: String)
    {
        let config = try TrainConfig.resolve(json: .object(object)).resolved()
        try config.validate()
        return (config, config.hash)
    }
}
