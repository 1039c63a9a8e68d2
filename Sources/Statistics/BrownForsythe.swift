import Foundation

public struct BrownForsytheResult: Equatable, Sendable {
    /// Levene's W on absolute deviations from each group's median.
    public var statistic: Double
    public var pvalue: Double
}

/// The Brown–Forsythe test of equal spread (Levene's test centred on medians): `scipy.stats.levene(*groups,
/// center='median')`.
///
/// z_ij = |y_ij − median_i|; W = (N − k)/(k − 1) · Σ n_i (z̄_i − z̄)² / Σ Σ (z_ij − z̄_i)², F(k − 1, N − k) under
/// the null. Robust to the skewed, heavy-tailed spread of final accuracies where some seeds collapse. In a study:
/// does one arm's between-seed spread differ from another's?
/// `levene`'s `center` as `ablate stats` accepts it: the median only (Brown–Forsythe; scipy's default).
public enum LeveneCenter: String, Sendable, CaseIterable {
    case median
}

public enum BrownForsythe {
    public static func test(_ groups: [[Double]]) throws -> BrownForsytheResult {
        guard groups.count >= 2 else {
            throw StatsError.invalidParameter(name: "groups", value: "\(groups.count)", expected: "at least two groups")
        }
        for (i, g) in groups.enumerated() {
            try Check.nonEmpty(g, "groups[\(i)]", "levene", minimum: 2)
            try Check.finite(g, "groups[\(i)]", "levene")
        }
        let k = Double(groups.count)
        let z = try groups.map { g in let m = try Descriptive.median(g); return g.map { abs($0 - m) } }
        let n = Double(z.reduce(0) { $0 + $1.count })
        let means = z.map { $0.reduce(0, +) / Double($0.count) }
        let grand = z.joined().reduce(0, +) / n
        let between = zip(z, means).reduce(0.0) { $0 + Double($1.0.count) * ($1.1 - grand) * ($1.1 - grand) }
        let within = zip(z, means).reduce(0.0) { acc, g in acc + g.0.reduce(0) { $0 + ($1 - g.1) * ($1 - g.1) } }
        let w = (n - k) / (k - 1) * between / within
        let p = GSL.fSF(w, k - 1, n - k)
        return BrownForsytheResult(statistic: w, pvalue: p)
    }
}
