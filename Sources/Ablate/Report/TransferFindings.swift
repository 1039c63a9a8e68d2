import Foundation
import Statistics

/// The numbers of a study's `transfer:` (Study.Transfer): per variant with a control and per target suite, the
/// gain over the control on the target and on the `from` suite over their matched seeds, and their ratio
/// Δtarget / Δfrom with Fieller's 95% interval. A ratio is read only when Δfrom is clearly not 0 (its interval
/// excludes 0, which is when Fieller's set is bounded): otherwise there is no gain to carry, and the row says so.
public struct TransferFindings: Codable, Sendable {
    public struct Row: Codable, Sendable {
        public var variant, control, target: String
        /// Seeds complete for both arms on both suites.
        public var seeds: [Int]
        /// mean(variant − control) over the matched seeds, with its 95% t interval (≥ 2 seeds).
        public var fromDifference: Double?, fromInterval: StudyFindings.Interval?
        public var targetDifference: Double?, targetInterval: StudyFindings.Interval?
        /// Δtarget / Δfrom and Fieller's 95% interval (nil ends: unbounded, or fewer than 3 seeds).
        public var ratio: Double?
        public var ratioInterval: StudyFindings.Interval?
        /// Why the ratio has no interval.
        public var reason: String?
    }

    public var from: String
    public var metric: String
    public var rows: [Row]

    init(study: Study, transfer t: Study.Transfer, values: (String, String, String) -> [StudyFindings.SeedValue]) {
        from = t.from
        metric = t.metric
        var rows: [Row] = []
        for v in study.variants {
            guard let control = study.control(of: v.name), control != v.name else { continue }
            for target in t.to {
                rows.append(Self.row(v.name, control, target: target, from: t.from,
                                     values: { variant, suite in values(variant, suite, t.metric) }))
            }
        }
        self.rows = rows
    }

    static func row(_ variant: String, _ control: String, target: String, from: String,
                    values: (String, String) -> [StudyFindings.SeedValue]) -> Row {
        func bySeed(_ arm: String, _ suite: String) -> [Int: Double] {
            Dictionary(values(arm, suite).map { ($0.seed, $0.value) }, uniquingKeysWith: { first, _ in first })
        }
        let (vf, cf, vt, ct) = (bySeed(variant, from), bySeed(control, from), bySeed(variant, target), bySeed(control, target))
        let matched = vf.keys.sorted().compactMap { seed -> (seed: Int, from: Double, target: Double)? in
            guard let a = vf[seed], let b = cf[seed], let c = vt[seed], let d = ct[seed] else { return nil }
            return (seed, a - b, c - d)
        }
        let seeds = matched.map(\.seed), dFrom = matched.map(\.from), dTarget = matched.map(\.target)
        var row = Row(variant: variant, control: control, target: target, seeds: seeds)
        guard !seeds.isEmpty else {
            row.reason = "no seed is complete for both arms on both suites"
            return row
        }
        func meanAndInterval(_ d: [Double]) -> (Double, StudyFindings.Interval?) {
            let m = d.reduce(0, +) / Double(d.count)
            guard d.count >= 2, let ci = try? Descriptive.meanConfidenceInterval(d) else { return (m, nil) }
            return (m, .init(low: ci.low, high: ci.high, level: 0.95))
        }
        (row.fromDifference, row.fromInterval) = meanAndInterval(dFrom)
        (row.targetDifference, row.targetInterval) = meanAndInterval(dTarget)
        if let d = row.fromDifference, d != 0, let t = row.targetDifference { row.ratio = t / d }
        guard seeds.count >= 3 else {
            row.reason = "fewer than 3 matched seeds"
            return row
        }
        guard let fieller = try? FiellerRatio.interval(numerator: dTarget, denominator: dFrom) else {
            row.reason = "the differences are not finite"
            return row
        }
        if let low = fieller.low, let high = fieller.high {
            row.ratioInterval = .init(low: low, high: high, level: fieller.level)
        } else {
            row.reason = "the gain on \(from) cannot be told from 0 (its 95% interval includes 0): the ratio is unbounded"
        }
        return row
    }
}
