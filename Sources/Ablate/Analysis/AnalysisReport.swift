import Foundation

/// The Markdown report of a reward-vs-correctness analysis: verdict first, then setup, separation per reward and
/// suite, length bias, the length spread that decides whether the length claim is testable, paired comparisons,
/// and the method. Deterministic: the same result gives the same bytes (fixed formatting, fixed order).
public enum AnalysisReport {
    static func f(_ x: Double, _ digits: Int = 3) -> String { x.isFinite ? String(format: "%.\(digits)f", x) : "–" }
    static func p(_ x: Double) -> String { x.isFinite ? (x < 1e-4 ? String(format: "%.1e", x) : String(format: "%.4f", x)) : "–" }

    /// The verdict on the paper's two claims, per suite, from the numbers (no claim is asserted beyond them).
    static func verdict(_ r: RewardAnalysis.Result) -> [String] {
        // The labels of vigor with √T and without correction, and of the random control, whatever the study calls them.
        func label(_ name: String, correction: String? = nil) -> String? {
            r.settings.rewards.first { reward in
                reward.spec.name == name && (correction.map { reward.spec.options["length_correction"] == .string($0) } ?? true)
            }?.label
        }
        let sqrtLabel = label("vigor", correction: "sqrt"), noneLabel = label("vigor", correction: "none"), randomLabel = label("random")
        var lines: [String] = []
        for suite in r.settings.suites {
            guard let sqrt = r.separations.first(where: { $0.suite == suite && $0.reward == sqrtLabel }) else { continue }
            let claim: String
            if sqrt.mixedGroups < 2 { claim = "too few mixed groups (\(sqrt.mixedGroups)) to test" }
            else if sqrt.aurocLow > 0.5 { claim = "**holds**: lower √T-corrected gradient norm goes with correctness (AUROC \(f(sqrt.auroc)) [\(f(sqrt.aurocLow)), \(f(sqrt.aurocHigh))])" }
            else if sqrt.aurocHigh < 0.5 { claim = "**does not hold, reversed**: correct completions have the *larger* corrected norm (AUROC \(f(sqrt.auroc)) [\(f(sqrt.aurocLow)), \(f(sqrt.aurocHigh))])" }
            else { claim = "**not shown**: AUROC \(f(sqrt.auroc)) [\(f(sqrt.aurocLow)), \(f(sqrt.aurocHigh))] includes 0.5" }
            var length = ""
            if let spread = r.spreads.first(where: { $0.suite == suite }),
               let none = r.separations.first(where: { $0.suite == suite && $0.reward == noneLabel }) {
                let share = Double(spread.constantLengthGroups) / Double(max(spread.groups, 1))
                if spread.meanWithinGroupSD < 0.5 || share > 0.8 {
                    length = "; the length claim is **not testable** here: \(spread.constantLengthGroups) of \(spread.groups) groups share one length (mean within-group SD \(f(spread.meanWithinGroupSD, 2)) tokens)"
                } else {
                    // The paper: without √T the mean token gradient shrinks with length, so long completions are
                    // favoured, i.e. ρ(reward, length) > 0 within a group.
                    let biased = none.withinGroupLengthRhoLow > 0
                    length = "; length bias without correction: within-group ρ(reward, length) = \(f(none.withinGroupLengthRho, 2)) [\(f(none.withinGroupLengthRhoLow, 2)), \(f(none.withinGroupLengthRhoHigh, 2))] over \(none.withinGroupLengthGroups) groups, so the claim that it favours long completions "
                        + (biased ? "**holds**" : (none.withinGroupLengthRhoHigh < 0 ? "**does not hold (it favours short ones)**" : "**is not shown**"))
                        + "; with √T, ρ = \(f(sqrt.withinGroupLengthRho, 2)) [\(f(sqrt.withinGroupLengthRhoLow, 2)), \(f(sqrt.withinGroupLengthRhoHigh, 2))]"
                }
            }
            var control = ""
            if let random = r.separations.first(where: { $0.suite == suite && $0.reward == randomLabel }) {
                control = " (The random control's AUROC, 0.5 in expectation: \(f(random.auroc)) [\(f(random.aurocLow)), \(f(random.aurocHigh))].)"
            }
            var beyond = ""
            for b in r.beyond where b.suite == suite {
                guard let partial = b.partial, let low = b.low, let high = b.high else { continue }
                let reading = low > 0 ? "adds information" : (high < 0 ? "ranks against correctness" : "adds nothing visible")
                beyond += " Beyond `\(b.given)`, `\(b.reward)` \(reading) (partial within-group r = \(f(partial)) [\(f(low)), \(f(high))])."
            }
            lines.append("- **\(suite)**: " + claim + length + "." + control + beyond)
        }
        return lines
    }

