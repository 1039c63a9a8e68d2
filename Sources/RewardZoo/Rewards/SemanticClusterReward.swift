/// `semantic_cluster` (EMPO, answers as the semantic classes): r_i = the share of the group's completions that give
/// the same answer as completion i, 0 for a completion without an answer. Range [0, 1]; higher = a more consistent
/// answer. Raw shaping.
public struct SemanticClusterReward: IntrinsicReward {
    public static let name = "semantic_cluster"
    public static let summary = "EMPO: share of the group giving the same answer (the answer cluster's probability)"
    public static let defaultShaping = Shaping.raw
    public init(options: RewardOptions) throws {}
    public var needs: SignalNeeds { SignalNeeds(signals: [.answers]) }
    public func score(_ group: CompletionGroup) throws -> [Double?] {
        var counts: [String: Int] = [:]
        for case let a? in group.answers { counts[a, default: 0] += 1 }
        let n = Double(max(group.count, 1))
        return group.answers.map { a in a.map { Double(counts[$0] ?? 0) / n } ?? 0 }
    }
}
