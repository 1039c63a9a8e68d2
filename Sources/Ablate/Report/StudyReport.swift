import Foundation

/// The Markdown report of a train study with its figures (SVG + tidy CSV), from trial results only: the same
/// results give byte-identical files (variants and suites in study order, fixed number formats, seeded
/// bootstraps, no clock). Every statistic comes from the `Ablate` statistics functions.
///
/// Layout (STYLE.md): verdict; setup; results per suite (mean ± 95% t CI, IQM, per-seed values); comparisons
/// against the control; figures; failed trials; method.
public struct StudyReport {
    public let study: Study
    public let results: [TrialResult]

    /// Bootstrap draws for the probability-of-improvement interval (seeded, so reproducible).
    static let resamples = 5000
    static let bootstrapSeed: UInt = 20_260_101

    public init(study: Study, results: [TrialResult]) {
        self.study = study
        self.results = results
    }

    /// One comparison row: a variant against the control on one suite and metric.
    struct Row {
        var variant, suite, metric: String
        var paired: Bool
        var n: (Int, Int)
        var test: String
        var p: Double
        var robustTest: String
        var robustP: Double
        var difference: Double, low: Double, high: Double
        var effectName: String
        var effect: Double
        var poi: Double?, poiLow: Double?, poiHigh: Double?
        var adjusted = Double.nan
        var seedsNeeded: String = ""
    }

    // MARK: Files

    /// Writes `<dir>/<study>.md` and `<dir>/<study>/*.svg|csv` atomically; returns the report's path.
    @discardableResult
    public func write(notebooks dir: String) throws -> String {
        let files = render()
        try RunStore.makeDirectory("\(dir)/\(study.name)")
        for (name, text) in files { try RunStore.writeAtomically(Data(text.utf8), to: "\(dir)/\(name)") }
        return "\(dir)/\(study.name).md"
    }

    /// Relative path → contents: the Markdown first, then each figure and its CSV.
    public func render() -> [(String, String)] {
        let figures = self.figures()
        var md: [String] = []
        let rows = comparisons()
        md.append("# \(study.name)")
        md.append("")
        md.append("_\(study.description)_")
        md.append("")
        md += trustNotes()  // arms trained under another config, untrusted trials left out (ReportTrust.swift)
        md += verdict(rows)
        md += setup()
        md += resultTables()
        md += comparisonSection(rows)
        md.append("## Figures")
        md.append("")
        for (name, caption, _, _) in figures {
            md.append("![\(caption)](\(study.name)/\(name).svg)")
            md.append("")
            md.append("\(caption) — data: [`\(name).csv`](\(study.name)/\(name).csv)")
            md.append("")
        }
        md += failures()
        md += method()
        var files = [("\(study.name).md", md.joined(separator: "\n"))]
        for (name, _, svg, csv) in figures {
            files.append(("\(study.name)/\(name).svg", svg))
            files.append(("\(study.name)/\(name).csv", csv))
        }
        return files
    }

    // MARK: Numbers

    static func num(_ v: Double, _ digits: Int = 3) -> String {
        v.isFinite ? String(format: "%.\(digits)f", v) : (v.isNaN ? "—" : (v > 0 ? "∞" : "−∞"))
    }

    /// A difference with its sign: +0.010, −0.040.
    static func signed(_ v: Double, _ digits: Int = 3) -> String {
        guard v.isFinite else { return num(v, digits) }
        let body = String(format: "%.\(digits)f", abs(v))
        return v < 0 ? "−" + body : "+" + body
    }

    static func pValue(_ p: Double) -> String {
        guard p.isFinite else { return "—" }
        return p < 0.001 ? String(format: "%.1e", p) : String(format: "%.3f", p)
    }

    var complete: [TrialResult] { results.filter { $0.state == .complete } }

    func values(_ variant: String, _ suite: String, _ metric: String) -> [(seed: Int, value: Double)] {
        complete.filter { $0.variant == variant }.compactMap { r in r.eval[suite]?[metric].map { (r.seed, $0) } }
    }

