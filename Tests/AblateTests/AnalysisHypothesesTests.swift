import Foundation
import JSON
import RewardZoo
import Testing

@testable import Ablate

/// An analysis study's declared hypotheses: the pooled one-sample t-test, Holm, TOST, interval and power against
/// scipy 1.17 / statsmodels 0.15 values (computed on this machine), the verdicts, the plan, and the pilot read from a report folder.
@Suite struct AnalysisHypothesesTests {
    /// Two sampling seeds that draw overlapping problems: arith's units are the 4 distinct problems (a, b, c, d),
    /// each the mean of its mixed groups; word's are 6 groups of one seed, all near 0.5; `missing` has no groups.
    static func results() throws -> [RewardAnalysis.Result] {
        func separation(_ suite: String, _ reward: String, _ perGroup: [Int: Double]) -> RewardAnalysis.Separation {
            RewardAnalysis.Separation(suite: suite, reward: reward, mixedGroups: perGroup.count, auroc: .nan, aurocLow: .nan,
                                      aurocHigh: .nan, lengthRho: .nan, lengthP: .nan, withinGroupLengthRho: .nan,
                                      withinGroupLengthRhoLow: .nan, withinGroupLengthRhoHigh: .nan, withinGroupLengthGroups: 0,
                                      perGroup: perGroup)
        }
        func result(seed: UInt64, _ separations: [RewardAnalysis.Separation], _ problems: [String: [String]]) -> RewardAnalysis.Result {
            var settings = RewardAnalysis.Settings()
            settings.seed = seed
            var r = RewardAnalysis.Result(settings: settings, rows: [], separations: separations, spreads: [], comparisons: [], seconds: 0)
            r.problems = problems
            return r
        }
        return [
            result(seed: 1, [separation("arith", "r", [0: 0.9, 1: 0.7, 2: 1.0]),
                             separation("word", "r", [0: 0.5, 1: 0.45, 2: 0.55, 3: 0.5, 4: 0.52, 5: 0.48])],
                   ["arith": ["a", "b", "c"], "word": ["p", "q", "r", "s", "t", "u"]]),
            result(seed: 2, [separation("arith", "r", [0: 0.9, 1: 1.0, 2: 0.8])], ["arith": ["c", "d", "a"]]),
        ]
    }

    static let hypotheses = [Study.AnalysisHypothesis(reward: "r", suite: "arith"), Study.AnalysisHypothesis(reward: "r", suite: "word"),
                             Study.AnalysisHypothesis(reward: "missing", suite: "arith")]

    @Test func pooledTestMatchesScipy() throws {
        let f = try AnalysisHypotheses.test(Self.hypotheses, on: try Self.results(), delta: 0.05, alpha: 0.05)
        // scipy.stats.ttest_1samp([0.85, 0.7, 0.95, 1.0], 0.5) and its confidence_interval(1 - 0.05/3);
        // statsmodels multipletests(method='holm') over [p, 1.0, 1.0]; ttost_paired against 0.5 within ±0.05;
        // TTestPower().power(effect_size=0.05/sd, nobs=4, alpha=0.05/3).
        #expect(f[0].groups == 6 && f[0].units == 4 && f[0].seeds == [1, 2])
        #expect(abs(f[0].auroc - 0.875) < 1e-12 && abs(f[0].sd - 0.13228756555322954) < 1e-12)
        #expect(abs(f[0].pvalue - 0.010869814701646517) < 1e-10 && abs(f[0].holm - 0.03260944) < 1e-8)
        #expect(abs(f[0].low - 0.5537623163295029) < 1e-9 && abs(f[0].high - 1.196237683670498) < 1e-9)
        #expect(abs((f[0].power ?? -1) - 0.02997504558728209) < 1e-6)
        #expect(f[0].verdict == .holds)
        // word: mean exactly 0.5 (p = 1), equivalent to chance within ±0.05 (TOST p 0.0078047, Holm 0.0234140).
        #expect(f[1].units == 6 && f[1].pvalue == 1 && abs(f[1].tostHolm - 0.02341403) < 1e-7)
        #expect(abs((f[1].power ?? -1) - 0.5717852233828122) < 1e-6)
        #expect(f[1].verdict == .chance)
        // A hypothesis with no groups counts in Holm's m (p = 1) and says why it has no verdict.
        #expect(f[2].units == 0 && f[2].verdict == .untestable && f[2].power == nil)
        // Treated as one unit per group (no identities), arith has 6 units, not 4: the pooling is what changed n.
        var flat = try Self.results()
        for i in flat.indices { flat[i].problems = [:] }
        #expect(try AnalysisHypotheses.test(Self.hypotheses, on: flat, delta: 0.05, alpha: 0.05)[0].units == 6)
        // The report's section: the pooled row, then each seed alone.
        var design = Study.Analysis(checkpoint: "base", prompts: [("arith", 3), ("word", 6)], numGenerations: 8, temperature: 1,
                                    maxCompletionLength: 64, rewards: [("r", .object([])), ("missing", .object([]))])
        design.hypotheses = Self.hypotheses
        let section = try AnalysisReport.declaredSection(design, results: try Self.results()).joined(separator: "\n")
        #expect(section.contains("| arith | r | 6 | 4 | 0.875 | [0.554, 1.196] | 0.132 | 0.0326 | 1.0000 | **holds** | 0.03 |"))
        #expect(section.contains("| seed 1 | seed 2 |") && section.contains("**too few mixed groups**"))
    }

