/// GRPO advantages from shaped rewards, pinned in one function (TRL and verl disagree on ε and singletons).
public enum Advantages {
    /// TRL's epsilon, pinned here (verl uses 1e-6).
    public static let epsilon = 1e-4

    /// A_i = (r_i − mean_g) / (std_g + ε) with unbiased (Bessel) std for `group`; `batch` divides the
    /// group-centred values by the std of all non-nil rewards of the batch (TRL scale_rewards="batch"); `none`
    /// only centres (Dr. GRPO). nil → 0 and excluded from the statistics. Singleton groups and all-equal
    /// groups give 0 (std of a singleton is defined as 0 here, so no NaN). Properties (tested): each group's
    /// advantages sum to 0; adding a constant to a group changes nothing; with `group` scaling, multiplying a
    /// group by c > 0 changes nothing up to ε.
    public static func compute(_ groups: [[Double?]], scaling: AdvantageScaling, epsilon: Double = epsilon) -> [[Double]] {
        let batchStd = unbiasedStd(groups.flatMap { $0.compactMap { $0 } })
        return groups.map { group in
            let values = group.compactMap { $0 }
            guard values.count > 1 else { return Array(repeating: 0, count: group.count) }
            let mean = values.reduce(0, +) / Double(values.count)
            let divisor: Double
            switch scaling {
            case .group: divisor = unbiasedStd(values) + epsilon
            case .batch: divisor = batchStd + epsilon
            case .none: divisor = 1
            }
            return group.map { r in r.map { ($0 - mean) / divisor } ?? 0 }
        }
    }

    /// Sample standard deviation with Bessel's correction; 0 for fewer than two values. Two-pass for accuracy.
    public static func unbiasedStd(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        var ss = 0.0
        for v in values { ss += (v - mean) * (v - mean) }
        return (ss / (n - 1)).squareRoot()
    }
}
