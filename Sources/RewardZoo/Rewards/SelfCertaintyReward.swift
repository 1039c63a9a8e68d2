/// `self_certainty` (INTUITOR, sunblaze-ucb/Intuitor; verl `self_certainty_from_logits`): the mean over the
/// completion's tokens (EOS included) of sc_t = logsumexp(z_t/τ) − mean_j z_t[j]/τ = KL(U ‖ p_t) + log|V|, aligned
/// with the token it predicts and on logits ÷ the sampling temperature (the open-r1 version's shift and raw logits
/// are traps REFERENCE.md names). Range [log|V|, ∞); higher = more confident. Group z-score, no rank (the paper's).
/// An empty completion scores 0.
public struct SelfCertaintyReward: IntrinsicReward {
    public static let name = "self_certainty"
    public static let summary = "INTUITOR: mean token self-certainty KL(U ‖ p_t) + log|V| at the sampling temperature"
    public static let defaultShaping = Shaping.zscore
    public init(options: RewardOptions) throws {}
    public var needs: SignalNeeds { SignalNeeds(signals: [.tokenSelfCertainties]) }
    public func score(_ group: CompletionGroup) throws -> [Double?] {
        try group.perToken(.tokenSelfCertainties, group.tokenSelfCertainties, reward: Self.name).map { SignalMeans.mean($0) }
    }
}
