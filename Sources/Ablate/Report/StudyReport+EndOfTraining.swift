import Foundation
import Statistics

extension StudyReport {
    /// Steps at the end of training whose train lines are averaged per seed (one step's value is one batch's).
    static let endWindow = 10

    /// The training metrics at the end of training: per variant, each seed's mean over its last `endWindow`
    /// steps, then the mean over seeds with its 95% t interval. Where a reward drove the policy (KL from the
    /// reference, entropy) is part of what a stability claim is about. Empty when no trial logged these metrics.
    func endOfTraining() -> [String] {
        let columns: [(name: String, metric: KeyPath<TrainMetrics, Double?>, digits: Int, share: Bool)] = [
            ("KL to the reference (nats/token)", \.kl, 4, false), ("token entropy (nats)", \.entropy, 3, false),
            ("completion length (tokens)", \.completionLength, 1, false), ("rollout accuracy", \.rolloutAccuracy, 3, true),
            ("truncated", \.truncationRate, 3, true),
        ]
        func endValue(_ r: TrialResult, _ metric: KeyPath<TrainMetrics, Double?>) -> Double? {
            let values = r.train.suffix(Self.endWindow).compactMap { $0[keyPath: metric] }.filter(\.isFinite)
            return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
        }
        let present = columns.filter { c in complete.contains { endValue($0, c.metric) != nil } }
        guard !present.isEmpty else { return [] }
        var out = ["## At the end of training", "",
                   "Each seed's mean over its last \(Self.endWindow) training steps, then the mean over seeds [95% t interval] (exploratory).", "",
                   "| variant | seeds | " + present.map(\.name).joined(separator: " | ") + " |",
                   "|---|---:|" + String(repeating: "---|", count: present.count)]
        for v in study.variants {
            let trials = complete.filter { $0.variant == v.name }
            guard !trials.isEmpty else { continue }
            let cells = present.map { c -> String in
                let xs = trials.compactMap { endValue($0, c.metric) }
                guard let m = try? Descriptive.mean(xs) else { return "—" }
                guard xs.count > 1, Set(xs).count > 1, let ci = try? Descriptive.meanConfidenceInterval(xs) else { return Self.num(m, c.digits) }
                // A share cannot leave [0, 1], whatever the t interval of a few seeds says.
                let (low, high) = c.share ? (max(ci.low, 0), min(ci.high, 1)) : (ci.low, ci.high)
                return "\(Self.num(m, c.digits)) [\(Self.num(low, c.digits)), \(Self.num(high, c.digits))]"
            }
            out.append("| \(v.name) | \(trials.count) | " + cells.joined(separator: " | ") + " |")
        }
        return out + [""]
    }
}

extension StudyReport {
    /// With a collapse rule (`collapse: {below_base: δ}`): per arm, how many seeds ended more than δ below the base
    /// model on each accuracy-like metric and suite, and which, for every arm, not only those a hypothesis compares
    /// (descriptive; the Fisher tests are in the primary section). Empty without a rule.
    func collapsedSeeds() -> [String] {
        guard let below = study.comparison?.collapseBelowBase else { return [] }
        var rows: [String] = []
        for suite in suites {
            // A collapse is a fall, so only metrics where higher is better have one.
            for metric in metrics where StudyFindings.higherIsBetter.contains(metric) {
                guard let base = StudyFindings.baseValue(complete, suite, metric) else { continue }
                for v in study.variants {
                    let vs = values(v.name, suite, metric)
                    guard !vs.isEmpty else { continue }
                    let down = vs.filter { $0.value < base - below }
                    let which = down.isEmpty ? "—" : down.map { "\($0.seed): \(Self.num($0.value))" }.joined(separator: ", ")
                    rows.append("| \(suite) | \(Self.metricLabel(metric, study.evaluation.k)) | \(v.name) | \(down.count) of \(vs.count) | \(which) |")
                }
            }
        }
        guard !rows.isEmpty else { return [] }
        return ["## Collapsed seeds", "",
                "A seed has collapsed when its final value is more than \(Self.num(below)) below the base model's (the study's `collapse` rule), per arm (descriptive).", "",
                "| suite | metric | variant | collapsed | seeds (final value) |", "|---|---|---|---|---|"] + rows + [""]
    }
}
