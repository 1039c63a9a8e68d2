import Foundation
import RewardZoo
import Statistics
import Testing

@testable import Ablate

@Suite struct StudyReportTests {
    /// The fixture study and its committed trial results (Fixtures/report/store/fixture/...).
    func fixture() throws -> StudyReport {
        RewardRegistry.register(FaultReward.self)  // its `fault` variant
        let yaml = try String(contentsOfFile: fixtureRoot + "/report/fixture.yaml", encoding: .utf8)
        let study = try Study.parse(yaml: yaml, path: "studies/fixture.yaml")
        // The fixture store holds plain directories of results from an older code version (no links, no
        // trials/<hash>): read them as they are, without the store's trust checks.
        let results = TrialResult.load(study: study, store: RunStore(root: fixtureRoot + "/report/store"), verify: false)
        return StudyReport(study: study, results: results)
    }

    /// The learning curves' smoothing: a trailing mean over the last `window` points (fewer at the start), and a
    /// window of about a thirtieth of the run.
    @Test func movingAverageAndItsWindow() {
        #expect(StudyReport.movingAverage([1, 2, 3, 4, 5], window: 2) == [1, 1.5, 2.5, 3.5, 4.5])
        #expect(StudyReport.movingAverage([4, 0, 8, 2], window: 3) == [4, 2, 4, 10.0 / 3])
        #expect(StudyReport.movingAverage([3, 1, 2], window: 1) == [3, 1, 2])
        #expect(StudyReport.movingAverage([], window: 5).isEmpty)
        #expect(StudyReport.smoothingWindow(points: 300) == 10 && StudyReport.smoothingWindow(points: 20) == 1)
    }

    /// Set ABLATE_UPDATE_GOLDEN=1 to rewrite the golden files from the current code (then review the diff). A run
    /// that re-records fails, so a suite run with the variable set can never pass by comparing the code with itself.
    @Test func reportMatchesTheGoldenFilesByteForByte() throws {
        let files = try fixture().render()
        let golden = fixtureRoot + "/report/golden"
        if ProcessInfo.processInfo.environment["ABLATE_UPDATE_GOLDEN"] == "1" {
            try RunStore.makeDirectory(golden + "/fixture")
            for (name, text) in files { try RunStore.writeAtomically(Data(text.utf8), to: golden + "/" + name) }
            Issue.record("""
                ABLATE_UPDATE_GOLDEN=1: re-recorded \(files.count) golden files in \(golden) instead of comparing; \
                review the diff, then run again without the variable
                """)
            return
        }
        let expectedNames = try FileManager.default.contentsOfDirectory(atPath: golden + "/fixture").sorted()
        #expect(files.dropFirst().map { ($0.0 as NSString).lastPathComponent }.sorted() == expectedNames)
        for (name, text) in files {
            let expected = FileManager.default.contents(atPath: golden + "/" + name).map { String(decoding: $0, as: UTF8.self) }
            #expect(expected == text, "\(name) differs from its golden file")
        }
    }

