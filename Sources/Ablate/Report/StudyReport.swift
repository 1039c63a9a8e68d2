import Foundation
import Statistics

/// The Markdown report of a train study with its figures (SVG + tidy CSV), from trial results only: the same
/// results give byte-identical files (variants and suites in study order, fixed number formats, seeded
/// bootstraps, no clock). Every statistic comes from the `Ablate` statistics functions.
///
/// Layout (docs/ARCHITECTURE.md): verdict; setup; results per suite (mean ± 95% t CI, IQM, per-seed values); comparisons
/// against the control; figures; failed trials; method.
public struct StudyReport {
    public let study: Study
    public let results: [TrialResult]

    public init(study: Study, results: [TrialResult]) {
        self.study = study
        self.results = results
    }

    // MARK: Files

    /// Writes `<dir>/<study>.md` and `<dir>/<study>/*.svg|csv` atomically; returns the report's path.
    @discardableResult
    public func write(notebooks dir: String) throws -> String {
        let files = render()
        try RunStore.makeDirectory("\(dir)/\(study.name)")
        for (name, text) in files { try RunStore.writeAtomically(Data(text.utf8), to: "\(dir)/\(name)") }
        // A figure an earlier version of the study wrote (a suite or metric it no longer has) would sit beside
        // the report as if it belonged to it: the report's folder keeps only what this report wrote.
        let folder = "\(dir)/\(study.name)"
        let written = Set(files.map { ($0.0 as NSString).lastPathComponent })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where (name.hasSuffix(".svg") || name.hasSuffix(".csv")) && !written.contains(name) {
            do { try FileManager.default.removeItem(atPath: "\(folder)/\(name)") } catch {
                throw AblateError.io(path: "\(folder)/\(name)", reason: "an earlier report's figure could not be removed (\(error.localizedDescription))")
            }
        }
        return "\(dir)/\(study.name).md"
    }

