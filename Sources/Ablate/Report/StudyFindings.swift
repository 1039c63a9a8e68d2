import Foundation
import Statistics

/// The numbers of a train study's report, apart from their rendering: every arm's summary, the pooled
/// between-seed SD, and every comparison with its interval, test, power and verdict. `StudyReport` renders
/// them as Markdown; `ablate report --json` prints them. A comparison that cannot be computed is a row whose
/// `reason` says why, never a dropped row. Non-finite numbers are `nil` (JSON `null`).
///
/// Design (docs: the method section of every report):
/// - **Primary** comparisons are the study's declared hypotheses. Holm corrects over them alone; each gets a
///   verdict: better / worse (the Holm-corrected interval excludes 0), equivalent within ±δ (TOST at the
///   smallest effect δ, both one-sided tests at the Holm-corrected α), or inconclusive.
/// - **Exploratory** comparisons are every other variant against its control, per metric and suite, uncorrected.
/// - **Power** is computed at δ (never at the observed effect) from the pooled between-seed SD, at the α the
///   correction applies first (α/m), for the design the comparison uses.
public struct StudyFindings: Codable, Sendable {
    public struct Interval: Codable, Sendable, Equatable {
        public var low: Double?
        public var high: Double?
        /// Confidence level, e.g. 0.95, or 1 − α/m for a Holm-corrected interval.
        public var level: Double
    }

    public struct SeedValue: Codable, Sendable, Equatable {
        public var seed: Int
        public var value: Double
    }

    /// One variant on one suite and metric, over its complete seeds.
    public struct Arm: Codable, Sendable {
        public var variant, suite, metric: String
        public var n: Int
        public var mean: Double?
        /// Between-seed SD (ddof 1); nil below 2 seeds.
        public var sd: Double?
        /// The 95% t interval of the mean; nil below 2 seeds or when every seed agrees (`noSpread`).
        public var ci: Interval?
        /// Every seed gave the same value: a zero-width interval would read as certainty, so there is none.
        public var noSpread: Bool
        public var iqm: Double?
        /// √(p(1−p)/n) of one evaluation of `evalN` problems at the arm's mean (proportion metrics only): the
        /// noise that the test set alone adds to each seed's value.
        public var binomialSE: Double?
        public var perSeed: [SeedValue]
        /// mean − the base model's value before training.
        public var minusBase: Double?
    }

    public struct BaseValue: Codable, Sendable, Equatable {
        public var suite, metric: String
        public var value: Double
    }

    /// The between-seed SD pooled over a study's arms: √(Σ_arms Σ (x − mean_arm)² / Σ_arms (n_arm − 1)).
    public struct PooledSD: Codable, Sendable, Equatable {
        public var suite, metric: String
        public var sd: Double
        /// Σ (n_arm − 1); nil for a declared SD.
        public var df: Int?
        public var arms: Int
        /// "this study", "pilot <name>" or "declared in the study file".
        public var source: String
    }

    public enum Verdict: String, Codable, Sendable {
        /// Primary, metric with a direction: the corrected interval excludes 0.
        case better, worse
        /// A metric without a better direction (mean_length), or an exploratory row at uncorrected α.
        case higher, lower
        case equivalent
        case inconclusive
        case notComputed = "not computed"
    }

    public struct Improvement: Codable, Sendable, Equatable {
        public var probability: Double?
        public var interval: Interval?
    }