    var suites: [String] { study.evaluation.suites }
    var metrics: [String] { study.comparison?.metrics ?? ["accuracy"] }

    // MARK: Sections

    func verdict(_ rows: [Row]) -> [String] {
        var out = ["## Verdict", ""]
        guard let c = study.comparison else {
            return out + ["No comparisons were requested (the study has no `comparisons:`).", ""]
        }
        if rows.isEmpty {
            return out + ["No comparison could be made: fewer than two complete trials per arm.", ""]
        }
        let alpha = c.alpha
        let significant = rows.filter { $0.adjusted <= alpha }
        let name = c.correction == .holm ? "Holm" : "Benjamini–Hochberg"
        if significant.isEmpty {
            out.append("**Inconclusive.** No variant differs from `\(c.control)` at α = \(Self.num(alpha, 2)) after \(name) correction over \(rows.count) comparison(s).")
        } else {
            out.append("**\(significant.count) of \(rows.count) comparison(s) against `\(c.control)` are significant** at α = \(Self.num(alpha, 2)) after \(name) correction.")
        }
        out.append("")
        for r in rows {
            let word = r.adjusted <= alpha ? (r.difference > 0 ? "higher" : "lower") : "inconclusive"
            var line = "- `\(r.variant)` vs `\(c.control)`, \(r.suite) \(r.metric): \(Self.num(r.difference, 3)) [\(Self.num(r.low, 3)), \(Self.num(r.high, 3))], adjusted p = \(Self.pValue(r.adjusted)) → **\(word)**"
            if word == "inconclusive", !r.seedsNeeded.isEmpty { line += " (\(r.seedsNeeded))" }
            out.append(line)
        }
        out.append("")
        return out + againstBase()
    }

    /// Which variants end above or below the base model: the 95% t interval of the per-seed values against the
    /// base model's value before training (one-sample, uncorrected; the Results tables hold every number).
    func againstBase() -> [String] {
        var lines: [String] = []
        for metric in metrics {
            for suite in suites {
                guard let base = baseValue(suite, metric) else { continue }
                var above: [String] = [], below: [String] = [], neither: [String] = []
                for v in study.variants {
                    guard let s = try? Descriptive.summarize(values(v.name, suite, metric).map(\.value)), s.count >= 2 else { continue }
                    let entry = "`\(v.name)` \(Self.signed(s.mean - base))"
                    // Seeds that agree exactly give a zero-width interval: no evidence of a spread, not certainty.
                    if !(s.ciHigh > s.ciLow) {
                        neither.append(entry + " (no spread across seeds)")
                    } else if s.ciLow > base {
                        above.append(entry)
                    } else if s.ciHigh < base {
                        below.append(entry)
                    } else {
                        neither.append(entry)
                    }
                }
                var line = "- \(suite) \(metric), base \(Self.num(base)):"
                line += " above: " + (above.isEmpty ? "none" : above.joined(separator: ", ")) + ";"
                line += " below: " + (below.isEmpty ? "none" : below.joined(separator: ", ")) + ";"
                line += " neither: " + (neither.isEmpty ? "none" : neither.joined(separator: ", ")) + "."
                lines.append(line)
            }
        }
        guard !lines.isEmpty else { return [] }
        return ["Against the base model before training (each variant's 95% t interval over seeds vs the base value; "
                + "uncorrected; with few seeds an interval is wide):", ""] + lines + [""]
    }

