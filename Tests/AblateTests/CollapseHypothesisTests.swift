import Foundation
import Statistics
import TestSupport
import Testing

@testable import Ablate

/// `test: collapse` (Fisher's exact on collapsed seeds) and `test: spread` (Brown–Forsythe) hypotheses: parsing,
/// their numbers against scipy, Holm over them with the others, lower-is-better verdicts and the pilot plan.
@Suite struct CollapseHypothesisTests {
    static let study = """
        description: "shaping"
        seeds: [1, 2, 3, 4, 5, 6, 7, 8]
        evaluation: {suites: [arith], n: 1000}
        variants:
          rank: {shaping: rank}
          zscore: {shaping: zscore}
        comparisons: {control: zscore}
        collapse: {below_base: 0.10}
        hypotheses:
          - {variant: rank, suite: arith, metric: accuracy, test: collapse}
          - {variant: rank, suite: arith, metric: accuracy, test: spread}

        """

    // Base 0.60: a seed below 0.50 has collapsed (rank 1 of 8, zscore 6 of 8).
    static let rank = [0.61, 0.62, 0.60, 0.63, 0.59, 0.30, 0.62, 0.61]
    static let zscore = [0.20, 0.61, 0.10, 0.15, 0.60, 0.05, 0.30, 0.25]

    static func results() -> [TrialResult] {
        [("rank", rank), ("zscore", zscore)].flatMap { variant, values in
            values.enumerated().map { i, v in
                TrialResult(variant: variant, seed: i + 1, hash: "h", state: .complete, step: 300, reason: nil,
                            eval: ["arith": ["accuracy": v]], baseEval: ["arith": ["accuracy": 0.60]], train: [],
                            seconds: 1, codeVersion: "v", machine: "m")
            }
        }
    }

