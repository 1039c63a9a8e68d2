/// Two one-sided tests (TOST) for equivalence of means within a margin (statsmodels `ttost_paired`,
/// `ttost_ind`): H₀ is "the difference lies outside (low, high)", rejected when both one-sided t-tests reject,
/// i.e. the difference is shown to be above `low` and below `high`. `pvalue` is the larger of the two.
public struct TOSTResult: Equatable, Sendable {
    /// max(lower.pvalue, upper.pvalue): equivalence at level α when pvalue ≤ α.
    public var pvalue: Double
    /// The test of difference > low (alternative `greater`).
    public var lower: TTestResult
    /// The test of difference < high (alternative `less`).
    public var upper: TTestResult
}

public enum Equivalence {
    static func checkMargins(_ low: Double, _ high: Double) throws {
        guard low.isFinite, high.isFinite, low < high else {
            throw StatsError.invalidParameter(name: "low, upp", value: "\(low), \(high)",
                                              expected: "finite margins with low < upp")
        }
    }

    /// Paired TOST on d = x − y (statsmodels `ttost_paired(x1, x2, low, upp)`): one-sample t-tests of d − low
    /// (greater) and d − high (less), df = n − 1.
    /// - Throws: unequal lengths, fewer than 2 pairs, margins not finite or not ordered.
    public static func paired(_ x: [Double], _ y: [Double], low: Double, high: Double) throws -> TOSTResult {
        try Check.paired(x, y, "ttost_paired", minimum: 2)
        try checkMargins(low, high)
        let d = zip(x, y).map { $0 - $1 }
        let lower = try TTest.oneSample(d, popmean: low, alternative: .greater)
        let upper = try TTest.oneSample(d, popmean: high, alternative: .less)
        return TOSTResult(pvalue: Self.larger(lower.pvalue, upper.pvalue), lower: lower, upper: upper)
    }

    /// Independent-sample TOST on mean x − mean y (statsmodels `ttost_ind(x1, x2, low, upp, usevar)`):
    /// Student's pooled t by default (`usevar='pooled'`), Welch's with `equalVariances: false` (`'unequal'`).
    /// - Throws: as `TTest.independent`; margins not finite or not ordered.
    public static func independent(_ x: [Double], _ y: [Double], low: Double, high: Double,
                                   equalVariances: Bool = true) throws -> TOSTResult {
        try checkMargins(low, high)
        // Shifting x by a margin moves the mean difference, not the variances.
        let lower = try TTest.independent(x.map { $0 - low }, y, equalVariances: equalVariances, alternative: .greater)
        let upper = try TTest.independent(x.map { $0 - high }, y, equalVariances: equalVariances, alternative: .less)
        return TOSTResult(pvalue: Self.larger(lower.pvalue, upper.pvalue), lower: lower, upper: upper)
    }

    /// The larger p, NaN when either is NaN (an undefined test proves nothing).
    static func larger(_ a: Double, _ b: Double) -> Double { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) }
}
