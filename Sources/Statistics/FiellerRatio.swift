/// The ratio of two means, ȳ / x̄, of paired values (a transfer ratio: the gain on a target suite per unit of gain on
/// the training suite, over matched seeds), with Fieller's confidence set.
///
/// Fieller (1954): R is in the set when the t statistic of ȳ − R·x̄ is within ±t, i.e.
/// (ȳ − R x̄)² ≤ t²·(s_yy − 2R s_xy + R² s_xx)/n with the sample (co)variances and t the (1+level)/2 quantile of
/// Student's t at n − 1 df. This is the quadratic a R² + b R + c ≤ 0 with a = x̄² − t² s_xx/n,
/// b = −2(x̄ȳ − t² s_xy/n), c = ȳ² − t² s_yy/n. When a > 0 (x̄ differs from 0 at the level: its t statistic exceeds
/// t) the set is the interval between the roots; otherwise it is unbounded (the whole line, or the line minus an
/// interval), and no finite interval exists: a ratio whose denominator cannot be told from 0 says nothing.
public struct FiellerRatio: Sendable, Equatable {
    public var estimate: Double
    /// The interval's ends; nil when the confidence set is unbounded.
    public var low: Double?, high: Double?
    public var level: Double
    public var n: Int

    /// - Throws: unequal lengths, fewer than 3 pairs, NaN or infinite values, a level outside (0, 1).
    public static func interval(numerator y: [Double], denominator x: [Double], level: Double = 0.95) throws -> FiellerRatio {
        let test = "fieller_ratio"
        try Check.paired(x, y, test, minimum: 3)
        try Check.finite(x, "denominator", test)
        try Check.finite(y, "numerator", test)
        try Check.level(level, "confidence_level")
        let n = Double(x.count)
        let mx = Descriptive.meanUnchecked(x), my = Descriptive.meanUnchecked(y)
        var sxx = 0.0, syy = 0.0, sxy = 0.0
        for i in 0..<x.count {
            sxx += (x[i] - mx) * (x[i] - mx)
            syy += (y[i] - my) * (y[i] - my)
            sxy += (x[i] - mx) * (y[i] - my)
        }
        (sxx, syy, sxy) = (sxx / (n - 1), syy / (n - 1), sxy / (n - 1))
        let t = GSL.tQuantile((1 + level) / 2, df: n - 1)
        let t2n = t * t / n
        let a = mx * mx - t2n * sxx, b = -2 * (mx * my - t2n * sxy), c = my * my - t2n * syy
        var result = FiellerRatio(estimate: mx == 0 ? .nan : my / mx, low: nil, high: nil, level: level, n: x.count)
        let discriminant = b * b - 4 * a * c
        guard a > 0, discriminant >= 0 else { return result }
        let root = discriminant.squareRoot()
        result.low = (-b - root) / (2 * a)
        result.high = (-b + root) / (2 * a)
        return result
    }
}