    @Test func collapseAndSpreadParse() throws {
        let s = try Study.parse(yaml: Self.study, path: "studies/shaping.yaml")
        let c = try #require(s.comparison)
        #expect(c.collapseBelowBase == 0.10)
        #expect(c.hypotheses.map(\.test) == [.collapse, .spread])
        // A collapse test needs a collapse rule, and a spread test is two-sided.
        let errors: [(String, String)] = [
            (Self.study.replacingOccurrences(of: "collapse: {below_base: 0.10}\n", with: ""), "say what a collapse is"),
            (Self.study.replacingOccurrences(of: "test: spread}", with: "test: spread, alternative: less}"), "the spread test (Brown–Forsythe) is two-sided"),
            (Self.study.replacingOccurrences(of: "test: spread}", with: "test: variance}"), "unknown test 'variance'; please provide one of 'mean', 'collapse' or 'spread'"),
            (Self.study.replacingOccurrences(of: "below_base: 0.10", with: "below_base: 0"), "comparisons.collapse.below_base: 0.0 must be a positive difference"),
        ]
        for (yaml, expected) in errors {
            #expect {
                _ = try Study.parse(yaml: yaml, path: "studies/shaping.yaml")
            } throws: { error in
                "\(error)".contains(expected) && "\(error)".contains("studies/shaping.yaml:")
            }
        }
    }

    @Test func fisherAndBrownForsytheUnderHolmWithLowerIsBetterVerdicts() throws {
        let s = try Study.parse(yaml: Self.study, path: "studies/shaping.yaml")
        let f = StudyFindings(study: s, results: Self.results())
        let collapse = f.primary[0], spread = f.primary[1]
        #expect(collapse.measure == "collapse rate" && collapse.test == "Fisher's exact")
        expectClose(collapse.difference, 1.0 / 8 - 6.0 / 8, rel: 1e-12)
        // scipy: fisher_exact([[1, 7], [6, 2]]).pvalue; levene(rank, zscore, center='median').pvalue; Holm over both.
        expectClose(collapse.p, 0.040559440559440565, rel: 1e-9)
        expectClose(spread.p, 0.10693117485360044, rel: 1e-9)
        expectClose(collapse.adjustedP, 0.08111888111888113, rel: 1e-9)
        expectClose(spread.adjustedP, 0.10693117485360044, rel: 1e-9)
        expectClose(spread.difference, -0.10338412152496172, rel: 1e-9)
        #expect(collapse.verdict == .inconclusive && spread.verdict == .inconclusive)
        #expect(collapse.reason?.contains("rank 1 of 8 seeds, zscore 6 of 8") == true)
        // The mean comparison on the same metric stays among the exploratory rows.
        #expect(f.exploratory.contains { $0.variant == "rank" && $0.metric == "accuracy" && $0.measure == nil })

        // Alone (no Holm partner), the collapse difference is significant and lower is better.
        let alone = try Study.parse(yaml: Self.study.replacingOccurrences(of: "  - {variant: rank, suite: arith, metric: accuracy, test: spread}\n", with: ""),
                                    path: "studies/shaping.yaml")
        let g = StudyFindings(study: alone, results: Self.results())
        #expect(g.primary.count == 1 && g.primary[0].verdict == .better)
        let flipped = StudyFindings(study: alone, results: Self.results().map { r in
            var r = r
            r.variant = r.variant == "rank" ? "zscore" : "rank"
            return r
        })
        #expect(flipped.primary[0].verdict == .worse)
        let md = StudyReport(study: alone, results: Self.results()).render()[0].1
        #expect(md.contains("collapse rate −0.625 (variant − control, Fisher's exact), Holm p = 0.041"))
        // The verdict's bullet names what it compares (hypotheses on one metric differ only by their measure).
        #expect(md.contains("accuracy (greedy) collapse rate (two-sided): **"), "\(md)")
        // Every arm's collapsed seeds, described (base 0.60, rule 0.10: below 0.50).
        #expect(md.contains("| arith | accuracy (greedy) | rank | 1 of 8 | 6: 0.300 |"), "\(md)")
        #expect(md.contains("| arith | accuracy (greedy) | zscore | 6 of 8 | 1: 0.200, 3: 0.100, 4: 0.150, 6: 0.050, 7: 0.300, 8: 0.250 |"))
        let noRule = try Study.parse(yaml: Self.study.replacingOccurrences(of: "collapse: {below_base: 0.10}\n", with: "smallest_effect: {accuracy: 0.03}\n")
            .replacingOccurrences(of: ", test: collapse}", with: "}"), path: "studies/shaping.yaml")
        #expect(!StudyReport(study: noRule, results: Self.results()).render()[0].1.contains("## Collapsed seeds"))
    }

    @Test func thePilotsCollapseRatesPlanTheSeeds() throws {
        let s = try Study.parse(yaml: Self.study, path: "studies/shaping.yaml")
        let plan = StudyFindings.plan(study: s, sds: [], pilot: Self.results())
        let p = plan[0]
        #expect(p.collapseRates == [0.125, 0.75])
        // Fisher power at α/2 with 8 seeds per arm, as FisherExact.power computes it (checked against scipy there).
        expectClose(p.power, try FisherExact.power(n1: 8, n2: 8, p1: 0.125, p2: 0.75, alpha: 0.025), rel: 1e-12)
        let need = try #require(p.seedsFor80)
        #expect(try FisherExact.power(n1: need, n2: need, p1: 0.125, p2: 0.75, alpha: 0.025) >= 0.8)
        #expect(plan[1].power == nil && plan[1].reason?.contains("no power formula") == true)
        #expect(StudyFindings.plan(study: s, sds: [], pilot: []).first?.reason?.contains("give --pilot") == true)
    }

    /// An arm the pilot lacks takes the rate the study declares (`planned_rates`); the pilot's observed rate wins
    /// where it has one; a planned rate names a variant and is a share.
    @Test func declaredRatesFillArmsThePilotLacks() throws {
        let yaml = Self.study.replacingOccurrences(of: "collapse: {below_base: 0.10}", with: "collapse: {below_base: 0.10, planned_rates: {rank: 0.0, zscore: 0.5}}")
        let s = try Study.parse(yaml: yaml, path: "studies/shaping.yaml")
        #expect(s.comparison?.plannedCollapseRates == ["rank": 0.0, "zscore": 0.5])
        let declared = StudyFindings.plan(study: s, sds: [], pilot: [])[0]
        #expect(declared.collapseRates == [0.0, 0.5] && declared.reason?.contains("zscore 0.500 (declared)") == true, "\(declared.reason ?? "")")
        expectClose(declared.power, try FisherExact.power(n1: 8, n2: 8, p1: 0, p2: 0.5, alpha: 0.025), rel: 1e-12)
        // The pilot has only the rank arm: rank from the pilot (1 of 8), zscore declared.
        let mixed = StudyFindings.plan(study: s, sds: [], pilot: Self.results().filter { $0.variant == "rank" })[0]
        #expect(mixed.collapseRates == [0.125, 0.5] && mixed.reason?.contains("rank 1/8 (pilot)") == true, "\(mixed.reason ?? "")")
        for (bad, says) in [("{other: 0.5}", "planned_rates: unknown variant 'other'"), ("{zscore: 1.5}", "is not a share of seeds in [0, 1]")] {
            let text = Self.study.replacingOccurrences(of: "collapse: {below_base: 0.10}", with: "collapse: {below_base: 0.10, planned_rates: \(bad)}")
            #expect { _ = try Study.parse(yaml: text, path: "studies/shaping.yaml") } throws: { "\($0)".contains(says) && "\($0)".contains("studies/shaping.yaml:8:") }
        }
    }
}
