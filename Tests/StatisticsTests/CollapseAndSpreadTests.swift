import Statistics
import TestSupport
import Testing

/// Fisher's exact test (collapse rates of two arms) and the Brown–Forsythe test (their spread) against scipy 1.17:
/// `stats.fisher_exact([[a, b], [c, d]], alternative=…)`, `stats.levene(*groups, center='median')`, and Fisher's
/// power against a brute-force loop over scipy's p-values and `stats.binom.pmf`.
@Suite struct CollapseAndSpreadTests {
    /// (table, two-sided, less, greater, odds ratio).
    static let fisher: [((Int, Int, Int, Int), Double, Double, Double, Double)] = [
        ((8, 2, 1, 5), 0.034965034965034975, 0.9991258741258742, 0.024475524475524483, 20.0),
        ((0, 8, 3, 5), 0.2, 0.10000000000000002, 1.0, 0.0),
        ((3, 5, 0, 8), 0.2, 1.0, 0.10000000000000002, .infinity),
        ((2, 6, 2, 6), 1.0, 0.7153846153846154, 0.7153846153846154, 1.0),
        ((10, 0, 0, 10), 1.082508822446903e-05, 1.0, 5.412544112234515e-06, .infinity),
        ((1, 7, 6, 2), 0.040559440559440565, 0.020279720279720283, 0.9993006993006993, 0.047619047619047616),
        ((5, 0, 3, 4), 0.0808080808080808, 1.0, 0.0707070707070707, .infinity),
        ((12, 4, 5, 11), 0.03195238826540324, 0.9980762024194467, 0.01597619413270162, 6.6),
    ]

    @Test func fisherExactMatchesScipy() throws {
        for (t, two, less, greater, odds) in Self.fisher {
            let (a, b, c, d) = t
            let r = try FisherExact.test(a, b, c, d)
            expectClose(r.pvalue, two, rel: 1e-9, "two-sided \(t)")
            expectClose(try FisherExact.test(a, b, c, d, alternative: .less).pvalue, less, rel: 1e-9, "less \(t)")
            expectClose(try FisherExact.test(a, b, c, d, alternative: .greater).pvalue, greater, rel: 1e-9, "greater \(t)")
            if odds.isInfinite { #expect(r.statistic == .infinity) } else { expectClose(r.statistic, odds, rel: 1e-12, "odds \(t)") }
        }
        // No event in either arm: nothing to test (scipy: p = 1, odds ratio NaN).
        let none = try FisherExact.test(0, 8, 0, 8)
        #expect(none.pvalue == 1 && none.statistic.isNaN)
        #expect(throws: StatsError.self) { try FisherExact.test(-1, 2, 3, 4) }
    }

    @Test func fisherPowerMatchesABruteForceLoopOverScipy() throws {
        expectClose(try FisherExact.power(n1: 8, n2: 8, p1: 0.1, p2: 0.6, alpha: 0.05), 0.39280148311974394, rel: 1e-9)
        expectClose(try FisherExact.power(n1: 12, n2: 12, p1: 0.0, p2: 0.5, alpha: 0.025), 0.6127929687500002, rel: 1e-9)
        expectClose(try FisherExact.power(n1: 10, n2: 10, p1: 0.2, p2: 0.8, alpha: 0.05), 0.6353228186482794, rel: 1e-9)
        // Seeds needed: the first n whose power reaches 80%, and the one before it does not.
        let n = try #require(try FisherExact.trialsNeeded(p1: 0.1, p2: 0.6, alpha: 0.05))
        #expect(try FisherExact.power(n1: n, n2: n, p1: 0.1, p2: 0.6, alpha: 0.05) >= 0.8)
        #expect(try FisherExact.power(n1: n - 1, n2: n - 1, p1: 0.1, p2: 0.6, alpha: 0.05) < 0.8)
        #expect(try FisherExact.trialsNeeded(p1: 0.3, p2: 0.3, alpha: 0.05, limit: 20) == nil)
    }

    @Test func brownForsytheMatchesScipyLeveneCentredOnMedians() throws {
        let g1 = [0.61, 0.62, 0.60, 0.63, 0.59, 0.30, 0.62, 0.61]
        let g2 = [0.60, 0.61, 0.62, 0.60, 0.61, 0.62, 0.60, 0.61]
        let g3 = [0.5, 0.7, 0.55, 0.65]
        let two = try BrownForsythe.test([g1, g2])
        expectClose(two.statistic, 1.2010398613518198, rel: 1e-10)
        expectClose(two.pvalue, 0.2916087486581102, rel: 1e-9)
        let three = try BrownForsythe.test([g1, g2, g3])
        expectClose(three.statistic, 1.4766916144799138, rel: 1e-10)
        expectClose(three.pvalue, 0.25625668843454547, rel: 1e-9)
        #expect(throws: StatsError.self) { try BrownForsythe.test([g1]) }
        #expect(throws: StatsError.self) { try BrownForsythe.test([g1, [0.5]]) }
    }
}
