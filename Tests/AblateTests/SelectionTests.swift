import Foundation
import Statistics
import TestSupport
import Testing

@testable import Ablate

/// A tuning study's `selection:`: groups, parsing errors, the step budget and the choice per group, all read from
/// the validation evaluations only.
@Suite struct SelectionTests {
    static let head = """
        description: "t"
        seeds: [1, 2, 3]
        train: {eval_interval: 50}
        variants:
          gold_lr1e-4: {reward: {name: gold}, learning_rate: 1.0e-4}
          gold_lr3e-4: {reward: {name: gold}, learning_rate: 3.0e-4}
          vigor_lr1e-4: {reward: {name: vigor}, learning_rate: 1.0e-4}
          vigor_lr3e-4: {reward: {name: vigor}, learning_rate: 3.0e-4}
          vigor_rank_lr1e-4: {reward: {name: vigor}, shaping: zscore, learning_rate: 1.0e-4}
          random: {reward: {name: random}}
        comparisons: {control: random}

        """

    static func parse(_ selection: String) throws -> Study {
        try Study.parse(yaml: head + selection, path: "studies/tuning.yaml")
    }

    @Test func groupsAreTheVariantsThatDifferOnlyInTheSetting() throws {
        let s = try Self.parse("selection: {by: learning_rate, suite: arith, budget: {group: gold, gain: 0.05}}\n")
        let sel = try #require(s.selection)
        #expect(sel == Study.Selection(by: "learning_rate", suite: "arith", metric: "accuracy", budget: .init(group: "gold", gain: 0.05)))
        let groups = s.selectionGroups(by: "learning_rate")
        #expect(groups.map(\.label) == ["gold", "vigor", "vigor_rank_lr1e-4", "random"])
        #expect(groups[0].members.map(\.variant) == ["gold_lr1e-4", "gold_lr3e-4"])
        #expect(groups[0].members.map(\.number) == [1e-4, 3e-4])
        // A variant that does not set the key takes the study's value, else "default".
        #expect(groups[3].members.map(\.value) == ["default"])
    }

    @Test func labelsAreTheCommonPrefixUpToASeparator() {
        #expect(Study.groupLabel(["self_certainty_lr1e-5", "self_certainty_lr3e-4"]) == "self_certainty")
        #expect(Study.groupLabel(["a.1", "a.2"]) == "a")
        #expect(Study.groupLabel(["x1", "y2"]) == "x1")  // nothing in common: the first name
        #expect(Study.groupLabel(["only"]) == "only")
    }

    @Test func settingValuesReadAsAStudyFileSpellsThem() {
        #expect(Study.settingText(.number(1e-4)) == "1e-4")
        #expect(Study.settingText(.number(3.0e-5)) == "3e-5")
        #expect(Study.settingText(.number(2.5e-6)) == "2.5e-6")
        #expect(Study.settingText(.number(0.5)) == "0.5")
        #expect(Study.settingText(.string("rank")) == "rank")
    }

    @Test func parsingErrorsNameTheFieldAndLine() throws {
        let cases: [(String, String)] = [
            ("selection: {by: temperature}\n", "selection.by: no variant sets 'temperature'"),
            ("selection: {by: learning_rate, suite: chess}\n", "selection.suite: unknown suite 'chess'"),
            ("selection: {by: learning_rate, metric: pass_at_k}\n", "selection.metric: unknown metric 'pass_at_k'"),
            ("selection: {by: learning_rate, budget: {group: nope, gain: 0.05}}\n", "selection.budget.group: unknown group 'nope'; please provide one of 'gold', 'vigor'"),
            ("selection: {by: learning_rate, budget: {group: gold, gain: -1}}\n", "selection.budget.gain: -1.0 must be a positive difference"),
            ("selection: {by: learning_rate, budget: {group: gold}}\n", "selection.budget: missing key 'gain'"),
            ("selection: {by: learning_rate, pick: max}\n", "selection: unknown key 'pick'"),
        ]
        for (yaml, expected) in cases {
            do {
                _ = try Self.parse(yaml)
                Issue.record("accepted: \(yaml)")
            } catch {
                let message = "\(error)"
                #expect(message.contains(expected), "\(yaml) → \(message)")
                #expect(message.contains("studies/tuning.yaml:12:"), "\(message)")
            }
        }
    }