    /// Relative path → contents: the Markdown first, then each figure and its CSV.
    public func render() -> [(String, String)] {
        let f = findings
        let figures = self.figures() + selectionFigures(f.selection)
        var md: [String] = []
        md.append("# \(study.name)")
        md.append("")
        md += provenanceWarning()
        md.append("_\(study.description)_")
        md.append("")
        md += trustNotes()  // arms trained under another config, untrusted trials left out (ReportTrust.swift)
        md += verdict(f)
        md += selectionSection(f)
        md += setup()
        md += resultTables(f)
        md += endOfTraining()
        md += collapsedSeeds()
        md += primarySection(f)
        md += exploratorySection(f)
        md += transferSection(f)
        md += powerSection(f)
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

    /// A number with a typographic minus (−0.530), — for NaN.
    static func num(_ v: Double, _ digits: Int = 3) -> String {
        guard v.isFinite else { return v.isNaN ? "—" : (v > 0 ? "∞" : "−∞") }
        let body = String(format: "%.\(digits)f", v)
        return body.hasPrefix("-") ? "−" + body.dropFirst() : body
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

    // MARK: Figures

    /// One step of a training curve over seeds: the mean and its 95% t band, kept inside `range`, the values the
    /// curve can take (a share or an AUROC in [0, 1], a correlation in [−1, 1], a KL, an entropy or a length at or
    /// above 0), since one seed's spike widens the t interval of a few seeds past them. With two seeds a 95% t
    /// interval is ±12.7 standard errors: it says nothing and swamps the figure, so below three seeds the band is the
    /// seeds' range.
    static func band(_ vs: [Double], within range: ClosedRange<Double>) -> (mean: Double, low: Double, high: Double) {
        let m = (try? Descriptive.mean(vs)) ?? .nan
        if vs.count < seedsForBands { return (m, vs.min() ?? m, vs.max() ?? m) }
        let ci = try? Descriptive.meanConfidenceInterval(vs)
        return (m, max(ci?.low ?? m, range.lowerBound), min(ci?.high ?? m, range.upperBound))
    }

    /// (name, caption, svg, csv).
    func figures() -> [(String, String, String, String)] {
        var out: [(String, String, String, String)] = []
        // Each curve with the values it can take (the k3 KL estimate is non-negative per token).
        let share = 0.0...1.0, nonNegative = 0.0...Double.infinity
        let curves: [(key: String, metric: KeyPath<TrainMetrics, Double?>, name: String, title: String, y: String, range: ClosedRange<Double>)] = [
            ("rollout_accuracy", \.rolloutAccuracy, "learning-curve", "Rollout accuracy over training", "rollout accuracy (fraction correct)", share),
            ("auroc", \.auroc, "auroc", "Reward vs correctness: within-group AUROC", "AUROC (0.5 = chance)", share),
            ("completion_length", \.completionLength, "completion-length", "Completion length over training", "completion length (tokens)", nonNegative),
            ("truncation_rate", \.truncationRate, "truncation", "Truncated completions over training", "share without EOS", share),
            ("length_rho", \.lengthRho, "length-rho", "Raw reward vs completion length within groups", "mean within-group Spearman ρ(reward, length)", -1.0...1.0),
            ("entropy", \.entropy, "entropy", "Token entropy over training", "mean token entropy (nats)", nonNegative),
            ("kl", \.kl, "kl", "KL to the reference model over training", "mean per-token KL (nats)", nonNegative),
        ]
        let styles = seriesStyles()
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
                        guard let value = line[keyPath: c.metric], value.isFinite else { continue }
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
                    let b = Self.band(bySteps[step] ?? [], within: c.range)
                    return (Double(step), b.mean, b.low, b.high)
                }
                series.append(SVGChart.Series(name: v.name, points: points, colour: styles.colour[v.name], dash: styles.dash[v.name]))
            }
            guard series.contains(where: { !$0.points.isEmpty }) else { continue }
            let chart = SVGChart(title: c.title, xLabel: "RL step", yLabel: c.y)
            let smoothing = window > 1 ? "each seed's \(window)-step trailing moving average, " : ""
            let fewSeeds = study.seeds.count < Self.seedsForBands
            let band = fewSeeds ? "band: range over seeds" : "95% band; the seeds' range at steps with fewer than \(Self.seedsForBands)"
            let note = fewSeeds ? "bands: range over seeds" : "bands: 95% t CI over seeds"
            out.append((c.name, "\(c.title) (\(smoothing)mean over seeds, \(band)\(styles.caption))",
                        chart.lines(series, bandNote: note + styles.note), csv.joined(separator: "\n") + "\n"))
        }
        out += validationCurves(styles)
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
                let label = Self.metricLabel(metric, study.evaluation.k)
                let title = "Final \(label) on \(suite) (test split)"
                let chart = SVGChart(title: title, xLabel: "variant", yLabel: "\(label) (\(Self.unit(metric)))")
                    .rotatingLabels(study.variants.map(\.name))
                let base = StudyFindings.baseValue(results, suite, metric)
                // Proportions: an axis of at least 10 points, so a 2-point gap is not the whole height.
                let span: Double? = metric == "mean_length" ? nil : 0.1
                out.append(("final-\(suite)-\(metric)", "\(title): every seed; dashed: the base model before training",
                            chart.dots(categories: study.variants.map(\.name), values: columns, seriesNames: study.variants.map(\.name),
                                       reference: base.map { ($0, "base model \(Self.num($0))") }, minimumSpan: span),
                            csv.joined(separator: "\n") + "\n"))
            }
        }
        return out
    }

    /// Colour and dash per variant: when variants share a reward but differ in another setting (a learning rate),
    /// the colour is the reward's and the dash the setting's, named in the legend note; else one colour each.
    func seriesStyles() -> (colour: [String: Int], dash: [String: Int], note: String, caption: String) {
        let settings = variantSettings()
        // The reward with its shaping is the colour; the other settings (a learning rate) the dash.
        let rewards = study.variants.map { settings[$0.name].map { "\($0.reward) \($0.shaping)" } ?? $0.name }
        let others = study.variants.map { settings[$0.name]?.settings ?? "" }
        let uniqueRewards = rewards.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let uniqueOthers = others.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        guard uniqueRewards.count < study.variants.count, uniqueOthers.count > 1,
              uniqueOthers.count <= SVGChart.dashes.count else {
            return ([:], [:], "", "")
        }
        var colour: [String: Int] = [:], dash: [String: Int] = [:]
        for (i, v) in study.variants.enumerated() {
            colour[v.name] = uniqueRewards.firstIndex(of: rewards[i])
            dash[v.name] = uniqueOthers.firstIndex(of: others[i])
        }
        return (colour, dash, "\ncolour: reward; dash: settings", "; colour = reward, dash = the other settings (see Setup)")
    }

    /// The periodic evaluations on the validation split (greedy accuracy per suite over training), one figure per
    /// suite, when the trials have at least two of them.
    func validationCurves(_ styles: (colour: [String: Int], dash: [String: Int], note: String, caption: String)) -> [(String, String, String, String)] {
        var out: [(String, String, String, String)] = []
        for suite in suites {
            var series: [SVGChart.Series] = []
            var csv = ["variant,seed,step,accuracy"]
            for v in study.variants {
                var bySteps: [Int: [Double]] = [:]
                for r in complete where r.variant == v.name {
                    for (step, suitesAt) in r.validation {
                        guard let a = suitesAt[suite]?["accuracy"], a.isFinite else { continue }
                        bySteps[step, default: []].append(a)
                        csv.append("\(v.name),\(r.seed),\(step),\(Self.csvNumber(a))")
                    }
                }
                let points = bySteps.keys.sorted().map { step -> (x: Double, y: Double, low: Double, high: Double) in
                    let vs = bySteps[step] ?? []
                    let m = vs.reduce(0, +) / Double(max(vs.count, 1))
                    return (Double(step), m, vs.min() ?? m, vs.max() ?? m)
                }
                series.append(SVGChart.Series(name: v.name, points: points, colour: styles.colour[v.name], dash: styles.dash[v.name]))
            }
            guard series.contains(where: { $0.points.count >= 2 }) else { continue }
            let title = "Greedy accuracy on \(suite) during training (validation split)"
            let chart = SVGChart(title: title, xLabel: "RL step", yLabel: "accuracy (fraction correct)")
            out.append(("validation-\(suite)-accuracy", "\(title): mean over seeds, band: range over seeds\(styles.caption)",
                        chart.lines(series, bandNote: "bands: range over seeds" + styles.note), csv.joined(separator: "\n") + "\n"))
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