    public struct Comparison: Codable, Sendable {
        public var primary: Bool
        public var variant, control, suite, metric: String
        public var alternative: Alternative
        /// Complete seeds of the variant and of the control.
        public var n: [Int]
        /// "paired t" (matched seeds) or "Welch t"; nil when not computed.
        public var test: String?
        /// Pearson r of the matched seeds' values (paired, ≥ 3 pairs).
        public var pairCorrelation: Double?
        /// mean(variant) − mean(control).
        public var difference: Double?
        public var ci95: Interval?
        /// Primary: the interval at the level Holm applied to this hypothesis (its step-down level).
        public var corrected: Interval?
        /// The t-test's standard error of the difference and its degrees of freedom.
        public var standardError: Double?
        public var df: Double?
        public var p: Double?
        /// Primary: Holm over the primaries; exploratory: nil (uncorrected).
        public var adjustedP: Double?
        public var robustTest: String?
        public var robustP: Double?
        public var effectName: String?
        public var effect: Double?
        /// Probability of improvement (≥ 3 seeds per arm only).
        public var improvement: Improvement?
        /// δ, the smallest difference that matters for this metric (nil when the study declares none).
        public var smallestEffect: Double?
        /// TOST at ±δ: p, and Holm over the primaries for primaries.
        public var tostP: Double?
        public var tostAdjustedP: Double?
        /// Power at δ with the comparison's seeds, and the seeds per arm for 80%, at `powerAlpha`.
        public var power: Double?
        public var seedsFor80: Int?
        public var powerAlpha: Double?
        public var verdict: Verdict
        /// A difference (better / worse / higher / lower) that TOST also finds inside ±δ, at the same correction:
        /// real, but smaller than the smallest effect that matters.
        public var belowSmallestEffect: Bool?
        /// Why a number is missing, or what qualifies the verdict.
        public var reason: String?
        /// What `difference` measures when it is not the mean: "collapse rate" or "between-seed SD" (lower is
        /// better for both); nil for a mean comparison.
        public var measure: String?
    }

    public var study: String
    public var description: String
    public var alpha: Double
    /// "holm" over the primaries.
    public var correction: String
    /// Problems per suite the study asked for, and per suite the n the evaluations actually had (a split with
    /// fewer problems at the family's knobs is evaluated whole).
    public var evalN: Int
    public var evalNBySuite: [String: Int]
    public var base: [BaseValue]
    public var arms: [Arm]
    public var pooledSD: [PooledSD]
    public var primary: [Comparison]
    public var exploratory: [Comparison]
    /// A tuning study's choices on the validation split (`selection:`); nil for every other study.
    public var selection: SelectionFindings?
    /// The transfer ratios of a study with `transfer:`; nil for every other study.
    public var transfer: TransferFindings?

    // MARK: - Computing

    /// Seeds per arm below which the probability of improvement is not reported (its bootstrap over 2 seeds
    /// only knows 0, ½ and 1).
    public static let minimumSeedsForImprovement = 3
    /// Bootstrap draws for the probability-of-improvement interval (seeded, so reproducible).
    static let resamples = 5000
    static let bootstrapSeed: UInt = 20_260_101
    static let targetPower = 0.8

    /// Metrics where a higher value is better (the rest lower is better, except `mean_length`: no direction).
    static let higherIsBetter: Set<String> = ["accuracy", "avg_at_k", "maj_at_k", "pass_at_k"]
    static let lowerIsBetter: Set<String> = ["truncated", "unparsable"]
    /// Metrics that are a fraction of the evaluated problems (a binomial SE applies).
    static let proportions: Set<String> = ["accuracy", "maj_at_k", "pass_at_k", "truncated", "unparsable"]

