/// `neg_entropy` (RENT, satrams/rent-rl; EM-RL's token version): r = −mean_t H_t (`mean`, RENT) or −Σ_t H_t
/// (`sum`, EM-RL; length-biased towards short completions) with H_t the token entropy at the sampling
/// temperature, EOS included. Range (−∞, 0]; higher = more confident. Group z-score. Empty completions score 0.
public struct NegativeEntropyReward: IntrinsicReward {
    public static let name = "neg_entropy"
    public static let summary = "RENT / EM-RL: minus the completion's token entropy (mean or sum)"
    public static let options = [
        RewardOption("aggregate", .choice(["mean", "sum"]), default: .string("mean"), help: "mean (RENT) or sum (EM-RL) over tokens"),
    ]
    let sum: Bool
    public init(options: RewardOptions) throws { sum = options.string("aggregate") == "sum" }
    public var needs: SignalNeeds { SignalNeeds(signals: [.tokenEntropies]) }
    public func score(_ group: CompletionGroup) throws -> [Double?] {
        try group.perToken(.tokenEntropies, group.tokenEntropies, reward: Self.name)
            .map { -(sum ? SignalMeans.sum($0) : SignalMeans.mean($0)) }
    }
}
