import Foundation
import Statistics

/// The numbers of a tuning study's `selection:` (Study.Selection), from the validation evaluations in each
/// trial's metrics.jsonl only:
/// - **Budget**: at each evaluated step, the budget group's best candidate (highest mean gain over the base model)
///   and that gain; the budget is the first step where it reaches `gain` (else the last step, `reached` false).
/// - **Choice** per group: each candidate's mean over seeds at the budget step, the best one, and how flat the
///   choice was: best − runner-up with a Welch 95% t interval (candidates are trained independently) and the
///   spread (max − min) of the candidates' means. A tie within the interval is a choice the data barely makes,
///   and the report says so.
public struct SelectionFindings: Codable, Sendable {
    public struct Candidate: Codable, Sendable {
        public var variant: String
        /// The selected setting's value as the study file spells it.
        public var value: String
        public var n: Int
        public var mean: Double?
        public var sd: Double?
        public var perSeed: [StudyFindings.SeedValue]
        /// mean − the base model's value (step 0, same split, suite and metric).
        public var gain: Double?
    }

    public struct Group: Codable, Sendable {
        public var label: String
        public var candidates: [Candidate]
        /// The candidate with the highest mean (nil when no candidate has a complete seed).
        public var chosen: String?
        public var chosenValue: String?
        public var runnerUp: String?
        /// chosen − runner-up, its Welch 95% interval and p (nil below 2 seeds in either).
        public var difference: Double?
        public var interval: StudyFindings.Interval?
        public var p: Double?
        /// max − min of the candidates' means.
        public var spread: Double?
    }

    public struct BudgetStep: Codable, Sendable, Equatable {
        public var step: Int
        public var bestVariant: String
        public var bestGain: Double
    }

    public struct Budget: Codable, Sendable {
        public var group: String
        public var gain: Double
        /// The step every choice is made at.
        public var step: Int
        /// False when no evaluated step reached `gain` (the step is then the last one).
        public var reached: Bool
        public var curve: [BudgetStep]
    }

    public var by: String
    public var suite: String
    public var metric: String
    /// The step the candidates are compared at (the budget, or the last evaluated step).
    public var step: Int?
    /// The base model's validation value (the median over trials of their step-0 evaluations).
    public var base: Double?
    public var budget: Budget?
    public var groups: [Group]
    /// The between-seed SD at the selection step pooled over every candidate with 2 or more seeds, its df, and
    /// the smallest difference between two candidates that the study's seeds per candidate detect with 80% power
    /// (independent two-sided t at α = 0.05): what a selection, which tests no hypothesis, can resolve.
    public var pooledSD: Double?
    public var pooledDF: Int?
    public var resolvable: Double?

    public init(study: Study, selection s: Study.Selection, results: [TrialResult]) {
        let complete = results.filter { $0.state == .complete }
        func value(_ r: TrialResult, at step: Int) -> Double? {
            r.validation.last { $0.step == step }?.suites[s.suite]?[s.metric].flatMap { $0.isFinite ? $0 : nil }
        }
        by = s.by
        suite = s.suite
        metric = s.metric
        let bases = complete.compactMap { value($0, at: 0) }
        let base = bases.isEmpty ? nil : (try? Descriptive.median(bases))
        self.base = base
        let groups = study.selectionGroups(by: s.by)
        let steps = Set(complete.flatMap { $0.validation.map(\.step) }).filter { $0 > 0 }.sorted()

        // The mean over seeds of each member of `group` at `step`.
        func means(_ group: Study.SelectionGroup, at step: Int) -> [(variant: String, mean: Double)] {
            group.members.compactMap { m in
                let vs = complete.filter { $0.variant == m.variant }.compactMap { value($0, at: step) }
                return vs.isEmpty ? nil : (m.variant, vs.reduce(0, +) / Double(vs.count))
            }
        }

        var step = steps.last
        var budget: Budget? = nil
        if let b = s.budget, let group = groups.first(where: { $0.label == b.group }), let base {
            var curve: [BudgetStep] = []
            for st in steps {
                guard let best = means(group, at: st).max(by: { $0.mean < $1.mean }) else { continue }
                curve.append(BudgetStep(step: st, bestVariant: best.variant, bestGain: best.mean - base))
            }
            let first = curve.first { $0.bestGain >= b.gain - 1e-12 }
            if let last = curve.last {
                step = first?.step ?? last.step
                budget = Budget(group: b.group, gain: b.gain, step: first?.step ?? last.step, reached: first != nil, curve: curve)
            }
        }
        self.step = step
        self.budget = budget
        let at = step
        let spread = Self.resolution(groups: groups, results: complete, seeds: study.seeds.count) { r in at.flatMap { value(r, at: $0) } }
        pooledSD = spread?.sd
        pooledDF = spread?.df
        resolvable = spread?.resolvable
        self.groups = groups.map { g in
            var out = Group(label: g.label, candidates: [])
            for m in g.members {
                let seeds = complete.filter { $0.variant == m.variant }
                    .compactMap { r in at.flatMap { value(r, at: $0) }.map { StudyFindings.SeedValue(seed: r.seed, value: $0) } }
                    .sorted { $0.seed < $1.seed }
                let xs = seeds.map(\.value)
                let mean = xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count)
                let sd = xs.count >= 2 ? (try? Descriptive.sd(xs)) : nil
                out.candidates.append(Candidate(variant: m.variant, value: m.value, n: xs.count, mean: mean, sd: sd,
                                                perSeed: seeds, gain: mean.flatMap { m in base.map { m - $0 } }))
            }
            let ranked = out.candidates.filter { $0.mean != nil }.sorted { ($0.mean ?? 0) > ($1.mean ?? 0) }
            guard let best = ranked.first else { return out }
            out.chosen = best.variant
            out.chosenValue = best.value
            let ms = ranked.compactMap(\.mean)
            out.spread = (ms.max() ?? 0) - (ms.min() ?? 0)
            if ranked.count > 1 {
                let second = ranked[1]
                out.runnerUp = second.variant
                out.difference = (best.mean ?? 0) - (second.mean ?? 0)
                let x = best.perSeed.map(\.value), y = second.perSeed.map(\.value)
                if x.count >= 2, y.count >= 2, let t = try? TTest.independent(x, y, equalVariances: false) {
                    out.interval = StudyFindings.interval(t, level: 0.95, .twoSided)
                    out.p = t.pvalue.isFinite ? t.pvalue : nil
                }
            }
            return out
        }
    }

    /// The between-seed SD pooled over the candidates of `groups` (each with its own mean), its df and the
    /// difference `seeds` seeds per candidate detect with 80% power; nil without 1 df. `value` reads a trial's
    /// value at the selection step. Shared by the report and `ablate check --pilot`.
    public static func resolution(groups: [Study.SelectionGroup], results: [TrialResult], seeds: Int,
                                  value: (TrialResult) -> Double?) -> (sd: Double, df: Int, resolvable: Double?)? {
        var ss = 0.0, df = 0
        for m in groups.flatMap(\.members) {
            let xs = results.filter { $0.variant == m.variant && $0.state == .complete }.compactMap(value)
            guard xs.count >= 2 else { continue }
            let mean = xs.reduce(0, +) / Double(xs.count)
            ss += xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            df += xs.count - 1
        }
        guard df > 0 else { return nil }
        let sd = (ss / Double(df)).squareRoot()
        let d = seeds >= 2 ? try? Power.detectableEffect(nobs: Double(seeds)) : nil
        return (sd, df, d.map { $0 * sd })
    }
}
