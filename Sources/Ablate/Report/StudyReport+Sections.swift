import Foundation
import JSON
import Statistics

/// The Markdown sections that render `StudyFindings` (the numbers live there; nothing here computes a statistic).
extension StudyReport {
    /// The study's numbers (every statistic of the report).
    public var findings: StudyFindings { StudyFindings(study: study, results: results) }

    // MARK: Formatting

    static func num(_ v: Double?, _ digits: Int = 3) -> String { v.map { num($0, digits) } ?? "—" }

    static func signed(_ v: Double?, _ digits: Int = 3) -> String { v.map { signed($0, digits) } ?? "—" }

    static func pValue(_ p: Double?) -> String { p.map { pValue($0) } ?? "—" }

    static func interval(_ i: StudyFindings.Interval?, _ digits: Int = 3) -> String {
        guard let i else { return "—" }
        return "[\(i.low.map { num($0, digits) } ?? "−∞"), \(i.high.map { num($0, digits) } ?? "∞")]"
    }

    /// A difference and its interval, or — when there is none.
    static func difference(_ d: Double?, _ i: StudyFindings.Interval?) -> String {
        guard let d else { return "—" }
        return i == nil ? signed(d) : "\(signed(d)) \(interval(i))"
    }

    static func level(_ l: Double) -> String {
        let pct = l * 100
        return pct.rounded() == pct ? String(format: "%.0f%%", pct) : String(format: "%.1f%%", pct)
    }

    static func alternativeText(_ a: Alternative) -> String {
        switch a {
        case .twoSided: return "two-sided"
        case .greater: return "expects higher"
        case .less: return "expects lower"
        }
    }

    /// The verdict of a primary comparison as the reader should read it.
    static func verdictText(_ r: StudyFindings.Comparison) -> String {
        switch r.verdict {
        case .equivalent: return "equivalent within ±\(num(r.smallestEffect))"
        case .notComputed: return "not computed"
        default: return r.verdict.rawValue + (r.belowSmallestEffect == true ? ", by less than δ = \(num(r.smallestEffect)) (TOST)" : "")
        }
    }

    // MARK: Provenance

    /// A report built from trials of uncommitted code says so before anything else.
    func provenanceWarning() -> [String] {
        let versions = Set(results.filter { $0.state != .missing }.compactMap(\.codeVersion)).sorted()
        let dirty = versions.filter { $0.hasSuffix("-dirty") || $0 == "unknown" }
        var out: [String] = []
        if !dirty.isEmpty {
            out.append("> **Built from trials run on uncommitted code** (\(dirty.map { "`\($0)`" }.joined(separator: ", "))): these numbers cannot be traced to a commit.")
            out.append("")
        }
        if versions.count > 1 {
            out.append("> The trials ran on \(versions.count) code versions (\(versions.map { "`\($0)`" }.joined(separator: ", "))).")
            out.append("")
        }
        return out
    }

    // MARK: Verdict

