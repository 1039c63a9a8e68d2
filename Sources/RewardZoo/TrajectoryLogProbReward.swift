/// `trajectory_logprob`: the policy's own likelihood of the completion (EM-RL trajectory version,
/// arXiv 2505.15134, paper only).
///
/// - Formula: `sum` (EM-RL, default): r = log π(y|x) = Σ_t log p_t(y_t) at the sampling temperature, EOS
///   included; `mean`: r = mean_t log p_t(y_t) (removes the sum's bias towards short completions).
/// - Sign and range: higher = more likely; r ≤ 0; empty → 0.
/// - Ties: none; default shaping raw.
public struct TrajectoryLogProbReward: IntrinsicReward {
    public static let name = "trajectory_logprob"
    public static let summary = "EM-RL trajectory: Σ (or mean) of the completion's token log-probs at the sampling temperature"
    public static let usesGold = false
    public static let defaultShaping = Shaping.raw
    public static let permutationEquivariant = true
    public static let options: [RewardOption] = [
        RewardOption("aggregate", .choice(["mean", "sum"]), default: .string("sum"),
                     help: "sum = log π(y|x) (EM-RL, length-biased) or mean over tokens"),
    ]

    public let aggregate: String

    public init(options: RewardOptions) throws { aggregate = try options.string("aggregate") }

    public var needs: SignalNeeds { SignalNeeds(signals: [.tokenLogProbs]) }

    public func score(_ group: CompletionGroup) throws -> [Double?] {
        try group.tokenSignal(.tokenLogProbs, for: Self.name).map {
            aggregate == "mean" ? SignalMeans.mean($0) : SignalMeans.sum($0)
        }
    }
}