    func setup() -> [String] {
        var out = ["## Setup", ""]
        let versions = Set(results.compactMap(\.codeVersion)).sorted()
        let machines = Set(results.compactMap(\.machine)).sorted()
        let seconds = results.compactMap(\.seconds).reduce(0, +)
        out.append("| | |")
        out.append("|---|---|")
        out.append("| study file | `\(study.path)` |")
        out.append("| kind | \(study.kind.rawValue) |")
        out.append("| code version | \(versions.isEmpty ? "unknown" : versions.joined(separator: ", ")) |")
        out.append("| machine | \(machines.isEmpty ? "unknown" : machines.joined(separator: "; ")) |")
        out.append("| wall time (sum over trials) | \(String(format: "%.1f", seconds)) s |")
        out.append("| seeds | \(study.seeds.map(String.init).joined(separator: ", ")) |")
        out.append("| trials | \(results.count) (\(complete.count) complete) |")
        out.append("| base model overrides | `\(study.recipeOverrides.serialized)` |")
        out.append("| training settings | `\(JSONValue.object(study.train).serialized)` |")
        out.append("| evaluation | \(study.evaluation.suites.joined(separator: ", ")); n = \(study.evaluation.n), k = \(study.evaluation.k) |")
        out.append("")
        out.append("| variant | overrides | trial hashes |")
        out.append("|---|---|---|")
        for v in study.variants {
            let hashes = results.filter { $0.variant == v.name }.map { $0.hash.isEmpty ? "—" : "`\($0.hash)`" }
            out.append("| \(v.name)\(configMark(v.name)) | `\(JSONValue.object(v.overrides).serialized)` | \(hashes.joined(separator: " ")) |")
        }
        out.append("")
        return out
    }

    func resultTables() -> [String] {
        var out = ["## Results", ""]
        for metric in metrics {
            for suite in suites {
                out.append("### \(suite): \(metric)")
                out.append("")
                let base = baseValue(suite, metric)
                out.append("| variant | n | mean | 95% CI | IQM | per seed | mean − base |")
                out.append("|---|---:|---:|---|---:|---|---:|")
                if let base {
                    out.append("| _base model, before training_ | — | \(Self.num(base)) | — | — | — | — |")
                }
                for v in study.variants {
                    let vs = values(v.name, suite, metric)
                    guard let s = try? Descriptive.summarize(vs.map(\.value)) else {
                        out.append("| \(v.name) | 0 | — | — | — | — | — |")
                        continue
                    }
                    let perSeed = vs.map { "\($0.seed): \(Self.num($0.value))" }.joined(separator: ", ")
                    var delta = "—"
                    if let base { delta = Self.signed(s.mean - base) }
                    out.append("| \(v.name) | \(s.count) | \(Self.num(s.mean)) | [\(Self.num(s.ciLow)), \(Self.num(s.ciHigh))] | \(Self.num(s.iqm)) | \(perSeed) | \(delta) |")
                }
                out.append("")
            }
        }
        return out
    }

    /// The base model's value before training (every trial evaluates it at step 0 on the same problems, so
    /// they agree; the median guards against a trial from another evaluation). Nil when no trial has it.
    func baseValue(_ suite: String, _ metric: String) -> Double? {
        var found: [Double] = []
        for r in results {
            if let v = r.baseEval[suite]?[metric] { found.append(v) }
        }
        guard !found.isEmpty else { return nil }
        found.sort()
        return found[found.count / 2]
    }

    /// Every variant against the control, per metric and suite; p-values corrected over all rows together.
    func comparisons() -> [Row] {
        guard let c = study.comparison else { return [] }
        var rows: [Row] = []
        for metric in metrics {
            for suite in suites {
                let control = values(c.control, suite, metric)
                for v in study.variants where v.name != c.control {
                    let x = values(v.name, suite, metric)
                    guard x.count >= 2, control.count >= 2 else { continue }
                    let matched = c.paired && Set(x.map(\.seed)) == Set(control.map(\.seed))
                    if let row = matched
                        ? pairedRow(v.name, suite, metric, x.sorted { $0.seed < $1.seed }.map(\.value),
                                    control.sorted { $0.seed < $1.seed }.map(\.value))
                        : independentRow(v.name, suite, metric, x.map(\.value), control.map(\.value)) {
                        rows.append(row)
                    }
                }
            }
        }
        guard !rows.isEmpty else { return rows }
        let ps = rows.map { $0.p.isFinite ? $0.p : 1 }
        let adjusted = (try? (c.correction == .holm ? MultipleComparisons.holm(ps, alpha: c.alpha)
                                                     : MultipleComparisons.benjaminiHochberg(ps, alpha: c.alpha)))?.adjusted
        for i in rows.indices {
            rows[i].adjusted = adjusted?[i] ?? .nan
            if !(rows[i].adjusted <= c.alpha) {
                let design: PowerDesign = rows[i].paired ? .paired : .independent
                if let power = try? Power.seedsPerArm(effectSize: rows[i].effect, design: design) {
                    rows[i].seedsNeeded = "≈ \(power.seedsPerArm) seeds per arm for 80% power at this effect size"
                } else {
                    rows[i].seedsNeeded = "no power estimate: the observed effect is zero or undefined"
                }
            }
        }
        return rows
    }