    func verdict(_ f: StudyFindings) -> [String] {
        var out = ["## Verdict", ""]
        out += whatHappened(f)
        guard let c = study.comparison else {
            return out + ["No comparisons were requested (the study has no `comparisons:`).", ""] + againstBase(f)
        }
        if c.hypotheses.isEmpty {
            out.append("**No primary hypotheses declared**: every comparison in this report is exploratory (uncorrected) and draws no verdict. A study declares them as `hypotheses:` with `smallest_effect:` (at the top level or under `comparisons:`).")
            out.append("")
            return out + againstBase(f)
        }
        let counts = Dictionary(grouping: f.primary, by: \.verdict).mapValues(\.count)
        let summary = [StudyFindings.Verdict.better, .worse, .higher, .lower, .equivalent, .inconclusive, .notComputed]
            .compactMap { v in counts[v].map { "\($0) \(v == .notComputed ? "not computed" : v.rawValue)" } }
        out.append("**Primary hypotheses** (\(f.primary.count), Holm over them at α = \(Self.num(f.alpha, 2))): \(summary.joined(separator: ", ")).")
        out.append("")
        for r in f.primary {
            var line = "- `\(r.variant)` vs `\(r.control)`, \(r.suite) \(Self.metricLabel(r.metric, study.evaluation.k))\(r.measure.map { " \($0)" } ?? "") (\(Self.alternativeText(r.alternative))): **\(Self.verdictText(r))**"
            if let d = r.difference, let measure = r.measure {
                line += ": \(measure) \(Self.signed(d)) (variant − control, \(r.test ?? "")), Holm p = \(Self.pValue(r.adjustedP))"
            } else if let d = r.difference {
                line += ": \(Self.signed(d)), Holm-corrected \(r.corrected.map { Self.level($0.level) } ?? "") interval \(Self.interval(r.corrected)), Holm p = \(Self.pValue(r.adjustedP))"
                if r.verdict == .equivalent || r.verdict == .inconclusive || r.belowSmallestEffect == true {
                    line += ", TOST at ±\(Self.num(r.smallestEffect)) Holm p = \(Self.pValue(r.tostAdjustedP))"
                }
            }
            if let reason = r.reason { line += " (\(reason))" }
            if r.measure == nil && (r.verdict == .inconclusive || r.verdict == .notComputed) {
                line += "; " + Self.powerText(r)
            }
            out.append(line + ".")
        }
        out.append("")
        return out + againstBase(f)
    }

    /// One line per primary hypothesis (for the terminal at the end of `ablate run`).
    public func verdictLines() -> [String] {
        let f = findings
        guard !f.primary.isEmpty else { return ["verdict: no primary hypotheses declared (every comparison is exploratory)"] }
        return f.primary.map { r in
            var line = "verdict: \(r.variant) vs \(r.control), \(r.suite) \(Self.metricLabel(r.metric, study.evaluation.k))\(r.measure.map { " \($0)" } ?? ""): \(Self.verdictText(r))"
            if let d = r.difference { line += " (\(Self.signed(d)), Holm p = \(Self.pValue(r.adjustedP)))" }
            return line
        }
    }

    static func powerText(_ r: StudyFindings.Comparison) -> String {
        guard let delta = r.smallestEffect else { return "no smallest effect declared, so no power" }
        var parts: [String] = []
        if let p = r.power { parts.append("power at δ = \(num(delta)) with \(min(r.n[0], r.n[1])) seeds: \(num(p, 2))") }
        if let s = r.seedsFor80 { parts.append("\(s) seeds per arm for 80%") }
        return parts.isEmpty ? "no power estimate (no pooled SD)" : parts.joined(separator: "; ")
    }

    /// The opening in plain words: where each arm ended against the base model on the hypotheses' suites.
    func whatHappened(_ f: StudyFindings) -> [String] {
        let keys: [(suite: String, metric: String)]
        if let hs = study.comparison?.hypotheses, !hs.isEmpty {
            var seen: [(String, String)] = []
            for h in hs where !seen.contains(where: { $0 == (h.suite, h.metric) }) { seen.append((h.suite, h.metric)) }
            keys = seen.map { ($0.0, $0.1) }
        } else {
            keys = study.evaluation.suites.map { ($0, f.arms.first?.metric ?? "accuracy") }
        }
        var lines: [String] = []
        for (suite, metric) in keys {
            let arms = f.arms.filter { $0.suite == suite && $0.metric == metric && $0.mean != nil }
            guard !arms.isEmpty else { continue }
            let base = f.base.first { $0.suite == suite && $0.metric == metric }?.value
            let list = arms.map { a in
                "\(a.variant) \(Self.num(a.mean))" + (a.minusBase.map { " (\(Self.signed($0)))" } ?? "")
            }.joined(separator: ", ")
            var line = "- \(suite) \(Self.metricLabel(metric, study.evaluation.k)): "
            if let base {
                let above = arms.filter { ($0.minusBase ?? 0) > 0 }.count
                let below = arms.filter { ($0.minusBase ?? 0) < 0 }.count
                line += "the base model scored \(Self.num(base)) before training; after it, \(list). "
                line += "\(above) of \(arms.count) arms ended above the base model and \(below) below (means over seeds; the intervals are in Results)."
            } else {
                line += list + "."
            }
            lines.append(line)
        }
        guard !lines.isEmpty else { return [] }
        return ["What happened:", ""] + lines + [""]
    }