    public init(study: Study, results: [TrialResult]) {
        let complete = results.filter { $0.state == .complete }
        func values(_ variant: String, _ suite: String, _ metric: String) -> [SeedValue] {
            complete.filter { $0.variant == variant }
                .compactMap { r in r.eval[suite]?[metric].map { SeedValue(seed: r.seed, value: $0) } }
                .sorted { $0.seed < $1.seed }
        }
        let c = study.comparison
        self.study = study.name
        self.description = study.description
        self.alpha = c?.alpha ?? 0.05
        self.correction = "holm"
        self.evalN = study.evaluation.n
        let metrics = c?.metrics ?? ["accuracy"]
        let suites = study.evaluation.suites
        var nBySuite: [String: Int] = [:]
        for suite in suites {
            let ns = complete.compactMap { $0.eval[suite]?["n"] }
            nBySuite[suite] = ns.max().map { Int($0) } ?? study.evaluation.n
        }
        self.evalNBySuite = nBySuite

        var base: [BaseValue] = []
        for metric in metrics {
            for suite in suites {
                if let v = Self.baseValue(results, suite, metric) { base.append(BaseValue(suite: suite, metric: metric, value: v)) }
            }
        }
        self.base = base

        var arms: [Arm] = []
        for metric in metrics {
            for suite in suites {
                let b = base.first { $0.suite == suite && $0.metric == metric }?.value
                for v in study.variants {
                    arms.append(Self.arm(v.name, suite, metric, values(v.name, suite, metric), base: b,
                                         evalN: nBySuite[suite] ?? study.evaluation.n))
                }
            }
        }
        let primaryArms = c.map { Set($0.hypotheses.flatMap { [$0.variant, $0.control] }) }.flatMap { $0.isEmpty ? nil : $0 }
        let pooled = Self.pooledSD(results: complete, suites: suites, metrics: metrics,
                                   source: primaryArms == nil ? "this study" : "this study's hypothesis arms", arms: primaryArms)
        self.arms = arms
        self.pooledSD = pooled
        self.selection = study.selection.map { SelectionFindings(study: study, selection: $0, results: results) }
        self.transfer = study.transfer.map { TransferFindings(study: study, transfer: $0, values: values) }

        guard let c else {
            self.primary = []
            self.exploratory = []
            return
        }
        let m = c.hypotheses.count
        let planAlpha = m > 0 ? c.alpha / Double(m) : c.alpha
        var primary = c.hypotheses.map { h in
            let x = values(h.variant, h.suite, h.metric), y = values(h.control, h.suite, h.metric)
            switch h.test {
            case .mean:
                return Self.compare(h.variant, h.control, h.suite, h.metric, h.alternative, primary: true, x: x, y: y,
                                    paired: c.paired, delta: c.smallestEffect[h.metric],
                                    sd: pooled.first { $0.suite == h.suite && $0.metric == h.metric }?.sd, powerAlpha: planAlpha)
            case .collapse:
                return Self.compareCollapse(h, x: x, y: y, base: base.first { $0.suite == h.suite && $0.metric == h.metric }?.value,
                                            below: c.collapseBelowBase ?? 0)
            case .spread:
                return Self.compareSpread(h, x: x, y: y)
            }
        }
        Self.applyHolm(&primary, alpha: c.alpha)
        self.primary = primary

        var exploratory: [Comparison] = []
        for metric in metrics {
            for suite in suites {
                for v in study.variants {
                    guard let control = study.control(of: v.name), control != v.name else { continue }
                    if c.hypotheses.contains(where: { $0.variant == v.name && $0.control == control && $0.suite == suite && $0.metric == metric && $0.test == .mean }) {
                        continue
                    }
                    var row = Self.compare(v.name, control, suite, metric, .twoSided, primary: false,
                                           x: values(v.name, suite, metric), y: values(control, suite, metric),
                                           paired: c.paired, delta: c.smallestEffect[metric],
                                           sd: pooled.first { $0.suite == suite && $0.metric == metric }?.sd,
                                           powerAlpha: c.alpha)
                    Self.uncorrectedVerdict(&row, alpha: c.alpha)
                    exploratory.append(row)
                }
            }
        }
        self.exploratory = exploratory
    }

    /// The base model's value before training (each trial evaluates it at step 0 on the same problems; the
    /// median guards against a trial from another evaluation). Nil when no trial has it.
    static func baseValue(_ results: [TrialResult], _ suite: String, _ metric: String) -> Double? {
        let found = results.compactMap { $0.baseEval[suite]?[metric] }.sorted()
        return found.isEmpty ? nil : found[found.count / 2]
    }

    static func finite(_ v: Double?) -> Double? { v.flatMap { $0.isFinite ? $0 : nil } }

    static func arm(_ variant: String, _ suite: String, _ metric: String, _ vs: [SeedValue], base: Double?,
                    evalN: Int) -> Arm {
        var arm = Arm(variant: variant, suite: suite, metric: metric, n: vs.count, mean: nil, sd: nil, ci: nil,
                      noSpread: false, iqm: nil, binomialSE: nil, perSeed: vs, minusBase: nil)
        guard let s = try? Descriptive.summarize(vs.map(\.value)) else { return arm }
        arm.mean = finite(s.mean)
        arm.iqm = finite(s.iqm)
        if vs.count >= 2 {
            arm.sd = finite(s.sd)
            arm.noSpread = s.sd == 0
            if !arm.noSpread { arm.ci = Interval(low: finite(s.ciLow), high: finite(s.ciHigh), level: 0.95) }
        }
        if proportions.contains(metric), evalN > 0, s.mean >= 0, s.mean <= 1 {
            arm.binomialSE = (s.mean * (1 - s.mean) / Double(evalN)).squareRoot()
        }
        if let base { arm.minusBase = finite(s.mean - base) }
        return arm
    }

