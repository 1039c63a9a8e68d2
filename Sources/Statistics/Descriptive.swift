/// Descriptive statistics with numpy/scipy conventions.
///
/// - `sd` uses ddof = 1 (NaN for n = 1, as numpy); `sem = sd/√n`.
/// - Quantiles interpolate linearly between order statistics (Hyndman–Fan type 7, numpy's default `linear`):
///   q(p) = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎) with h = (n − 1)p on 0-based sorted data.
/// - IQM is the 25 % trimmed mean: ⌊n/4⌋ values dropped from each end (scipy `trim_mean(x, 0.25)`, rliable).
/// - The confidence interval of the mean is mean ± t₍n−1, (1+level)/2₎·sem (scipy
///   `ttest_1samp(x, 0).confidence_interval(level)`).
/// NaN in the input propagates to every output (scipy's `nan_policy='propagate'`).
public struct DescriptiveSummary: Equatable, Sendable {
    public var count: Int
    public var mean: Double
    public var sd: Double
    public var sem: Double
    public var median: Double
    public var q25: Double
    public var q75: Double
    public var iqm: Double
    public var min: Double
    public var max: Double
    public var confidenceLevel: Double
    public var ciLow: Double
    public var ciHigh: Double
}

public enum Descriptive {
    /// Arithmetic mean. Throws on empty input.
    public static func mean(_ x: [Double]) throws -> Double {
        try Check.nonEmpty(x, "x", "mean")
        return meanUnchecked(x)
    }

    /// Sample standard deviation with ddof = 1 (NaN for a single value).
    public static func sd(_ x: [Double]) throws -> Double {
        try Check.nonEmpty(x, "x", "sd")
        return variance(x).squareRoot()
    }

    /// Standard error of the mean, sd/√n with ddof = 1.
    public static func sem(_ x: [Double]) throws -> Double {
        try Check.nonEmpty(x, "x", "sem")
        return variance(x).squareRoot() / Double(x.count).squareRoot()
    }

    /// Median (type-7 quantile at 0.5).
    public static func median(_ x: [Double]) throws -> Double { try quantile(x, 0.5) }

    /// Type-7 (linear) quantile, p in [0, 1].
    public static func quantile(_ x: [Double], _ p: Double) throws -> Double {
        try Check.nonEmpty(x, "x", "quantile")
        guard p >= 0, p <= 1 else {
            throw StatsError.invalidParameter(name: "q", value: "\(p)", expected: "between 0 and 1")
        }
        if x.contains(where: \.isNaN) { return .nan }
        return quantileSorted(x.sorted(), p)
    }

    /// Interquartile mean: mean of the values left after dropping ⌊n/4⌋ from each end of the sorted data.
    public static func iqm(_ x: [Double]) throws -> Double {
        try Check.nonEmpty(x, "x", "iqm")
        return iqmUnchecked(x)
    }

    /// Trimmed mean (scipy `trim_mean(x, proportiontocut)`): ⌊proportiontocut·n⌋ values dropped from each end of
    /// the sorted data, the mean of the rest; 0.25 is the IQM.
    /// - Throws: empty input, `proportionToCut` outside [0, 0.5).
    public static func trimmedMean(_ x: [Double], proportionToCut: Double = 0.25) throws -> Double {
        try Check.nonEmpty(x, "x", "iqm")
        guard proportionToCut >= 0, proportionToCut < 0.5 else {
            throw StatsError.invalidParameter(name: "proportiontocut", value: "\(proportionToCut)",
                                              expected: "in [0, 0.5) (0.25 is the interquartile mean)")
        }
        if x.contains(where: \.isNaN) { return .nan }
        let sorted = x.sorted()
        let cut = Int(proportionToCut * Double(x.count))
        return meanUnchecked(Array(sorted[cut..<(sorted.count - cut)]))
    }

    /// Two-sided t-based confidence interval of the mean at `level` (default 0.95).
    public static func meanConfidenceInterval(_ x: [Double], level: Double = 0.95) throws -> (low: Double, high: Double) {
        try Check.nonEmpty(x, "x", "mean confidence interval")
        try Check.level(level, "confidence_level")
        return tInterval(mean: meanUnchecked(x), se: variance(x).squareRoot() / Double(x.count).squareRoot(),
                         df: Double(x.count - 1), level: level)
    }

