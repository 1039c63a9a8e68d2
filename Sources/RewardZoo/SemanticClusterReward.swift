/// `semantic_cluster` (EMPO, Zhang et al. 2025, "Right Question is Already Half the Answer"): reward the
/// probability mass of the completion's semantic cluster, clusters being identical extracted answers.
///
/// - Formula: r_i = |{j : answer_j == answer_i}| / G over the G trained completions (vote-only answers are not
///   used); a completion without an answer gets 0 (and counts in G).
/// - Sign and range: (0, 1] for answered completions, 0 without an answer; default shaping raw.
/// - Ties: none (every member of a cluster gets the same value); permutation-equivariant.
public struct SemanticClusterReward: IntrinsicReward {
    public static let name = "semantic_cluster"
    public static let summary = "EMPO: share of the group giving the same answer (0 without an answer)"
    public static let usesGold = false
    public static let defaultShaping = Shaping.raw
    public static let permutationEquivariant = true
    public static let options: [RewardOption] = []

    public init(options: RewardOptions) throws {}

    public var needs: SignalNeeds { SignalNeeds(signals: [.answers]) }

    public func score(_ group: CompletionGroup) throws -> [Double?] {
        var counts: [String: Int] = [:]
        for case let a? in group.answers { counts[a, default: 0] += 1 }
        let g = Double(max(group.count, 1))
        return group.answers.map { a in a.map { Double(counts[$0] ?? 0) / g } ?? 0 }
    }
}