    /// Which variants end above or below the base model: each arm's 95% t interval over seeds against the base
    /// model's value before training (one-sample, uncorrected).
    func againstBase(_ f: StudyFindings) -> [String] {
        var lines: [String] = []
        for b in f.base {
            var above: [String] = [], below: [String] = [], neither: [String] = []
            for a in f.arms where a.suite == b.suite && a.metric == b.metric && a.n >= 2 {
                let entry = "`\(a.variant)` \(Self.signed(a.minusBase))"
                if a.noSpread {
                    neither.append(entry + " (no spread across seeds)")
                } else if let lo = a.ci?.low, lo > b.value {
                    above.append(entry)
                } else if let hi = a.ci?.high, hi < b.value {
                    below.append(entry)
                } else {
                    neither.append(entry)
                }
            }
            var line = "- \(b.suite) \(Self.metricLabel(b.metric, study.evaluation.k)), base \(Self.num(b.value)):"
            line += " above: " + (above.isEmpty ? "none" : above.joined(separator: ", ")) + ";"
            line += " below: " + (below.isEmpty ? "none" : below.joined(separator: ", ")) + ";"
            line += " neither: " + (neither.isEmpty ? "none" : neither.joined(separator: ", ")) + "."
            lines.append(line)
        }
        guard !lines.isEmpty else { return [] }
        return ["Against the base model before training (each variant's 95% t interval over seeds vs the base value; "
                + "uncorrected, exploratory):", ""] + lines + [""]
    }

    /// `pass_at_k` → `pass@8` (the study's k), so a label never hides k.
    static func metricLabel(_ metric: String, _ k: Int) -> String {
        switch metric {
        case "pass_at_k": return "pass@\(k)"
        case "avg_at_k": return "avg@\(k)"
        case "maj_at_k": return "maj@\(k)"
        case "accuracy": return "accuracy (greedy)"
        default: return metric
        }
    }

    // MARK: Setup