    public static func markdown(_ r: RewardAnalysis.Result, title: String, studyFile: String?, codeVersion: String, machine: String,
                                declared: [String] = []) -> String {
        let s = r.settings
        var out: [String] = ["# \(title)", ""]
        out.append("Does a reward computed from the model alone rank the correct completions of a prompt above the incorrect ones, and is it biased by completion length? Base model `\((s.checkpoint as NSString).lastPathComponent)`, \(s.suites.map { "\(r.problems[$0]?.count ?? s.promptCounts[$0] ?? s.prompts) \($0)" }.joined(separator: ", ")) test prompts × G = \(s.groupSize), no training.")
        out += ["", "## Verdict", ""] + verdict(r)
        if !declared.isEmpty { out += [""] + declared }
        out += ["", "## Setup", "",
                "| | |", "|---|---|",
                "| study | \(studyFile.map { "`\($0)`" } ?? "(command line)") |",
                "| checkpoint | `\(s.checkpoint)` |",
                "| suites | \(s.suites.joined(separator: ", ")) (test split, seed \(s.seed)) |",
                "| sampling | τ = \(f(Double(s.temperature), 2)), at most \(s.maxNewTokens) new tokens |",
                "| rewards | \(s.rewards.map(\.label).joined(separator: ", ")) (raw values, default options unless named) |",
                "| code version | `\(codeVersion)` |", "| machine | \(machine) |",
                "| wall time | \(f(r.seconds, 1)) s |", ""]
        out += ["## Base model on the sampled groups", "",
                "| suite | groups | accuracy | mean length | groups of one length | mean within-group SD of length |",
                "|---|---:|---:|---:|---:|---:|"]
        for sp in r.spreads {
            out.append("| \(sp.suite) | \(sp.groups) | \(f(100 * sp.accuracy, 1))% | \(f(sp.meanLength, 1)) | \(sp.constantLengthGroups) | \(f(sp.meanWithinGroupSD, 2)) |")
        }
        out += ["", "## Separation of correct from incorrect completions", "",
                "Within-group AUROC of each raw reward (correct vs incorrect, ties ½), averaged over the groups with both; 0.5 = no information, above 0.5 = the reward prefers correct completions. 95% percentile bootstrap intervals over groups (\(s.resamples) resamples).", "",
                "| suite | reward | mixed groups | AUROC | 95% CI | ρ(reward, length), all | p | ρ within groups [95% CI] (groups) |",
                "|---|---|---:|---:|---|---:|---:|---|"]
        for x in r.separations {
            out.append("| \(x.suite) | \(x.reward) | \(x.mixedGroups) | \(f(x.auroc)) | [\(f(x.aurocLow)), \(f(x.aurocHigh))] | \(f(x.lengthRho)) | \(p(x.lengthP)) | \(f(x.withinGroupLengthRho)) [\(f(x.withinGroupLengthRhoLow)), \(f(x.withinGroupLengthRhoHigh))] (\(x.withinGroupLengthGroups)) |")
        }
        out += ["", "## Paired comparisons of rewards", "",
                "Wilcoxon signed-rank test on the per-group AUROC differences (groups mixed for both), Holm-corrected within each suite.", "",
                "| suite | reward A | reward B | groups | mean AUROC A − B | p | Holm p |", "|---|---|---|---:|---:|---:|---:|"]
        for c in r.comparisons {
            out.append("| \(c.suite) | \(c.a) | \(c.b) | \(c.groups) | \(f(c.meanDifference)) | \(p(c.pvalue)) | \(p(c.holm)) |")
        }
        if !r.beyond.isEmpty {
            out += ["", "## Beyond another reward", "",
                    "Does a reward rank the correct completions of a group above the incorrect ones beyond what another reward already does? Over the groups with both (scored by both rewards): within-group rank correlations (ranks and correctness centred on each group's means, pooled), and the partial correlation of the reward with correctness given the other, with a 95% percentile bootstrap interval over groups (\(s.resamples) resamples). An interval around 0 means nothing visible is added.", "",
                    "| suite | reward | given | groups | r(reward, correct) | r(given, correct) | r(reward, given) | partial r(reward, correct \\| given) [95% CI] |",
                    "|---|---|---|---:|---:|---:|---:|---|"]
            for b in r.beyond {
                out.append("| \(b.suite) | \(b.reward) | \(b.given) | \(b.groups) | \(f(b.rewardCorrect ?? .nan)) | \(f(b.givenCorrect ?? .nan)) | \(f(b.rewardGiven ?? .nan)) | \(f(b.partial ?? .nan)) [\(f(b.low ?? .nan)), \(f(b.high ?? .nan))] |")
            }
        }
        out += ["", "## Method", "",
                "Each prompt's G completions are sampled with the KV cache at τ; one teacher-forced forward per chunk gives every completion's token log-probs, entropies and self-certainties, and the batched per-sample norms pass over the same activations gives ‖∇θ mean NLL‖₂ (all parameters). Each reward scores the group exactly as in training (`RewardPipeline`, raw values before shaping; vigor's truncated completions get the group's worst valid value − 10⁻³). Correctness is the task verifier's (`AnswerParser`), used only here, never by a reward. A length correction can only change a within-group ranking when the group's completions differ in length, so the length spread says where the length claim is testable. Statistics: `MannWhitney.commonLanguageEffect` (AUROC), `Bootstrap.interval` (percentile), `Correlation.spearman`, `Wilcoxon.test`, `MultipleComparisons.holm`.", ""]
        return out.joined(separator: "\n")
    }