    /// A trial whose validation accuracy is `base` at step 0 and `curve[i]` at step 50·(i+1).
    static func trial(_ variant: String, _ seed: Int, base: Double = 0.60, _ curve: [Double]) -> TrialResult {
        var r = TrialResult(variant: variant, seed: seed, hash: "h", state: .complete, step: 50 * curve.count, reason: nil,
                            eval: ["arith": ["accuracy": 0.99]],  // the test split: never read by the selection
                            baseEval: ["arith": ["accuracy": 0.5]], train: [], seconds: 1, codeVersion: "v", machine: "m")
        r.validation = [(0, ["arith": ["accuracy": base, "n": 200]])]
            + curve.enumerated().map { (50 * ($0.offset + 1), ["arith": ["accuracy": $0.element, "n": 200]]) }
        return r
    }

    @Test func theBudgetIsGoldsFirstStepAtTheGainAndChoicesAreMadeThere() throws {
        let s = try Self.parse("selection: {by: learning_rate, suite: arith, budget: {group: gold, gain: 0.05}}\n")
        var results: [TrialResult] = []
        for seed in 1...3 {
            let e = Double(seed) * 0.001
            // gold at 3e-4 gains 0.03 at step 50, 0.06 at 100 (the budget), 0.08 at 150; at 1e-4 it lags.
            results.append(Self.trial("gold_lr3e-4", seed, [0.63 + e, 0.66 + e, 0.68 + e]))
            results.append(Self.trial("gold_lr1e-4", seed, [0.61 + e, 0.62 + e, 0.70 + e]))
            // vigor: at step 100 the higher rate is clearly better; at step 150 (not the budget) it would flip.
            results.append(Self.trial("vigor_lr1e-4", seed, [0.60, 0.60 + e, 0.70]))
            results.append(Self.trial("vigor_lr3e-4", seed, [0.60, 0.64 + 3 * e, 0.50]))
            results.append(Self.trial("vigor_rank_lr1e-4", seed, [0.60, 0.61, 0.61]))
            results.append(Self.trial("random", seed, [0.60, 0.60, 0.60]))
        }
        let f = try #require(StudyFindings(study: s, results: results).selection)
        let b = try #require(f.budget)
        #expect(b.reached && b.step == 100 && f.step == 100)
        #expect(b.curve.map(\.step) == [50, 100, 150])
        #expect(b.curve.map(\.bestVariant) == ["gold_lr3e-4", "gold_lr3e-4", "gold_lr1e-4"])
        expectClose(b.curve[1].bestGain, 0.062, abs: 1e-12)
        expectClose(try #require(f.base), 0.60, abs: 1e-12)
        let vigor = try #require(f.groups.first { $0.label == "vigor" })
        #expect(vigor.chosen == "vigor_lr3e-4" && vigor.chosenValue == "3e-4" && vigor.runnerUp == "vigor_lr1e-4")
        expectClose(try #require(vigor.difference), 0.044, abs: 1e-9)
        // Welch's interval from scipy: ttest_ind([.643,.646,.649], [.601,.602,.603], equal_var=False).confidence_interval()
        let i = try #require(vigor.interval)
        expectClose(try #require(i.low), 0.0373554, abs: 1e-6)
        expectClose(try #require(i.high), 0.0506446, abs: 1e-6)
        // What 3 seeds per value resolve: the SD pooled over every candidate at step 100 (numpy: 0.0014142, df 12)
        // times the effect 3 seeds detect with 80% power.
        expectClose(f.pooledSD, 0.0014142135623730961, rel: 1e-9)
        #expect(f.pooledDF == 12)
        expectClose(f.resolvable, 0.0014142135623730961 * 3.070892269599019, rel: 1e-6)
        // A lone variant is a group with nothing to choose; the choice is still its value.
        let lone = try #require(f.groups.first { $0.label == "random" })
        #expect(lone.chosen == "random" && lone.runnerUp == nil)
    }

    @Test func anUnreachedBudgetFallsBackToTheLastStepAndSaysSo() throws {
        let s = try Self.parse("selection: {by: learning_rate, budget: {group: gold, gain: 0.2}}\n")
        let results = (1...2).flatMap { seed in
            ["gold_lr1e-4", "gold_lr3e-4", "vigor_lr1e-4", "vigor_lr3e-4", "vigor_rank_lr1e-4", "random"].map {
                Self.trial($0, seed, [0.62, 0.64 + Double(seed) * 0.01])
            }
        }
        let report = StudyReport(study: s, results: results)
        let f = try #require(report.findings.selection)
        #expect(f.budget?.reached == false && f.step == 100)
        let md = report.render()[0].1
        #expect(md.contains("**Step budget: not reached.**"))
        #expect(md.contains("## Selection (validation split)"))
        // Every candidate ties: the choice is flat, and the report says so.
        #expect(md.contains("flat: the runner-up is within the interval"))
        #expect(md.contains("A selection concludes a choice, not a hypothesis"))
        #expect(report.render().contains { $0.0 == "tuning/selection-arith-accuracy.svg" })
    }
}
