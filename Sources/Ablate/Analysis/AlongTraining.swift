import Foundation
import JSON
import Statistics

/// The reward analysis along training: the within-group AUROC of each reward on the policies a train study's
/// trials passed through (`analysis.along_training`). Training sharpens the policy it rewards, so a signal that
/// separated correct from incorrect completions of the base model may stop doing so on the trained one; this
/// measures it, per trial seed, at the steps the study names.
public enum AlongTraining {
    /// One policy to score: a trial's seed, the step and the checkpoint file.
    public struct Policy: Sendable, Equatable {
        public var seed: Int
        public var step: Int
        public var path: String
    }

    /// The within-group AUROC at one step, over the trial seeds.
    public struct Cell: Sendable {
        public var suite: String
        public var reward: String
        public var step: Int
        /// (trial seed, AUROC, groups with both correct and incorrect completions), in seed order.
        public var perSeed: [(seed: Int, auroc: Double, mixedGroups: Int)]
        public var mean: Double
        /// The 95% t interval of the mean over trial seeds (nil with fewer than 2 finite seeds).
        public var low: Double?
        public var high: Double?
    }

    public struct Result: Sendable {
        public var spec: Study.AlongTrainingSpec
        public var seeds: [Int]
        public var cells: [Cell]
        /// Sampled accuracy of each step's completions per suite (mean over seeds): how far the policy moved.
        public var accuracy: [String: [Int: Double]]
    }