    /// The figures (name, caption, SVG, tidy CSV): the within-group AUROC of each reward per suite with its
    /// interval, and each reward's within-group correlation with completion length.
    public static func figures(_ r: RewardAnalysis.Result) -> [(name: String, caption: String, svg: String, csv: String)] {
        let suites = r.settings.suites, labels = r.settings.rewards.map(\.label)
        func separation(_ suite: String, _ label: String) -> RewardAnalysis.Separation? {
            r.separations.first { $0.suite == suite && $0.reward == label }
        }
        var out: [(String, String, String, String)] = []
        let auroc = SVGChart(title: "Within-group AUROC, correct vs incorrect", xLabel: "suite (test prompts)",
                             yLabel: "AUROC of the raw reward (0.5 = no information)")
        let aurocSeries = labels.map { label in
            (name: label, points: suites.map { s -> (y: Double, low: Double, high: Double) in
                let x = separation(s, label)
                return (x?.auroc ?? .nan, x?.aurocLow ?? .nan, x?.aurocHigh ?? .nan)
            })
        }
        var csv = ["suite,reward,mixed_groups,auroc,ci_low,ci_high"]
        for s in suites { for l in labels { if let x = separation(s, l) {
            csv.append("\(s),\(l),\(x.mixedGroups),\(f(x.auroc, 6)),\(f(x.aurocLow, 6)),\(f(x.aurocHigh, 6))")
        } } }
        out.append(("auroc", "Within-group AUROC of each raw reward for correct vs incorrect completions, per suite (95% bootstrap CI over groups)",
                    auroc.intervals(categories: suites, series: aurocSeries, reference: 0.5, note: "whiskers: 95% CI over groups"),
                    csv.joined(separator: "\n") + "\n"))
        let length = SVGChart(title: "Correlation with completion length within groups", xLabel: "suite (test prompts)",
                              yLabel: "mean within-group Spearman ρ(reward, length)")
        let lengthSeries = labels.map { label in
            (name: label, points: suites.map { s -> (y: Double, low: Double, high: Double) in
                let x = separation(s, label)
                return (x?.withinGroupLengthRho ?? .nan, x?.withinGroupLengthRhoLow ?? .nan, x?.withinGroupLengthRhoHigh ?? .nan)
            })
        }
        var csv2 = ["suite,reward,groups,rho,ci_low,ci_high"]
        for s in suites { for l in labels { if let x = separation(s, l) {
            csv2.append("\(s),\(l),\(x.withinGroupLengthGroups),\(f(x.withinGroupLengthRho, 6)),\(f(x.withinGroupLengthRhoLow, 6)),\(f(x.withinGroupLengthRhoHigh, 6))")
        } } }
        out.append(("length", "Mean within-group Spearman correlation of each raw reward with completion length (95% t CI over groups whose lengths vary); > 0 favours long completions",
                    length.intervals(categories: suites, series: lengthSeries, reference: 0, note: "whiskers: 95% t CI over groups"),
                    csv2.joined(separator: "\n") + "\n"))
        return out
    }