    /// Writing a report removes the figures an earlier version of the study left in its folder, nothing else.
    @Test func writingRemovesStaleFigures() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/fixture", withIntermediateDirectories: true)
        try "old".write(toFile: dir + "/fixture/final-trace-accuracy.svg", atomically: true, encoding: .utf8)
        try "keep".write(toFile: dir + "/fixture/notes.txt", atomically: true, encoding: .utf8)
        _ = try fixture().write(notebooks: dir)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/fixture")
        #expect(!names.contains("final-trace-accuracy.svg") && names.contains("notes.txt") && names.contains("learning-curve.svg"))
    }

    @Test func renderingTwiceGivesTheSameBytes() throws {
        let a = try fixture().render(), b = try fixture().render()
        #expect(a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1))
    }

    @Test func everyNumberComesFromTheStatisticsFunctions() throws {
        let report = try fixture()
        let x = report.values("vigor", "arith", "accuracy").map(\.value)
        let y = report.values("random", "arith", "accuracy").map(\.value)
        let md = report.render()[0].1
        let s = try Descriptive.summarize(x)
        #expect(md.contains("| vigor | 3 | \(StudyReport.num(s.mean)) | [\(StudyReport.num(s.ciLow)), \(StudyReport.num(s.ciHigh))] | \(StudyReport.num(s.sd)) |"))
        let t = try TTest.paired(x, y)
        let e = try EffectSize.paired(x, y)
        let holm = try MultipleComparisons.holm([t.pvalue, try TTest.paired(report.values("twin", "arith", "accuracy").map(\.value), y).pvalue, 1])
        #expect(md.contains("| `vigor` vs `random`, arith accuracy (greedy), two-sided | paired t (r = \(StudyReport.num(try Correlation.pearson(x, y).statistic, 2))) | 3 vs 3 | \(StudyReport.signed(e.meanDifference)) [\(StudyReport.num(e.ciLow)), \(StudyReport.num(e.ciHigh))] |"))
        #expect(md.contains("| \(StudyReport.pValue(holm.adjusted[0])) | 0.030 |"))
        let tost = try Equivalence.paired(report.values("twin", "arith", "accuracy").map(\.value), y, low: -0.03, high: 0.03)
        #expect(md.contains("TOST at ±0.030 Holm p = \(StudyReport.pValue(min(1, tost.pvalue * 3)))"))
        // The zero-spread arm has no interval, the failed arm's hypothesis says why it is not computed.
        #expect(md.contains("| steady | 3 | 0.500 | no spread |"))
        #expect(md.contains("**not computed** (fewer than 2 complete seeds (fault: 0, random: 3))"))
        // Sections in order: verdict, setup, results, primary, exploratory; the fault trials are listed.
        #expect(md.contains("| fault/seed-3 |"))
        let order = ["## Verdict", "## Setup", "## Results", "## Primary hypotheses", "## Exploratory comparisons (uncorrected)"]
        let positions = order.compactMap { md.range(of: $0)?.lowerBound }
        #expect(positions.count == order.count && positions == positions.sorted())
    }

    /// `ablate report --json` prints these findings: the JSON round-trips and carries every row.
    @Test func findingsAsJSONCarryEveryRow() throws {
        let f = try fixture().findings
        let data = try JSONEncoder().encode(f)
        let back = try JSONDecoder().decode(StudyFindings.self, from: data)
        #expect(back.primary.count == 3 && back.exploratory.count == f.exploratory.count)
        #expect(back.primary.map(\.verdict) == [.inconclusive, .equivalent, .notComputed])
        #expect(back.arms.first { $0.variant == "steady" && $0.suite == "arith" && $0.metric == "accuracy" }?.noSpread == true)
        // Uncomputable rows stay, with their reason.
        #expect(back.exploratory.contains { $0.variant == "fault" && $0.verdict == .notComputed && $0.reason != nil })
    }

    @Test func figuresHaveLabelsLegendsAndTidyCSV() throws {
        let files = try fixture().render()
        let svg = try #require(files.first { $0.0 == "fixture/learning-curve.svg" }?.1)
        #expect(svg.contains("RL step") && svg.contains("rollout accuracy (fraction correct)") && svg.contains(">vigor</text>"))
        let csv = try #require(files.first { $0.0 == "fixture/learning-curve.csv" }?.1)
        #expect(csv.hasPrefix("variant,seed,step,rollout_accuracy\nvigor,1,1,"))
        #expect(files.contains { $0.0 == "fixture/final-word-mean_length.svg" })
    }

    /// A curve's band stays where its values can be: one seed's KL spike would put the t interval's low end below
    /// 0, and a share's high end above 1; an unbounded curve keeps the t interval; two seeds give their range.
    @Test func bandsStayInsideWhatTheCurveCanTake() {
        let spike = [0.001, 0.002, 0.001, 0.2]
        let raw = StudyReport.band(spike, within: -Double.infinity...Double.infinity)
        #expect(raw.low < 0, "the t interval itself dips below 0: \(raw)")
        let kl = StudyReport.band(spike, within: 0...Double.infinity)
        #expect(kl.low == 0 && kl.high == raw.high && kl.mean == raw.mean)
        #expect(StudyReport.band(spike.map { 1 - $0 }, within: 0...1).high == 1)
        let two = StudyReport.band([0.2, 0.4], within: 0...1)
        #expect(two.low == 0.2 && two.high == 0.4)
    }

    /// A tuning grid's 32 arms: every legend entry of every chart kind lies inside the SVG, which grows to hold
    /// it; a chart with few series keeps its size (shipped figures do not change).
    @Test func aLongLegendFitsInsideTheFigure() throws {
        func bottoms(_ svg: String) throws -> (height: Double, lastText: Double) {
            let height = try #require(svg.firstMatch(of: /height="([0-9.]+)"/).flatMap { Double($0.1) })
            let ys = svg.matches(of: /<text x="[0-9.]+" y="([0-9.]+)"/).compactMap { Double($0.1) }
            return (height, ys.max() ?? 0)
        }
        let names = (0..<32).map { "arm_\($0)" }
        let chart = SVGChart(title: "t", xLabel: "x", yLabel: "y")
        let series = names.enumerated().map { i, n in SVGChart.Series(name: n, points: [(x: 0, y: Double(i), low: Double(i), high: Double(i)), (x: 1, y: 1, low: 1, high: 1)]) }
        let svgs = [chart.lines(series),
                    chart.dots(categories: names, values: names.map { _ in [0.5, 0.6] }, seriesNames: names),
                    chart.intervals(categories: ["a"], series: names.map { ($0, [(y: 0.5, low: 0.4, high: 0.6)]) }, reference: nil, note: "whiskers\nsecond line")]
        for svg in svgs {
            let b = try bottoms(svg)
            #expect(b.lastText < b.height && b.height > 440, "legend at \(b.lastText) in a figure \(b.height) high")
        }
        let few = try bottoms(chart.lines(Array(series.prefix(4))))
        #expect(few.height == 440)
        // A dashed legend sample keeps its first gap (x + 7 … x + 11 for "7 4") clear of the marker (r 3.5).
        var dashed = Array(series.prefix(5))  // series 0 and 4 both have circle markers
        dashed[4].dash = 1
        let svg = chart.lines(dashed)
        let legendX = chart.left + chart.plotWidth + 16
        let centres = svg.matches(of: /<circle cx="([0-9.]+)" cy="([0-9.]+)"/).compactMap { Double($0.1) }.filter { $0 > legendX }
        #expect(centres == [legendX + 9, legendX + 16] && legendX + 16 - 3.5 > legendX + 11)
    }

    /// Long category labels rotate: 9 arms (56 px each) at 30°, as every shipped figure; 32 arms (16 px) at 60°,
    /// where 30° would stack them 8 px apart; 60 arms (8.5 px) upright.
    @Test func crowdedLabelsRotateSteeper() {
        let chart = SVGChart(title: "t", xLabel: "x", yLabel: "y")
        func angle(_ n: Int) -> Double { chart.rotatingLabels((0..<n).map { "self_certainty_rank_lr\($0)" }).labelAngle }
        #expect(angle(9) == 30 && angle(32) == 60 && angle(60) == 90)
        #expect(!chart.rotatingLabels(["a", "b"]).rotatedLabels)
        let svg = chart.rotatingLabels((0..<32).map { "arm_with_a_long_name_\($0)" }).dots(
            categories: (0..<32).map { "arm_with_a_long_name_\($0)" }, values: (0..<32).map { _ in [0.5] },
            seriesNames: (0..<32).map { "arm_with_a_long_name_\($0)" })
        #expect(svg.contains("rotate(-60)") && !svg.contains("rotate(-30)"))
    }

    @Test func axisTicksAreRoundAndStepsWhole() {
        #expect(SVGChart.ticks(1, 2, integer: true) == [1, 2])
        #expect(SVGChart.ticks(0, 1).map(SVGChart.tickLabel) == ["0", "0.2", "0.4", "0.6", "0.8", "1"])
        #expect(SVGChart.tickLabel(2.000_000_000_1) == "2")
        #expect(SVGChart.ticks(1, 40, integer: true).map(SVGChart.tickLabel) == ["10", "20", "30", "40"])
    }
}
