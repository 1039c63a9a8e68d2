/// `weighted`: a composite Σ_k w_k · shape_k(r_k) of shaped rewards (e.g. 0.5·rank(vigor) + 0.5·raw(gold)).
///
/// - Each component is scored and shaped within the group with its own shaping, then weighted and summed.
///   A completion abstains (nil) when any component abstains for it. A component's non-finite value throws
///   `nonFinite` naming `weighted/<component>`.
/// - Needs: the union of the components' needs (so `needs.usesGold` is true when it holds `gold`; the static
///   `usesGold` is false because it depends on the configuration).
/// - JSON: `{"name": "weighted", "components": [{"weight": 0.5, "shaping": "rank", "reward": {"name":
///   "vigor"}}, ...]}`; CLI: `--reward weighted --reward-opt components=0.5:rank:vigor,0.5:raw:gold`
///   (component options after `+`: `1:rank:vigor+length_correction=linear+params=lm_head`).
/// - Sign and range: Σ w_k·range_k; default shaping raw (the components are already shaped). Not
///   permutation-equivariant in general (rank ties and some components depend on order).
public struct WeightedReward: IntrinsicReward {
    public static let name = "weighted"
    public static let summary = "Composite: weighted sum of shaped rewards, e.g. components=0.5:rank:vigor,0.5:raw:gold"
    public static let usesGold = false
    public static let defaultShaping = Shaping.raw
    public static let permutationEquivariant = false
    public static let options: [RewardOption] = [
        RewardOption("components", .components, default: nil,
                     help: "weight:shaping:reward[+key=value...] joined by commas (required)"),
    ]

    public let components: [WeightedComponent]
    let rewards: [any IntrinsicReward]

    public init(options: RewardOptions) throws {
        components = try options.components("components")
        rewards = try components.map { try RewardRegistry.make($0.reward) }
    }

    public var needs: SignalNeeds { rewards.reduce(SignalNeeds.none) { $0.union($1.needs) } }

    public func score(_ group: CompletionGroup) throws -> [Double?] {
        var total = [Double?](repeating: 0, count: group.count)
        for (component, reward) in zip(components, rewards) {
            let raw = try reward.score(group)
            guard raw.count == group.count else {
                throw RewardZooError.wrongScoreCount(reward: "\(Self.name)/\(component.reward.name)", expected: group.count, got: raw.count)
            }
            for (i, r) in raw.enumerated() {
                if let r, !r.isFinite { throw RewardZooError.nonFinite(reward: "\(Self.name)/\(component.reward.name)", index: i, value: r) }
            }
            for (i, s) in component.shaping.apply(raw).enumerated() {
                if let s, let t = total[i] { total[i] = t + component.weight * s } else { total[i] = nil }
            }
        }
        return total
    }
}
