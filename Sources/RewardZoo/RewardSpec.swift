/// A reward with its options, the serialised form that configs and study files use. Flat JSON:
/// `{"name": "vigor", "length_correction": "sqrt", "params": "all", "focal_lambda": 0}`. Decoding validates
/// against the registry (unknown name → the valid names; unknown option → the reward's options; bad value → the
/// option, the value and what is expected) and fills in defaults; encoding writes every option, sorted, so a
/// run's config records what it used.
///
/// The `weighted` composite: `{"name": "weighted", "components": [{"weight": 0.5, "shaping": "rank", "reward":
/// {"name": "vigor"}}, {"weight": 0.5, "shaping": "raw", "reward": {"name": "gold"}}]}`.
public struct RewardSpec: Codable, Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let options: RewardOptions
    /// The parts of a `weighted` composite (empty otherwise).
    public let components: [Component]

    public struct Component: Codable, Hashable, Sendable {
        public var weight: Double
        public var shaping: Shaping
        public var reward: RewardSpec
        public init(weight: Double, shaping: Shaping, reward: RewardSpec) {
            self.weight = weight
            self.shaping = shaping
            self.reward = reward
        }
    }

    /// A spec whose options have been validated (the registry builds them).
    init(validated name: String, options: RewardOptions, components: [Component] = []) {
        self.name = name
        self.options = options
        self.components = components
    }

    /// `vigor` with its defaults (−‖∇NLL‖·√T over all parameters).
    public static var `default`: RewardSpec {
        RewardSpec(validated: GradientNormReward.name, options: RewardRegistry.defaults(of: GradientNormReward.self))
    }

    /// `vigor(length_correction=sqrt, params=all)`.
    public var description: String {
        let opts = options.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let parts = components.map { "\($0.weight)·\($0.shaping.rawValue)(\($0.reward))" }
        return name + "(" + (opts + parts).joined(separator: ", ") + ")"
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        guard let name = try? c.decode(String.self, forKey: Key("name")) else {
            throw RewardZooError.malformedSpec("a reward needs a string \"name\", e.g. {\"name\": \"vigor\"}; valid names: \(RewardZooError.list(RewardRegistry.names))")
        }
        var raw: [String: RewardOptionValue] = [:]
        var components: [Component] = []
        for key in c.allKeys where key.stringValue != "name" {
            if key.stringValue == "components", name == WeightedReward.name {
                components = try c.decode([Component].self, forKey: key)
                continue
            }
            if let b = try? c.decode(Bool.self, forKey: key) { raw[key.stringValue] = .bool(b) }
            else if let i = try? c.decode(Int.self, forKey: key) { raw[key.stringValue] = .int(i) }
            else if let d = try? c.decode(Double.self, forKey: key) { raw[key.stringValue] = .double(d) }
            else if let s = try? c.decode(String.self, forKey: key) { raw[key.stringValue] = .string(s) }
            else {
                throw RewardZooError.invalidOptionValue(reward: name, option: key.stringValue, value: "(not a scalar)",
                                                        expected: "a string, number or boolean")
            }
        }
        self = try RewardRegistry.spec(name: name, values: raw, components: components)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(name, forKey: Key("name"))
        for (k, v) in options.values {
            switch v {
            case let .string(s): try c.encode(s, forKey: Key(k))
            case let .double(d): try c.encode(d, forKey: Key(k))
            case let .int(i): try c.encode(i, forKey: Key(k))
            case let .bool(b): try c.encode(b, forKey: Key(k))
            }
        }
        if !components.isEmpty { try c.encode(components, forKey: Key("components")) }
    }
}
