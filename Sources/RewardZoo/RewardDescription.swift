/// What `ablate rewards` shows for one registered reward (also its `--json` form).
public struct RewardDescription: Codable, Sendable, Equatable {
    public struct Option: Codable, Sendable, Equatable {
        public var name: String
        /// choice | double | int | bool | subset | components
        public var kind: String
        /// The default in CLI form; nil = required.
        public var defaultValue: String?
        /// What a value must look like (choices or range).
        public var expected: String
        public var help: String

        enum CodingKeys: String, CodingKey {
            case name, kind, defaultValue = "default", expected, help
        }
    }

    public var name: String
    public var summary: String
    /// Signals of the default configuration, in declaration order; nil when the reward has required options
    /// (`weighted`: the union of its components').
    public var signals: [String]?
    public var usesGold: Bool
    public var defaultShaping: String
    public var permutationEquivariant: Bool
    public var options: [Option]

    enum CodingKeys: String, CodingKey {
        case name, summary, signals, usesGold = "uses_gold", defaultShaping = "default_shaping"
        case permutationEquivariant = "permutation_equivariant", options
    }

    public init(_ type: any IntrinsicReward.Type) {
        name = type.name
        summary = type.summary
        let defaults = try? RewardRegistry.make(RewardSpec(name: type.name, options: [:], registry: [type]), in: [type])
        signals = defaults.map { $0.needs.sortedSignals.map(\.rawValue) }
        usesGold = type.usesGold
        defaultShaping = type.defaultShaping.rawValue
        permutationEquivariant = type.permutationEquivariant
        options = type.options.map { o in
            let kind: String
            switch o.kind {
            case .choice: kind = "choice"
            case .double: kind = "double"
            case .int: kind = "int"
            case .bool: kind = "bool"
            case .subset: kind = "subset"
            case .components: kind = "components"
            }
            return Option(name: o.name, kind: kind, defaultValue: o.defaultValue?.description, expected: o.expectation, help: o.help)
        }
    }
}

extension RewardRegistry {
    /// One description per registered reward, in registry order.
    public static func descriptions(in registry: [any IntrinsicReward.Type] = types) -> [RewardDescription] {
        registry.map { RewardDescription($0) }
    }
}
