/// `neg_entropy`: minimise the policy's own token entropy (RENT, satrams/rent-rl; EM-RL token version,
/// arXiv 2505.15134, paper only).
///
/// - Formula: H_t = logsumexp(z_t/τ) − Σ_j p_t(j) z_t(j)/τ over completion tokens, EOS included;
///   `mean` (RENT, default): r = −mean_t H_t; `sum` (EM-RL token): r = −Σ_t H_t (length-biased: favours short).
/// - Sign and range: higher = lower entropy; r ∈ [−log|V|, 0] for mean, [−T·log|V|, 0] for sum; empty → 0.
/// - Ties: none; default shaping raw (GRPO's group advantage normalises, as RENT does).
public struct NegativeEntropyReward: IntrinsicReward {
    public static let name = "neg_entropy"
    public static let summary = "RENT / EM-RL: −mean (or −sum) of token entropies at the sampling temperature"
    public static let usesGold = false
    public static let defaultShaping = Shaping.raw
    public static let permutationEquivariant = true
    public static let options: [RewardOption] = [
        RewardOption("aggregate", .choice(["mean", "sum"]), default: .string("mean"),
                     help: "mean over tokens (RENT) or sum (EM-RL, length-biased)"),
    ]

    public let aggregate: String

    public init(options: RewardOptions) throws { aggregate = try options.string("aggregate") }

    public var needs: SignalNeeds { SignalNeeds(signals: [.tokenEntropies]) }

    public func score(_ group: CompletionGroup) throws -> [Double?] {
        try group.tokenSignal(.tokenEntropies, for: Self.name).map {
            -(aggregate == "sum" ? SignalMeans.sum($0) : SignalMeans.mean($0))
        }
    }
}