    /// Writes `<dir>/<name>.md`, its figures and CSVs in `<dir>/<name>/`; returns the report path.
    /// Every sampling seed's within-group AUROC per suite and reward side by side, with the spread over seeds: a
    /// reward whose AUROC deviates from 0.5 the same way at every seed carries information; one that scatters
    /// around 0.5 (the random controls) does not.
    public static func acrossSeeds(_ results: [RewardAnalysis.Result]) -> [String] {
        guard results.count > 1, let first = results.first else { return [] }
        var out = ["## Across sampling seeds", "",
                   "Each sampling seed draws its own prompts' completions. Within-group AUROC [95% bootstrap CI over groups] per seed; the last column is the mean over seeds and their range.", "",
                   "| suite | reward | " + results.map { "seed \($0.settings.seed)" }.joined(separator: " | ") + " | mean [min, max] |",
                   "|---|---|" + String(repeating: "---|", count: results.count) + "---|"]
        for sep in first.separations {
            let cells = results.map { r -> (String, Double?) in
                guard let s = r.separations.first(where: { $0.suite == sep.suite && $0.reward == sep.reward }) else { return ("–", nil) }
                return ("\(f(s.auroc)) [\(f(s.aurocLow)), \(f(s.aurocHigh))]", s.auroc.isFinite ? s.auroc : nil)
            }
            let values = cells.compactMap(\.1)
            let summary = values.isEmpty ? "–" : "\(f(values.reduce(0, +) / Double(values.count))) [\(f(values.min() ?? .nan)), \(f(values.max() ?? .nan))]"
            out.append("| \(sep.suite) | \(sep.reward) | " + cells.map(\.0).joined(separator: " | ") + " | \(summary) |")
        }
        if !first.beyond.isEmpty {
            out += ["", "Partial within-group rank correlation with correctness of the reward given the other [95% bootstrap CI over groups], per sampling seed:", "",
                    "| suite | reward | given | " + results.map { "seed \($0.settings.seed)" }.joined(separator: " | ") + " | mean [min, max] |",
                    "|---|---|---|" + String(repeating: "---|", count: results.count) + "---|"]
            for b in first.beyond {
                let cells = results.map { r -> (String, Double?) in
                    guard let x = r.beyond.first(where: { $0.suite == b.suite && $0.reward == b.reward && $0.given == b.given }),
                          let v = x.partial else { return ("–", nil) }
                    return ("\(f(v)) [\(f(x.low ?? .nan)), \(f(x.high ?? .nan))]", v)
                }
                let values = cells.compactMap(\.1)
                let summary = values.isEmpty ? "–" : "\(f(values.reduce(0, +) / Double(values.count))) [\(f(values.min() ?? .nan)), \(f(values.max() ?? .nan))]"
                out.append("| \(b.suite) | \(b.reward) | \(b.given) | " + cells.map(\.0).joined(separator: " | ") + " | \(summary) |")
            }
        }
        return out + [""]
    }

    /// The declared hypotheses' section: the tests over problems pooled across every sampling seed (the primary),
    /// then, with several seeds, each seed tested alone on its own groups. Empty when the study declares none.
    static func declaredSection(_ design: Study.Analysis, results: [RewardAnalysis.Result]) throws -> [String] {
        guard !design.hypotheses.isEmpty, !results.isEmpty else { return [] }
        let delta = design.smallestEffect, alpha = design.alpha, m = design.hypotheses.count
        let pooled = try AnalysisHypotheses.test(design.hypotheses, on: results, delta: delta, alpha: alpha)
        let level = 100 * (1 - alpha / Double(m))
        let seeds = results.map { String($0.settings.seed) }.joined(separator: ", ")
        var out = ["## Declared hypotheses", "",
                   "Declared in the study file before it ran: does the reward's mean within-group AUROC differ from 0.5? A one-sample t-test against 0.5 over problems (a problem's value is the mean AUROC of its mixed groups over the sampling seeds \(seeds); seeds draw overlapping problems, so the problem is the independent unit), two-sided, Holm over the \(m) hypotheses at α = \(f(alpha, 2)). Smallest effect that matters δ = \(f(delta, 2)) (an AUROC of \(f(0.5 + delta, 2))); equivalence to chance by TOST within 0.5 ± δ, Holm-corrected alike. The interval is the t interval at 1 − α/m (\(f(level, 1))%). Power at δ is at α/m with this run's SD of a problem's AUROC and its number of problems.", "",
                   "| suite | reward | mixed groups | problems | AUROC | \(f(level, 1))% t interval | SD of a problem's AUROC | Holm p | TOST Holm p | verdict | power at δ |",
                   "|---|---|---:|---:|---:|---|---:|---:|---:|---|---:|"]
        for x in pooled {
            out.append("| \(x.suite) | \(x.reward) | \(x.groups) | \(x.units) | \(f(x.auroc)) | [\(f(x.low)), \(f(x.high))] | \(f(x.sd)) | \(p(x.holm)) | \(p(x.tostHolm)) | **\(x.verdict.rawValue)** | \(x.power.map { f($0, 2) } ?? "–") |")
        }
        if results.count > 1 {
            let each = try results.map { try AnalysisHypotheses.test(design.hypotheses, on: [$0], delta: delta, alpha: alpha) }
            out += ["", "Each sampling seed alone (its mixed groups as units, Holm over the \(m) on its own): AUROC, Holm p, verdict, power at δ.", "",
                    "| suite | reward | " + results.map { "seed \($0.settings.seed)" }.joined(separator: " | ") + " |",
                    "|---|---|" + String(repeating: "---|", count: results.count)]
            for (i, x) in pooled.enumerated() {
                let cells = each.map { seed in "\(f(seed[i].auroc)), \(p(seed[i].holm)), \(seed[i].verdict.rawValue), \(seed[i].power.map { f($0, 2) } ?? "–")" }
                out.append("| \(x.suite) | \(x.reward) | " + cells.joined(separator: " | ") + " |")
            }
        }
        return out
    }