    func setup() -> [String] {
        var out = ["## Setup", ""]
        let ran = results.filter { $0.state != .missing }
        func distinct(_ key: String) -> String {
            let vs = Set(ran.compactMap { $0.runInfo[key] }).sorted()
            return vs.isEmpty ? "not recorded" : vs.joined(separator: "; ")
        }
        let versions = Set(ran.compactMap(\.codeVersion)).sorted()
        let machines = Set(ran.compactMap(\.machine)).sorted()
        let seconds = results.compactMap(\.seconds).reduce(0, +)
        let recipeHash = (try? study.recipe.hash()) ?? "unknown"
        let bases = Set(ran.compactMap(\.basePath)).sorted()
        out.append("| | |")
        out.append("|---|---|")
        out.append("| study file | `\(study.path)` |")
        out.append("| kind | \(study.kind.rawValue) |")
        out.append("| code version | \(versions.isEmpty ? "unknown" : versions.joined(separator: ", ")) |")
        out.append("| base model | recipe `\(recipeHash)`, overrides `\(study.recipeOverrides.serialized)`; checkpoint \(bases.isEmpty ? "not recorded" : bases.map { "`\(($0 as NSString).lastPathComponent)`" }.joined(separator: ", ")) |")
        out.append("| machine | \(machines.isEmpty ? "unknown" : machines.joined(separator: "; ")) |")
        let cores = Set(ran.compactMap(\.blasCore)).sorted()
        out.append("| OpenBLAS core | \(cores.isEmpty ? "not recorded" : cores.joined(separator: "; ")) |")
        out.append("| MiniLM kernels | \(distinct("kernel_path")) |")
        out.append("| toolchain, OS | \(distinct("toolchain")); \(distinct("os")) |")
        out.append("| threads per trial | \(Set(ran.compactMap(\.threads)).sorted().map(String.init).joined(separator: ", ").nonEmpty ?? "not recorded") |")
        out.append("| wall time (sum over trials) | \(String(format: "%.1f", seconds)) s |")
        out.append("| seeds | \(study.seeds.map(String.init).joined(separator: ", ")) |")
        out.append("| trials | \(results.count) (\(complete.count) complete) |")
        out.append("| training settings (every arm) | `\(JSONValue.object(study.train).serialized)` |")
        out.append("| evaluation | \(study.evaluation.suites.joined(separator: ", ")); n = \(study.evaluation.n) test problems per suite, k = \(study.evaluation.k)\(sampleTemperature()) |")
        if study.evaluation.k > 1 {
            // What majority voting over k samples adds to greedy decoding on the base model: the regime an
            // intrinsic reward that pulls the policy toward its own consensus works in.
            let gains = suites.compactMap { suite -> String? in
                guard let maj = StudyFindings.baseValue(results, suite, "maj_at_k"),
                      let greedy = StudyFindings.baseValue(results, suite, "accuracy") else { return nil }
                return "\(suite) \(Self.signed(100 * (maj - greedy), 1)) points"
            }
            if !gains.isEmpty {
                out.append("| base model self-consistency gain (maj@\(study.evaluation.k) − greedy, test) | \(gains.joined(separator: ", ")) |")
            }
        }
        out.append("")
        out.append("Each variant's resolved reward and every training setting that differs from the defaults (from the resolved trial config):")
        out.append("")
        out.append("| variant | control | reward (resolved options) | shaping | settings ≠ default | trial hashes |")
        out.append("|---|---|---|---|---|---|")
        let resolved = variantSettings()
        for v in study.variants {
            let hashes = results.filter { $0.variant == v.name }.map { $0.hash.isEmpty ? "—" : "`\($0.hash)`" }
            let r = resolved[v.name]
            let control = study.control(of: v.name).flatMap { $0 == v.name ? nil : $0 } ?? "—"
            out.append("| \(v.name)\(configMark(v.name)) | \(control) | \(r.map { "`\($0.reward)`" } ?? "—") | \(r?.shaping ?? "—") | \(r.map { $0.settings.isEmpty ? "none" : "`\($0.settings)`" } ?? "—") | \(hashes.joined(separator: " ")) |")
        }
        out.append("")
        return out
    }

    /// Per variant: the resolved reward spec, shaping and the settings that differ from `TrainConfig`'s
    /// defaults (seed and base excluded), from its first seed's resolved config.
    /// ", samples at τ = 0.8 (training at τ = 1.0)" from the evaluations the trials recorded (k > 1 only): the
    /// temperature of avg@k, pass@k and maj@k, which need not be the training temperature.
    func sampleTemperature() -> String {
        guard study.evaluation.k > 1 else { return "" }
        let taus = Set(complete.flatMap { r in r.eval.values.compactMap { $0["temperature"] } }.map { (Double(Float($0)) * 1000).rounded() / 1000 })
        guard !taus.isEmpty else { return "" }
        // The training temperature each variant resolves to (its override, the study's, the default).
        let train = Set(study.variants.map { v -> Double in
            let value = v.overrides.first { $0.key == "temperature" }?.value ?? study.train.first { $0.key == "temperature" }?.value
            if case let .number(t)? = value { return t }
            return TrainConfig().temperature
        })
        return ", samples at τ = \(taus.sorted().map { String($0) }.joined(separator: ", ")) (training samples at τ = \(train.sorted().map { String($0) }.joined(separator: ", ")))"
    }