    /// The one-sided upper confidence bound at `level` of a population SD estimated as `sd` with `df` degrees of
    /// freedom (normal data): sd·√(df / χ²₍1−level, df₎), since df·s²/σ² follows χ² with df degrees of freedom.
    /// A pilot's SD with few df is a loose estimate; planning seeds at this bound (level 0.8: Browne 1995's
    /// "upper confidence limit" rule) guards a study against the pilot having drawn a small SD.
    /// scipy: `sd * sqrt(df / chi2.ppf(1 - level, df))`.
    public static func sdUpperConfidenceBound(sd: Double, df: Int, level: Double = 0.8) throws -> Double {
        try Check.level(level, "confidence_level")
        guard df >= 1 else {
            throw StatsError.invalidParameter(name: "df", value: "\(df)", expected: "at least 1")
        }
        guard sd.isFinite, sd >= 0 else {
            throw StatsError.invalidParameter(name: "sd", value: "\(sd)", expected: "finite and non-negative")
        }
        return sd * (Double(df) / GSL.chiSquareQuantile(1 - level, df: Double(df))).squareRoot()
    }

    /// All of the above in one pass.
    /// `ddof` (numpy's, default 1) sets the divisor n − ddof of `sd` and `sem` (scipy `sem(x, ddof)`); the
    /// confidence interval of the mean is always the t interval with n − 1 df.
    public static func summarize(_ x: [Double], level: Double = 0.95, ddof: Int = 1) throws -> DescriptiveSummary {
        try Check.nonEmpty(x, "x", "descriptive")
        try Check.level(level, "confidence_level")
        guard ddof >= 0 else {
            throw StatsError.invalidParameter(name: "ddof", value: "\(ddof)", expected: "a non-negative integer")
        }
        let m = meanUnchecked(x)
        let s1 = variance(x).squareRoot()
        let ci = tInterval(mean: m, se: s1 / Double(x.count).squareRoot(), df: Double(x.count - 1), level: level)
        let s = ddof == 1 ? s1 : variance(x, ddof: ddof).squareRoot()
        let se = s / Double(x.count).squareRoot()
        let hasNaN = x.contains(where: \.isNaN)
        let sorted = hasNaN ? [] : x.sorted()
        func q(_ p: Double) -> Double { hasNaN ? .nan : quantileSorted(sorted, p) }
        return DescriptiveSummary(
            count: x.count, mean: m, sd: s, sem: se, median: q(0.5), q25: q(0.25), q75: q(0.75),
            iqm: iqmUnchecked(x), min: hasNaN ? .nan : sorted[0], max: hasNaN ? .nan : sorted[sorted.count - 1],
            confidenceLevel: level, ciLow: ci.low, ciHigh: ci.high)
    }

    // MARK: - Unchecked kernels (callers validate)

    static func meanUnchecked(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }

    /// Two-pass variance with divisor n − ddof; NaN when n − ddof ≤ 0 (numpy warns and gives NaN or inf).
    static func variance(_ x: [Double], ddof: Int) -> Double {
        guard x.count > ddof else { return .nan }
        let m = meanUnchecked(x)
        var ss = 0.0
        for v in x { ss += (v - m) * (v - m) }
        return ss / Double(x.count - ddof)
    }

    /// Two-pass variance with ddof = 1; exactly 0 for constant data, NaN for n = 1.
    static func variance(_ x: [Double]) -> Double {
        guard x.count > 1 else { return .nan }
        let m = meanUnchecked(x)
        var ss = 0.0
        for v in x { ss += (v - m) * (v - m) }
        return ss / Double(x.count - 1)
    }

    static func quantileSorted(_ s: [Double], _ p: Double) -> Double {
        let h = Double(s.count - 1) * p
        let lo = Int(h.rounded(.down))
        let hi = Swift.min(lo + 1, s.count - 1)
        let frac = h - Double(lo)
        return frac == 0 ? s[lo] : s[lo] + frac * (s[hi] - s[lo])
    }

    static func medianUnchecked(_ x: [Double]) -> Double {
        if x.contains(where: \.isNaN) { return .nan }
        return quantileSorted(x.sorted(), 0.5)
    }

    static func iqmUnchecked(_ x: [Double]) -> Double {
        if x.contains(where: \.isNaN) { return .nan }
        let s = x.sorted()
        let cut = s.count / 4
        return meanUnchecked(Array(s[cut..<(s.count - cut)]))
    }

    static func tInterval(mean: Double, se: Double, df: Double, level: Double) -> (low: Double, high: Double) {
        let t = GSL.tQuantile((1 + level) / 2, df: df)
        return (mean - t * se, mean + t * se)
    }
}