    func poi(_ x: [Double], _ y: [Double]) -> ImprovementProbability? {
        try? Rliable.probabilityOfImprovement(x.map { [$0] }, y.map { [$0] }, resamples: Self.resamples,
                                              seed: Self.bootstrapSeed)
    }

    /// A t statistic of ±∞ (differences, or both arms, without any variance: scipy gives p = 0) says nothing at
    /// a handful of seeds whose metric moves in steps of 1/n; it is shown as undefined (—) and counts as p = 1.
    static func definedP(_ statistic: Double, _ p: Double) -> Double { statistic.isFinite ? p : .nan }

    func pairedRow(_ variant: String, _ suite: String, _ metric: String, _ x: [Double], _ y: [Double]) -> Row? {
        guard let t = try? TTest.paired(x, y), let e = try? EffectSize.paired(x, y) else { return nil }
        let w = try? Wilcoxon.test(x, y)
        let p = poi(x, y)
        return Row(variant: variant, suite: suite, metric: metric, paired: true, n: (x.count, y.count),
                   test: "paired t", p: Self.definedP(t.statistic, t.pvalue), robustTest: "Wilcoxon", robustP: w?.pvalue ?? .nan,
                   difference: e.meanDifference, low: e.ciLow, high: e.ciHigh, effectName: "d_z", effect: e.dz,
                   poi: p?.probability, poiLow: p?.interval?.low, poiHigh: p?.interval?.high)
    }

    func independentRow(_ variant: String, _ suite: String, _ metric: String, _ x: [Double], _ y: [Double]) -> Row? {
        guard let t = try? TTest.independent(x, y, equalVariances: false), let e = try? EffectSize.independent(x, y)
        else { return nil }
        let m = try? MannWhitney.test(x, y)
        let p = poi(x, y)
        return Row(variant: variant, suite: suite, metric: metric, paired: false, n: (x.count, y.count),
                   test: "Welch t", p: Self.definedP(t.statistic, t.pvalue), robustTest: "Mann–Whitney", robustP: m?.pvalue ?? .nan,
                   difference: e.meanDifference, low: e.ciLow, high: e.ciHigh, effectName: "Hedges g", effect: e.hedgesG,
                   poi: p?.probability, poiLow: p?.interval?.low, poiHigh: p?.interval?.high)
    }

    func comparisonSection(_ rows: [Row]) -> [String] {
        guard let c = study.comparison else { return [] }
        var out = ["## Comparisons against `\(c.control)`", ""]
        if rows.isEmpty { return out + ["Not enough complete trials (two per arm) to compare.", ""] }
        let name = c.correction == .holm ? "Holm p" : "BH p"
        out.append("| variant | suite | metric | n | difference [95% CI] | effect | P(improvement) [95% CI] | test, p | robust test, p | \(name) | verdict |")
        out.append("|---|---|---|---|---|---|---|---|---|---:|---|")
        for r in rows {
            let word = r.adjusted <= c.alpha ? (r.difference > 0 ? "higher" : "lower") : "inconclusive"
            let poiText = r.poi.map { p in
                "\(Self.num(p, 2)) [\(Self.num(r.poiLow ?? .nan, 2)), \(Self.num(r.poiHigh ?? .nan, 2))]"
            } ?? "—"
            let verdict = word == "inconclusive" && !r.seedsNeeded.isEmpty ? "inconclusive: \(r.seedsNeeded)" : word
            out.append("| \(r.variant) | \(r.suite) | \(r.metric) | \(r.n.0) vs \(r.n.1) | \(Self.num(r.difference)) [\(Self.num(r.low)), \(Self.num(r.high))] | \(r.effectName) = \(Self.num(r.effect, 2)) | \(poiText) | \(r.test), \(Self.pValue(r.p)) | \(r.robustTest), \(Self.pValue(r.robustP)) | \(Self.pValue(r.adjusted)) | \(verdict) |")
        }
        out.append("")
        return out
    }

