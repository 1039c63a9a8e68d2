import Testing

@testable import Statistics

/// Fieller's confidence set for a ratio of paired means, against numpy/scipy (np.cov with ddof 1,
/// scipy.stats.t.ppf(0.975, n − 1)); at each end of the interval the t statistic of y − R·x is ±t.
struct FiellerRatioTests {
    @Test func boundedWhenTheDenominatorIsClearlyNonZero() throws {
        let y = [0.010, 0.004, 0.012, 0.000, 0.008, 0.006, 0.011, 0.003]
        let x = [0.030, 0.025, 0.041, 0.022, 0.035, 0.028, 0.033, 0.027]
        let r = try FiellerRatio.interval(numerator: y, denominator: x)
        #expect(abs(r.estimate - 0.22406639004149378) < 1e-12)
        let low = try #require(r.low), high = try #require(r.high)
        #expect(abs(low - 0.12435741824139529) < 1e-9 && abs(high - 0.30120037988565135) < 1e-9)
        #expect(r.n == 8 && r.level == 0.95)
    }

    /// A denominator whose mean cannot be told from 0 (t = 0.8 here) gives an unbounded set: no interval.
    @Test func unboundedWhenTheDenominatorMayBeZero() throws {
        let r = try FiellerRatio.interval(numerator: [0.01, -0.02, 0.03], denominator: [0.01, -0.01, 0.005])
        #expect(abs(r.estimate - 4.0) < 1e-12 && r.low == nil && r.high == nil)
    }

    @Test func badInputIsRefused() {
        #expect(throws: StatsError.self) { try FiellerRatio.interval(numerator: [1, 2], denominator: [1, 2]) }
        #expect(throws: StatsError.self) { try FiellerRatio.interval(numerator: [1, 2, 3], denominator: [1, 2]) }
        #expect(throws: StatsError.self) { try FiellerRatio.interval(numerator: [1, .nan, 3], denominator: [1, 2, 3]) }
    }
}