    @Test func aReversedRewardAndAWeakOneGetTheirVerdicts() throws {
        var rs = try Self.results()
        rs[0].separations[0].perGroup = rs[0].separations[0].perGroup.mapValues { 1 - $0 }
        rs[1].separations[0].perGroup = rs[1].separations[0].perGroup.mapValues { 1 - $0 }
        #expect(try AnalysisHypotheses.test(Self.hypotheses, on: rs, delta: 0.05, alpha: 0.05)[0].verdict == .reversed)
        // Too few units to tell: inconclusive, neither shown nor equivalent.
        let one = try AnalysisHypotheses.test([Self.hypotheses[0]], on: [try Self.results()[0]], delta: 0.05, alpha: 0.01)
        #expect(one[0].verdict == .inconclusive)
    }

    @Test func planFromAPilotOrADeclaredSD() throws {
        var a = Study.Analysis(checkpoint: "base", prompts: [("arith", 200), ("word", 300)], numGenerations: 8, temperature: 1,
                               maxCompletionLength: 64, rewards: [("r", .object([]))])
        a.hypotheses = [Study.AnalysisHypothesis(reward: "r", suite: "arith"), Study.AnalysisHypothesis(reward: "r", suite: "word"),
                        Study.AnalysisHypothesis(reward: "r", suite: "trace")]
        // statsmodels: TTestPower().power(effect_size=0.05/0.3, nobs=120, alpha=0.05/3) = 0.27754909629176344;
        // solve_power(effect_size=0.05/0.3, power=0.8, alpha=0.05/3) = 379.76 -> 380 groups.
        let pilot = ["arith/r": AnalysisHypotheses.PilotSpread(sd: 0.3, mixedShare: 0.6, groups: 120)]
        let planned = try AnalysisHypotheses.plan(a, pilot: pilot, pilotName: "p")
        #expect(planned[0].expectedGroups == 120 && planned[0].groupsFor80 == 380)
        #expect(abs((planned[0].power ?? -1) - 0.27754909629176344) < 1e-6)
        // No pilot pair and no declared SD: no plan, and the line says what to give.
        #expect(planned[1].power == nil && planned[1].groupsFor80 == nil && planned[1].source.contains("--pilot"))
        a.sd = 0.3
        let declared = try AnalysisHypotheses.plan(a)
        #expect(declared[1].expectedGroups == nil && declared[1].groupsFor80 == 380 && declared[1].source == "declared sd")
        // With the study's draws, a problem counts when at least one of its groups is mixed: 1 − 0.4^d summed over
        // problems drawn 1, 2 and 3 times = 0.6 + 0.84 + 0.936 = 2.376 -> 2 units.
        let pooled = try AnalysisHypotheses.plan(a, pilot: pilot, pilotName: "p", draws: ["arith": [1, 2, 3]])
        #expect(pooled[0].expectedGroups == 2 && pooled[0].distinctProblems == 3)
        // The draws are RewardAnalysis's: one seed twice draws each problem twice; two seeds overlap on a small split.
        let twice = try AnalysisHypotheses.draws(prompts: [("arith", 5)], seeds: [1, 1], overrides: [:])
        #expect(twice["arith"] == [2, 2, 2, 2, 2])
        let two = try AnalysisHypotheses.draws(prompts: [("arith", 5)], seeds: [1, 2], overrides: [:])
        #expect(two["arith"].map { $0.reduce(0, +) } == 10)
    }

    @Test func pilotSpreadsFromAReportFolder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pilot-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // 4 arith groups (prompts 0-3, two completions each), 2 of them mixed.
        var completions = ["suite,prompt,length,truncated,correct,r"]
        for p in 0..<4 { completions += ["arith,\(p),5,false,true,1", "arith,\(p),6,false,false,0"] }
        try (completions.joined(separator: "\n") + "\n").write(toFile: "\(dir)/completions.csv", atomically: true, encoding: .utf8)
        try "suite,reward,prompt,auroc\narith,r,0,1.000000\narith,r,2,0.500000\n".write(toFile: "\(dir)/group_auroc.csv", atomically: true, encoding: .utf8)
        let spreads = try AnalysisHypotheses.pilotSpreads(folder: dir)
        let s = try #require(spreads["arith/r"])
        #expect(s.groups == 2 && s.mixedShare == 0.5)
        #expect(abs(s.sd - 0.3535533905932738) < 1e-12)  // numpy.std([1.0, 0.5], ddof=1)
        // A malformed row is refused with the file's path.
        try "suite,reward,prompt,auroc\narith,r,0,high\n".write(toFile: "\(dir)/group_auroc.csv", atomically: true, encoding: .utf8)
        #expect(throws: AblateError.self) { try AnalysisHypotheses.pilotSpreads(folder: dir) }
        #expect(throws: AblateError.self) { try AnalysisHypotheses.pilotSpreads(folder: "\(dir)/absent") }
        // A file far larger than any report's is refused before it is read (a sparse file: no disk is used).
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(dir)/completions.csv"))
        try handle.truncate(atOffset: 257 << 20)
        try handle.close()
        #expect(throws: AblateError.self) { try AnalysisHypotheses.pilotSpreads(folder: dir) }
    }
}