    /// One comparison before correction: tests, intervals, effect, probability of improvement, TOST, power.
    static func compare(_ variant: String, _ control: String, _ suite: String, _ metric: String,
                        _ alternative: Alternative, primary: Bool, x xs: [SeedValue], y ys: [SeedValue],
                        paired: Bool, delta: Double?, sd: Double?, powerAlpha: Double) -> Comparison {
        var row = Comparison(primary: primary, variant: variant, control: control, suite: suite, metric: metric,
                             alternative: alternative, n: [xs.count, ys.count], verdict: .notComputed)
        row.smallestEffect = delta
        let matched = paired && xs.count == ys.count && zip(xs, ys).allSatisfy { $0.seed == $1.seed }
        let x = xs.map(\.value), y = ys.map(\.value)

        // Power at δ from the pooled SD (computed even when the comparison is not: it says what was missing).
        if let delta, let sd, sd > 0 {
            powerFields(&row, delta: delta, sd: sd, n: min(xs.count, ys.count), matched: paired, alpha: powerAlpha)
        }
        guard x.count >= 2, y.count >= 2 else {
            row.reason = "fewer than 2 complete seeds (\(variant): \(x.count), \(control): \(y.count))"
            return row
        }
        do {
            if matched {
                let t = try TTest.paired(x, y, alternative: alternative)
                let e = try EffectSize.paired(x, y)
                row.test = "paired t"
                row.difference = finite(e.meanDifference)
                row.ci95 = interval(t, level: 0.95, alternative)
                row.effectName = "d_z"
                row.effect = finite(e.dz)
                record(t, into: &row, undefined: e.sdDifference == 0
                    ? "the differences between matched seeds have no spread (every seed differs by \(StudyReport.signed(e.meanDifference))): the t-test is undefined"
                    : "the t-test is undefined")
                if let w = try? Wilcoxon.test(x, y, alternative: alternative) {
                    row.robustTest = "Wilcoxon"
                    row.robustP = finite(w.pvalue)
                }
                if x.count >= 3, let r = try? Correlation.pearson(x, y) { row.pairCorrelation = finite(r.statistic) }
                if let delta, t.statistic.isFinite, let tost = try? Equivalence.paired(x, y, low: -delta, high: delta) {
                    row.tostP = finite(tost.pvalue)
                }
            } else {
                let t = try TTest.independent(x, y, equalVariances: false, alternative: alternative)
                let e = try EffectSize.independent(x, y)
                row.test = "Welch t"
                row.difference = finite(t.estimate)
                row.ci95 = interval(t, level: 0.95, alternative)
                row.effectName = "Hedges g"
                row.effect = finite(e.hedgesG)
                record(t, into: &row, undefined: "neither arm has any spread across seeds: the t-test is undefined")
                if let u = try? MannWhitney.test(x, y, alternative: alternative) {
                    row.robustTest = "Mann–Whitney"
                    row.robustP = finite(u.pvalue)
                }
                if let delta, t.statistic.isFinite,
                   let tost = try? Equivalence.independent(x, y, low: -delta, high: delta, equalVariances: false) {
                    row.tostP = finite(tost.pvalue)
                }
            }
        } catch {
            row.reason = "the test could not be computed: \(error)"
            return row
        }
        if x.count >= minimumSeedsForImprovement, y.count >= minimumSeedsForImprovement {
            if let poi = try? Rliable.probabilityOfImprovement(x.map { [$0] }, y.map { [$0] }, resamples: resamples,
                                                               seed: bootstrapSeed) {
                row.improvement = Improvement(probability: finite(poi.probability),
                                              interval: poi.interval.map { Interval(low: finite($0.low), high: finite($0.high), level: 0.95) })
            }
        }
        row.verdict = .inconclusive
        return row
    }

