import Foundation
import TestSupport
import Testing

@testable import Statistics

/// Textbook values, typed errors and the JSON protocol.
@Suite("statistics API")
struct StatsAPITests {
    @Test("exact Wilcoxon p of 40 positive differences is 2/2⁴⁰ (from the upper tail, not 1 − P)")
    func tinyExactPValue() throws {
        let r = try Wilcoxon.test((1...40).map(Double.init))
        #expect(r.methodUsed == .exact)
        expectClose(r.pvalue, 2 / Foundation.pow(2, 40), rel: 1e-14, "p")
        #expect(r.statistic == 0)
    }

    @Test("exact Kendall p of a perfect ranking of 30 is 2/30!")
    func kendallPerfect() throws {
        let x = (0..<30).map(Double.init)
        let r = try Correlation.kendall(x, x)
        var factorial = 1.0
        for k in 1...30 { factorial *= Double(k) }
        expectClose(r.pvalue, 2 / factorial, rel: 1e-12, "p")
        #expect(r.statistic == 1)
    }

    @Test("descriptive textbook values")
    func descriptive() throws {
        let x: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]
        let s = try Descriptive.summarize(x)
        #expect(s.mean == 5)
        expectClose(s.sd, (32.0 / 7).squareRoot(), rel: 1e-14, "sd")
        #expect(s.median == 4.5 && s.q25 == 4 && s.q75 == 5.5)
        #expect(s.iqm == 4.5)  // drops 2 from each end: mean of 4, 4, 5, 5
        expectClose(try Descriptive.quantile([1, 2, 3, 4], 0.1), 1.3, rel: 1e-14, "type 7")
    }

    @Test("Hedges' J(ν) against its closed form for ν = 4: Γ(2)/(√2·Γ(3/2)) = √(2/π)")
    func hedges() {
        expectClose(EffectSize.hedgesCorrection(4), (2 / Double.pi).squareRoot(), rel: 1e-14, "J(4)")
    }

    static let errorCases: [(String, @Sendable () throws -> Void, StatsError)] = [
        ("empty ttest_ind", { _ = try TTest.independent([], [1, 2]) }, .emptyInput(argument: "x", test: "ttest_ind")),
        ("paired mismatch", { _ = try TTest.paired([1, 2, 3], [1, 2]) },
         .lengthMismatch(test: "ttest_rel", xCount: 3, yCount: 2)),
        ("wilcoxon mismatch", { _ = try Wilcoxon.test([1, 2], [1]) },
         .lengthMismatch(test: "wilcoxon", xCount: 2, yCount: 1)),
        ("spearman n=2", { _ = try Correlation.spearman([1, 2], [2, 1]) },
         .tooFewObservations(argument: "x", test: "spearmanr", count: 2, minimum: 3)),
        ("kendall exact with ties", { _ = try Correlation.kendall([1, 1, 2], [1, 2, 3], method: .exact) },
         .exactUnavailable(test: "kendalltau", reason: "the data have ties")),
        ("ragged matrix", { _ = try Rliable.stratifiedBootstrap([[1, 2], [3]], aggregate: Aggregate.mean.callAsFunction, seed: 1) },
         .raggedMatrix(argument: "x", detail: "run 1 has 1 tasks but run 0 has 2")),
        ("bad confidence level", { _ = try Descriptive.meanConfidenceInterval([1, 2], level: 95) },
         .invalidParameter(name: "confidence_level", value: "95.0", expected: "strictly between 0 and 1")),
        ("bad alternative", { _ = try Alternative(parsing: "bigger") },
         .invalidOption(name: "alternative", value: "bigger", valid: ["two-sided", "less", "greater"])),
    ]

    @Test("typed errors", arguments: errorCases.indices)
    func typedErrors(_ i: Int) {
        let (name, body, expected) = Self.errorCases[i]
        do {
            try body()
            Issue.record("\(name): expected \(expected)")
        } catch let e as StatsError {
            #expect(e == expected, "\(name)")
            #expect(!e.description.isEmpty)
        } catch {
            Issue.record("\(name): unexpected \(error)")
        }
    }

    @Test("error messages name the bad value and the valid ones")
    func errorMessages() {
        let e = StatsError.invalidOption(name: "zero_method", value: "drop", valid: ["wilcox", "pratt", "zsplit"])
        #expect(e.description == "`zero_method` is 'drop'; please provide one of 'wilcox', 'pratt' or 'zsplit'.")
    }

    @Test("one bad request never stops the others; NaN travels as a string")
    func jsonDocument() throws {
        let input = """
        [{"id": "a", "test": "ttest_ind", "x": [1, 2, 3], "y": [2, 3, "nan"]},
         {"id": "b", "test": "no_such_test"},
         "not an object",
         {"id": 4, "test": "holm", "params": {"alpha": 0.1}, "x": [0.01, 0.04, 0.03]}]
        """
        let out = try StatsRequest.respond(toDocument: Data(input.utf8))
        guard case let .array(results) = out else { Issue.record("expected an array"); return }
        #expect(results.count == 4)
        #expect(results[0]["pvalue"] == .string("nan"))
        #expect(results[1]["error"] != nil && results[1]["id"] == .string("b"))
        #expect(results[2]["error"] != nil && results[2]["id"] == .null)
        #expect(results[3]["reject"] == .array([.bool(true), .bool(true), .bool(true)]))
        #expect(out.serialized.contains("\"pvalue\": \"nan\""))
    }

    @Test("input that is not JSON is a typed error")
    func notJSON() {
        #expect(throws: StatsError.self) { try StatsRequest.respond(toDocument: Data("{oops".utf8)) }
    }

    @Test("power: more seeds for smaller effects; paired needs fewer than independent")
    func powerOrdering() throws {
        let small = try Power.seedsPerArm(effectSize: 0.5)
        let large = try Power.seedsPerArm(effectSize: 1.0)
        let paired = try Power.seedsPerArm(effectSize: 0.5, design: .paired)
        #expect(small.seedsPerArm > large.seedsPerArm && paired.seedsPerArm < small.seedsPerArm)
        #expect(small.powerAtSeeds >= 0.8)
        expectClose(try Power.power(effectSize: 0.5, nobs: small.nobs), 0.8, rel: 1e-8, "power at solution")
    }
}

