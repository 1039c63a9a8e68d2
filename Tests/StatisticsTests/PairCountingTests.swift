import Foundation
import TestSupport
import Testing

@testable import Statistics

/// The O(n log n) pair kernels against the quadratic definitions they replace (kept here as oracles), on seeded
/// random data with and without ties, then the sizes that used to abort or hang.
@Suite("pair counting: O(n log n) kernels equal the quadratic definitions")
struct PairCountingTests {
    /// Data with many ties (few distinct values), with none, with equal infinities, or of one or two values.
    static func data(_ seed: UInt64, _ n: Int, distinct: Int?) -> [Double] {
        var g = SeededRandom(seed: seed)
        return (0..<n).map { _ in
            if let distinct { return Double(g.int(in: 0...(distinct - 1))) / 4 }
            return g.normal()
        }
    }

    static let shapes: [(n: Int, m: Int, distinct: Int?)] = [
        (1, 1, nil), (2, 3, nil), (7, 5, 2), (20, 20, 3), (33, 17, nil), (64, 50, 6), (101, 99, 40), (150, 7, nil),
    ]

    // MARK: Oracles

    static func kendallOracle(_ x: [Double], _ y: [Double]) -> (Int, Int, Int, Int) {
        var dis = 0, xt = 0, yt = 0, nt = 0
        for i in x.indices {
            for j in (i + 1)..<x.count {
                let sx = x[i] < x[j] ? -1 : (x[i] > x[j] ? 1 : 0), sy = y[i] < y[j] ? -1 : (y[i] > y[j] ? 1 : 0)
                if sx == 0 && sy == 0 { nt += 1 }
                if sx == 0 { xt += 1 }
                if sy == 0 { yt += 1 }
                if sx * sy < 0 { dis += 1 }
            }
        }
        return (dis, xt, yt, nt)
    }

    static func uOracle(_ x: [Double], _ y: [Double]) -> Double {
        var u = 0.0
        for a in x { for b in y { if a > b { u += 1 } else if a == b { u += 0.5 } } }
        return u
    }

    static func medianOracle(_ v: [Double]) -> Double { Descriptive.quantileSorted(v.sorted(), 0.5) }

    // MARK: Equality on random data

    @Test("Kendall pair counts (Knight) equal the all-pairs loop", arguments: 0..<shapes.count)
    func kendallCounts(_ k: Int) {
        let s = Self.shapes[k]
        for seed: UInt64 in 1...4 {
            let x = Self.data(seed, s.n, distinct: s.distinct), y = Self.data(seed + 100, s.n, distinct: s.distinct.map { $0 + 1 })
            let c = PairCounting.kendallCounts(x, y), o = Self.kendallOracle(x, y)
            #expect(c.discordant == o.0 && c.xTies == o.1 && c.yTies == o.2 && c.jointTies == o.3,
                    "n=\(s.n) seed \(seed): \(c) vs \(o)")
        }
        // Equal infinities are ties, as scipy ranks them.
        let x: [Double] = [.infinity, 1, .infinity, -.infinity, 2], y: [Double] = [3, -.infinity, 3, 0, .infinity]
        let c = PairCounting.kendallCounts(x, y), o = Self.kendallOracle(x, y)
        #expect(c.discordant == o.0 && c.xTies == o.1 && c.yTies == o.2 && c.jointTies == o.3)
    }

    @Test("U by sorting equals pair counting", arguments: 0..<shapes.count)
    func uStatistic(_ k: Int) {
        let s = Self.shapes[k]
        for seed: UInt64 in 1...4 {
            let x = Self.data(seed, s.n, distinct: s.distinct), y = Self.data(seed + 7, s.m, distinct: s.distinct)
            #expect(PairCounting.uStatistic(x, y) == Self.uOracle(x, y), "n=\(s.n) m=\(s.m) seed \(seed)")
        }
        #expect(PairCounting.uStatistic([1, .nan], [2]).isNaN)
    }

    @Test("Hodges–Lehmann medians by selection equal the median of the listed pairs", arguments: 0..<shapes.count)
    func hodgesLehmann(_ k: Int) {
        let s = Self.shapes[k]
        for seed: UInt64 in 1...4 {
            let x = Self.data(seed, s.n, distinct: s.distinct), y = Self.data(seed + 13, s.m, distinct: s.distinct)
            var diffs: [Double] = []
            for a in x { for b in y { diffs.append(a - b) } }
            #expect(PairCounting.medianOfDifferences(x, y) == Self.medianOracle(diffs), "n=\(s.n) m=\(s.m) seed \(seed)")
            var walsh: [Double] = []
            for i in x.indices { for j in i..<x.count { walsh.append((x[i] + x[j]) / 2) } }
            #expect(PairCounting.medianOfWalshAverages(x) == Self.medianOracle(walsh), "n=\(s.n) seed \(seed)")
        }
        // Differences that overflow to infinity, and signed zeros.
        let big = [1e308, -1e308, 0], neg = [-1e308, 1e308, -0.0]
        var diffs: [Double] = []
        for a in big { for b in neg { diffs.append(a - b) } }
        #expect(PairCounting.medianOfDifferences(big, neg) == Self.medianOracle(diffs))
    }

    @Test("the double order used by the selection is monotone and invertible")
    func orderedKeys() {
        let values: [Double] = [-.infinity, -1e308, -1, -.leastNonzeroMagnitude, -0.0, 0, .leastNonzeroMagnitude, 1, 1e308, .infinity]
        for (a, b) in zip(values, values.dropFirst()) { #expect(PairCounting.orderedKey(a) < PairCounting.orderedKey(b)) }
        for v in values { #expect(PairCounting.double(fromKey: PairCounting.orderedKey(v)).bitPattern == v.bitPattern) }
    }

    // MARK: The sizes that aborted or hung (issue 9)

    @Test("effect sizes on 3·10⁴ values each answer instead of allocating n² doubles (7 GB)")
    func effectSizesLarge() throws {
        let x = Self.data(1, 30_000, distinct: nil), y = Self.data(2, 30_000, distinct: nil).map { ($0 * 64).rounded() / 64 }
        let e = try EffectSize.independent(x, y)
        #expect(e.hodgesLehmann.isFinite && abs(e.hodgesLehmann) < 1, "\(e.hodgesLehmann)")
        #expect(e.auroc > 0.3 && e.auroc < 0.7)
        let p = try EffectSize.paired(x, y)
        #expect(p.hodgesLehmann.isFinite)
    }

    @Test("kendalltau at n = 3·10⁴ answers fast, and refuses method 'exact' at once")
    func kendallLarge() throws {
        let x = Self.data(3, 30_000, distinct: nil), y = Self.data(4, 30_000, distinct: nil)
        let clock = ContinuousClock()
        var r: CorrelationResult?
        let t = try clock.measure { r = try Correlation.kendall(x, y) }
        #expect(r?.methodUsed == "asymptotic")
        #expect(abs(r?.statistic ?? 1) < 0.02)
        // Quadratic counting took ~15 s here in a debug build (26 s at n = 40,000); Knight's counts well under 1 s.
        #expect(t < .seconds(5), "kendalltau n=3e4 took \(t)")
        #expect(throws: StatsError.self) { try Correlation.kendall(x, y, method: .exact) }
    }
}
