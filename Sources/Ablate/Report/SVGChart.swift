import Foundation

/// A small deterministic SVG chart writer: line charts with 95% bands and dot plots, with axis labels, ticks,
/// a legend and units. Coordinates print with two decimals so the same data gives the same bytes.
struct SVGChart {
    struct Series {
        var name: String
        /// (x, mean, low, high); low/high equal the mean when there is no band.
        var points: [(x: Double, y: Double, low: Double, high: Double)]
        /// Colour and dash indices (nil = the series' own index for the colour, solid line): a second factor
        /// (e.g. the learning rate) drawn as a dash pattern while the colour stays the reward's.
        var colour: Int? = nil
        var dash: Int? = nil
    }

    /// Okabe–Ito colours (distinguishable with colour-vision deficiencies) without its pale yellow, then darker
    /// tones: 11 colours, so no two of up to 11 series share one. Past that, the marker and dash still differ.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999",
                          "#7F3C8D", "#8C6D31", "#1B5E20"]
    /// Dash patterns (redundant with colour, or a second factor).
    static let dashes = ["", "7 4", "2 3", "9 3 2 3"]
    /// Marker shapes, one per series index (redundant with colour).
    static let markers = ["circle", "square", "triangle", "diamond"]

    static func colour(_ i: Int) -> String { palette[i % palette.count] }

    /// A marker of shape `shape` centred at (x, y).
    static func marker(_ shape: String, x: Double, y: Double, r: Double, fill: String) -> String {
        switch shape {
        case "square":
            return ##"<rect x="\##(f(x - r * 0.9))" y="\##(f(y - r * 0.9))" width="\##(f(r * 1.8))" height="\##(f(r * 1.8))" fill="\##(fill)" stroke="#222222" stroke-width="0.5"/>"##
        case "triangle":
            return ##"<polygon points="\##(f(x)),\##(f(y - r * 1.1)) \##(f(x - r)),\##(f(y + r * 0.8)) \##(f(x + r)),\##(f(y + r * 0.8))" fill="\##(fill)" stroke="#222222" stroke-width="0.5"/>"##
        case "diamond":
            return ##"<polygon points="\##(f(x)),\##(f(y - r * 1.2)) \##(f(x + r)),\##(f(y)) \##(f(x)),\##(f(y + r * 1.2)) \##(f(x - r)),\##(f(y))" fill="\##(fill)" stroke="#222222" stroke-width="0.5"/>"##
        default:
            return ##"<circle cx="\##(f(x))" cy="\##(f(y))" r="\##(f(r))" fill="\##(fill)" stroke="#222222" stroke-width="0.5"/>"##
        }
    }

    /// Splits points where the gap to the next x is more than twice the series' typical (median) spacing, so a
    /// line never bridges steps that have no data.
    static func segments(_ points: [(x: Double, y: Double, low: Double, high: Double)]) -> [[(x: Double, y: Double, low: Double, high: Double)]] {
        guard points.count > 2 else { return points.isEmpty ? [] : [points] }
        let gaps = zip(points.dropFirst(), points).map { $0.x - $1.x }.sorted()
        let typical = gaps[gaps.count / 2]
        var out: [[(x: Double, y: Double, low: Double, high: Double)]] = [[points[0]]]
        for i in 1..<points.count {
            if points[i].x - points[i - 1].x > 2 * typical { out.append([]) }
            out[out.count - 1].append(points[i])
        }
        return out
    }

    var width = 760.0, height = 440.0
    var left = 70.0, right = 180.0, top = 40.0, bottom = 60.0
    /// Category labels drawn rotated by `labelAngle` degrees (long names side by side would overlap);
    /// `rotatingLabels` sets both.
    var rotatedLabels = false
    var labelAngle = 30.0

    /// This chart with its category labels rotated when they would not fit side by side (6.5 px a character),
    /// and the height grown so the rotated labels do not run into the axis title. The angle is the smallest of
    /// 30°, 60° and 90° at which neighbouring labels, `room` apart, stand a text line (11 px) apart: room·sin θ ≥ 11
    /// (a tuning grid's 32 arms leave 16 px each, which 30° would pile on top of each other).
    func rotatingLabels(_ labels: [String]) -> SVGChart {
        let room = plotWidth / Double(max(labels.count, 1))
        guard let longest = labels.map(\.count).max(), Double(longest) * 6.5 > room else { return self }
        var c = self
        c.rotatedLabels = true
        // (angle, its sine), the sine of 30° written exactly so the figures drawn at 30° keep their bytes.
        let angles: [(degrees: Double, sine: Double)] = [(30, 0.5), (60, 3.0.squareRoot() / 2), (90, 1)]
        let angle = angles.first { room * $0.sine >= 11 } ?? angles[2]
        c.labelAngle = angle.degrees
        let extra = min(140, Double(longest) * 6.5 * angle.sine)
        c.height += extra
        c.bottom += extra
        return c
    }
    var title: String
    var xLabel: String
    var yLabel: String

    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }

    static func f(_ v: Double) -> String { String(format: "%.2f", v) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// About five round tick values covering lo...hi.
    /// With `integer`, the step is at least 1 (RL steps are whole numbers).
    static func ticks(_ lo: Double, _ hi: Double, integer: Bool = false) -> [Double] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
        let raw = (hi - lo) / 5
        let mag = pow(10, floor(log10(raw)))
        var step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? raw
        if integer { step = max(1, step.rounded(.up)) }
        var out: [Double] = []
        // Each tick is k·step (not a running sum), so 0.1 + 0.2 never prints as 0.30000000000000004.
        var k = ceil(lo / step - 1e-9)
        while k * step <= hi + step * 1e-9 {
            let v = k * step
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            k += 1
        }
        return out
    }

    static func tickLabel(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
        var s = String(format: "%.3f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    func frame(xRange: (Double, Double), yRange: (Double, Double), xTicks: [(Double, String)]) -> [String] {
        var out = [
            ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Self.f(width))" height="\##(Self.f(height))" viewBox="0 0 \##(Self.f(width)) \##(Self.f(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">"##,
            ##"<rect width="100%" height="100%" fill="#ffffff"/>"##,
            ##"<text x="\##(Self.f(left + plotWidth / 2))" y="22" text-anchor="middle" font-size="15" font-weight="bold">\##(Self.escape(title))</text>"##,
        ]
        for t in Self.ticks(yRange.0, yRange.1) {
            let y = yPos(t, yRange)
            out.append(##"<line x1="\##(Self.f(left))" x2="\##(Self.f(left + plotWidth))" y1="\##(Self.f(y))" y2="\##(Self.f(y))" stroke="#e5e5e5"/>"##)
            out.append(##"<text x="\##(Self.f(left - 6))" y="\##(Self.f(y + 4))" text-anchor="end">\##(Self.tickLabel(t))</text>"##)
        }
        for (t, label) in xTicks {
            let x = xPos(t, xRange)
            out.append(##"<line x1="\##(Self.f(x))" x2="\##(Self.f(x))" y1="\##(Self.f(top + plotHeight))" y2="\##(Self.f(top + plotHeight + 5))" stroke="#333333"/>"##)
            if rotatedLabels {
                out.append(##"<text transform="translate(\##(Self.f(x + 4)) \##(Self.f(top + plotHeight + 14))) rotate(-\##(Self.tickLabel(labelAngle)))" text-anchor="end">\##(Self.escape(label))</text>"##)
            } else {
                out.append(##"<text x="\##(Self.f(x))" y="\##(Self.f(top + plotHeight + 18))" text-anchor="middle">\##(Self.escape(label))</text>"##)
            }
        }
        out.append(##"<rect x="\##(Self.f(left))" y="\##(Self.f(top))" width="\##(Self.f(plotWidth))" height="\##(Self.f(plotHeight))" fill="none" stroke="#333333"/>"##)
        out.append(##"<text x="\##(Self.f(left + plotWidth / 2))" y="\##(Self.f(height - 16))" text-anchor="middle">\##(Self.escape(xLabel))</text>"##)
        out.append(##"<text transform="translate(18 \##(Self.f(top + plotHeight / 2))) rotate(-90)" text-anchor="middle">\##(Self.escape(yLabel))</text>"##)
        return out
    }

    func xPos(_ v: Double, _ r: (Double, Double)) -> Double {
        r.1 > r.0 ? left + (v - r.0) / (r.1 - r.0) * plotWidth : left + plotWidth / 2
    }

    func yPos(_ v: Double, _ r: (Double, Double)) -> Double {
        r.1 > r.0 ? top + plotHeight - (v - r.0) / (r.1 - r.0) * plotHeight : top + plotHeight / 2
    }

    /// This chart grown in height when a legend of `entries` names and `note` would run past its bottom edge (a
    /// tuning grid has 32 arms), or nil when it fits. The plot grows with it, so nothing else moves.
    func growingForLegend(entries: Int, note: String?) -> SVGChart? {
        let noteLines = note.map { $0.split(separator: "\n").count } ?? 0
        let needed = legendNoteTop(entries: entries) + Double(noteLines) * Self.legendNoteLine + 10
        guard needed > height else { return nil }
        var c = self
        c.height = needed.rounded(.up)
        return c
    }

    /// The legend's layout: one row per series, then the note's lines, smaller.
    static let legendRow = 20.0, legendNoteLine = 14.0
    /// The baseline of the note's first line under a legend of `entries` rows.
    func legendNoteTop(entries: Int) -> Double { top + 20 + Double(entries) * Self.legendRow }

    /// The legend: per series a line sample in its colour and dash with its marker, then its name.
    func legend(_ names: [String], note: String?, styles: [(colour: Int, dash: Int, marker: Int)]? = nil) -> [String] {
        var out: [String] = []
        let x = left + plotWidth + 16
        for (i, name) in names.enumerated() {
            let y = top + 10 + Double(i) * Self.legendRow
            let style: (colour: Int, dash: Int, marker: Int) = styles?[i] ?? (i, 0, i)
            let c = Self.colour(style.colour)
            let dash = Self.dashes[style.dash % Self.dashes.count]
            out.append(##"<line x1="\##(Self.f(x))" x2="\##(Self.f(x + 18))" y1="\##(Self.f(y - 4))" y2="\##(Self.f(y - 4))" stroke="\##(c)" stroke-width="2"\##(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>"##)
            // On a dashed sample the marker sits right of centre, so the first gap of the dash shows beside it.
            out.append(Self.marker(Self.markers[style.marker % Self.markers.count], x: x + (dash.isEmpty ? 9 : 16), y: y - 4, r: 3.5, fill: c))
            out.append(##"<text x="\##(Self.f(x + 24))" y="\##(Self.f(y))">\##(Self.escape(name))</text>"##)
        }
        if let note {
            var y = legendNoteTop(entries: names.count)
            for line in note.split(separator: "\n") {
                out.append(##"<text x="\##(Self.f(x))" y="\##(Self.f(y))" fill="#555555" font-size="11">\##(Self.escape(String(line)))</text>"##)
                y += Self.legendNoteLine
            }
        }
        return out
    }

    /// A dashed horizontal reference line with a label at its left end (e.g. the base model before training): the
    /// line goes under the data, the label over it with a white halo drawn under its glyphs, so it stays legible
    /// where it crosses the first arms' dots.
    func referenceLine(_ value: Double, _ yr: (Double, Double), label: String) -> (line: String, label: String) {
        let y = Self.f(yPos(value, yr))
        return (##"<line x1="\##(Self.f(left))" x2="\##(Self.f(left + plotWidth))" y1="\##(y)" y2="\##(y)" stroke="#555555" stroke-dasharray="5 4"/>"##,
                ##"<text x="\##(Self.f(left + 4))" y="\##(Self.f(yPos(value, yr) - 5))" text-anchor="start" fill="#555555" font-size="11" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">\##(Self.escape(label))</text>"##)
    }

    static func range(_ values: [Double], pad: Double = 0.05) -> (Double, Double) {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return (0, 1) }
        if hi == lo { return (lo - 0.5, hi + 0.5) }
        let p = (hi - lo) * pad
        return (lo - p, hi + p)
    }

    /// Mean lines with shaded bands (95% intervals unless `bandNote` says otherwise). Each series has its colour,
    /// dash and marker; a line breaks where the series has no data (`segments`), and a lone point is a marker.
    func lines(_ series: [Series], bandNote: String = "bands: 95% t CI over seeds", reference: (value: Double, label: String)? = nil) -> String {
        if let grown = growingForLegend(entries: series.count, note: bandNote) { return grown.lines(series, bandNote: bandNote, reference: reference) }
        let all = series.flatMap { $0.points.flatMap { [$0.low, $0.high, $0.y] } } + (reference.map { [$0.value] } ?? [])
        let yr = Self.range(all)
        let xs = series.flatMap { $0.points.map(\.x) }
        let xr = (xs.min() ?? 0, xs.max() ?? 1)
        var out = frame(xRange: xr, yRange: yr, xTicks: Self.ticks(xr.0, xr.1, integer: true).map { ($0, Self.tickLabel($0)) })
        let referenceMark = reference.map { referenceLine($0.value, yr, label: $0.label) }
        if let referenceMark { out.append(referenceMark.line) }
        let styles = series.enumerated().map { (i, s) in (colour: s.colour ?? i, dash: s.dash ?? 0, marker: i) }
        for (i, s) in series.enumerated() where !s.points.isEmpty {
            let colour = Self.colour(styles[i].colour)
            let dash = Self.dashes[styles[i].dash % Self.dashes.count]
            for segment in Self.segments(s.points) {
                let upper = segment.map { "\(Self.f(xPos($0.x, xr))),\(Self.f(yPos($0.high.isFinite ? $0.high : $0.y, yr)))" }
                let lower = segment.reversed().map { "\(Self.f(xPos($0.x, xr))),\(Self.f(yPos($0.low.isFinite ? $0.low : $0.y, yr)))" }
                if segment.count > 1 {
                    out.append(##"<polygon points="\##((upper + lower).joined(separator: " "))" fill="\##(colour)" fill-opacity="0.14" stroke="none"/>"##)
                    let line = segment.map { "\(Self.f(xPos($0.x, xr))),\(Self.f(yPos($0.y, yr)))" }
                    out.append(##"<polyline points="\##(line.joined(separator: " "))" fill="none" stroke="\##(colour)" stroke-width="2"\##(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>"##)
                }
            }
            // Markers: every point of a sparse series (at most 40 points), else one at each segment's end.
            let marked = s.points.count <= 40 ? s.points : Self.segments(s.points).compactMap(\.last)
            for p in marked {
                out.append(Self.marker(Self.markers[styles[i].marker % Self.markers.count], x: xPos(p.x, xr), y: yPos(p.y, yr), r: 3.5, fill: colour))
            }
        }
        if let referenceMark { out.append(referenceMark.label) }
        out += legend(series.map { $0.points.isEmpty ? "\($0.name) (no data)" : $0.name }, note: bandNote, styles: styles)
        return (out + ["</svg>", ""]).joined(separator: "\n")
    }

    /// One column per category; every value a dot (spread sideways by its index), the mean a black bar. With
    /// `reference` a dashed line (the base model before training), and with `minimumSpan` the y axis covers at
    /// least that much, so a 2-point gap is not magnified to the whole height.
    func dots(categories: [String], values: [[Double]], seriesNames: [String], reference: (value: Double, label: String)? = nil,
              minimumSpan: Double? = nil) -> String {
        if let grown = growingForLegend(entries: seriesNames.count, note: "dots: seeds; bar: mean") {
            return grown.dots(categories: categories, values: values, seriesNames: seriesNames, reference: reference, minimumSpan: minimumSpan)
        }
        var yr = Self.range(values.flatMap { $0 } + (reference.map { [$0.value] } ?? []), pad: 0.1)
        if let span = minimumSpan, yr.1 - yr.0 < span {
            let mid = (yr.0 + yr.1) / 2
            yr = (mid - span / 2, mid + span / 2)
        }
        let xr = (-0.5, Double(categories.count) - 0.5)
        var out = frame(xRange: xr, yRange: yr, xTicks: categories.enumerated().map { (Double($0.offset), $0.element) })
        let referenceMark = reference.map { referenceLine($0.value, yr, label: $0.label) }
        if let referenceMark { out.append(referenceMark.line) }
        for (c, vs) in values.enumerated() {
            let colour = Self.colour(c)
            for (j, v) in vs.enumerated() where v.isFinite {
                let offset = vs.count > 1 ? (Double(j) / Double(vs.count - 1) - 0.5) * 0.3 : 0
                out.append(Self.marker(Self.markers[c % Self.markers.count], x: xPos(Double(c) + offset, xr), y: yPos(v, yr), r: 5, fill: colour))
            }
            let finite = vs.filter(\.isFinite)
            if !finite.isEmpty {
                let m = finite.reduce(0, +) / Double(finite.count)
                let x = xPos(Double(c), xr), y = yPos(m, yr)
                out.append(##"<line x1="\##(Self.f(x - 22))" x2="\##(Self.f(x + 22))" y1="\##(Self.f(y))" y2="\##(Self.f(y))" stroke="#000000" stroke-width="2"/>"##)
            }
        }
        if let referenceMark { out.append(referenceMark.label) }
        out += legend(zip(seriesNames, values).map { $1.isEmpty ? "\($0) (no data)" : $0 }, note: "dots: seeds; bar: mean")
        return (out + ["</svg>", ""]).joined(separator: "\n")
    }

    /// One column per category; each series a dot with its 95% interval as a whisker (series side by side), and a
    /// dashed reference line (e.g. AUROC 0.5 = no information).
    func intervals(categories: [String], series: [(name: String, points: [(y: Double, low: Double, high: Double)])],
                   reference: Double?, note: String) -> String {
        if let grown = growingForLegend(entries: series.count, note: note) { return grown.intervals(categories: categories, series: series, reference: reference, note: note) }
        let all = series.flatMap { $0.points.flatMap { [$0.y, $0.low, $0.high] } } + (reference.map { [$0] } ?? [])
        let yr = Self.range(all, pad: 0.08)
        let xr = (-0.5, Double(categories.count) - 0.5)
        var out = frame(xRange: xr, yRange: yr, xTicks: categories.enumerated().map { (Double($0.offset), $0.element) })
        if let reference { out.append(referenceLine(reference, yr, label: "").line) }  // unlabelled: the note names it
        for (k, s) in series.enumerated() {
            let colour = Self.colour(k)
            let offset = series.count > 1 ? (Double(k) / Double(series.count - 1) - 0.5) * 0.45 : 0
            for (c, p) in s.points.enumerated() where c < categories.count && p.y.isFinite {
                let x = Self.f(xPos(Double(c) + offset, xr))
                if p.low.isFinite, p.high.isFinite {
                    out.append(##"<line x1="\##(x)" x2="\##(x)" y1="\##(Self.f(yPos(p.low, yr)))" y2="\##(Self.f(yPos(p.high, yr)))" stroke="\##(colour)" stroke-width="2"/>"##)
                }
                out.append(Self.marker(Self.markers[k % Self.markers.count], x: xPos(Double(c) + offset, xr), y: yPos(p.y, yr), r: 4.5, fill: colour))
            }
        }
        out += legend(series.map(\.name), note: note)
        return (out + ["</svg>", ""]).joined(separator: "\n")
    }
}
