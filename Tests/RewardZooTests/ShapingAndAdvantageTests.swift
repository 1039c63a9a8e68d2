import Foundation
import Seeded
import TestSupport
import Testing

@testable import RewardZoo

@Suite struct ShapingTests {
    static let third = 1.0 / 3
    static let eps = Advantages.epsilon
    static let cases: [Named<(Shaping, [Double?]), [Double?]>] = [
        Named("rank: distinct values", (.rank, [0.3, -2, 7]), [0, -1, 1]),
        Named("rank: ties by index, earlier lower", (.rank, [3, 1, 3, 2]), [third, -1, 1, -third]),
        Named("rank: all equal spread by index", (.rank, [5, 5, 5]), [-1, 0, 1]),
        Named("rank: G = 1", (.rank, [7]), [0]),
        Named("rank: nil left out", (.rank, [nil, 2, nil, 1]), [nil, 1, nil, -1]),
        Named("rank: empty", (.rank, []), []),
        Named("zscore: unbiased std + ε", (.zscore, [1, 2, 3]), [-1 / (1 + eps), 0, 1 / (1 + eps)]),
        Named("zscore: all equal", (.zscore, [4, 4]), [0, 0]),
        Named("zscore: singleton", (.zscore, [9]), [0]),
        Named("zscore: nil left out", (.zscore, [nil, 1, 3]), [nil, -1 / (2.0.squareRoot() + eps), 1 / (2.0.squareRoot() + eps)]),
        Named("minmax: to [−1, 1]", (.minmax, [1, 3, 2]), [-1, 1, 0]),
        Named("minmax: all equal", (.minmax, [2, 2]), [0, 0]),
        Named("minmax: nil", (.minmax, [nil, 0, 10]), [nil, -1, 1]),
        Named("raw", (.raw, [nil, -3, 0.5]), [nil, -3, 0.5]),
    ]

    @Test(arguments: cases)
    func exactValues(_ c: Named<(Shaping, [Double?]), [Double?]>) {
        expectClose(c.input.0.apply(c.input.1), c.expected, rel: 1e-14, abs: 1e-14)
    }

    @Test func rankIsAPermutationOfTheGrid() {
        var rng = SplitMix64(seed: 3)
        for g in 2...9 {
            let scores: [Double?] = (0..<g).map { _ in Double(rng.int(in: 0...3)) }
            let shaped = Shaping.rank.apply(scores).compactMap { $0 }.sorted()
            expectClose(shaped, (0..<g).map { 2 * Double($0) / Double(g - 1) - 1 }, rel: 1e-14, abs: 1e-14)
        }
    }
}

@Suite struct AdvantageTests {
    func randomBatch(_ seed: UInt64) -> [[Double?]] {
        var rng = SplitMix64(seed: seed)
        return (0..<6).map { _ in (0..<rng.int(in: 1...8)).map { _ in rng.chance(0.15) ? nil : 10 * rng.uniform() - 3 } }
    }

    @Test(arguments: AdvantageScaling.allCases)
    func zeroSumAndShiftInvariantPerGroup(_ scaling: AdvantageScaling) {
        for seed in UInt64(0)..<20 {
            let batch = randomBatch(seed)
            let a = Advantages.compute(batch, scaling: scaling)
            #expect(a.map(\.count) == batch.map(\.count))
            for (g, adv) in zip(batch, a) {
                #expect(Swift.abs(adv.reduce(0, +)) < 1e-9, "\(scaling): sum \(adv.reduce(0, +))")
                for (r, x) in zip(g, adv) where r == nil { #expect(x == 0, "nil → 0") }
            }
            // Shifting every reward of one group: with group/none nothing changes; batch scaling uses the
            // batch std, so shift the whole batch for it.
            let shifted = batch.enumerated().map { k, g in g.map { $0.map { $0 + (scaling == .batch ? 5 : Double(k) * 3 - 7) } } }
            let b = Advantages.compute(shifted, scaling: scaling)
            for (x, y) in zip(a.joined(), b.joined()) { expectClose(y, x, rel: 1e-9, abs: 1e-9, "\(scaling) shift") }
        }
    }

    @Test func scaleInvariantWithGroupAndBatchScaling() {
        for seed in UInt64(0)..<20 {
            let batch = randomBatch(seed)
            for scaling in [AdvantageScaling.group, .batch] {
                let a = Advantages.compute(batch, scaling: scaling, epsilon: 0)
                let b = Advantages.compute(batch.map { $0.map { $0.map { $0 * 250 } } }, scaling: scaling, epsilon: 0)
                for (x, y) in zip(a.joined(), b.joined()) { expectClose(y, x, rel: 1e-9, abs: 1e-9, "\(scaling) scale, ε = 0") }
                // With the pinned ε the invariance holds to ε/std.
                let c = Advantages.compute(batch, scaling: scaling)
                let d = Advantages.compute(batch.map { $0.map { $0.map { $0 * 250 } } }, scaling: scaling)
                for (x, y) in zip(c.joined(), d.joined()) { expectClose(y, x, rel: 1e-3, abs: 1e-3, "\(scaling) scale, ε = 1e-4") }
            }
            // none only centres: it scales with the rewards.
            let n = Advantages.compute(batch, scaling: .none)
            let m = Advantages.compute(batch.map { $0.map { $0.map { $0 * 2 } } }, scaling: .none)
            for (x, y) in zip(n.joined(), m.joined()) { expectClose(y, 2 * x, rel: 1e-9, abs: 1e-9) }
        }
    }

    @Test(arguments: AdvantageScaling.allCases)
    func singletonAllEqualAndAllNilGroupsAreZero(_ scaling: AdvantageScaling) {
        let a = Advantages.compute([[4.2], [3, 3, 3], [nil, nil], [nil, 5], [], [1, 2]], scaling: scaling)
        #expect(a[0] == [0] && a[1] == [0, 0, 0] && a[2] == [0, 0] && a[3] == [0, 0] && a[4] == [])
        #expect(a.joined().allSatisfy { $0.isFinite })
    }

    @Test func exactValuesPerScaling() {
        let eps = Advantages.epsilon
        expectClose(Advantages.compute([[1, 2, 3]], scaling: .group)[0], [-1 / (1 + eps), 0, 1 / (1 + eps)], abs: 1e-12)
        expectClose(Advantages.compute([[1, 3]], scaling: .none)[0], [-1, 1], abs: 1e-12)
        // batch: std of [1, 3, 10, 10] = √(66/3) = √22; the second group centres to 0.
        let b = Advantages.compute([[1, 3], [10, 10]], scaling: .batch)
        expectClose(b[0], [-1 / (22.0.squareRoot() + eps), 1 / (22.0.squareRoot() + eps)], abs: 1e-12)
        expectClose(b[1], [0, 0], abs: 1e-12)
        #expect(Advantages.epsilon == 1e-4)
    }
}
