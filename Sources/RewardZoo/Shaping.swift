/// Within-group shaping of raw reward scores, applied before the advantage. Computed over the non-nil scores of
/// one group; nil stays nil. With n non-nil scores:
/// - `rank` (VIGOR, ZJUSCL/VIGOR): r̃_i = 2·rank_i/(n−1) − 1 in [−1, 1], rank_i the 0-based position in a
///   *stable ascending* sort. **Ties are not averaged**: equal scores get distinct consecutive ranks, the
///   earlier completion (lower index) the lower rank, so [5, 5, 5] → [−1, 0, 1] (docs/REFERENCE.md: "ascending
///   (stable)", as torch's stable argsort of their code). n = 1 → 0.
/// - `zscore` (INTUITOR): (r_i − mean)/(std + ε), std unbiased (Bessel), ε = `Advantages.epsilon`; n = 1 or
///   all equal → 0.
/// - `minmax`: 2·(r_i − min)/(max − min) − 1 in [−1, 1] (the same range as rank, so components of a weighted
///   composite are comparable); all equal (and n = 1) → 0, the middle.
/// - `raw`: unchanged.
public enum Shaping: String, CaseIterable, Codable, Sendable {
    case rank, zscore, minmax, raw

    /// Shapes one group's scores; nil stays nil and is left out of the statistics.
    public func apply(_ scores: [Double?]) -> [Double?] {
        let present = scores.indices.filter { scores[$0] != nil }
        let values = present.map { scores[$0] ?? 0 }
        let n = values.count
        var shaped = [Double](repeating: 0, count: n)
        switch self {
        case .raw:
            shaped = values
        case .rank:
            if n > 1 {
                // Stable ascending: sort by (value, position); NaN is never passed in by RewardPipeline.
                let order = (0..<n).sorted { values[$0] != values[$1] ? values[$0] < values[$1] : $0 < $1 }
                for (rank, j) in order.enumerated() { shaped[j] = 2 * Double(rank) / Double(n - 1) - 1 }
            }
        case .zscore:
            if n > 1 {
                let m = values.reduce(0, +) / Double(n)
                let std = Advantages.unbiasedStd(values)
                shaped = values.map { ($0 - m) / (std + Advantages.epsilon) }
                if std == 0 { shaped = Array(repeating: 0, count: n) }
            }
        case .minmax:
            if let lo = values.min(), let hi = values.max(), hi > lo {
                shaped = values.map { 2 * ($0 - lo) / (hi - lo) - 1 }
            }
        }
        var out = [Double?](repeating: nil, count: scores.count)
        for (k, i) in present.enumerated() { out[i] = shaped[k] }
        return out
    }
}