    func failures() -> [String] {
        let bad = results.filter { $0.state != .complete }
        var out = ["## Failed and unfinished trials", ""]
        if bad.isEmpty { return out + ["None: every trial completed.", ""] }
        out.append("| trial | hash | state | step | reason |")
        out.append("|---|---|---|---:|---|")
        for r in bad {
            let reason = (r.reason ?? "—").replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
            out.append("| \(r.label) | \(r.hash.isEmpty ? "—" : "`\(r.hash)`") | \(r.state.rawValue) | \(r.step) | \(reason) |")
        }
        out.append("")
        return out
    }

    func method() -> [String] {
        let c = study.comparison
        return [
            "## Method", "",
            "- Each trial is one process (`ablate train`) with its resolved config; results are read from `eval.json` (final evaluation) and `metrics.jsonl` of `runs/\(study.name)/<variant>/seed-<n>/`. Only complete trials enter the statistics.",
            "- Per variant and suite: mean with its two-sided 95% t interval over seeds, the interquartile mean (⌊n/4⌋ dropped from each end) and every seed's value.",
            "- Comparisons (\(c.map { $0.paired ? "paired when both arms have the same seeds" : "independent samples" } ?? "none")): with matched seeds the paired t-test (primary p) and the Wilcoxon signed-rank test (robustness; exact Wilcoxon cannot reach p < 0.05 two-sided below 6 pairs), effect d_z with the t interval of the mean difference; otherwise Welch's t-test (primary) and Mann–Whitney U, effect Hedges' g with the Student t interval of the difference.",
            "- Probability of improvement: Mann–Whitney U/(n·m) (rliable), with a percentile bootstrap interval (\(Self.resamples) resamples, seed \(Self.bootstrapSeed)).",
            "- Multiple comparisons: \(c?.correction == .bh ? "Benjamini–Hochberg" : "Holm") over every row of the comparison table, α = \(Self.num(c?.alpha ?? 0.05, 2)). A test that is undefined (identical values in both arms, or differences without any variance across seeds, where t = ±∞) shows p as — and counts as p = 1 in the correction. A non-significant difference is called inconclusive, with the seeds per arm that a t-test power analysis (noncentral t by numeric integration, 80% power, two-sided α = 0.05) needs at the observed standardised effect.",
            "- Figures: mean over seeds per step with a 95% t band (no band with one seed); dot plots show every seed.",
            "",
        ]
    }

    // MARK: Figures

