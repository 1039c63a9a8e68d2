/// `self_certainty` (INTUITOR, sunblaze-ucb/Intuitor; verl `self_certainty_from_logits`).
///
/// - Formula: r_i = mean over completion tokens (EOS included) of sc_t = logsumexp(z_t/τ) − mean_j z_t(j)/τ
///   = KL(U ‖ p_t) + log|V| (the constant is dropped; group normalisation removes it). Aligned, on logits ÷ τ
///   (the open-r1 version uses raw logits shifted by one position; we follow verl).
/// - Sign and range: higher = more confident; sc_t ≥ 0, so r ∈ [0, ∞); an empty completion gives 0.
/// - Ties: none; default shaping zscore (INTUITOR: group z-score, no rank).
public struct SelfCertaintyReward: IntrinsicReward {
    public static let name = "self_certainty"
    public static let summary = "INTUITOR: mean token self-certainty logsumexp(z/τ) − mean(z/τ) (KL from uniform)"
    public static let usesGold = false
    public static let defaultShaping = Shaping.zscore
    public static let permutationEquivariant = true
    public static let options: [RewardOption] = []

    public init(options: RewardOptions) throws {}

    public var needs: SignalNeeds { SignalNeeds(signals: [.tokenSelfCertainties]) }

    public func score(_ group: CompletionGroup) throws -> [Double?] {
        try group.tokenSignal(.tokenSelfCertainties, for: Self.name).map { SignalMeans.mean($0) }
    }
}
