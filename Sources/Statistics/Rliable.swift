/// rliable's aggregates of a runs × tasks score matrix `scores[run][task]`.
public enum Aggregate: String, Sendable, CaseIterable {
    /// Mean over all runs and tasks.
    case mean
    /// Median over tasks of the per-task mean over runs (rliable `aggregate_median`).
    case median
    /// Interquartile mean of all run × task scores pooled (rliable `aggregate_iqm`).
    case iqm
    /// γ − mean(min(score, γ)) with γ = 1 (rliable `aggregate_optimality_gap`).
    case optimalityGap = "optimality_gap"

    public func callAsFunction(_ scores: [[Double]]) -> Double {
        switch self {
        case .mean: return Descriptive.meanUnchecked(scores.flatMap { $0 })
        case .median:
            let tasks = scores.first?.count ?? 0
            let taskMeans = (0..<tasks).map { t in Descriptive.meanUnchecked(scores.map { $0[t] }) }
            return Descriptive.medianUnchecked(taskMeans)
        case .iqm: return Descriptive.iqmUnchecked(scores.flatMap { $0 })
        case .optimalityGap: return 1 - Descriptive.meanUnchecked(scores.flatMap { $0 }.map { Swift.min($0, 1) })
        }
    }
}

public struct ImprovementProbability: Equatable, Sendable {
    /// Mean over tasks of P(X > Y) + ½P(X = Y).
    public var probability: Double
    /// P(X > Y) + ½P(X = Y) of each task, in column order: the values `probability` averages.
    public var perTask: [Double]
    /// Percentile stratified-bootstrap interval (nil when no seed was given).
    public var interval: BootstrapInterval?
}

/// The interval a stratified bootstrap reports (rliable's `method`, passed to arch's `conf_int`).
public enum StratifiedIntervalMethod: String, Sendable, CaseIterable {
    /// The (1−level)/2 and (1+level)/2 quantiles of the bootstrap aggregates (rliable's default).
    case percentile
    /// Basic (reverse percentile): 2θ̂ − q₍(1+level)/2₎ and 2θ̂ − q₍(1−level)/2₎.
    case basic
}

public enum Rliable {
    /// Stratified bootstrap interval of `aggregate` (rliable `get_interval_estimates`): each resample draws,
    /// task by task, nRuns runs with replacement from that task's column, and the interval is the percentile
    /// interval of the aggregate over B resamples (rliable's default method; B defaults to rliable's 50 000). Draw order: see `BootstrapRNG`.
    /// - Throws: a ragged or empty matrix, NaN or infinite scores, B < 1 or B > 10⁷, level outside (0, 1).
    public static func stratifiedBootstrap(_ scores: [[Double]], aggregate: ([[Double]]) -> Double,
                                           level: Double = 0.95, resamples: Int = 50000, seed: UInt,
                                           method: StratifiedIntervalMethod = .percentile) throws
        -> BootstrapInterval
    {
        try validate(scores, "x")
        try Check.level(level, "confidence_level")
        try Bootstrap.checkResamples(resamples)
        try Bootstrap.checkCost(test: "stratified_bootstrap_ci", resamples: resamples,
                                valuesPerResample: scores.count * scores[0].count, what: "runs × tasks")
        let rng = try BootstrapRNG(seed: seed)
        var thetas = [Double](repeating: 0, count: resamples)
        for b in 0..<resamples { thetas[b] = aggregate(resampleWithinTasks(scores, rng)) }
        let estimate = aggregate(scores)
        var interval = percentileInterval(estimate: estimate, thetas: thetas, level: level, resamples: resamples,
                                          seed: seed)
        if method == .basic {
            (interval.low, interval.high) = (2 * estimate - interval.high, 2 * estimate - interval.low)
            interval.method = .basic
        }
        return interval
    }

    /// Probability of improvement of x over y (rliable `probability_of_improvement`): for each task, the
    /// Mann–Whitney U of x's runs against y's runs divided by nₓ·n_y (ties ½), averaged over tasks. Identical
    /// samples give exactly 0.5. With a `seed`, also a percentile interval from an independent stratified
    /// bootstrap (x resampled within tasks, then y).
    /// - Throws: ragged or empty matrices, different task counts, NaN or infinite scores.
    public static func probabilityOfImprovement(_ x: [[Double]], _ y: [[Double]], level: Double = 0.95,
                                                resamples: Int = 50000, seed: UInt? = nil) throws
        -> ImprovementProbability
    {
        try validate(x, "x")
        try validate(y, "y")
        if x[0].count != y[0].count {
            throw StatsError.raggedMatrix(argument: "y",
                                          detail: "x has \(x[0].count) tasks but y has \(y[0].count)")
        }
        // Checked with or without a seed: a bad value is an error even when no interval is asked for.
        try Check.level(level, "confidence_level")
        try Bootstrap.checkResamples(resamples)
        let perTask = poiPerTask(x, y)
        let estimate = Descriptive.meanUnchecked(perTask)
        guard let seed else { return ImprovementProbability(probability: estimate, perTask: perTask, interval: nil) }
        try Bootstrap.checkCost(test: "probability_of_improvement", resamples: resamples,
                                valuesPerResample: (x.count + y.count) * x[0].count, what: "(runs of x + runs of y) × tasks")
        let rng = try BootstrapRNG(seed: seed)
        var thetas = [Double](repeating: 0, count: resamples)
        for b in 0..<resamples {
            let xs = resampleWithinTasks(x, rng)
            thetas[b] = poi(xs, resampleWithinTasks(y, rng))
        }
        return ImprovementProbability(
            probability: estimate, perTask: perTask,
            interval: percentileInterval(estimate: estimate, thetas: thetas, level: level, resamples: resamples,
                                         seed: seed))
    }

    // MARK: - Kernels

    static func poi(_ x: [[Double]], _ y: [[Double]]) -> Double { Descriptive.meanUnchecked(poiPerTask(x, y)) }

    static func poiPerTask(_ x: [[Double]], _ y: [[Double]]) -> [Double] {
        (0..<x[0].count).map { t in
            MannWhitney.uStatistic(x.map { $0[t] }, y.map { $0[t] }) / (Double(x.count) * Double(y.count))
        }
    }

    static func resampleWithinTasks(_ m: [[Double]], _ rng: BootstrapRNG) -> [[Double]] {
        var out = m
        for t in 0..<m[0].count {
            for i in 0..<m.count { out[i][t] = m[rng.index(below: m.count)][t] }
        }
        return out
    }

    static func percentileInterval(estimate: Double, thetas: [Double], level: Double, resamples: Int,
                                   seed: UInt) -> BootstrapInterval {
        let sorted = thetas.sorted()
        let alpha = (1 - level) / 2
        return BootstrapInterval(
            estimate: estimate, low: Descriptive.quantileSorted(sorted, alpha),
            high: Descriptive.quantileSorted(sorted, 1 - alpha),
            standardError: Descriptive.variance(thetas).squareRoot(), confidenceLevel: level,
            method: .percentile, resamples: resamples, seed: seed)
    }

    static func validate(_ m: [[Double]], _ argument: String) throws {
        try Check.matrix(m, argument)
        for row in m { try Check.finite(row, argument, "rliable") }
    }
}
