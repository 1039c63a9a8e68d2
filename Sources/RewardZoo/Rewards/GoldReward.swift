/// `gold`: 1 if the completion's extracted answer equals the gold answer, else 0 (a missing answer is 0): the
/// verifier, RLVR's upper reference. The only reward that reads gold labels. Raw shaping.
public struct GoldReward: IntrinsicReward {
    public static let name = "gold"
    public static let summary = "Control: 1 if the answer matches the gold answer (the verifier), else 0"
    public static let usesGold = true
    public static let defaultShaping = Shaping.raw
    public init(options: RewardOptions) throws {}
    public var needs: SignalNeeds { SignalNeeds(signals: [.answers], usesGold: true) }
    public func score(_ group: CompletionGroup) throws -> [Double?] {
        guard let gold = group.gold else { throw RewardZooError.missingSignal(reward: Self.name, signal: "gold") }
        return group.answers.map { $0 == gold ? 1 : 0 }
    }
}
