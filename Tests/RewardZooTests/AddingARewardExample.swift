import RewardZoo

/// `brevity`: prefer shorter completions (a toy length prior, here to show how a reward is added).
///
/// - Formula: r_i = −T_i / scale, T_i the completion's tokens (EOS included); a truncated completion gets
///   −max_j T_j / scale − 1, below every finished one.
/// - Sign and range: higher = shorter; r ≤ 0. Default shaping rank. Ties: none of its own (rank breaks them
///   by index). Source: none, an example.
public struct BrevityReward: IntrinsicReward {
    public static let name = "brevity"
    public static let summary = "Example: −T/scale (shorter is better); truncated completions last"
    public static let usesGold = false
    public static let defaultShaping = Shaping.rank
    public static let permutationEquivariant = true
    public static let options = [
        RewardOption("scale", .double(1...10_000), default: .double(1), help: "tokens per unit of reward"),
    ]

    public let scale: Double

    public init(options: RewardOptions) throws { scale = try options.double("scale") }

    /// Token counts and truncation flags are always in the group: nothing to ask the trainer for.
    public var needs: SignalNeeds { .none }

    public func score(_ group: CompletionGroup) throws -> [Double?] {
        let longest = Double(group.tokenCounts.max() ?? 0)
        return zip(group.tokenCounts, group.truncated).map { tokens, truncated in
            truncated ? -longest / scale - 1 : -Double(tokens) / scale
        }
    }
}