    /// A t-test's p, standard error and df into `row`; an undefined statistic (±∞ or NaN) leaves them out and
    /// says why.
    /// A `test: collapse` hypothesis: how many seeds of each arm ended more than `below` under the base model's
    /// value, and Fisher's exact test of the 2×2 table (variant, control) × (collapsed, not).
    static func compareCollapse(_ h: Study.Hypothesis, x: [SeedValue], y: [SeedValue], base: Double?, below: Double) -> Comparison {
        var row = Comparison(primary: true, variant: h.variant, control: h.control, suite: h.suite, metric: h.metric,
                             alternative: h.alternative, n: [x.count, y.count], verdict: .notComputed)
        row.measure = "collapse rate"
        row.test = "Fisher's exact"
        guard let base else {
            row.reason = "no base-model value for \(h.suite) \(h.metric): a collapse is measured against it"
            return row
        }
        guard !x.isEmpty, !y.isEmpty else {
            row.reason = "no complete seeds (\(h.variant): \(x.count), \(h.control): \(y.count))"
            return row
        }
        let threshold = base - below
        let cx = x.filter { $0.value < threshold }.count, cy = y.filter { $0.value < threshold }.count
        row.difference = Double(cx) / Double(x.count) - Double(cy) / Double(y.count)
        row.reason = "collapsed (final \(h.metric) below \(StudyReport.num(threshold)), the base model's \(StudyReport.num(base)) − \(StudyReport.num(below))): \(h.variant) \(cx) of \(x.count) seeds, \(h.control) \(cy) of \(y.count)"
        if let f = try? FisherExact.test(cx, x.count - cx, cy, y.count - cy, alternative: h.alternative) {
            row.p = finite(f.pvalue)
            row.verdict = .inconclusive
        }
        return row
    }

    /// A `test: spread` hypothesis: the two arms' between-seed SDs and the Brown–Forsythe test of equal spread.
    static func compareSpread(_ h: Study.Hypothesis, x: [SeedValue], y: [SeedValue]) -> Comparison {
        var row = Comparison(primary: true, variant: h.variant, control: h.control, suite: h.suite, metric: h.metric,
                             alternative: .twoSided, n: [x.count, y.count], verdict: .notComputed)
        row.measure = "between-seed SD"
        row.test = "Brown–Forsythe"
        let xs = x.map(\.value), ys = y.map(\.value)
        guard xs.count >= 2, ys.count >= 2, let sx = try? Descriptive.sd(xs), let sy = try? Descriptive.sd(ys) else {
            row.reason = "fewer than 2 complete seeds (\(h.variant): \(xs.count), \(h.control): \(ys.count))"
            return row
        }
        row.difference = sx - sy
        let sds = "between-seed SD \(h.variant) \(StudyReport.num(sx, 4)), \(h.control) \(StudyReport.num(sy, 4))"
        if let b = try? BrownForsythe.test([xs, ys]), b.pvalue.isFinite {
            row.p = b.pvalue
            row.verdict = .inconclusive
            row.reason = sds
        } else {
            row.reason = sds + "; every deviation from the arms' medians is equal, so the test is undefined"
        }
        return row
    }

    static func record(_ t: TTestResult, into row: inout Comparison, undefined reason: String) {
        guard t.statistic.isFinite else {
            row.reason = reason
            return
        }
        row.p = finite(t.pvalue)
        row.standardError = finite(t.standardError)
        row.df = finite(t.df)
    }

    static func interval(_ t: TTestResult, level: Double, _ alternative: Alternative) -> Interval? {
        guard t.standardError.isFinite, t.standardError > 0,
              let ci = try? t.confidenceInterval(level: level, alternative: alternative) else { return nil }
        return Interval(low: finite(ci.low), high: finite(ci.high), level: level)
    }

