import CGSL

/// Bootstrap confidence-interval methods (scipy `bootstrap(method=...)`).
public enum BootstrapMethod: String, Sendable, CaseIterable {
    case percentile
    /// Bias-corrected and accelerated (scipy's default).
    case bca = "BCa"
    /// Basic (reverse percentile): 2θ̂ − q₍1−α₎ and 2θ̂ − q₍α₎ (scipy's 'basic').
    case basic
}

public struct BootstrapInterval: Equatable, Sendable {
    /// The statistic on the original data.
    public var estimate: Double
    public var low: Double
    public var high: Double
    /// Standard deviation (ddof 1) of the bootstrap distribution.
    public var standardError: Double
    public var confidenceLevel: Double
    public var method: BootstrapMethod
    public var resamples: Int
    public var seed: UInt
}

/// Seeded resampling on GSL's MT19937, so an interval is reproducible on any machine.
///
/// **Draw order** (the contract that makes results reproducible): one `gsl_rng_mt19937` seeded with
/// `gsl_rng_set(rng, seed)` (GSL maps seed 0 to its default 4357); for each resample b = 0…B−1, for each index
/// i = 0…n−1, draw `gsl_rng_uniform_int(rng, n)` and put that element of the data at position i. Stratified
/// resampling walks tasks in column order and, within a task, run slots in order. Results cannot equal scipy's
/// bit for bit (numpy uses a different generator); they agree in distribution.
public final class BootstrapRNG {
    private let rng: UnsafeMutablePointer<gsl_rng>

    /// - Throws: `StatsError.numericalFailure` if GSL cannot allocate the generator.
    public init(seed: UInt) throws {
        _ = GSL.ready
        guard let r = gsl_rng_alloc(cgsl_rng_mt19937()) else {
            throw StatsError.numericalFailure(routine: "gsl_rng_alloc", detail: "out of memory")
        }
        gsl_rng_set(r, seed)
        rng = r
    }

    deinit { gsl_rng_free(rng) }

    /// Uniform integer in 0..<n (n ≥ 1).
    public func index(below n: Int) -> Int { Int(gsl_rng_uniform_int(rng, UInt(n))) }

    /// One resample of `x`, index by index.
    public func resample(_ x: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: x.count)
        for i in 0..<x.count { out[i] = x[index(below: x.count)] }
        return out
    }
}