    func variantSettings() -> [String: (reward: String, shaping: String, settings: String)] {
        guard let trials = try? study.trials(basePath: "base.safetensors") else { return [:] }
        var out: [String: (String, String, String)] = [:]
        for t in trials where out[t.variant] == nil {
            let config = t.config.resolved()
            var defaults = TrainConfig(base: "base.safetensors")
            defaults.seed = config.seed
            defaults.reward = config.reward
            guard let a = try? JSONValue.parse(Data(config.json().utf8)),
                  let b = try? JSONValue.parse(Data(defaults.resolved().json().utf8)),
                  case let .object(fields) = a else { continue }
            var differing: [(String, JSONValue)] = []
            for (key, value) in fields where !["reward", "shaping", "seed", "base"].contains(key) {
                if b[key]?.serialized != value.serialized { differing.append((key, value)) }
            }
            let shaping = config.shaping?.rawValue ?? "—"
            out[t.variant] = ((try? config.reward.json()) ?? config.reward.description, shaping,
                              differing.isEmpty ? "" : JSONValue.object(differing).serialized)
        }
        return out
    }

    // MARK: Results

    func resultTables(_ f: StudyFindings) -> [String] {
        var out = ["## Results", ""]
        let ns = suites.map { "\($0) \(f.evalNBySuite[$0] ?? f.evalN)" }.joined(separator: ", ")
        out.append("Final evaluation on the test split (problems per suite: \(ns)). SD: between seeds. Binomial SE: the noise one evaluation of n problems adds to each seed's value, √(p(1−p)/n). An arm whose seeds all agree has no interval (\"no spread\"), not a zero-width one.")
        out.append("")
        for metric in metrics {
            for suite in suites {
                out.append("### \(suite): \(Self.metricLabel(metric, study.evaluation.k))")
                out.append("")
                let base = f.base.first { $0.suite == suite && $0.metric == metric }?.value
                out.append("| variant | n | mean | 95% CI | SD | binomial SE | IQM | per seed | mean − base |")
                out.append("|---|---:|---:|---|---:|---:|---:|---|---:|")
                if let base {
                    out.append("| _base model, before training_ | — | \(Self.num(base)) | — | — | \(Self.proportionSE(metric, base, f.evalNBySuite[suite] ?? f.evalN)) | — | — | — |")
                }
                for a in f.arms where a.suite == suite && a.metric == metric {
                    guard a.n > 0 else {
                        out.append("| \(a.variant) | 0 | — | — | — | — | — | — | — |")
                        continue
                    }
                    let perSeed = a.perSeed.map { "\($0.seed): \(Self.num($0.value))" }.joined(separator: ", ")
                    let ci = a.noSpread ? "no spread" : Self.interval(a.ci)
                    out.append("| \(a.variant) | \(a.n) | \(Self.num(a.mean)) | \(ci) | \(Self.num(a.sd)) | \(Self.num(a.binomialSE)) | \(Self.num(a.iqm)) | \(perSeed) | \(Self.signed(a.minusBase)) |")
                }
                out.append("")
            }
        }
        return out
    }

    static func proportionSE(_ metric: String, _ p: Double, _ n: Int) -> String {
        guard StudyFindings.proportions.contains(metric), n > 0, p >= 0, p <= 1 else { return "—" }
        return num((p * (1 - p) / Double(n)).squareRoot())
    }

    // MARK: Comparisons

