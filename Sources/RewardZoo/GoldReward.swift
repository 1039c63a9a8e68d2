/// `gold`: the verifier (RLVR upper reference). The only reward that reads gold labels.
///
/// - Formula: r_i = 1 if answer_i == gold (exact canonical string) else 0; no answer → 0.
/// - Sign and range: {0, 1}; default shaping raw. Ties: n/a; permutation-equivariant.
public struct GoldReward: IntrinsicReward {
    public static let name = "gold"
    public static let summary = "Verifier control: 1 if the extracted answer equals the gold answer, else 0 (uses labels)"
    public static let usesGold = true
    public static let defaultShaping = Shaping.raw
    public static let permutationEquivariant = true
    public static let options: [RewardOption] = []

    public init(options: RewardOptions) throws {}

    public var needs: SignalNeeds { SignalNeeds(signals: [.answers], usesGold: true) }

    public func score(_ group: CompletionGroup) throws -> [Double?] {
        guard let gold = group.gold else { throw RewardZooError.missingSignal(reward: Self.name, signal: "gold") }
        return group.answers.map { $0 == gold ? 1 : 0 }
    }
}
