/// Which null distribution `mannwhitneyu` uses (scipy's `method`).
public enum MannWhitneyMethod: String, Sendable, CaseIterable {
    case auto, exact, asymptotic
}

public struct MannWhitneyResult: Equatable, Sendable {
    /// U of x: R₁ − n₁(n₁+1)/2, the number of (xᵢ, yⱼ) pairs with xᵢ > yⱼ plus half the ties.
    public var statistic: Double
    public var pvalue: Double
    /// `.exact` or `.asymptotic` (never `.auto`).
    public var methodUsed: MannWhitneyMethod
}

public enum MannWhitney {
    /// Mann–Whitney U test of two independent samples with scipy 1.17's semantics (`scipy.stats.mannwhitneyu`).
    ///
    /// U₁ = R₁ − n₁(n₁+1)/2 from average ranks of the pooled sample; U₂ = n₁n₂ − U₁. `greater` uses P(U ≥ U₁),
    /// `less` P(U ≥ U₂), two-sided 2·P(U ≥ max(U₁, U₂)), clipped to 1. `method: .auto` is exact when either
    /// sample has at most 8 values and there are no ties anywhere, else asymptotic. Exact: the null distribution
    /// of U (Gaussian binomial coefficients), U truncated to an integer as scipy does. Asymptotic:
    /// z = (U − n₁n₂/2 − ½·continuity)/σ with σ² = n₁n₂/12·((n+1) − Σ(t³−t)/(n(n−1))); `useContinuity`
    /// defaults to true. NaN in either sample gives NaN.
    /// - Throws: empty input, `.exact` with n₁·n₂ above 4 000 000 (the table would not fit comfortably).
    public static func test(_ x: [Double], _ y: [Double], useContinuity: Bool = true,
                            alternative: Alternative = .twoSided, method: MannWhitneyMethod = .auto) throws
        -> MannWhitneyResult
    {
        try Check.nonEmpty(x, "x", "mannwhitneyu")
        try Check.nonEmpty(y, "y", "mannwhitneyu")
        let ranking = Ranking(x + y)
        let hasNaN = x.contains(where: \.isNaN) || y.contains(where: \.isNaN)
        let n1 = x.count, n2 = y.count
        var used = method
        if method == .auto {
            used = (n1 > 8 && n2 > 8) || (!hasNaN && ranking.hasTies) ? .asymptotic : .exact
        }
        if hasNaN { return MannWhitneyResult(statistic: .nan, pvalue: .nan, methodUsed: used) }
        let r1 = ranking.ranks[0..<n1].reduce(0, +)
        let u1 = r1 - Double(n1 * (n1 + 1)) / 2
        let u2 = Double(n1 * n2) - u1
        let (u, factor): (Double, Double) = switch alternative {
        case .greater: (u1, 1)
        case .less: (u2, 1)
        case .twoSided: (max(u1, u2), 2)
        }
        var p: Double
        if used == .exact {
            guard n1 * n2 <= 4_000_000 else {
                throw StatsError.exactUnavailable(test: "mannwhitneyu", reason: "n₁·n₂ = \(n1 * n2) exceeds 4,000,000")
            }
            p = UDistribution(n1, n2).sf(Int(u))
        } else {
            let n = Double(n1 + n2)
            let sigma = (Double(n1 * n2) / 12 * ((n + 1) - ranking.tieTerm / (n * (n - 1)))).squareRoot()
            let z = (u - Double(n1 * n2) / 2 - (useContinuity ? 0.5 : 0)) / sigma
            p = GSL.normalSF(z)
        }
        p = min(max(p * factor, 0), 1)
        return MannWhitneyResult(statistic: u1, pvalue: p, methodUsed: used)
    }

    /// U/(n₁n₂) with ties counted ½: the probability that a random x exceeds a random y (AUROC when x are the
    /// scores of positives and y of negatives). NaN if either sample contains NaN.
    /// - Throws: empty input.
    public static func commonLanguageEffect(_ x: [Double], _ y: [Double]) throws -> Double {
        try commonLanguageEffectAndU(x, y).effect
    }

    /// `commonLanguageEffect` and the U of x it divides by n₁n₂ (ties ½; the `statistic` of scipy's
    /// `mannwhitneyu(x, y)`). Both NaN if either sample contains NaN.
    /// - Throws: empty input.
    public static func commonLanguageEffectAndU(_ x: [Double], _ y: [Double]) throws -> (effect: Double, u: Double) {
        try Check.nonEmpty(x, "x", "auroc")
        try Check.nonEmpty(y, "y", "auroc")
        let u = uStatistic(x, y)
        return (u / Double(x.count * y.count), u)
    }

    /// U of x (ties ½) by sorting and binary search (`PairCounting.uStatistic`); NaN if any value is NaN.
    static func uStatistic(_ x: [Double], _ y: [Double]) -> Double { PairCounting.uStatistic(x, y) }
}

/// Exact null distribution of the Mann–Whitney U for sample sizes m and n without ties.
///
/// The number of arrangements with U = k is the coefficient of qᵏ in the Gaussian binomial
/// [m+n choose m]_q = Πᵢ₌₁ᵐ (1 − q^{n+i})/(1 − q^i), built by multiplying and dividing polynomials.
struct UDistribution {
    let counts: [Double]
    let total: Double

    init(_ a: Int, _ b: Int) {
        let m = min(a, b), n = max(a, b)
        var c = [Double](repeating: 0, count: m * n + 1)
        c[0] = 1
        if m > 0 {
            for i in 1...m {
                // Multiply by (1 − q^{n+i}) from the top down, then divide by (1 − q^i) (a running sum with stride i).
                let shift = n + i
                if shift < c.count {
                    for k in stride(from: c.count - 1, through: shift, by: -1) { c[k] -= c[k - shift] }
                }
                if i < c.count {
                    for k in i..<c.count { c[k] += c[k - i] }
                }
            }
        }
        counts = c
        total = c.reduce(0, +)
    }

    /// P(U ≥ k), summed from whichever tail is shorter via the symmetry U ↔ mn − U.
    func sf(_ k: Int) -> Double {
        let top = counts.count - 1
        if k <= 0 { return 1 }
        if k > top { return 0 }
        // P(U ≥ k) = P(U ≤ top − k); sum the side that does not contain the mode.
        let kc = top - k
        if kc <= k {
            var s = 0.0
            for j in 0...kc { s += counts[j] }
            return s / total
        }
        var s = 0.0
        for j in k...top { s += counts[j] }
        return s / total
    }
}