/// Edge cases found in review: each pins scipy 1.17 / statsmodels behaviour (or, for the power curve, a
/// 40-digit mpmath integration where scipy's noncentral t is itself inaccurate or NaN).
@Suite("statistics edge cases")
struct StatsEdgeCaseTests {
    @Test("pearsonr with n = 2 has p = 1 for every alternative (scipy returns exactly 1)")
    func pearsonTwoPairs() throws {
        for alternative in Alternative.allCases {
            let r = try Correlation.pearson([1, 2], [3, 1], alternative: alternative)
            #expect(r.statistic == -1)
            #expect(r.pvalue == 1, "\(alternative)")
            #expect(try Correlation.pointBiserial([0, 1], [3, 5], alternative: alternative).pvalue == 1)
        }
    }

    @Test("pearsonr with an infinite value is NaN, not a clamped r = −1 with p = 0")
    func pearsonInfinite() throws {
        let r = try Correlation.pearson([1, .infinity, 3], [1, 2, 3])
        #expect(r.statistic.isNaN && r.pvalue.isNaN, "\(r)")
        let b = try Correlation.pointBiserial([0, 1, 1], [1, .infinity, 3])
        #expect(b.statistic.isNaN && b.pvalue.isNaN, "\(b)")
    }

    @Test("pearsonr of a constant whose mean is not exact (0.1 × 7) is NaN, as scipy's x == x[0] check")
    func pearsonConstantInexactMean() throws {
        let r = try Correlation.pearson(Array(repeating: 0.1, count: 7), [1, 2, 3, 4, 5, 6, 8])
        #expect(r.statistic.isNaN && r.pvalue.isNaN, "\(r)")
        let s = try Correlation.pearson([1, 2, 3, 4, 5], Array(repeating: 0.3, count: 5))
        #expect(s.statistic.isNaN && s.pvalue.isNaN, "\(s)")
    }