    /// Power at δ with n seeds per arm and the seeds for 80%, at `alpha`, for the comparison's design. A paired
    /// design's SD of differences is taken as σ√2 (matched seeds assumed uncorrelated: conservative when their
    /// correlation is positive).
    static func powerFields(_ row: inout Comparison, delta: Double, sd: Double, n: Int, matched: Bool, alpha: Double) {
        let design: PowerDesign = matched ? .paired : .independent
        var d = matched ? delta / (sd * 2.0.squareRoot()) : delta / sd
        if row.alternative == .less { d = -d }
        row.powerAlpha = alpha
        if n >= 2 { row.power = finite(try? Power.power(effectSize: d, nobs: Double(n), alpha: alpha, design: design,
                                                        alternative: row.alternative)) }
        row.seedsFor80 = (try? Power.seedsPerArm(effectSize: d, power: targetPower, alpha: alpha, design: design,
                                                 alternative: row.alternative))?.seedsPerArm
    }

    /// Holm over the primaries (an undefined p counts as 1), the step-down interval of each, TOST under Holm,
    /// and the verdicts.
    ///
    /// The interval of the hypothesis tested at Holm's step j (p ascending) has level 1 − α/(m − j) while the
    /// procedure still rejects; from the first step that does not reject, every later hypothesis gets that step's
    /// level. So "the corrected interval excludes 0" and "Holm rejects" always agree.
    static func applyHolm(_ rows: inout [Comparison], alpha: Double) {
        guard !rows.isEmpty else { return }
        let m = rows.count
        let ps = rows.map { $0.p ?? 1 }
        if let adjusted = try? MultipleComparisons.holm(ps, alpha: alpha).adjusted {
            for i in rows.indices where rows[i].p != nil { rows[i].adjustedP = adjusted[i] }
        }
        let tost = rows.map { $0.tostP ?? 1 }
        if let adjusted = try? MultipleComparisons.holm(tost, alpha: alpha).adjusted {
            for i in rows.indices where rows[i].tostP != nil { rows[i].tostAdjustedP = adjusted[i] }
        }
        let order = ps.indices.sorted { ps[$0] < ps[$1] || (ps[$0] == ps[$1] && $0 < $1) }
        var stopped: Double? = nil
        for (j, i) in order.enumerated() {
            let stepLevel = alpha / Double(m - j)
            if stopped == nil && !(ps[i] <= stepLevel) { stopped = stepLevel }
            let level = stopped ?? stepLevel
            if let d = rows[i].difference, let se = rows[i].standardError, let df = rows[i].df {
                let t = TTestResult(statistic: d / se, pvalue: ps[i], df: df, estimate: d, standardError: se)
                rows[i].corrected = interval(t, level: 1 - level, rows[i].alternative)
            }
        }
        for i in rows.indices where rows[i].verdict != .notComputed {
            let equivalent = (rows[i].tostAdjustedP ?? 1) <= alpha
            rows[i].verdict = verdict(rows[i], significant: (rows[i].adjustedP ?? 1) <= alpha, equivalent: equivalent)
            markBelowSmallestEffect(&rows[i], equivalent: equivalent)
        }
    }

    /// Sets `belowSmallestEffect` on a row whose verdict is a difference while TOST rejects at ±δ.
    static func markBelowSmallestEffect(_ row: inout Comparison, equivalent: Bool) {
        let difference: Set<Verdict> = [.better, .worse, .higher, .lower]
        row.belowSmallestEffect = difference.contains(row.verdict) && equivalent ? true : nil
    }

    /// Exploratory rows: the same rules at the uncorrected α.
    static func uncorrectedVerdict(_ row: inout Comparison, alpha: Double) {
        guard row.verdict != .notComputed else { return }
        row.verdict = verdict(row, significant: (row.p ?? 1) <= alpha, equivalent: (row.tostP ?? 1) <= alpha)
        // Uncorrected evidence is described (higher / lower), not judged.
        if row.verdict == .better || row.verdict == .worse {
            row.verdict = (row.difference ?? 0) > 0 ? .higher : .lower
        }
        markBelowSmallestEffect(&row, equivalent: (row.tostP ?? 1) <= alpha)
    }