    /// The checkpoint of every complete trial of `spec.variant` at each step. A trial is read through the store's
    /// verified link; a complete trial without a step's checkpoint is an error that names the file and the key
    /// that saves it. Throws when no trial is complete.
    public static func policies(_ spec: Study.AlongTrainingSpec, store: RunStore) throws -> [Policy] {
        let variantDir = "\(store.studyDirectory(spec.study))/\(spec.variant)"
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: variantDir) } catch {
            throw AblateError.run(reason: "along_training: no trials of \(spec.study)/\(spec.variant) at \(variantDir) (run `ablate run studies/\(spec.study).yaml` first)")
        }
        let seeds = entries.compactMap { name -> Int? in
            guard name.hasPrefix("seed-") else { return nil }
            return Int(name.dropFirst(5))
        }.sorted()
        var out: [Policy] = []
        for seed in seeds {
            let trial = TrialResult.read(link: "\(variantDir)/seed-\(seed)", store: store, variant: spec.variant, seed: seed)
            guard trial.state == .complete else { continue }
            let dir = store.trialDirectory(hash: trial.hash)
            guard let data = FileManager.default.contents(atPath: TrialFile.config.path(in: dir)),
                  let file = try? JSONValue.parse(data), let body = file["config"] else {
                throw AblateError.unreadableFile(path: TrialFile.config.path(in: dir), reason: "no readable `config` object")
            }
            let config = try TrainConfig.resolve(json: body)
            for step in spec.steps {
                guard step <= config.maxSteps else {
                    throw AblateError.run(reason: "along_training: step \(step) is past \(spec.study)/\(spec.variant)/seed-\(seed)'s max_steps \(config.maxSteps)")
                }
                let path = step == 0 ? config.base
                    : step == config.maxSteps ? TrialFile.model.path(in: dir)
                    : TrainRun.path(dir, TrialFile.stepModel(step))
                guard FileManager.default.fileExists(atPath: path) else {
                    if step > 0 && step < config.maxSteps {
                        throw AblateError.run(reason: "along_training: \(path) is missing: \(spec.study)/\(spec.variant)/seed-\(seed) did not save its policy at step \(step) (its train block needs `checkpoint_steps: [\(step)]`)")
                    }
                    throw AblateError.missingCheckpoint(path: path)
                }
                out.append(Policy(seed: seed, step: step, path: path))
            }
        }
        guard !out.isEmpty else {
            throw AblateError.run(reason: "along_training: no complete trial of \(spec.study)/\(spec.variant) under \(variantDir)")
        }
        return out
    }

    /// Scores every checkpoint with `settings` (its `checkpoint` replaced); a policy shared by several trials
    /// (step 0: their common base model) is sampled once.
    public static func run(_ spec: Study.AlongTrainingSpec, store: RunStore, settings: RewardAnalysis.Settings,
                           progress: (String) -> Void) throws -> Result {
        let policies = try policies(spec, store: store)
        var byPath: [String: RewardAnalysis.Result] = [:]
        var scored: [(Policy, RewardAnalysis.Result)] = []
        for c in policies {
            if let done = byPath[c.path] {
                scored.append((c, done))
                continue
            }
            progress("along training: \(spec.study)/\(spec.variant)/seed-\(c.seed) at step \(c.step)")
            var s = settings
            s.checkpoint = c.path
            let r = try RewardAnalysis(settings: s).run(progress: progress)
            byPath[c.path] = r
            scored.append((c, r))
        }
        return summarize(spec, scored: scored.map { (seed: $0.0.seed, step: $0.0.step, result: $0.1) }, settings: settings)
    }

    /// The per-step means and intervals of already scored checkpoints.
    public static func summarize(_ spec: Study.AlongTrainingSpec, scored: [(seed: Int, step: Int, result: RewardAnalysis.Result)],
                                 settings: RewardAnalysis.Settings) -> Result {
        let seeds = Array(Set(scored.map(\.seed))).sorted()
        var cells: [Cell] = []
        var accuracy: [String: [Int: Double]] = [:]
        for suite in settings.suites {
            for step in spec.steps {
                let atStep = scored.filter { $0.step == step }.sorted { $0.seed < $1.seed }
                let accs = atStep.compactMap { x in x.result.spreads.first { $0.suite == suite }?.accuracy }.filter(\.isFinite)
                if !accs.isEmpty { accuracy[suite, default: [:]][step] = accs.reduce(0, +) / Double(accs.count) }
            }
            for (label, _) in settings.rewards {
                for step in spec.steps {
                    let perSeed = scored.filter { $0.step == step }.sorted { $0.seed < $1.seed }.compactMap { x -> (Int, Double, Int)? in
                        guard let sep = x.result.separations.first(where: { $0.suite == suite && $0.reward == label }) else { return nil }
                        return (x.seed, sep.auroc, sep.mixedGroups)
                    }
                    let values = perSeed.map(\.1).filter(\.isFinite)
                    let mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
                    // Step 0 of trials that share their base: one policy, the same number for every seed.
                    let distinct = Set(values).count > 1
                    let ci = values.count > 1 && distinct ? try? Descriptive.meanConfidenceInterval(values) : nil
                    cells.append(Cell(suite: suite, reward: label, step: step, perSeed: perSeed.map { (seed: $0.0, auroc: $0.1, mixedGroups: $0.2) },
                                      mean: mean, low: ci?.low, high: ci?.high))
                }
            }
        }
        return Result(spec: spec, seeds: seeds, cells: cells, accuracy: accuracy)
    }

    // MARK: Report

    static func f(_ x: Double, _ digits: Int = 3) -> String { x.isFinite ? String(format: "%.\(digits)f", x) : "–" }

    /// The report's section: per suite and reward, the mean AUROC at each step with its interval over trial seeds.
    public static func markdown(_ r: Result, settings: RewardAnalysis.Settings) -> [String] {
        let steps = r.spec.steps
        var out = ["## Along training: \(r.spec.study)/\(r.spec.variant)", "",
                   "The same analysis on the policies of `\(r.spec.study)`'s `\(r.spec.variant)` trials (\(r.seeds.count) seeds: \(r.seeds.map(String.init).joined(separator: ", "))) at steps \(steps.map(String.init).joined(separator: ", ")) (step 0 is their base model), one sampling seed (\(settings.seed)). Within-group AUROC, mean over trial seeds [95% t interval]; a policy that every trial shares (the base) has no interval. Mixed groups (both correct and incorrect completions) shrink as a policy sharpens: their mean count is in parentheses.", "",
                   "| suite | reward | " + steps.map { "step \($0)" }.joined(separator: " | ") + " |",
                   "|---|---|" + String(repeating: "---|", count: steps.count)]
        for suite in settings.suites {
            for (label, _) in settings.rewards {
                let row = steps.map { step -> String in
                    guard let c = r.cells.first(where: { $0.suite == suite && $0.reward == label && $0.step == step }), c.mean.isFinite else { return "–" }
                    let groups = c.perSeed.isEmpty ? 0 : c.perSeed.map(\.mixedGroups).reduce(0, +) / c.perSeed.count
                    let interval = c.low.map { lo in " [\(f(lo)), \(f(c.high ?? .nan))]" } ?? ""
                    return "\(f(c.mean))\(interval) (\(groups))"
                }
                out.append("| \(suite) | \(label) | " + row.joined(separator: " | ") + " |")
            }
        }
        out += ["", "Sampled accuracy of the scored completions (mean over trial seeds):", "",
                "| suite | " + steps.map { "step \($0)" }.joined(separator: " | ") + " |",
                "|---|" + String(repeating: "---|", count: steps.count)]
        for suite in settings.suites {
            out.append("| \(suite) | " + steps.map { r.accuracy[suite]?[$0].map { f($0) } ?? "–" }.joined(separator: " | ") + " |")
        }
        return out + [""]
    }

    /// One figure per suite: AUROC against step, a line per reward with its band over trial seeds.
    static func figures(_ r: Result, settings: RewardAnalysis.Settings) -> [(name: String, caption: String, svg: String)] {
        settings.suites.map { suite in
            let chart = SVGChart(title: "Within-group AUROC along training (\(suite))", xLabel: "training step of \(r.spec.study)/\(r.spec.variant)",
                                 yLabel: "AUROC of the raw reward (0.5 = no information)")
            let series = settings.rewards.map { (label, _) in
                SVGChart.Series(name: label, points: r.spec.steps.compactMap { step in
                    guard let c = r.cells.first(where: { $0.suite == suite && $0.reward == label && $0.step == step }), c.mean.isFinite else { return nil }
                    return (Double(step), c.mean, c.low ?? c.mean, c.high ?? c.mean)
                })
            }
            // Step 0 is the base model every trial starts from: one value per reward, so no band there.
            let shared = r.spec.steps.first == 0 ? "; step 0 is the base model all trials share, one value without a band" : ""
            return ("along-training-\(suite)",
                    "Within-group AUROC of each raw reward on \(suite) along training of \(r.spec.study)/\(r.spec.variant) (mean over \(r.seeds.count) trial seeds, band: 95% t interval\(shared))",
                    chart.lines(series, bandNote: "bands: 95% t CI over trial seeds" + (shared.isEmpty ? "" : "\nstep 0: the shared base model"),
                                reference: (0.5, "no information")))
        }
    }

    /// The tidy CSV behind the section and figures: one row per suite, reward, step and trial seed.
    static func csv(_ r: Result) -> String {
        var lines = ["suite,reward,step,seed,auroc,mixed_groups"]
        for c in r.cells { for s in c.perSeed { lines.append("\(c.suite),\(c.reward),\(c.step),\(s.seed),\(f(s.auroc, 6)),\(s.mixedGroups)") } }
        return lines.joined(separator: "\n") + "\n"
    }
}
