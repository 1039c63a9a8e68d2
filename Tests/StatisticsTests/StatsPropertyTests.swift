import Foundation
import TestSupport
import Testing

@testable import Statistics

/// Properties that hold for any input (seeded, replayable data).
@Suite("statistics properties")
struct StatsPropertyTests {
    static func randomPValues(seed: UInt64, count: Int) -> [Double] {
        var g = SeededRandom(seed: seed)
        // A mix of tiny, moderate and tied p-values.
        return (0..<count).map { i in i % 5 == 0 ? 0.04 : Foundation.pow(g.uniform(), 3) }
    }

    @Test("adjusted p-values are ≥ raw, ≤ 1 and monotone in the raw order", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func adjustedMonotone(seed: UInt64) throws {
        let p = Self.randomPValues(seed: seed, count: 25)
        for adjust in [MultipleComparisons.holm, MultipleComparisons.benjaminiHochberg] {
            let a = try adjust(p, 0.05)
            let order = p.indices.sorted { p[$0] < p[$1] }
            for (i, j) in zip(order, order.dropFirst()) { #expect(a.adjusted[i] <= a.adjusted[j]) }
            for i in p.indices {
                #expect(a.adjusted[i] <= 1 && a.adjusted[i] >= p[i])
                #expect(a.reject[i] == (a.adjusted[i] <= 0.05))
            }
        }
    }

    static let samples: [(String, [Double])] = {
        var g = SeededRandom(seed: 11)
        return [("normal n=20", (0..<20).map { _ in g.normal() }),
                ("skewed n=30", (0..<30).map { _ in Foundation.exp(g.normal()) }),
                ("n=5 with ties", [0.6, 0.6, 0.7, 0.5, 0.9])]
    }()

    @Test("a bootstrap interval contains its point estimate and the same seed repeats it",
          arguments: BootstrapMethod.allCases)
    func bootstrapContainsEstimate(method: BootstrapMethod) throws {
        for (name, x) in Self.samples {
            for statistic in StatsRequest.bootstrapStatistics {
                let f = try #require(StatsRequest.bootstrapStatistic(statistic))
                let a = try Bootstrap.interval(x, statistic: f, method: method, resamples: 999, seed: 3)
                #expect(a.low <= a.estimate && a.estimate <= a.high, "\(name) \(statistic): \(a)")
                let b = try Bootstrap.interval(x, statistic: f, method: method, resamples: 999, seed: 3)
                #expect(a == b, "\(name) \(statistic): same seed must give the same interval")
            }
        }
    }

    @Test("stratified bootstrap contains its estimate and is reproducible", arguments: Aggregate.allCases)
    func stratifiedBootstrap(aggregate: Aggregate) throws {
        var g = SeededRandom(seed: 5)
        let scores = (0..<5).map { _ in (0..<4).map { _ in 0.5 + 0.2 * g.normal() } }
        let a = try Rliable.stratifiedBootstrap(scores, aggregate: aggregate.callAsFunction, resamples: 500, seed: 9)
        #expect(a.low <= a.estimate && a.estimate <= a.high, "\(a)")
        let b = try Rliable.stratifiedBootstrap(scores, aggregate: aggregate.callAsFunction, resamples: 500, seed: 9)
        #expect(a == b)
        let c = try Rliable.stratifiedBootstrap(scores, aggregate: aggregate.callAsFunction, resamples: 500, seed: 10)
        #expect(a != c, "a different seed should give a different interval")
    }

    @Test("stratified resampling keeps each score in its own task column")
    func stratifiedStaysInTask() throws {
        let scores: [[Double]] = [[1, 10, 100], [2, 20, 200], [3, 30, 300]]
        let rng = try BootstrapRNG(seed: 1)
        for _ in 0..<20 {
            let m = Rliable.resampleWithinTasks(scores, rng)
            for row in m {
                #expect([1, 2, 3].contains(row[0]) && [10, 20, 30].contains(row[1]) && [100, 200, 300].contains(row[2]))
            }
        }
    }

    @Test("the draw order is GSL mt19937 + gsl_rng_uniform_int, index by index (pinned values)")
    func drawOrderPinned() throws {
        // Reference values printed by a C program calling gsl_rng_set(r, 42) then gsl_rng_uniform_int(r, 10).
        let rng = try BootstrapRNG(seed: 42)
        #expect((0..<12).map { _ in rng.index(below: 10) } == [3, 7, 9, 1, 7, 7, 5, 5, 1, 4, 1, 0])
        let x = (0..<10).map(Double.init)
        #expect(try BootstrapRNG(seed: 42).resample(x) == [3, 7, 9, 1, 7, 7, 5, 5, 1, 4])
    }

    @Test("percentile bootstrap of the mean covers the true mean about 95 % of the time")
    func bootstrapCoverage() throws {
        var g = SeededRandom(seed: 77)
        var covered = 0
        let trials = 200
        for t in 0..<trials {
            let x = (0..<30).map { _ in g.normal() + 1 }
            let ci = try Bootstrap.interval(x, statistic: Descriptive.meanUnchecked, method: .percentile,
                                            resamples: 400, seed: UInt(t))
            if ci.low <= 1 && 1 <= ci.high { covered += 1 }
        }
        // Percentile intervals at n = 30 undercover slightly; binomial sd at 200 trials is about 1.5 %.
        #expect((170...198).contains(covered), "covered \(covered) of \(trials)")
    }

    @Test("probability of improvement of identical samples is 0.5, and P(x>y) + P(y>x) = 1")
    func improvementProbability() throws {
        var g = SeededRandom(seed: 8)
        let x = (0..<6).map { _ in (0..<3).map { _ in (g.normal() * 4).rounded() / 4 } }
        let y = (0..<4).map { _ in (0..<3).map { _ in (g.normal() * 4).rounded() / 4 } }
        #expect(try Rliable.probabilityOfImprovement(x, x).probability == 0.5)
        let xy = try Rliable.probabilityOfImprovement(x, y).probability
        let yx = try Rliable.probabilityOfImprovement(y, x).probability
        expectClose(xy + yx, 1, rel: 1e-12, "complement")
        let withCI = try Rliable.probabilityOfImprovement(x, y, resamples: 300, seed: 4)
        let ci = try #require(withCI.interval)
        #expect(ci.low <= xy && xy <= ci.high)
    }

    @Test("GSL never aborts on hostile input")
    func gslNeverAborts() throws {
        // Each of these would reach a GSL domain error with the default handler (which aborts).
        #expect(GSL.tQuantile(0.5, df: 0).isNaN)
        #expect(GSL.tSF(1, df: -3).isNaN)
        #expect(GSL.normalQuantile(0) == -.infinity)
        #expect(GSL.normalQuantile(1.5).isNaN)
        #expect(GSL.lnGamma(-1).isNaN)
        let huge = [1e308, -1e308, 1e-308, 0]
        _ = try TTest.independent(huge, huge)
        _ = try Wilcoxon.test(huge, method: .asymptotic)
        _ = try MannWhitney.test(huge, [.infinity, -.infinity])
        _ = try Correlation.kendall(huge, [1, 2, 3, 4])
        _ = try Descriptive.summarize([.nan, .infinity])
        #expect(throws: StatsError.self) { try Power.seedsPerArm(effectSize: 1e-9) }
        #expect(throws: StatsError.self) { try Bootstrap.interval([1, 2], statistic: { _ in 0 }, resamples: 0, seed: 1) }
    }
}