    func primarySection(_ f: StudyFindings) -> [String] {
        guard let c = study.comparison, !c.hypotheses.isEmpty else { return [] }
        var out = ["## Primary hypotheses", ""]
        out.append("Declared in the study file before it ran. Holm over these \(f.primary.count) only, α = \(Self.num(f.alpha, 2)); the corrected interval is at the level Holm applied to each; TOST tests equivalence within ±δ at the same correction; power is at δ (not at the observed effect) with the pooled SD below, at α/\(f.primary.count).")
        out.append("")
        out.append("| hypothesis | test (pair r) | n | difference [95% CI] | Holm-corrected interval | Holm p | δ | TOST Holm p | power at δ | seeds for 80% | verdict |")
        out.append("|---|---|---|---|---|---:|---:|---:|---:|---:|---|")
        for r in f.primary {
            out.append(Self.primaryRow(r, k: study.evaluation.k))
        }
        out.append("")
        let notes = f.primary.compactMap { r in r.reason.map { "- `\(r.variant)` vs `\(r.control)`, \(r.suite) \(r.metric)\(r.measure.map { " \($0)" } ?? ""): \($0)." } }
        if !notes.isEmpty { out += notes + [""] }
        return out
    }

    static func primaryRow(_ r: StudyFindings.Comparison, k: Int) -> String {
        let hypothesis = "`\(r.variant)` vs `\(r.control)`, \(r.suite) \(metricLabel(r.metric, k))\(r.measure.map { " \($0)" } ?? ""), \(alternativeText(r.alternative))"
        let test = r.test.map { t in t + (r.pairCorrelation.map { " (r = \(num($0, 2)))" } ?? "") } ?? "—"
        let corrected = r.corrected.map { "\(level($0.level)): \(interval($0))" } ?? "—"
        return "| \(hypothesis) | \(test) | \(r.n[0]) vs \(r.n[1]) | \(difference(r.difference, r.ci95)) | \(corrected) | \(pValue(r.adjustedP)) | \(num(r.smallestEffect)) | \(pValue(r.tostAdjustedP)) | \(num(r.power, 2)) | \(r.seedsFor80.map(String.init) ?? "—") | **\(verdictText(r))** |"
    }

    func exploratorySection(_ f: StudyFindings) -> [String] {
        guard study.comparison != nil else { return [] }
        var out = ["## Exploratory comparisons (uncorrected)", ""]
        if f.exploratory.isEmpty { return out + ["None: every variant-control pair is a primary hypothesis.", ""] }
        out.append("Every other variant against its control, per suite and metric. **Uncorrected** p-values over \(f.exploratory.count) rows: at α = \(Self.num(f.alpha, 2)) about \(Self.num(f.alpha * Double(f.exploratory.count), 1)) would come out \"higher\" or \"lower\" by chance alone. They describe; they do not conclude.")
        out.append("")
        out.append("| variant | control | suite | metric | test (pair r) | n | difference [95% CI] | effect | P(improvement) [95% CI] | p | robust test, p | TOST p (±δ) | reading |")
        out.append("|---|---|---|---|---|---|---|---|---|---:|---|---:|---|")
        for r in f.exploratory {
            let test = r.test.map { t in t + (r.pairCorrelation.map { " (r = \(Self.num($0, 2)))" } ?? "") } ?? "—"
            let effect = r.effectName.map { "\($0) = \(Self.num(r.effect, 2))" } ?? "—"
            let poi = r.improvement.map { "\(Self.num($0.probability, 2)) \(Self.interval($0.interval, 2))" }
                ?? (min(r.n[0], r.n[1]) < StudyFindings.minimumSeedsForImprovement ? "— (< \(StudyFindings.minimumSeedsForImprovement) seeds)" : "—")
            let robust = r.robustTest.map { "\($0), \(Self.pValue(r.robustP))" } ?? "—"
            let tost = r.smallestEffect.map { "\(Self.pValue(r.tostP)) (±\(Self.num($0)))" } ?? "—"
            var reading = Self.verdictText(r)
            if let reason = r.reason { reading += ": " + reason.replacingOccurrences(of: "|", with: "\\|") }
            out.append("| \(r.variant) | \(r.control) | \(r.suite) | \(Self.metricLabel(r.metric, study.evaluation.k)) | \(test) | \(r.n[0]) vs \(r.n[1]) | \(Self.difference(r.difference, r.ci95)) | \(effect) | \(poi) | \(Self.pValue(r.p)) | \(robust) | \(tost) | \(reading) |")
        }
        out.append("")
        return out
    }

