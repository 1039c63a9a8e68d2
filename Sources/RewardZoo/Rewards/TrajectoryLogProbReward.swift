/// `trajectory_logprob` (EM-RL's trajectory version): r = log π(y|x) = Σ_t log p_t(y_t) (`sum`, length-biased) or
/// its per-token mean (`mean`), at the sampling temperature. Range (−∞, 0]; higher = more likely. Group z-score.
public struct TrajectoryLogProbReward: IntrinsicReward {
    public static let name = "trajectory_logprob"
    public static let summary = "EM-RL: the completion's log-likelihood under the policy (sum or mean over tokens)"
    public static let options = [
        RewardOption("aggregate", .choice(["mean", "sum"]), default: .string("mean"), help: "mean or sum of token log-probs"),
    ]
    let sum: Bool
    public init(options: RewardOptions) throws { sum = options.string("aggregate") == "sum" }
    public var needs: SignalNeeds { SignalNeeds(signals: [.tokenLogProbs]) }
    public func score(_ group: CompletionGroup) throws -> [Double?] {
        try group.perToken(.tokenLogProbs, group.tokenLogProbs, reward: Self.name)
            .map { sum ? SignalMeans.sum($0) : SignalMeans.mean($0) }
    }
}
