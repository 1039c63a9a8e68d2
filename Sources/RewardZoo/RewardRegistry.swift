/// The registered rewards: an explicit list (adding a reward is one line here).
public enum RewardRegistry {
    public static let types: [any IntrinsicReward.Type] = [
        GradientNormReward.self,
        SelfCertaintyReward.self,
        NegativeEntropyReward.self,
        TrajectoryLogProbReward.self,
        MajorityVoteReward.self,
        SemanticClusterReward.self,
        RandomReward.self,
        GoldReward.self,
        WeightedReward.self,
        FaultReward.self,
    ]

    public static var names: [String] { types.map { $0.name } }

    public static func type(named name: String) throws -> any IntrinsicReward.Type {
        guard let t = types.first(where: { $0.name == name }) else { throw RewardZooError.unknownReward(name, valid: names) }
        return t
    }

    /// Every option of `type` at its default.
    static func defaults(of type: any IntrinsicReward.Type) -> RewardOptions {
        RewardOptions(Dictionary(uniqueKeysWithValues: type.options.map { ($0.name, $0.defaultValue) }))
    }

    /// A spec from command-line strings (`--reward NAME --reward-opt k=v`), each parsed by its option's kind.
    /// `weighted` takes `components=W:SHAPING:NAME,...` (e.g. `0.5:rank:vigor,0.5:raw:gold`; parts at their defaults).
    public static func spec(name: String, options: [String: String]) throws -> RewardSpec {
        let type = try type(named: name)
        var values: [String: RewardOptionValue] = [:]
        var components: [RewardSpec.Component] = []
        for key in options.keys.sorted() {
            let text = options[key] ?? ""
            if type == WeightedReward.self, key == "components" {
                components = try WeightedReward.parseComponents(text)
                continue
            }
            guard let option = type.options.first(where: { $0.name == key }) else {
                throw RewardZooError.unknownOption(reward: name, option: key, valid: validOptions(type))
            }
            values[key] = try option.parse(text, reward: name)
        }
        return try spec(name: name, values: values, components: components)
    }

    /// A spec from typed values (JSON/YAML), validated, with defaults filled in.
    public static func spec(name: String, values: [String: RewardOptionValue], components: [RewardSpec.Component] = []) throws -> RewardSpec {
        let type = try type(named: name)
        var resolved = defaults(of: type).values
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let option = type.options.first(where: { $0.name == key }) else {
                throw RewardZooError.unknownOption(reward: name, option: key, valid: validOptions(type))
            }
            resolved[key] = try option.validate(value, reward: name)
        }
        if type == WeightedReward.self {
            guard !components.isEmpty else {
                throw RewardZooError.malformedSpec("'weighted' needs components, e.g. components=0.5:rank:vigor,0.5:raw:gold or a \"components\" list")
            }
            for c in components where !c.weight.isFinite {
                throw RewardZooError.invalidOptionValue(reward: name, option: "components", value: "\(c.weight)", expected: "finite weights")
            }
        }
        return RewardSpec(validated: name, options: RewardOptions(resolved), components: components)
    }

    static func validOptions(_ type: any IntrinsicReward.Type) -> [String] {
        type.options.map(\.name) + (type == WeightedReward.self ? ["components"] : [])
    }

    /// The reward a spec describes.
    public static func make(_ spec: RewardSpec) throws -> any IntrinsicReward {
        let type = try type(named: spec.name)
        if type == WeightedReward.self { return try WeightedReward(components: spec.components) }
        return try type.init(options: spec.options)
    }
}
