import Statistics

/// How a reward orders one group's completions by length: the within-group Spearman ρ(raw reward, completion
/// length) that both the training metric `length_rho` and the reward analysis report. ρ > 0 favours long
/// completions. A group whose scored rewards or lengths are all equal cannot say anything about length and gives
/// nil, as does one with fewer than three scored completions (Spearman's ρ needs three).
enum LengthCorrelation {
    /// ρ over the completions whose raw reward is set (`rewards[i] == nil`: not scored, left out).
    static func withinGroup(rewards: [Double?], lengths: [Int]) -> Double? {
        let pairs = zip(rewards, lengths).compactMap { reward, length in reward.map { ($0, Double(length)) } }
        let values = pairs.map(\.0), counts = pairs.map(\.1)
        guard pairs.count >= 3, Set(values).count > 1, Set(counts).count > 1,
              let rho = try? Correlation.spearman(values, counts).statistic, rho.isFinite else { return nil }
        return rho
    }
}
