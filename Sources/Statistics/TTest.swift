/// Result of a t-test: the t statistic, its p-value, degrees of freedom, the estimated difference
/// (mean x − mean y, or the mean difference) and its standard error.
public struct TTestResult: Equatable, Sendable {
    public var statistic: Double
    public var pvalue: Double
    public var df: Double
    public var estimate: Double
    public var standardError: Double

    public init(statistic: Double, pvalue: Double, df: Double, estimate: Double, standardError: Double) {
        self.statistic = statistic
        self.pvalue = pvalue
        self.df = df
        self.estimate = estimate
        self.standardError = standardError
    }

    /// The t confidence interval of `estimate` (scipy's `TtestResult.confidence_interval`): two-sided
    /// estimate ± t₍df,(1+level)/2₎·se; one-sided intervals are open on the side of the alternative.
    public func confidenceInterval(level: Double = 0.95, alternative: Alternative = .twoSided) throws
        -> (low: Double, high: Double)
    {
        try Check.level(level, "confidence_level")
        switch alternative {
        case .twoSided:
            return Descriptive.tInterval(mean: estimate, se: standardError, df: df, level: level)
        // The open end is estimate + (±inf)·se, so it is NaN when se is 0 or NaN, as in scipy.
        case .less:
            return (estimate - .infinity * standardError, estimate + GSL.tQuantile(level, df: df) * standardError)
        case .greater:
            return (estimate + GSL.tQuantile(1 - level, df: df) * standardError, estimate + .infinity * standardError)
        }
    }
}

public enum TTest {
    /// Two independent samples (scipy `ttest_ind`, default `equal_var=True`).
    ///
    /// Student: pooled variance, df = n₁ + n₂ − 2. Welch (`equalVariances: false`): se = √(v₁/n₁ + v₂/n₂) and
    /// Welch–Satterthwaite fractional df, set to 1 when it is undefined (both variances 0), as scipy.
    /// t = (mean x − mean y)/se; p from the upper tail of t(df). Constant equal groups give NaN; different
    /// constants give ±inf and p = 0. NaN in the input gives NaN for every output, df included.
    /// - Throws: empty input; fewer than 3 values in total (Student) or fewer than 2 in a sample (Welch).
    public static func independent(_ x: [Double], _ y: [Double], equalVariances: Bool = true,
                                   alternative: Alternative = .twoSided) throws -> TTestResult {
        let test = "ttest_ind"
        try Check.nonEmpty(x, "x", test, minimum: equalVariances ? 1 : 2)
        try Check.nonEmpty(y, "y", test, minimum: equalVariances ? 1 : 2)
        if equalVariances && x.count + y.count < 3 {
            throw StatsError.tooFewObservations(argument: "x and y together", test: test,
                                                count: x.count + y.count, minimum: 3)
        }
        let n1 = Double(x.count), n2 = Double(y.count)
        let m1 = Descriptive.meanUnchecked(x), m2 = Descriptive.meanUnchecked(y)
        var v1 = Descriptive.variance(x), v2 = Descriptive.variance(y)
        let df: Double, se: Double
        if equalVariances {
            if x.count == 1 { v1 = 0 }  // a single value contributes no variance (scipy)
            if y.count == 1 { v2 = 0 }
            df = n1 + n2 - 2
            se = (((n1 - 1) * v1 + (n2 - 1) * v2) / df * (1 / n1 + 1 / n2)).squareRoot()
        } else {
            let a = v1 / n1, b = v2 / n2
            let welch = (a + b) * (a + b) / (a * a / (n1 - 1) + b * b / (n2 - 1))
            df = welch.isNaN ? 1 : welch
            se = (a + b).squareRoot()
        }
        // scipy's nan_policy='propagate' makes every output NaN, df included.
        let hasNaN = x.contains(where: \.isNaN) || y.contains(where: \.isNaN)
        return finish(estimate: m1 - m2, se: se, df: hasNaN ? .nan : df, alternative: alternative)
    }

    /// Paired samples (scipy `ttest_rel`): a one-sample t-test of d = x − y against 0, df = n − 1.
    /// All-zero differences give NaN; constant non-zero differences give ±inf and p = 0.
    /// - Throws: empty input, unequal lengths, fewer than 2 pairs.
    public static func paired(_ x: [Double], _ y: [Double], alternative: Alternative = .twoSided) throws -> TTestResult {
        try Check.paired(x, y, "ttest_rel", minimum: 2)
        return try oneSample(zip(x, y).map { $0 - $1 }, alternative: alternative)
    }

    /// One-sample t-test of mean(x) against `popmean` (scipy `ttest_1samp`), df = n − 1.
    public static func oneSample(_ x: [Double], popmean: Double = 0, alternative: Alternative = .twoSided) throws
        -> TTestResult
    {
        try Check.nonEmpty(x, "x", "ttest_1samp", minimum: 2)
        let n = Double(x.count)
        return finish(estimate: Descriptive.meanUnchecked(x) - popmean,
                      se: Descriptive.variance(x).squareRoot() / n.squareRoot(),
                      df: x.contains(where: \.isNaN) ? .nan : n - 1, alternative: alternative)
    }

    static func finish(estimate: Double, se: Double, df: Double, alternative: Alternative) -> TTestResult {
        // IEEE division gives scipy's degenerate cases: 0/0 = NaN, c/0 = ±inf.
        let t = estimate / se
        let p = GSL.pValue(t, alternative: alternative) { GSL.tSF($0, df: df) }
        return TTestResult(statistic: t, pvalue: p, df: df, estimate: estimate, standardError: se)
    }
}