    public static func write(_ r: RewardAnalysis.Result, name: String, notebooks dir: String, title: String, studyFile: String?,
                             codeVersion: String, machine: String, acrossSeeds results: [RewardAnalysis.Result] = [],
                             alongTraining along: AlongTraining.Result? = nil, design: Study.Analysis? = nil) throws -> String {
        let folder = "\(dir)/\(name)"
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw AblateError.io(path: folder, reason: "cannot create the figure folder (\(error.localizedDescription))")
        }
        let declared = try design.map { try declaredSection($0, results: results.isEmpty ? [r] : results) } ?? []
        var md = markdown(r, title: title, studyFile: studyFile, codeVersion: codeVersion, machine: machine, declared: declared)
        let across = acrossSeeds(results)
        if !across.isEmpty { md += "\n" + across.joined(separator: "\n") }
        if let along { md += "\n" + AlongTraining.markdown(along, settings: r.settings).joined(separator: "\n") }
        md += "\n## Figures\n\n"
        for fig in figures(r) {
            try RunStore.writeAtomically(text: fig.svg, to: "\(folder)/\(fig.name).svg")
            try RunStore.writeAtomically(text: fig.csv, to: "\(folder)/\(fig.name).csv")
            md += "![\(fig.caption)](\(name)/\(fig.name).svg)\n\n\(fig.caption) — data: [`\(fig.name).csv`](\(name)/\(fig.name).csv)\n\n"
        }
        if let along {
            for fig in AlongTraining.figures(along, settings: r.settings) {
                try RunStore.writeAtomically(text: fig.svg, to: "\(folder)/\(fig.name).svg")
                md += "![\(fig.caption)](\(name)/\(fig.name).svg)\n\n\(fig.caption) — data: [`along-training.csv`](\(name)/along-training.csv)\n\n"
            }
            try RunStore.writeAtomically(text: AlongTraining.csv(along), to: "\(folder)/along-training.csv")
        }
        md += "Per-group AUROCs: [`group_auroc.csv`](\(name)/group_auroc.csv); every completion with its raw rewards: [`completions.csv`](\(name)/completions.csv).\n"
        try RunStore.writeAtomically(text: groupCSV(r), to: "\(folder)/group_auroc.csv")
        try RunStore.writeAtomically(text: rowsCSV(r), to: "\(folder)/completions.csv")
        let path = "\(dir)/\(name).md"
        try RunStore.writeAtomically(text: md, to: path)
        return path
    }

    /// The tidy CSV of per-group AUROCs behind the separation table: suite, reward, prompt, auroc.
    public static func groupCSV(_ r: RewardAnalysis.Result) -> String {
        var lines = ["suite,reward,prompt,auroc"]
        for x in r.separations {
            for (prompt, a) in x.perGroup.sorted(by: { $0.key < $1.key }) { lines.append("\(x.suite),\(x.reward),\(prompt),\(f(a, 6))") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The tidy CSV of completions: suite, prompt, length, truncated, correct, and one raw-reward column per label.
    public static func rowsCSV(_ r: RewardAnalysis.Result) -> String {
        let labels = r.settings.rewards.map(\.label)
        var lines = ["suite,prompt,length,truncated,correct," + labels.joined(separator: ",")]
        for row in r.rows {
            let values = labels.map { l in (row.raw[l] ?? nil).map { String(format: "%.6g", $0) } ?? "" }
            lines.append("\(row.suite),\(row.prompt),\(row.length),\(row.truncated),\(row.correct)," + values.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
