import TestSupport
import Testing

@testable import Statistics

/// TOST (two one-sided tests) against statsmodels 0.15 `ttost_paired` and `ttost_ind`.
@Suite struct EquivalenceTests {
    @Test func tostMatchesStatsmodels() throws {
        let x = [0.52, 0.69, 0.36, 0.44, 0.58], y = [0.63, 0.30, 0.47, 0.41, 0.55]
        let paired = try Equivalence.paired(x, y, low: -0.1, high: 0.1)
        expectClose(paired.pvalue, 0.2934444597984758, rel: 1e-9)
        expectClose(paired.lower.statistic, 1.5952711877197159, rel: 1e-9)
        expectClose(paired.lower.pvalue, 0.09294090137948437, rel: 1e-9)
        expectClose(paired.upper.statistic, -0.5900318091566075, rel: 1e-9)
        let pooled = try Equivalence.independent(x, y, low: -0.1, high: 0.1)
        expectClose(pooled.pvalue, 0.260111469486791, rel: 1e-9)
        expectClose(pooled.lower.statistic, 1.818194507061521, rel: 1e-9)
        let x2 = [1.1, 1.3, 0.9, 1.2], y2 = [1.0, 1.25, 0.95, 1.1, 1.05, 1.2]
        let welch = try Equivalence.independent(x2, y2, low: -0.2, high: 0.3, equalVariances: false)
        expectClose(welch.pvalue, 0.031967946198264915, rel: 1e-9)
        expectClose(welch.upper.pvalue, 0.021273587570790172, rel: 1e-9)
        expectClose(welch.lower.df, 4.848546042003233, rel: 1e-9)
        let p2 = try Equivalence.paired([1.1, 1.3, 0.9, 1.2], [1.0, 1.25, 0.95, 1.1], low: -0.05, high: 0.2)
        expectClose(p2.pvalue, 0.033137801370762054, rel: 1e-9)
        expectClose(p2.upper.statistic, -4.242640687119287, rel: 1e-9)
        #expect(throws: StatsError.self) { _ = try Equivalence.paired(x, y, low: 0.1, high: -0.1) }
    }
}