    /// (name, caption, svg, csv).
    func figures() -> [(String, String, String, String)] {
        var out: [(String, String, String, String)] = []
        let curves: [(key: String, name: String, title: String, y: String)] = [
            ("rollout_accuracy", "learning-curve", "Rollout accuracy over training", "rollout accuracy (fraction correct)"),
            ("auroc", "auroc", "Reward vs correctness: within-group AUROC", "AUROC (0.5 = chance)"),
            ("completion_length", "completion-length", "Completion length over training", "completion length (tokens)"),
            ("entropy", "entropy", "Token entropy over training", "mean token entropy (nats)"),
        ]
        for c in curves {
            var series: [SVGChart.Series] = []
            var csv = ["variant,seed,step,\(c.key)"]
            var window = 1
            for v in study.variants {
                var bySteps: [Int: [Double]] = [:]
                for r in complete where r.variant == v.name {
                    var steps: [Int] = []
                    var raw: [Double] = []
                    for line in r.train {
                        guard let value = line.values[c.key], value.isFinite else { continue }
                        steps.append(line.step)
                        raw.append(value)
                        csv.append("\(v.name),\(r.seed),\(line.step),\(Self.csvNumber(value))")
                    }
                    // Each seed's curve is smoothed before the seeds are averaged (the CSV keeps the raw values).
                    let w = Self.smoothingWindow(points: raw.count)
                    window = max(window, w)
                    let smooth = Self.movingAverage(raw, window: w)
                    for i in 0..<steps.count { bySteps[steps[i], default: []].append(smooth[i]) }
                }
                let points = bySteps.keys.sorted().map { step -> (x: Double, y: Double, low: Double, high: Double) in
                    let vs = bySteps[step] ?? []
                    let m = (try? Descriptive.mean(vs)) ?? .nan
                    // With two seeds a 95% t interval is ±12.7 standard errors: it says nothing and swamps the
                    // figure, so below three seeds the band is the seeds' range.
                    if vs.count < Self.seedsForBands {
                        return (Double(step), m, vs.min() ?? m, vs.max() ?? m)
                    }
                    let ci = try? Descriptive.meanConfidenceInterval(vs)
                    return (Double(step), m, ci?.low ?? m, ci?.high ?? m)
                }
                series.append(SVGChart.Series(name: v.name, points: points))
            }
            guard series.contains(where: { !$0.points.isEmpty }) else { continue }
            let chart = SVGChart(title: c.title, xLabel: "RL step", yLabel: c.y)
            let smoothing = window > 1 ? "each seed's \(window)-step trailing moving average, " : ""
            let fewSeeds = study.seeds.count < Self.seedsForBands
            let band = fewSeeds ? "band: range over seeds" : "95% band; the seeds' range at steps with fewer than \(Self.seedsForBands)"
            let note = fewSeeds ? "bands: range over seeds" : "bands: 95% t CI over seeds"
            out.append((c.name, "\(c.title) (\(smoothing)mean over seeds, \(band))", chart.lines(series, bandNote: note),
                        csv.joined(separator: "\n") + "\n"))
        }
        for metric in metrics {
            for suite in suites {
                var csv = ["variant,suite,seed,\(metric)"]
                var columns: [[Double]] = []
                for v in study.variants {
                    let vs = values(v.name, suite, metric)
                    for (seed, value) in vs { csv.append("\(v.name),\(suite),\(seed),\(Self.csvNumber(value))") }
                    columns.append(vs.map(\.value))
                }
                guard columns.contains(where: { !$0.isEmpty }) else { continue }
                let title = "Final \(metric) on \(suite) (test split)"
                let chart = SVGChart(title: title, xLabel: "variant", yLabel: "\(metric) (\(Self.unit(metric)))")
                out.append(("final-\(suite)-\(metric)", "\(title): every seed", chart.dots(categories: study.variants.map(\.name), values: columns,
                                                                           seriesNames: study.variants.map(\.name)),
                            csv.joined(separator: "\n") + "\n"))
            }
        }
        return out
    }

    /// Seeds needed before a learning curve's band is a 95% t interval rather than the seeds' range.
    static let seedsForBands = 3

    /// The moving-average window for a curve of `points` steps: about a thirtieth of the run, at least 1.
    static func smoothingWindow(points: Int) -> Int { max(1, points / 30) }

    /// Trailing moving average: point i is the mean of values[max(0, i − window + 1) ... i].
    static func movingAverage(_ values: [Double], window: Int) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(values.count)
        var sum = 0.0
        for i in 0..<values.count {
            sum += values[i]
            if i >= window { sum -= values[i - window] }
            let n = min(i + 1, window)
            out.append(sum / Double(n))
        }
        return out
    }

    static func unit(_ metric: String) -> String { metric == "mean_length" ? "tokens" : "fraction" }

    static func csvNumber(_ v: Double) -> String { String(format: "%.6g", v) }
}