public enum Bootstrap {
    /// Bootstrap confidence interval of `statistic` on one sample.
    ///
    /// Percentile: the (1−level)/2 and (1+level)/2 type-7 quantiles of the B bootstrap statistics.
    /// BCa (scipy's default and ours): z₀ = Φ⁻¹(share of bootstrap statistics below the estimate, ties
    /// counted ½); acceleration a = Σuᵢ³/(6(Σuᵢ²)^{3/2}) from jackknife values uᵢ = (n−1)(θ̄₍.₎ − θ₍ᵢ₎);
    /// the quantile levels become Φ(z₀ + (z₀+z_α)/(1 − a(z₀+z_α))). A degenerate bootstrap distribution
    /// (e.g. constant data) gives NaN ends under BCa, as scipy. Draw order: see `BootstrapRNG`.
    /// - Parameters:
    ///   - resamples: B, default 9999 (scipy's default).
    ///   - seed: required, so every interval is reproducible.
    /// - Throws: empty input, NaN or infinite values, B < 2 or B > 10⁷, level outside (0, 1), B·n above
    ///   `maximumDraws`, BCa on more than `maximumJackknifeCount` values.
    public static func interval(_ x: [Double], statistic: ([Double]) -> Double, level: Double = 0.95,
                                method: BootstrapMethod = .bca, resamples: Int = 9999, seed: UInt) throws
        -> BootstrapInterval
    {
        let test = "bootstrap_ci"
        try Check.nonEmpty(x, "x", test, minimum: method == .bca ? 2 : 1)
        try Check.finite(x, "x", test)
        try Check.level(level, "confidence_level")
        try checkResamples(resamples)
        try checkCost(test: test, resamples: resamples, valuesPerResample: x.count, what: "len(x)")
        if method == .bca && x.count > maximumJackknifeCount {
            throw StatsError.tooExpensive(
                test: test, detail: "method 'BCa' on len(x) = \(x.count) (its jackknife evaluates the statistic "
                    + "\(x.count) times)", limit: "\(maximumJackknifeCount) values for BCa",
                fix: "use method 'percentile' or pass fewer values")
        }
        let rng = try BootstrapRNG(seed: seed)
        var thetas = [Double](repeating: 0, count: resamples)
        for b in 0..<resamples { thetas[b] = statistic(rng.resample(x)) }
        let estimate = statistic(x)
        let alpha = (1 - level) / 2
        var lowLevel = alpha, highLevel = 1 - alpha
        if method == .bca {
            var below = 0.0
            for t in thetas { if t < estimate { below += 1 } else if t == estimate { below += 0.5 } }
            let z0 = GSL.normalQuantile(below / Double(resamples))
            // Jackknife: the statistic with each observation left out in turn.
            var jack = [Double](repeating: 0, count: x.count)
            for i in 0..<x.count {
                var left = x
                left.remove(at: i)
                jack[i] = statistic(left)
            }
            let jbar = Descriptive.meanUnchecked(jack)
            let n = Double(x.count)
            var num = 0.0, den = 0.0
            for j in jack {
                let u = (n - 1) * (jbar - j)
                num += u * u * u
                den += u * u
            }
            let s2 = den / (n * n)
            // 0/0 (all jackknife values equal) gives NaN, and with it NaN interval ends, as scipy.
            let a = (num / (n * n * n)) / (6 * s2 * s2.squareRoot())
            func adjust(_ p: Double) -> Double {
                let z = GSL.normalQuantile(p)
                return GSL.normalCDF(z0 + (z0 + z) / (1 - a * (z0 + z)))
            }
            lowLevel = adjust(alpha)
            highLevel = adjust(1 - alpha)
        }
        let sorted = thetas.sorted()
        func q(_ p: Double) -> Double { p.isNaN ? .nan : Descriptive.quantileSorted(sorted, p) }
        var (low, high) = (q(lowLevel), q(highLevel))
        if method == .basic { (low, high) = (2 * estimate - high, 2 * estimate - low) }
        return BootstrapInterval(estimate: estimate, low: low, high: high,
                                 standardError: Descriptive.variance(thetas).squareRoot(), confidenceLevel: level,
                                 method: method, resamples: resamples, seed: seed)
    }

    /// The most resamples accepted: 10⁷ statistics are 80 MB; far more would exhaust memory and abort the process
    /// (taking every other request of an `ablate stats` document with it) instead of failing as one bad request.
    static let maximumResamples = 10_000_000

    /// Two at least: one resample has no spread (its standard error and BCa levels are NaN).
    static func checkResamples(_ b: Int) throws {
        guard b >= 2, b <= maximumResamples else {
            throw StatsError.invalidParameter(name: "n_resamples", value: "\(b)",
                                              expected: "an integer from 2 to 10,000,000")
        }
    }

    /// Resampled values (B × values per resample) one request may draw: about 10 s of work in a debug build of the
    /// slowest statistic, a few seconds in release. Beyond it a request is refused up front, naming the limit.
    public static let maximumDraws = 50_000_000
    /// BCa's jackknife evaluates the statistic n times on n − 1 values: n² ≤ 25·10⁶, so n ≤ 5000.
    public static let maximumJackknifeCount = 5000

    static func checkCost(test: String, resamples: Int, valuesPerResample: Int, what: String) throws {
        let draws = Double(resamples) * Double(valuesPerResample)
        guard draws <= Double(maximumDraws) else {
            throw StatsError.tooExpensive(
                test: test, detail: "n_resamples × \(what) = \(resamples) × \(valuesPerResample) = \(format(draws)) draws",
                limit: "50,000,000 draws per request",
                fix: "lower n_resamples to \(max(2, maximumDraws / max(valuesPerResample, 1))) or fewer, or pass fewer values")
        }
    }

    static func format(_ d: Double) -> String {
        d < 1e7 ? String(Int(d)) : String(format: "%.2e", d)
    }
}
