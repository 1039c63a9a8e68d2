import TestSupport
import Testing

@testable import Statistics

/// t-test power: the noncentral t against scipy, and the seeds for a target power against a brute-force search.
@Suite struct PowerTests {
    // MARK: Noncentral t (scipy 1.17 nct.sf at the two-sided critical value)

    static let nct: [(df: Double, nc: Double, alpha: Double, c: Double, sf: Double)] = [
        (1.5, 0.5, 0.05, 6.016663104427929, 0.047586789055137524),
        (2, 1.0, 0.05, 4.302652729749462, 0.09131778436167347),
        (3, 2.0, 0.0167, 4.853100429267699, 0.11909023812818538),
        (5, -1.0, 0.05, 2.5705818356363146, 0.002547786886584179),
        (7, 3.0, 0.01, 3.4994832973504924, 0.39604698056184107),
        (11, 0.0, 0.05, 2.200985160091639, 0.02500000000000003),
        (11, 2.5, 0.0125, 2.980872430052668, 0.3648362809046916),
        (20, 4.0, 0.001, 3.8495162749308744, 0.5688015681660645),
        (30, -2.0, 0.05, 2.0422724563012378, 4.839742348018011e-05),
        (0.7, 1.0, 0.05, 36.611415031588656, 0.05994327962827289),
        (50, 6.0, 0.0167, 2.4763951265525805, 0.9996985173456358),
        (4, 10.0, 0.05, 2.7764451051977934, 0.999999615507001),
    ]

    @Test func noncentralTMatchesScipy() {
        for p in Self.nct {
            expectClose(GSL.tQuantile(1 - p.alpha / 2, df: p.df), p.c, rel: 1e-8, "t quantile df \(p.df)")
            expectClose(Power.noncentralTSF(p.c, df: p.df, nc: p.nc), p.sf, rel: 1e-6, abs: 1e-12, "nct.sf df \(p.df) nc \(p.nc)")
        }
    }

    /// The seeds for 80% are the smallest whole n whose power reaches 0.8 (brute force over n).
    @Test func seedsNeededMatchABruteForceSearch() throws {
        for (d, alpha, design) in [(0.5, 0.05, PowerDesign.paired), (1.06, 0.0167, .paired), (0.8, 0.01, .independent),
                                   (1.5, 0.05, .independent), (0.3, 0.05 / 3, .paired)] {
            let solved = try Power.seedsPerArm(effectSize: d, alpha: alpha, design: design).seedsPerArm
            var n = 2
            while (try Power.power(effectSize: d, nobs: Double(n), alpha: alpha, design: design)) < 0.8 { n += 1 }
            #expect(solved == n, "d \(d) α \(alpha) \(design)")
        }
    }
}

/// The smallest effect n seeds detect, against statsmodels' `solve_power(effect_size=None, ...)`.
@Suite struct DetectableEffectTests {
    @Test func matchesStatsmodels() throws {
        expectClose(try Power.detectableEffect(nobs: 3), 3.070892269599019, rel: 1e-6)
        expectClose(try Power.detectableEffect(nobs: 8), 1.5066342476563057, rel: 1e-6)
        expectClose(try Power.detectableEffect(nobs: 5, alpha: 0.025, design: .paired), 2.0500088861920496, rel: 1e-6)
        #expect(throws: StatsError.self) { try Power.detectableEffect(nobs: 1) }
    }
}

/// A pilot SD's one-sided upper confidence bound, against scipy 1.17: `sd * sqrt(df / chi2.ppf(1 - level, df))`.
@Suite struct SDUpperBoundTests {
    @Test func matchesScipy() throws {
        for (sd, df, level, expected) in [(0.0219, 2, 0.8, 0.046360909208749045), (1.0, 1, 0.8, 3.947153875542747),
                                          (0.048, 28, 0.8, 0.054665629984917356), (0.01, 10, 0.95, 0.01593071995539451),
                                          (2.5, 100, 0.5, 2.5083651837937464)] {
            expectClose(try Descriptive.sdUpperConfidenceBound(sd: sd, df: df, level: level), expected, rel: 1e-9, "sd \(sd) df \(df)")
        }
        #expect(try Descriptive.sdUpperConfidenceBound(sd: 0, df: 3) == 0)
        #expect(throws: StatsError.self) { try Descriptive.sdUpperConfidenceBound(sd: 0.1, df: 0) }
        #expect(throws: StatsError.self) { try Descriptive.sdUpperConfidenceBound(sd: -0.1, df: 3) }
        #expect(throws: StatsError.self) { try Descriptive.sdUpperConfidenceBound(sd: 0.1, df: 3, level: 1) }
    }
}
