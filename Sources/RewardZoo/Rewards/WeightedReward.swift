/// `weighted`: Σ_k w_k · shaping_k(r_k) — each component scored and shaped within the group, then the weighted sum
/// (e.g. 0.5 vigor + 0.5 gold). A completion some component abstains on counts that component as 0. Raw shaping.
/// Command line: `--reward weighted --reward-opt components=0.5:rank:vigor,0.5:raw:gold` (parts at their default
/// options; JSON/YAML give each part its options).
public struct WeightedReward: IntrinsicReward {
    public static let name = "weighted"
    public static let summary = "Composite: weighted sum of shaped rewards (components=W:SHAPING:NAME,...)"
    public static let defaultShaping = Shaping.raw
    public static let permutationEquivariant = false  // as its parts
    let parts: [(weight: Double, pipeline: RewardPipeline)]

    public init(options: RewardOptions) throws {
        throw RewardZooError.malformedSpec("'weighted' needs components, e.g. components=0.5:rank:vigor,0.5:raw:gold")
    }

    init(components: [RewardSpec.Component]) throws {
        parts = try components.map { ($0.weight, try RewardPipeline(spec: $0.reward, shaping: $0.shaping)) }
    }

    static func parseComponents(_ text: String) throws -> [RewardSpec.Component] {
        try text.split(separator: ",").map { item in
            let f = item.split(separator: ":").map(String.init)
            guard f.count == 3, let w = Double(f[0]), let shaping = Shaping(rawValue: f[1]) else {
                throw RewardZooError.invalidOptionValue(reward: name, option: "components", value: String(item),
                                                        expected: "WEIGHT:SHAPING:NAME with SHAPING one of \(RewardZooError.list(Shaping.allCases.map(\.rawValue)))")
            }
            return RewardSpec.Component(weight: w, shaping: shaping, reward: try RewardRegistry.spec(name: f[2], options: [:]))
        }
    }

    public var needs: SignalNeeds { parts.reduce(SignalNeeds.none) { $0.union($1.pipeline.needs) } }

    public func score(_ group: CompletionGroup) throws -> [Double?] {
        var total = [Double](repeating: 0, count: group.count)
        for part in parts {
            let shaped = try part.pipeline.score(group).shaped
            for i in 0..<group.count { total[i] += part.weight * (shaped[i] ?? 0) }
        }
        return total
    }
}