    static func verdict(_ row: Comparison, significant: Bool, equivalent: Bool) -> Verdict {
        if row.measure != nil {
            // A collapse rate or a spread: lower is better, and no equivalence is tested.
            guard significant, let d = row.difference, d != 0 else { return .inconclusive }
            return d < 0 ? .better : .worse
        }
        if significant, let d = row.difference, d != 0 {
            if higherIsBetter.contains(row.metric) { return d > 0 ? .better : .worse }
            if lowerIsBetter.contains(row.metric) { return d < 0 ? .better : .worse }
            return d > 0 ? .higher : .lower
        }
        if equivalent { return .equivalent }
        return .inconclusive
    }

    // MARK: - Planning

    /// The pooled between-seed SD of every suite and metric over the complete trials of `results` (a pilot).
    /// With `arms`, only those variants are pooled (the arms the hypotheses compare: an arm that collapses on some
    /// seeds and not others would otherwise inflate every hypothesis's SD); when none of them has data, all are.
    public static func pooledSD(results: [TrialResult], suites: [String], metrics: [String], source: String,
                                arms only: Set<String>? = nil) -> [PooledSD] {
        var complete = results.filter { $0.state == .complete }
        if let only, complete.contains(where: { only.contains($0.variant) }) {
            complete = complete.filter { only.contains($0.variant) }
        }
        var out: [PooledSD] = []
        for metric in metrics {
            for suite in suites {
                var byArm: [String: [Double]] = [:]
                for r in complete { if let v = r.eval[suite]?[metric] { byArm[r.variant, default: []].append(v) } }
                var ss = 0.0, df = 0, arms = 0
                // Arms in name order: the same sums in the same order, so the same bits every time.
                for key in byArm.keys.sorted() {
                    guard let vs = byArm[key], vs.count >= 2 else { continue }
                    let m = vs.reduce(0, +) / Double(vs.count)
                    ss += vs.reduce(0) { $0 + ($1 - m) * ($1 - m) }
                    df += vs.count - 1
                    arms += 1
                }
                if df > 0 { out.append(PooledSD(suite: suite, metric: metric, sd: (ss / Double(df)).squareRoot(), df: df, arms: arms, source: source)) }
            }
        }
        return out
    }

    /// One hypothesis's plan: the SD it assumes, the power at the study's seeds and the seeds for 80%.
    public struct PlannedHypothesis: Codable, Sendable {
        public var hypothesis: Study.Hypothesis
        public var smallestEffect: Double
        public var sd: PooledSD?
        public var seeds: Int
        public var alpha: Double
        public var power: Double?
        public var seedsFor80: Int?
        /// Why there is no power (no SD for this suite and metric), or what a collapse plan assumed.
        public var reason: String?
        /// A collapse hypothesis: the pilot's collapse rates of the variant and the control.
        public var collapseRates: [Double]?
        /// A pilot's SD (it has df): its one-sided 80% upper confidence bound, and the power and seeds for 80% at
        /// it. Few pilot seeds estimate σ loosely; a plan that holds at this bound holds unless σ is above it.
        public var sdUpper80: Double?
        public var powerAtUpper80: Double?
        public var seedsFor80AtUpper80: Int?
    }