    @Test("pearsonr neither overflows nor underflows at extreme scales (scipy scales by max |x − x̄|)")
    func pearsonExtremeScale() throws {
        for scale in [1e-200, 1, 1e200] {
            let r = try Correlation.pearson([1, 2, 3, 4].map { $0 * scale }, [1, 2, 3, 5])
            expectClose(r.statistic, 0.9827076298239908, rel: 1e-12, "r at scale \(scale)")
            expectClose(r.pvalue, 0.017292370176009264, rel: 1e-9, "p at scale \(scale)")
        }
        let wide = try Correlation.pearson([-5e210, 5e210, 3e200, -3e200], [1, 2, 3, 4])
        expectClose(wide.statistic, 0.3162277659978643, rel: 1e-12, "r")
    }

    @Test("kendalltau treats equal infinities as a tie (scipy: τ-b −0.7379, p 0.07697)")
    func kendallTiedInfinities() throws {
        let r = try Correlation.kendall([.infinity, .infinity, 1, 2, 0], [1, 2, 3, 4, 5])
        expectClose(r.statistic, -0.7378647873726218, rel: 1e-12, "tau")
        expectClose(r.pvalue, 0.07697417298126674, rel: 1e-9, "p")
        #expect(r.methodUsed == "asymptotic")
    }

    /// (effect size, nobs, design, alternative, power) from mpmath at 40 digits on the same double inputs
    /// (statsmodels agrees where scipy's noncentral t is finite; at (5, 2.5, paired) it returns NaN).
    static let smallDFPower: [(Double, Double, PowerDesign, Alternative, Double)] = [
        (1, 1.5, .paired, .greater, 0.12310092331016451),
        (1, 1.2, .paired, .greater, 0.097798890905210744),
        (3, 2.2, .paired, .greater, 0.6168086515581868),
        (5, 2.5, .paired, .twoSided, 0.80535958301186163),
        (1, 1.2, .independent, .twoSided, 0.055552583530093662),
        (1, 1.2, .independent, .greater, 0.092140501799919494),
        (0.5, 20, .independent, .twoSided, 0.33793902892504093),
        (2, 3, .paired, .less, 3.6773324941610782e-6),
    ]

    @Test("t-test power is accurate for fewer than 2 degrees of freedom", arguments: smallDFPower.indices)
    func powerSmallDF(_ i: Int) throws {
        let (d, n, design, alternative, want) = Self.smallDFPower[i]
        let got = try Power.power(effectSize: d, nobs: n, design: design, alternative: alternative)
        expectClose(got, want, rel: 1e-7, "d=\(d) n=\(n) \(design) \(alternative)")
    }

    @Test("a power in the wrong direction is tiny and non-negative, not 1 − (1 − ε) rounding noise")
    func powerWrongDirection() throws {
        let p = try Power.power(effectSize: 5, nobs: 3, design: .paired, alternative: .less)
        #expect(p >= 0)
        expectClose(p, 6.8559098316849302e-21, rel: 1e-5, "P(T' < t_0.05) with δ = 5√3, ν = 2")
    }

    @Test("seeds for a large paired effect: fractional n solved on the accurate power curve")
    func powerSolveSmallDF() throws {
        let greater = try Power.seedsPerArm(effectSize: 5, design: .paired, alternative: .greater)
        expectClose(greater.nobs, 2.0854200647719634, rel: 1e-8, "nobs")
        let two = try Power.seedsPerArm(effectSize: 5, design: .paired)
        expectClose(two.nobs, 2.4913062350198563, rel: 1e-8, "nobs")
        #expect(two.seedsPerArm == 3)
    }

