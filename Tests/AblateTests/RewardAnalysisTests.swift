import Foundation
import RewardZoo
import Testing

@testable import Ablate

@Suite struct RewardAnalysisTests {
    /// The summary of hand-made groups: a reward that scores every correct completion higher has AUROC 1, one
    /// that scores them lower 0; groups without both kinds do not count; a group of one length is counted as such;
    /// the within-group length correlation of a reward equal to the length is 1; the report is deterministic.
    @Test func summaryOfHandMadeGroups() throws {
        var settings = RewardAnalysis.Settings()
        settings.suites = ["arith"]
        settings.rewards = [("good", try RewardRegistry.spec(name: "gold", options: [:])), ("bad", try RewardRegistry.spec(name: "gold", options: [:])),
                            ("long", try RewardRegistry.spec(name: "gold", options: [:]))]
        settings.resamples = 200
        func row(_ prompt: Int, _ length: Int, _ correct: Bool) -> RewardAnalysis.Row {
            RewardAnalysis.Row(suite: "arith", prompt: prompt, length: length, truncated: false, correct: correct,
                               raw: ["good": correct ? 1.0 : 0.0, "bad": correct ? -1.0 : 0.0, "long": Double(length)])
        }
        var rows: [RewardAnalysis.Row] = []
        for p in 0..<4 {  // mixed groups with varied lengths
            rows += [row(p, 10, true), row(p, 12, false), row(p, 14, true), row(p, 16, false)]
        }
        rows += [row(4, 9, true), row(4, 9, true)]  // all correct, one length: not mixed
        var result = RewardAnalysis.Result(settings: settings, rows: rows, separations: [], spreads: [], comparisons: [], seconds: 0)
        try RewardAnalysis(settings: settings).summarize(&result)
        let good = try #require(result.separations.first { $0.reward == "good" })
        let bad = try #require(result.separations.first { $0.reward == "bad" })
        let long = try #require(result.separations.first { $0.reward == "long" })
        #expect(good.mixedGroups == 4 && good.auroc == 1 && bad.auroc == 0)
        #expect(long.auroc == 0.25, "correct completions are the shorter ones: 1 of 4 pairs favours them")
        #expect(abs(long.withinGroupLengthRho - 1) < 1e-12 && long.withinGroupLengthGroups == 4)
        let spread = try #require(result.spreads.first)
        #expect(spread.groups == 5 && spread.constantLengthGroups == 1)
        let comparison = try #require(result.comparisons.first { $0.a == "good" && $0.b == "bad" })
        #expect(comparison.groups == 4 && comparison.meanDifference == 1)
        let a = AnalysisReport.markdown(result, title: "t", studyFile: nil, codeVersion: "v", machine: "m")
        let b = AnalysisReport.markdown(result, title: "t", studyFile: nil, codeVersion: "v", machine: "m")
        #expect(a == b)
        #expect(AnalysisReport.groupCSV(result).hasPrefix("suite,reward,prompt,auroc\narith,good,0,1.000000\n"))
    }
}

/// Every sampling seed of an analysis study reaches the report: one column per seed and the mean with its range.
@Suite struct AcrossSeedsTests {
    @Test func everySeedHasItsColumn() throws {
        func result(seed: UInt64, flip: Bool) throws -> RewardAnalysis.Result {
            var settings = RewardAnalysis.Settings()
            settings.suites = ["arith"]
            settings.seed = seed
            settings.resamples = 100
            settings.rewards = [("r", try RewardRegistry.spec(name: "gold", options: [:]))]
            var rows: [RewardAnalysis.Row] = []
            for p in 0..<3 {
                for (i, correct) in [true, false, true, false].enumerated() {
                    rows.append(RewardAnalysis.Row(suite: "arith", prompt: p, length: 10 + i, truncated: false, correct: correct,
                                                   raw: ["r": (correct != flip) ? 1.0 : 0.0]))
                }
            }
            var r = RewardAnalysis.Result(settings: settings, rows: rows, separations: [], spreads: [], comparisons: [], seconds: 0)
            try RewardAnalysis(settings: settings).summarize(&r)
            return r
        }
        let lines = AnalysisReport.acrossSeeds([try result(seed: 1, flip: false), try result(seed: 2, flip: true)])
        #expect(lines.contains("| suite | reward | seed 1 | seed 2 | mean [min, max] |"))
        #expect(lines.contains { $0.hasPrefix("| arith | r | 1.000 [") && $0.hasSuffix("| 0.500 [0.000, 1.000] |") }, "\(lines)")
        #expect(AnalysisReport.acrossSeeds([try result(seed: 1, flip: false)]).isEmpty)
    }
}