    func powerSection(_ f: StudyFindings) -> [String] {
        guard study.comparison != nil, !f.pooledSD.isEmpty else { return [] }
        var out = ["## Between-seed variation", ""]
        let which = (study.comparison?.hypotheses.isEmpty ?? true) ? "this study's arms" : "the arms the primary hypotheses compare (an arm that collapses on some seeds would inflate it)"
        out.append("The between-seed SD pooled over \(which), √(Σ_arms Σ (x − arm mean)² / Σ_arms (n − 1)), with its degrees of freedom: what the power of each primary hypothesis and `ablate check --pilot \(study.name)` use.")
        out.append("")
        out.append("| suite | metric | pooled SD | df | arms |")
        out.append("|---|---|---:|---:|---:|")
        for p in f.pooledSD {
            out.append("| \(p.suite) | \(Self.metricLabel(p.metric, study.evaluation.k)) | \(Self.num(p.sd, 4)) | \(p.df.map(String.init) ?? "—") | \(p.arms) |")
        }
        out.append("")
        return out
    }

    func method() -> [String] {
        let c = study.comparison
        return [
            "## Method", "",
            "- Each trial is one process (`ablate train`) with its resolved config; results are read from `eval.json` (final evaluation, test split) and `metrics.jsonl` of `runs/\(study.name)/<variant>/seed-<n>/`. Only complete trials enter the statistics.",
            "- Per variant and suite: mean with its two-sided 95% t interval over seeds (none when every seed agrees), the between-seed SD, the binomial SE of one evaluation, the interquartile mean and every seed's value.",
            "- Comparisons (\(c.map { $0.paired ? "paired when both arms have the same seeds" : "independent samples" } ?? "none")): with matched seeds the paired t-test and the Wilcoxon signed-rank test (robustness; exact Wilcoxon cannot reach p < 0.05 two-sided below 6 pairs), effect d_z, and the Pearson correlation of the pairs; otherwise Welch's t-test and Mann–Whitney U, effect Hedges' g. A test whose statistic is undefined (no spread in the differences) has no p and counts as p = 1.",
            "- Primary hypotheses: declared in the study file. Holm over them only (α = \(Self.num(c?.alpha ?? 0.05, 2))). Verdict: better / worse when the Holm-corrected interval excludes 0 (the interval at the step-down level of each hypothesis: 1 − α/(m − j) at step j while Holm rejects, then the level of the first step that did not); equivalent within ±δ when TOST (two one-sided t-tests at ±δ, statsmodels `ttost_paired` / `ttost_ind` with Welch) rejects after Holm over the primaries; otherwise inconclusive. A difference that TOST also finds inside ±δ reads \"better, by less than δ\": real, and smaller than the smallest effect that matters. Power: noncentral t (numeric integration) at δ, σ the pooled between-seed SD (paired designs: SD of differences σ√2, i.e. uncorrelated seeds, conservative), α/m (Holm's first step).",
            "- Exploratory comparisons: every other variant against its control, uncorrected; \"higher\"/\"lower\" at p ≤ α describes, it does not conclude.",
            "- Probability of improvement: Mann–Whitney U/(n·m) (rliable), with a percentile bootstrap interval (\(StudyFindings.resamples) resamples, seed \(StudyFindings.bootstrapSeed)); only with at least \(StudyFindings.minimumSeedsForImprovement) seeds per arm.",
            "- Figures: mean over seeds per step with a 95% t band (the seeds' range below three seeds); dot plots show every seed.",
            "",
        ]
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