    /// The power of each declared hypothesis at the study's seeds and the seeds it needs for 80%, at Holm's first
    /// level α/m, from the first SD found for its suite and metric in `sds` (pilot first, then declared).
    /// A `test: collapse` hypothesis is planned from the collapse rates of its two arms in `pilot` (trials of a
    /// study with the same variant names): Fisher's exact power at the study's seeds and the seeds for 80%.
    public static func plan(study: Study, sds: [PooledSD], pilot: [TrialResult] = []) -> [PlannedHypothesis] {
        guard let c = study.comparison else { return [] }
        let m = c.hypotheses.count
        let alpha = c.alpha / Double(max(m, 1))
        return c.hypotheses.map { h in
            switch h.test {
            case .mean: break
            case .spread:
                var plan = PlannedHypothesis(hypothesis: h, smallestEffect: 0, sd: nil, seeds: study.seeds.count, alpha: alpha)
                plan.reason = "the spread test (Brown–Forsythe) has no power formula here: size the study by its other hypotheses"
                return plan
            case .collapse:
                let below = c.collapseBelowBase ?? 0
                var plan = PlannedHypothesis(hypothesis: h, smallestEffect: below, sd: nil, seeds: study.seeds.count, alpha: alpha)
                let done = pilot.filter { $0.state == .complete }
                let base = baseValue(pilot, h.suite, h.metric)
                // An arm's rate: the pilot's observed share of collapsed seeds, else the rate the study declares.
                func rate(_ arm: String) -> (p: Double, text: String)? {
                    if let base {
                        let vs = done.filter { $0.variant == arm }.compactMap { $0.eval[h.suite]?[h.metric] }
                        if !vs.isEmpty {
                            let k = vs.filter { $0 < base - below }.count
                            return (Double(k) / Double(vs.count), "\(arm) \(k)/\(vs.count) (pilot)")
                        }
                    }
                    return c.plannedCollapseRates[arm].map { ($0, "\(arm) \(StudyReport.num($0)) (declared)") }
                }
                guard let rx = rate(h.variant), let ry = rate(h.control) else {
                    plan.reason = base == nil && pilot.isEmpty
                        ? "no pilot with a base-model value for \(h.suite) \(h.metric): give --pilot STUDY (a study with arms named \(h.variant) and \(h.control)) or declare `collapse: {planned_rates: {...}}`"
                        : "the pilot has no complete seeds of \(h.variant) and \(h.control), and the study declares no planned rate for them (`collapse: {planned_rates: {...}}`)"
                    return plan
                }
                let p1 = rx.p, p2 = ry.p
                plan.collapseRates = [p1, p2]
                plan.reason = "collapse rates \(rx.text), \(ry.text)" + (base.map { " (pilot: final value below \(StudyReport.num($0 - below)))" } ?? "")
                plan.power = try? FisherExact.power(n1: study.seeds.count, n2: study.seeds.count, p1: p1, p2: p2, alpha: alpha)
                plan.seedsFor80 = (try? FisherExact.trialsNeeded(p1: p1, p2: p2, alpha: alpha, limit: 60)) ?? nil
                return plan
            }
            let delta = c.smallestEffect[h.metric] ?? .nan
            let sd = sds.first { $0.suite == h.suite && $0.metric == h.metric }
                ?? c.declaredSD(h.metric, h.suite).map { PooledSD(suite: h.suite, metric: h.metric, sd: $0, df: nil, arms: 0, source: "declared in the study file") }
            var plan = PlannedHypothesis(hypothesis: h, smallestEffect: delta, sd: sd, seeds: study.seeds.count, alpha: alpha)
            guard let sd, sd.sd > 0 else {
                plan.reason = "no SD for \(h.suite) \(h.metric): give --pilot STUDY (a study run with these metrics) or declare `sd: {\(h.metric): ...}` in the study file"
                return plan
            }
            var row = Comparison(primary: true, variant: h.variant, control: h.control, suite: h.suite, metric: h.metric,
                                 alternative: h.alternative, n: [study.seeds.count, study.seeds.count], verdict: .notComputed)
            powerFields(&row, delta: delta, sd: sd.sd, n: study.seeds.count, matched: c.paired, alpha: alpha)
            plan.power = row.power
            plan.seedsFor80 = row.seedsFor80
            if let df = sd.df, df >= 1, let upper = try? Descriptive.sdUpperConfidenceBound(sd: sd.sd, df: df, level: 0.8) {
                var atUpper = row
                powerFields(&atUpper, delta: delta, sd: upper, n: study.seeds.count, matched: c.paired, alpha: alpha)
                plan.sdUpper80 = upper
                plan.powerAtUpper80 = atUpper.power
                plan.seedsFor80AtUpper80 = atUpper.seedsFor80
            }
            return plan
        }
    }
}

extension StudyFindings.Comparison {
    init(primary: Bool, variant: String, control: String, suite: String, metric: String, alternative: Alternative,
         n: [Int], verdict: StudyFindings.Verdict) {
        self.primary = primary
        self.variant = variant
        self.control = control
        self.suite = suite
        self.metric = metric
        self.alternative = alternative
        self.n = n
        self.verdict = verdict
    }
}
