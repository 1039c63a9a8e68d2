import Foundation

/// The report's "Selection" section and figure for a study with `selection:` (SelectionFindings holds the
/// numbers): the step budget, and per group the chosen value with how flat the choice was.
extension StudyReport {
    func selectionSection(_ f: StudyFindings) -> [String] {
        guard let s = f.selection, let step = s.step else {
            return study.selection == nil ? [] : ["## Selection (validation split)", "", "No complete trial has a validation evaluation yet: nothing to choose.", ""]
        }
        let label = Self.metricLabel(s.metric, 1)
        let n = complete.compactMap { $0.validation.last?.suites[s.suite]?["n"] }.max().map { " on \(Int($0)) problems" } ?? ""
        var out = ["## Selection (validation split)", ""]
        out.append("Every choice below is made on the validation split (\(s.suite), \(label)\(n); the base model scored \(Self.num(s.base))); the test split chooses nothing.")
        out.append("")
        if let b = s.budget {
            let curve = b.curve.map { "step \($0.step): \(Self.signed($0.bestGain)) (`\($0.bestVariant)`)" }.joined(separator: ", ")
            if b.reached {
                out.append("**Step budget: \(b.step)**, the first evaluated step at which `\(b.group)` at its best \(s.by) gained at least \(Self.num(b.gain)) over the base model. Its best gain per evaluated step: \(curve).")
            } else {
                out.append("**Step budget: not reached.** No evaluated step gave `\(b.group)` a gain of \(Self.num(b.gain)) at any \(s.by) (best per step: \(curve)); the choices below are at the last evaluated step, \(b.step), and a study that needs the budget must train longer.")
            }
            out.append("")
        }
        let values = s.groups.flatMap { $0.candidates.map(\.value) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        out.append("Columns: \(s.by). Mean over seeds ± SD at step \(step); **bold**: the chosen value. Best − runner-up: Welch 95% interval (each value trained independently); flat when it includes 0 (the data barely separate the two), and the spread is the range of the means over all values.")
        out.append("")
        out.append("| group | " + values.joined(separator: " | ") + " | chosen | gain over base | best − runner-up [95% CI] | spread | reading |")
        out.append("|---|" + values.map { _ in "---:|" }.joined() + "---|---:|---|---:|---|")
        for g in s.groups {
            var cells: [String] = []
            for v in values {
                guard let c = g.candidates.first(where: { $0.value == v }), c.n > 0 else { cells.append("—"); continue }
                var text = Self.num(c.mean)
                if let sd = c.sd { text += " ± \(Self.num(sd))" }
                if c.n < study.seeds.count { text += " (\(c.n) seeds)" }
                cells.append(c.variant == g.chosen ? "**\(text)**" : text)
            }
            let chosen = g.chosenValue ?? "—"
            let gain = Self.signed(g.candidates.first { $0.variant == g.chosen }?.gain)
            let diff = g.runnerUp == nil ? "—" : "\(Self.signed(g.difference)) \(g.interval.map { Self.interval($0) } ?? "(< 2 seeds)") vs \(g.candidates.first { $0.variant == g.runnerUp }?.value ?? "—")"
            let reading: String
            if g.chosen == nil {
                reading = "no complete trial yet"
            } else if g.candidates.count < 2 {
                reading = "one value: nothing to choose"
            } else if let i = g.interval, let low = i.low, let high = i.high {
                reading = low <= 0 && high >= 0 ? "flat: the runner-up is within the interval" : "clear: the runner-up is below the interval"
            } else {
                reading = "not enough seeds to say"
            }
            out.append("| \(g.label) | " + cells.joined(separator: " | ") + " | \(chosen) | \(gain) | \(diff) | \(Self.num(g.spread)) | \(reading) |")
        }
        out.append("")
        // A selection tests no hypothesis: it concludes a choice, and this says how fine a choice its seeds make.
        if let sd = s.pooledSD, let df = s.pooledDF {
            let resolves = s.resolvable.map { "so \(study.seeds.count) seeds per value detect a difference of \(Self.num($0)) between two values with 80% power (independent two-sided t, α = 0.05); a smaller best − runner-up is not a choice these seeds make, and any value within it serves" } ?? "with fewer than 2 seeds per value nothing is resolved"
            out.append("A selection concludes a choice, not a hypothesis (no Holm, no verdict). The between-seed SD at step \(step), pooled over every value of every group, is \(Self.num(sd, 4)) (df \(df)), \(resolves).")
            out.append("")
        }
        return out
    }

    /// Each group's mean validation value at the selection step against the selected setting (log10 when every
    /// value is a positive number, else the values' order).
    func selectionFigures(_ s: SelectionFindings?) -> [(String, String, String, String)] {
        guard let s, let step = s.step else { return [] }
        let numbers = s.groups.flatMap { $0.candidates.map { Double($0.value) } }
        let logScale = !numbers.isEmpty && numbers.allSatisfy { ($0 ?? 0) > 0 }
        let order = s.groups.flatMap { $0.candidates.map(\.value) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        func x(_ value: String) -> Double {
            if logScale, let d = Double(value) { return log10(d) }
            return Double(order.firstIndex(of: value) ?? 0)
        }
        var csv = ["group,variant,\(s.by),seed,\(s.metric)"]
        var series: [SVGChart.Series] = []
        for g in s.groups {
            var points: [(x: Double, y: Double, low: Double, high: Double)] = []
            for c in g.candidates {
                for sv in c.perSeed { csv.append("\(g.label),\(c.variant),\(c.value),\(sv.seed),\(Self.csvNumber(sv.value))") }
                guard let m = c.mean else { continue }
                let ys = c.perSeed.map(\.value)
                points.append((x(c.value), m, ys.min() ?? m, ys.max() ?? m))
            }
            series.append(SVGChart.Series(name: g.label, points: points.sorted { $0.x < $1.x }))
        }
        guard series.contains(where: { !$0.points.isEmpty }) else { return [] }
        let label = Self.metricLabel(s.metric, 1)
        let title = "Validation \(label) on \(s.suite) at step \(step) by \(s.by)"
        let chart = SVGChart(title: title, xLabel: logScale ? "log10 \(s.by)" : s.by, yLabel: "\(label) (\(Self.unit(s.metric)))")
        let svg = chart.lines(series, bandNote: "bands: range over seeds", reference: s.base.map { ($0, "base model \(Self.num($0))") })
        return [("selection-\(s.suite)-\(s.metric)", "\(title): mean over seeds, band: range over seeds; dashed: the base model", svg, csv.joined(separator: "\n") + "\n")]
    }
}