    @Test("a huge n_resamples is a request error naming it, and the other requests still run")
    func resamplesCap() throws {
        let input = """
        [{"id": 1, "test": "bootstrap_ci", "params": {"seed": 1, "n_resamples": 100000000000000}, "x": [1, 2, 3]},
         {"id": 2, "test": "stratified_bootstrap_ci", "params": {"seed": 1, "n_resamples": 100000000000000},
          "x": [[1, 2], [3, 4]]},
         {"id": 3, "test": "holm", "x": [0.01]}]
        """
        guard case let .array(results) = try StatsRequest.respond(toDocument: Data(input.utf8)) else {
            Issue.record("expected an array"); return
        }
        for r in results.prefix(2) {
            guard case let .string(message)? = r["error"] else { Issue.record("expected an error: \(r.serialized)"); continue }
            #expect(message.contains("n_resamples"), "\(message)")
        }
        #expect(results[2]["adjusted"] == .array([.number(0.01)]))
    }

    @Test("a p-value outside [0, 1] is reported with its field and index")
    func holmBadPValueNamesField() {
        #expect(throws: StatsError.invalidParameter(name: "x[2]", value: "nan", expected: "a p-value in [0, 1]")) {
            try MultipleComparisons.holm([0.1, 0.2, .nan])
        }
        let r = StatsRequest.respond(to: .object([("test", .string("benjamini_hochberg")),
                                                  ("x", .array([.number(0.5), .number(1.5)]))]))
        #expect(r["error"] == .string("`x[1]` is 1.5; it must be a p-value in [0, 1]."))
    }

    @Test("bare NaN or an out-of-range number (Python's json.dumps) is a parse error that says how to write them")
    func bareNaNHint() {
        for text in ["[{\"test\": \"iqm\", \"x\": [NaN, 2]}]", "[{\"test\": \"iqm\", \"x\": [1e999, 2]}]"] {
            do {
                _ = try StatsRequest.respond(toDocument: Data(text.utf8))
                Issue.record("expected a parse error for \(text)")
            } catch {
                #expect("\(error)".contains("\"nan\", \"inf\" and \"-inf\""), "\(error)")
            }
        }
    }

    // MARK: - Edge cases that already behave as scipy/statsmodels (pinned so they stay that way)

    @Test("wilcoxon 'auto': ties switch from the 2ⁿ sign-flip permutation at 13 differences to normal at 14")
    func wilcoxonPermutationBoundary() throws {
        let d13: [Double] = [1, 1, -2, 3, 3, 4, -5, 6, 7, 8, 9, -10, 11]
        // (alternative, p at n = 13, p at n = 14) from scipy 1.17; statistics 22 / 69 and 22 / 83.
        let cases: [(Alternative, Double, Double)] = [(.twoSided, 0.105712890625, 0.0554126420593172),
                                                      (.less, 0.9512939453125, 0.9722936789703414),
                                                      (.greater, 0.0528564453125, 0.0277063210296586)]
        for (alternative, p13, p14) in cases {
            let a = try Wilcoxon.test(d13, alternative: alternative)
            #expect(a.methodUsed == .permutation)
            #expect(a.statistic == (alternative == .twoSided ? 22 : 69))
            expectClose(a.pvalue, p13, rel: 1e-12, "n = 13 \(alternative)")
            let b = try Wilcoxon.test(d13 + [12], alternative: alternative)
            #expect(b.methodUsed == .asymptotic)
            #expect(b.statistic == (alternative == .twoSided ? 22 : 83))
            expectClose(b.pvalue, p14, rel: 1e-10, "n = 14 \(alternative)")
        }
    }

    @Test("wilcoxon 'auto' without ties is exact up to 50 differences and normal from 51")
    func wilcoxonExactBoundary() throws {
        let d50 = (1...50).map { Double($0 % 3 == 0 ? -$0 : $0) }
        let a = try Wilcoxon.test(d50)
        #expect(a.methodUsed == .exact && a.statistic == 408)
        expectClose(a.pvalue, 0.02616696817119646, rel: 1e-12, "n = 50")
        let b = try Wilcoxon.test(d50 + [51])
        #expect(b.methodUsed == .asymptotic && b.statistic == 408)
        expectClose(b.pvalue, 0.016837638766199484, rel: 1e-10, "n = 51")
        expectClose(try Wilcoxon.test(d50 + [51], method: .exact).pvalue, 0.016149074201849523, rel: 1e-12, "exact")
    }

    @Test("mannwhitneyu: exact whenever one sample has ≤ 8 values and nothing ties, however large the other")
    func mannWhitneyExactBoundary() throws {
        let x: [Double] = [1, 2, 3, 4, 5, 6, 7, 8], y = (0..<50).map { Double($0) + 0.5 }
        let cases: [(Alternative, Double)] = [(.twoSided, 4.2284074343633094e-05), (.less, 2.1142037171816547e-05),
                                              (.greater, 0.9999818901039766)]
        for (alternative, p) in cases {
            let r = try MannWhitney.test(x, y, alternative: alternative)
            #expect(r.methodUsed == .exact && r.statistic == 36)
            expectClose(r.pvalue, p, rel: 1e-12, "\(alternative)")
        }
        // One tie anywhere: normal approximation with tie and continuity corrections; 'exact' truncates U.
        let tied: [Double] = [2.5, 2.5, 9, 10]
        let asymptotic = try MannWhitney.test(x, tied)
        #expect(asymptotic.methodUsed == .asymptotic && asymptotic.statistic == 12)
        expectClose(asymptotic.pvalue, 0.5515177080217877, rel: 1e-10, "ties")
        expectClose(try MannWhitney.test(x, tied, method: .exact).pvalue, 0.5696969696969697, rel: 1e-12, "exact")
        // All values equal: σ = 0, z = −∞, p = 1 (not NaN), as scipy.
        let equal = try MannWhitney.test([2, 2, 2], [2, 2, 2, 2])
        #expect(equal.statistic == 6 && equal.pvalue == 1)
    }

    @Test("Holm and BH with tied, zero and unit p-values match statsmodels, in input order")
    func adjustmentsWithTies() throws {
        let p: [Double] = [0.04, 0.01, 0.5, 0.01, 0.04]
        let holm = try MultipleComparisons.holm(p)
        #expect(holm.adjusted == [0.12, 0.05, 0.5, 0.05, 0.12])
        #expect(holm.reject == [false, true, false, true, false])  // 5 × 0.01 = 0.05 ≤ α rejects
        let bh = try MultipleComparisons.benjaminiHochberg(p)
        for (got, want) in zip(bh.adjusted, [0.05, 0.025, 0.5, 0.025, 0.05]) { expectClose(got, want, rel: 1e-12, "bh") }
        #expect(bh.reject == [true, true, false, true, true])
        let q: [Double] = [0, 1, 0.5, 0.5, 0]
        #expect(try MultipleComparisons.holm(q).adjusted == [0, 1, 1, 1, 0])
        #expect(try MultipleComparisons.benjaminiHochberg(q).adjusted == [0, 1, 0.625, 0.625, 0])
    }

    @Test("constant input: BCa ends are NaN (jackknife acceleration 0/0), percentile ends the constant")
    func bootstrapConstant() throws {
        let x: [Double] = [0.5, 0.5, 0.5, 0.5]
        let bca = try Bootstrap.interval(x, statistic: Descriptive.meanUnchecked, resamples: 200, seed: 1)
        #expect(bca.estimate == 0.5 && bca.low.isNaN && bca.high.isNaN && bca.standardError == 0)
        let pct = try Bootstrap.interval(x, statistic: Descriptive.meanUnchecked, method: .percentile,
                                         resamples: 200, seed: 1)
        #expect(pct.low == 0.5 && pct.high == 0.5)
        let s = try Correlation.spearman([1, 2, 3, 4], [5, 5, 5, 5])
        #expect(s.statistic.isNaN && s.pvalue.isNaN)
    }
}
