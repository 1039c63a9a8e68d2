import Foundation

/// Effect sizes of two independent samples x and y (x − y direction).
public struct IndependentEffectSizes: Equatable, Sendable {
    /// mean x − mean y.
    public var meanDifference: Double
    /// Student t interval of the mean difference (pooled variance, as `ttest_ind(...).confidence_interval()`).
    public var ciLow: Double
    public var ciHigh: Double
    /// (mean x − mean y)/s_pooled, s_pooled² = ((n₁−1)s₁² + (n₂−1)s₂²)/(n₁+n₂−2).
    public var cohensD: Double
    /// d·J(ν), ν = n₁+n₂−2, with the exact small-sample factor J(ν) = Γ(ν/2)/(√(ν/2)·Γ((ν−1)/2)) (Hedges 1981).
    public var hedgesG: Double
    /// P(X > Y) + ½P(X = Y) (AUROC of x against y).
    public var auroc: Double
    /// 2·AUROC − 1 = P(X > Y) − P(X < Y).
    public var cliffsDelta: Double
    /// Hodges–Lehmann shift: median of all n₁n₂ differences xᵢ − yⱼ (selected in O((n₁+n₂) log), never listed).
    public var hodgesLehmann: Double
}

/// Effect sizes of paired samples, on d = x − y.
public struct PairedEffectSizes: Equatable, Sendable {
    public var meanDifference: Double
    /// Two-sided t interval of the mean difference, n − 1 df (`ttest_rel(...).confidence_interval()`).
    public var ciLow: Double
    public var ciHigh: Double
    /// Standard deviation of d (ddof 1).
    public var sdDifference: Double
    /// Cohen's d_z = mean(d)/sd(d).
    public var dz: Double
    /// Hodges–Lehmann estimate: median of the Walsh averages (dᵢ + dⱼ)/2, i ≤ j.
    public var hodgesLehmann: Double
}

public enum EffectSize {
    /// All independent-sample effect sizes. Constant equal samples give NaN for d and g.
    /// - Throws: empty input, fewer than 3 values in total, NaN or infinite values.
    public static func independent(_ x: [Double], _ y: [Double], level: Double = 0.95) throws
        -> IndependentEffectSizes
    {
        let test = "effect_sizes_independent"
        try Check.nonEmpty(x, "x", test)
        try Check.nonEmpty(y, "y", test)
        try Check.finite(x, "x", test)
        try Check.finite(y, "y", test)
        try Check.level(level, "confidence_level")
        let t = try TTest.independent(x, y)
        let ci = try t.confidenceInterval(level: level)
        let n1 = Double(x.count), n2 = Double(y.count)
        let v1 = x.count > 1 ? Descriptive.variance(x) : 0, v2 = y.count > 1 ? Descriptive.variance(y) : 0
        let df = n1 + n2 - 2
        let pooled = (((n1 - 1) * v1 + (n2 - 1) * v2) / df).squareRoot()
        let d = t.estimate / pooled
        let auroc = MannWhitney.uStatistic(x, y) / (n1 * n2)
        return IndependentEffectSizes(
            meanDifference: t.estimate, ciLow: ci.low, ciHigh: ci.high, cohensD: d,
            hedgesG: d * hedgesCorrection(df), auroc: auroc, cliffsDelta: 2 * auroc - 1,
            hodgesLehmann: PairCounting.medianOfDifferences(x, y))
    }

    /// All paired effect sizes on d = x − y. All-zero differences give d_z = NaN.
    /// - Throws: empty input, unequal lengths, fewer than 2 pairs, NaN or infinite values.
    public static func paired(_ x: [Double], _ y: [Double], level: Double = 0.95) throws -> PairedEffectSizes {
        let test = "effect_sizes_paired"
        try Check.paired(x, y, test, minimum: 2)
        try Check.finite(x, "x", test)
        try Check.finite(y, "y", test)
        try Check.level(level, "confidence_level")
        let d = zip(x, y).map { $0 - $1 }
        let t = try TTest.oneSample(d)
        let ci = try t.confidenceInterval(level: level)
        let sd = Descriptive.variance(d).squareRoot()
        return PairedEffectSizes(meanDifference: t.estimate, ciLow: ci.low, ciHigh: ci.high, sdDifference: sd,
                                 dz: t.estimate / sd, hodgesLehmann: PairCounting.medianOfWalshAverages(d))
    }

    /// Hedges' exact bias-correction factor J(ν) = Γ(ν/2)/(√(ν/2)·Γ((ν−1)/2)); NaN for ν ≤ 1.
    public static func hedgesCorrection(_ df: Double) -> Double {
        guard df > 1 else { return .nan }
        return (GSL.lnGamma(df / 2) - GSL.lnGamma((df - 1) / 2)).exp / (df / 2).squareRoot()
    }
}

private extension Double {
    var exp: Double { Foundation.exp(self) }
}
