import Foundation
import Statistics
import TestSupport
import Testing

@testable import Ablate

/// Declared hypotheses, the primary/exploratory split, verdicts, power at the smallest effect and the plan. (TOST and
/// the noncentral-t power behind them are checked against statsmodels and scipy in Tests/StatisticsTests.)
@Suite struct HypothesisTests {
    static let head = """
        description: "d"
        seeds: [1, 2, 3]
        variants:
          a_hi: {learning_rate: 1.0e-4}
          b_hi: {learning_rate: 1.0e-4, reward: {name: random}}
          a_lo: {learning_rate: 3.0e-5, control: b_lo}
          b_lo: {learning_rate: 3.0e-5, reward: {name: random}}

        """

    static func parse(_ comparisons: String) throws -> Study {
        try Study.parse(yaml: head + comparisons, path: "studies/h.yaml")
    }

    // MARK: Parsing

    @Test func hypothesesParseWithTheirControlsAndDefaults() throws {
        let s = try Self.parse("""
            comparisons:
              control: b_hi
              smallest_effect: {accuracy: 0.03}
              sd: {accuracy: {arith: 0.02}, pass_at_k: 0.05}
              hypotheses:
                - {variant: a_hi, suite: arith, metric: accuracy}
                - {variant: a_lo, suite: trace, metric: accuracy, alternative: greater}
            """)
        let c = try #require(s.comparison)
        #expect(c.hypotheses == [
            Study.Hypothesis(variant: "a_hi", control: "b_hi", suite: "arith", metric: "accuracy", alternative: .twoSided),
            // a_lo names its own control (the matched learning rate).
            Study.Hypothesis(variant: "a_lo", control: "b_lo", suite: "trace", metric: "accuracy", alternative: .greater),
        ])
        #expect(c.smallestEffect == ["accuracy": 0.03])
        #expect(c.declaredSD("accuracy", "arith") == 0.02 && c.declaredSD("accuracy", "word") == nil)
        #expect(c.declaredSD("pass_at_k", "word") == 0.05)
        #expect(s.control(of: "a_lo") == "b_lo" && s.control(of: "a_hi") == "b_hi")
        // `control:` is not a training setting: the variant's overrides don't carry it.
        #expect(!(s.variants.first { $0.name == "a_lo" }?.overrides.contains { $0.key == "control" } ?? true))
    }

    /// The design may stand at the top level (the study's headline) as well as under `comparisons:`, not in both.
    @Test func theDesignAtTheTopLevel() throws {
        let s = try Self.parse("""
            comparisons: {control: b_hi}
            smallest_effect: {accuracy: 0.03}
            sd: {accuracy: 0.02}
            hypotheses:
              - {variant: a_hi, suite: arith, metric: accuracy, alternative: greater}
            """)
        #expect(s.comparison?.hypotheses == [Study.Hypothesis(variant: "a_hi", control: "b_hi", suite: "arith", metric: "accuracy", alternative: .greater)])
        #expect(s.comparison?.declaredSD("accuracy", "word") == 0.02)
        #expect(throws: AblateError.self) {
            _ = try Self.parse("comparisons: {control: b_hi, smallest_effect: {accuracy: 0.03}}\nsmallest_effect: {accuracy: 0.02}\n")
        }
        do {
            _ = try Self.parse("hypotheses:\n  - {variant: a_hi, suite: arith, metric: accuracy}\n")
            Issue.record("hypotheses without comparisons accepted")
        } catch {
            #expect("\(error)".contains("add `comparisons: {control: <variant>}`"), "\(error)")
        }
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        let name, yaml, at, says: String
        var testDescription: String { name }
    }

    static let broken: [Broken] = [
        Broken(name: "unknown variant", yaml: """
            comparisons:
              control: b_hi
              smallest_effect: {accuracy: 0.03}
              hypotheses:
                - {variant: c, suite: arith, metric: accuracy}
            """, at: "12:17", says: "comparisons.hypotheses[].variant: unknown variant 'c'"),
        Broken(name: "unknown suite", yaml: """
            comparisons:
              control: b_hi
              smallest_effect: {accuracy: 0.03}
              hypotheses:
                - {variant: a_hi, suite: poetry, metric: accuracy}
            """, at: "12:30", says: "comparisons.hypotheses[].suite: unknown suite 'poetry'"),
        Broken(name: "unknown metric", yaml: """
            comparisons:
              control: b_hi
              smallest_effect: {accuracy: 0.03}
              hypotheses:
                - {variant: a_hi, suite: arith, metric: speed}
            """, at: "12:45", says: "comparisons.hypotheses[].metric: unknown metric 'speed'"),
        Broken(name: "metric without a smallest effect", yaml: """
            comparisons:
              control: b_hi
              hypotheses:
                - {variant: a_hi, suite: arith, metric: accuracy}
            """, at: "11:45", says: "'accuracy' has no smallest effect"),
        Broken(name: "unknown alternative", yaml: """
            comparisons:
              control: b_hi
              smallest_effect: {accuracy: 0.03}
              hypotheses:
                - {variant: a_hi, suite: arith, metric: accuracy, alternative: bigger}
            """, at: "12:68", says: "unknown alternative 'bigger'"),
        Broken(name: "its own control", yaml: """
            comparisons:
              control: b_hi
              smallest_effect: {accuracy: 0.03}
              hypotheses:
                - {variant: b_hi, suite: arith, metric: accuracy}
            """, at: "12:17", says: "'b_hi' is its own control"),
        Broken(name: "unknown key in a hypothesis", yaml: """
            comparisons:
              control: b_hi
              smallest_effect: {accuracy: 0.03}
              hypotheses:
                - {variant: a_hi, suite: arith, metric: accuracy, tail: left}
            """, at: "12:55", says: "unknown key 'tail'"),
        Broken(name: "negative smallest effect", yaml: """
            comparisons:
              control: b_hi
              smallest_effect: {accuracy: -0.03}
            """, at: "10:31", says: "must be a positive difference"),
        Broken(name: "declared twice", yaml: """
            comparisons:
              control: b_hi
              smallest_effect: {accuracy: 0.03}
              hypotheses:
                - {variant: a_hi, suite: arith, metric: accuracy}
                - {variant: a_hi, suite: arith, metric: accuracy}
            """, at: "13:7", says: "declared twice"),
        Broken(name: "BH over primaries", yaml: """
            comparisons:
              control: b_hi
              correction: bh
              smallest_effect: {accuracy: 0.03}
              hypotheses:
                - {variant: a_hi, suite: arith, metric: accuracy}
            """, at: "10:15", says: "corrected with Holm"),
    ]

    @Test(arguments: broken) func brokenHypothesesNameTheirLine(_ c: Broken) {
        do {
            _ = try Self.parse(c.yaml)
            Issue.record("\(c.name): parsed without error")
        } catch {
            let message = "\(error)"
            #expect(message.contains("studies/h.yaml:\(c.at):"), "\(c.name): \(message)")
            #expect(message.lowercased().contains(c.says.lowercased()), "\(c.name): \(message)")
        }
    }

    @Test func aVariantControlMustExist() {
        #expect(throws: AblateError.self) {
            _ = try Study.parse(yaml: "description: d\nseeds: [1]\nvariants:\n  a: {control: zz}\n  b: {}\n", path: "s.yaml")
        }
    }

    // MARK: Findings

    static func result(_ variant: String, _ seed: Int, _ acc: Double, trace: Double? = nil) -> TrialResult {
        var eval = ["arith": ["accuracy": acc]]
        if let trace { eval["trace"] = ["accuracy": trace] }
        return TrialResult(variant: variant, seed: seed, hash: "h", state: .complete, step: 1, reason: nil, eval: eval,
                           baseEval: ["arith": ["accuracy": 0.5]], train: [], seconds: 1, codeVersion: "v", machine: "m")
    }

    /// A study on arith and trace with control b_hi, δ 0.03 on accuracy, and these (variant, suite) hypotheses.
    static func accuracyStudy(hypotheses: [(String, String)]) throws -> Study {
        let lines = hypotheses.map { "    - {variant: \($0.0), suite: \($0.1), metric: accuracy}" }.joined(separator: "\n")
        return try parse("evaluation: {suites: [arith, trace], n: 1000}\ncomparisons:\n  control: b_hi\n  smallest_effect: {accuracy: 0.03}\n  hypotheses:\n" + lines)
    }

    /// `s` with other seeds.
    static func withSeeds(_ s: Study, _ seeds: [Int]) -> Study {
        Study(name: s.name, path: s.path, kind: s.kind, description: s.description, recipe: s.recipe,
              recipeOverrides: s.recipeOverrides, train: s.train, evaluation: s.evaluation, seeds: seeds,
              variants: s.variants, comparison: s.comparison, analysis: s.analysis)
    }

    /// Holm runs over the primaries only: adding exploratory rows changes no primary p; each learning rate is
    /// compared with the control at the same rate.
    @Test func holmOverPrimariesOnlyAndMatchedControls() throws {
        let s = try Self.parse("""
            evaluation: {suites: [arith], n: 1000}
            comparisons:
              control: b_hi
              smallest_effect: {accuracy: 0.03}
              hypotheses:
                - {variant: a_hi, suite: arith, metric: accuracy}
                - {variant: a_lo, suite: arith, metric: accuracy}
            """)
        let values: [String: [Double]] = ["a_hi": [0.60, 0.62, 0.61], "b_hi": [0.50, 0.53, 0.50],
                                          "a_lo": [0.55, 0.57, 0.56], "b_lo": [0.55, 0.56, 0.56]]
        var results: [TrialResult] = []
        for (v, xs) in values { for (i, x) in xs.enumerated() { results.append(Self.result(v, i + 1, x)) } }
        let f = StudyFindings(study: s, results: results)
        #expect(f.primary.map(\.control) == ["b_hi", "b_lo"])
        let pHi = try TTest.paired(values["a_hi"]!, values["b_hi"]!).pvalue
        let pLo = try TTest.paired(values["a_lo"]!, values["b_lo"]!).pvalue
        let holm = try MultipleComparisons.holm([pHi, pLo]).adjusted
        expectClose(f.primary[0].adjustedP ?? .nan, holm[0], rel: 1e-12)
        expectClose(f.primary[1].adjustedP ?? .nan, holm[1], rel: 1e-12)
        // The exploratory rows are the other variant-control pairs (b_lo against the default control), uncorrected.
        #expect(f.exploratory.map { "\($0.variant)-\($0.control)" } == ["b_lo-b_hi"] && f.exploratory[0].adjustedP == nil)
        #expect(f.primary[0].verdict == .better)
        // Holm-corrected interval at the step-down level: the smaller p is tested at α/2.
        let first = pHi < pLo ? 0 : 1
        #expect(abs((f.primary[first].corrected?.level ?? 0) - (1 - 0.05 / 2)) < 1e-12)
    }

    @Test func verdictsBetterEquivalentInconclusiveAndNotComputed() throws {
        let s = try Self.accuracyStudy(hypotheses: [("a_hi", "arith"), ("a_lo", "arith"), ("a_hi", "trace"), ("a_lo", "trace")])
        var results: [TrialResult] = []
        let a = [0.70, 0.72, 0.71, 0.73], b = [0.50, 0.51, 0.50, 0.52]
        let aLo = [0.551, 0.562, 0.548, 0.556], bLo = [0.550, 0.560, 0.550, 0.555]
        let aTrace = [0.30, 0.45, 0.20, 0.38], bTrace = [0.35, 0.25, 0.40, 0.30]
        for i in 0..<4 {
            results.append(Self.result("a_hi", i + 1, a[i], trace: aTrace[i]))
            results.append(Self.result("b_hi", i + 1, b[i], trace: bTrace[i]))
            results.append(Self.result("a_lo", i + 1, aLo[i]))
            results.append(Self.result("b_lo", i + 1, bLo[i]))
        }
        let f = StudyFindings(study: Self.withSeeds(s, [1, 2, 3, 4]), results: results)
        #expect(f.primary.map(\.verdict) == [.better, .equivalent, .inconclusive, .notComputed])
        #expect(f.primary[3].reason?.contains("fewer than 2 complete seeds") == true)
        // Power at δ from the pooled SD, never at the observed effect.
        #expect(f.primary[0].power != nil && f.primary[0].seedsFor80 != nil)
        // The report's JSON carries the same numbers.
        let json = try JSONEncoder().encode(f)
        let back = try JSONDecoder().decode(StudyFindings.self, from: json)
        #expect(back.primary.map(\.verdict) == f.primary.map(\.verdict))
    }

    /// A difference that is real but inside ±δ (Holm rejects both the t-test and TOST) reads "better, by less than
    /// δ"; a difference past δ does not carry the qualifier, and neither does an exploratory row outside ±δ.
    @Test func aRealDifferenceSmallerThanDeltaSaysSo() throws {
        let s = try Self.accuracyStudy(hypotheses: [("a_hi", "arith"), ("a_hi", "trace")])
        let a = [0.561, 0.563, 0.559, 0.564], b = [0.550, 0.551, 0.549, 0.552]
        let aTrace = [0.70, 0.72, 0.71, 0.73], bTrace = [0.50, 0.51, 0.50, 0.52]
        var results: [TrialResult] = []
        for i in 0..<4 {
            results.append(Self.result("a_hi", i + 1, a[i], trace: aTrace[i]))
            results.append(Self.result("b_hi", i + 1, b[i], trace: bTrace[i]))
        }
        let f = StudyFindings(study: Self.withSeeds(s, [1, 2, 3, 4]), results: results)
        #expect(f.primary.map(\.verdict) == [.better, .better])
        #expect((f.primary[0].tostAdjustedP ?? 1) <= 0.05 && (f.primary[1].tostAdjustedP ?? 0) > 0.05)
        #expect(f.primary.map(\.belowSmallestEffect) == [true, nil])
        #expect(StudyReport.verdictText(f.primary[0]) == "better, by less than δ = 0.030 (TOST)")
        #expect(StudyReport.verdictText(f.primary[1]) == "better")
        let back = try JSONDecoder().decode(StudyFindings.self, from: try JSONEncoder().encode(f))
        #expect(back.primary.map(\.belowSmallestEffect) == [true, nil])
    }

    /// The plan uses the pilot's pooled SD at Holm's α/m and agrees with `Power` directly.
    @Test func planFromAPilot() throws {
        let s = try Self.parse("""
            comparisons:
              control: b_hi
              smallest_effect: {accuracy: 0.03}
              hypotheses:
                - {variant: a_hi, suite: arith, metric: accuracy}
                - {variant: a_lo, suite: arith, metric: accuracy}
                - {variant: a_hi, suite: word, metric: accuracy}
            """)
        var pilot: [TrialResult] = []
        for (v, xs) in [("p", [0.60, 0.63, 0.58]), ("q", [0.40, 0.42, 0.41])] {
            for (i, x) in xs.enumerated() { pilot.append(Self.result(v, i + 1, x)) }
        }
        let sds = StudyFindings.pooledSD(results: pilot, suites: ["arith", "word"], metrics: ["accuracy"], source: "pilot p")
        #expect(sds.count == 1 && sds[0].df == 4)
        // √((0.0012667 + 0.0002)/4): each arm's squared deviations from its own mean, over Σ(n − 1).
        expectClose(sds[0].sd, (0.0014666666666666667 / 4).squareRoot(), rel: 1e-9)
        let plan = StudyFindings.plan(study: s, sds: sds)
        let d = 0.03 / (sds[0].sd * 2.0.squareRoot())
        expectClose(plan[0].power ?? .nan, try Power.power(effectSize: d, nobs: 3, alpha: 0.05 / 3, design: .paired), rel: 1e-12)
        #expect(plan[0].seedsFor80 == (try Power.seedsPerArm(effectSize: d, alpha: 0.05 / 3, design: .paired)).seedsPerArm)
        #expect(plan[2].power == nil && plan[2].reason?.contains("no SD for word accuracy") == true)
        // At the pilot SD's 80% upper confidence bound (df 4: σ·√(4 / chi2.ppf(0.2, 4)), scipy 1.17 ppf 1.6487766):
        // a larger σ, so less power and more seeds.
        let upper = try #require(plan[0].sdUpper80)
        expectClose(upper, sds[0].sd * (4 / 1.648776618065969).squareRoot(), rel: 1e-8)
        let dUp = 0.03 / (upper * 2.0.squareRoot())
        expectClose(plan[0].powerAtUpper80 ?? .nan, try Power.power(effectSize: dUp, nobs: 3, alpha: 0.05 / 3, design: .paired), rel: 1e-12)
        #expect((plan[0].powerAtUpper80 ?? 1) < (plan[0].power ?? 0))
        #expect((plan[0].seedsFor80AtUpper80 ?? 0) > (plan[0].seedsFor80 ?? .max))
        // A declared SD has no df, so no bound.
        let declared = StudyFindings.plan(study: s, sds: [StudyFindings.PooledSD(suite: "arith", metric: "accuracy", sd: 0.02, df: nil, arms: 0, source: "declared")])
        #expect(declared[0].power != nil && declared[0].sdUpper80 == nil)
    }
}
