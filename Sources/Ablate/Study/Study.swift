import Foundation
import JSON
import Statistics

/// A study: a grid of trials (variants × seeds) on one base model, and the comparisons to report.
/// Parsed and fully validated from a YAML file by `Study.load(path:)` (Study+Parsing.swift).
public struct Study: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Variants × seeds GRPO trials (`ablate train`).
        case train
        /// Score groups sampled from one checkpoint with several rewards, no training (reward vs correctness).
        case analysis
    }

    /// The file's base name without extension: names `runs/<name>/` and `notebooks-md/<name>.md`.
    public var name: String
    /// The path the study was read from (as given).
    public var path: String
    public var kind: Kind
    public var description: String
    /// The base-model recipe (defaults with the file's `base_model:` overrides) and those overrides as written.
    public var recipe: PretrainRecipe
    public var recipeOverrides: JSONValue
    /// `train:` merged with `evaluation:` (eval_suites, eval_n, eval_k): what every trial starts from.
    public var train: [(key: String, value: JSONValue)]
    public var evaluation: Evaluation
    /// Seeds, in file order (distinct).
    public var seeds: [Int]
    /// Variants in file order (the report sorts nothing the file ordered; names are unique).
    public var variants: [Variant]
    public var comparison: Comparison?
    public var analysis: Analysis?
    /// A tuning study's declared choice (`selection:`, Selection.swift): nil for every other study.
    public var selection: Selection? = nil
    /// The transfer ratios a study reports (`transfer:`); nil = none.
    public var transfer: Transfer? = nil

    public struct Evaluation: Sendable, Equatable {
        public var suites: [String]
        public var n: Int
        public var k: Int
    }

    /// A named partial override of the train keys (`reward` replaces the whole reward object).
    public struct Variant: Sendable {
        public var name: String
        public var overrides: [(key: String, value: JSONValue)]
        /// The variant this one is compared with (`control:` in its mapping); nil = `comparisons.control`.
        public var control: String? = nil
    }

    public enum Correction: String, Sendable, CaseIterable {
        case holm, bh
    }

    /// Which comparisons the report makes. The declared `hypotheses` are the primary comparisons (Holm over
    /// them only, verdicts better / worse / equivalent / inconclusive); every other variant against its control
    /// on each metric and suite is exploratory (uncorrected).
    public struct Comparison: Sendable, Equatable {
        /// The control of every variant that names none of its own.
        public var control: String
        /// `eval.json` suite fields (`accuracy`, `pass_at_k`, ...): the exploratory comparisons and the results
        /// tables (hypothesis metrics are added).
        public var metrics: [String]
        /// Paired tests over matched seeds (the default); false: independent-sample tests.
        public var paired: Bool
        /// The correction over the primary hypotheses (Holm; the exploratory rows are uncorrected).
        public var correction: Correction
        public var alpha: Double
        /// Metric → the smallest difference that matters (δ): the equivalence margin ±δ and the effect at which
        /// power is computed. Every hypothesis metric has one.
        public var smallestEffect: [String: Double] = [:]
        /// Declared between-seed SDs for planning (`sd: {accuracy: 0.02}` or per suite `{accuracy: {arith: 0.02}}`):
        /// metric → suite → SD, `*` for every suite. Used when no pilot study is given.
        public var sd: [String: [String: Double]] = [:]
        /// The primary comparisons, in file order.
        public var hypotheses: [Hypothesis] = []
        /// A seed has collapsed when its final value is more than this below the base model's (`collapse:
        /// {below_base: 0.10}`): what `test: collapse` hypotheses count.
        public var collapseBelowBase: Double? = nil
        /// Planning collapse rates for arms a pilot does not have (`collapse: {below_base: 0.10, planned_rates:
        /// {vigor_zscore_lr3e-4: 0.5}}`): the expected share of seeds that collapse, declared with its reasons
        /// in the study file; a pilot's observed rate comes first.
        public var plannedCollapseRates: [String: Double] = [:]

        /// The declared SD of `metric` on `suite`, if any.
        public func declaredSD(_ metric: String, _ suite: String) -> Double? {
            sd[metric].flatMap { $0[suite] ?? $0["*"] }
        }

        /// The `eval.json` per-suite fields a comparison may name.
        public static let metricNames = ["accuracy", "avg_at_k", "maj_at_k", "mean_length", "pass_at_k",
                                         "truncated", "unparsable"]
    }

    /// A primary comparison: `variant` against `control` on one suite and metric, with the direction the study
    /// expects (`two-sided` unless it declares one).
    public struct Hypothesis: Sendable, Equatable, Codable {
        public var variant: String
        public var control: String
        public var suite: String
        public var metric: String
        /// The direction expected of the tested quantity: the mean difference, the collapse rate or the spread.
        public var alternative: Alternative
        public var test: HypothesisTest = .mean
    }

    /// What a primary hypothesis compares between two arms (`test:` in the study file).
    public enum HypothesisTest: String, Sendable, Codable, CaseIterable {
        /// The mean over seeds (paired or Welch t): better / worse / equivalent within ±δ / inconclusive.
        case mean
        /// The collapse rate: the share of seeds whose final value falls more than `collapse.below_base` below the
        /// base model's (Fisher's exact test; lower is better; `alternative: less` expects the variant to collapse
        /// less). Equivalence is not tested.
        case collapse
        /// The between-seed spread of the final value (Brown–Forsythe, two-sided; lower is better).
        case spread
    }

    /// The control `variant` is compared with: its own `control:`, else the study's.
    public func control(of variant: String) -> String? {
        variants.first { $0.name == variant }?.control ?? comparison?.control
    }

    /// A `kind: analysis` study: groups sampled from `checkpoint`, scored by each reward (no training).
    public struct Analysis: Sendable {
        /// "base" (the study's base model) or a checkpoint path.
        public var checkpoint: String
        /// Prompts per suite, in file order.
        public var prompts: [(suite: String, count: Int)]
        public var numGenerations: Int
        public var temperature: Double
        public var maxCompletionLength: Int
        /// Label → reward spec (a label, since one reward appears with several options).
        public var rewards: [(label: String, spec: JSONValue)]
        /// Pairs of reward labels (`beyond: [{reward: vigor_sqrt, given: trajectory_logprob}]`): does `reward`
        /// rank correct completions above incorrect ones beyond what `given` already does? (Within-group partial
        /// rank correlation with correctness.)
        public var beyond: [(reward: String, given: String)] = []
        /// `along_training: {study: headline, variant: vigor, steps: [0, 150, 300]}`: the same analysis on the
        /// policies of a train study's trials at those steps (0 = their base model, max_steps = the final policy,
        /// steps between = their `checkpoint_steps`), one sampling seed (the study's first), every complete seed.
        public var alongTraining: AlongTrainingSpec? = nil
        /// Declared hypotheses (`hypotheses: [{reward: vigor_sqrt, suite: arith}]`, at most three): "this reward's
        /// mean within-group AUROC on this suite differs from 0.5", tested by `AnalysisHypotheses` with Holm over
        /// them, at `alpha`, with `smallestEffect` (an AUROC distance from 0.5) for power and equivalence to chance.
        public var hypotheses: [AnalysisHypothesis] = []
        public var smallestEffect = 0.05
        public var alpha = 0.05
        /// The between-group SD of one group's AUROC that plans the power when no pilot is given (`sd:`).
        public var sd: Double? = nil
    }

    /// One declared hypothesis of an analysis study: a reward label and a suite of its `prompts`.
    public struct AnalysisHypothesis: Sendable, Equatable {
        public var reward: String
        public var suite: String
        public init(reward: String, suite: String) {
            self.reward = reward
            self.suite = suite
        }
    }

    /// Where the policies of an along-training analysis come from (`Analysis.alongTraining`).
    public struct AlongTrainingSpec: Sendable, Equatable {
        public var study: String
        public var variant: String
        public var steps: [Int]
        public init(study: String, variant: String, steps: [Int]) {
            self.study = study
            self.variant = variant
            self.steps = steps
        }
    }
}

// MARK: - Grid

/// One trial of a study: a variant at a seed, its resolved config and identity.
public struct TrialSpec: Sendable {
    public var variant: String
    public var seed: Int
    public var config: TrainConfig
    /// `TrainConfig.hash`: the trial's identity (shared with any study that resolves to the same config).
    public var hash: String
    /// `<variant>/seed-<n>`, relative to `runs/<study>/`.
    public var relativeDirectory: String { "\(variant)/seed-\(seed)" }
    /// `variant/seed-n`, the name `--force` takes.
    public var label: String { relativeDirectory }
}

extension Study {
    /// The trials of a train study, variants in file order, seeds in file order within each.
    /// - Parameter basePath: the base checkpoint path every config gets (`BaseModelCache.path(for: recipe)`).
    public func trials(basePath: String) throws -> [TrialSpec] {
        guard kind == .train else { return [] }
        var out: [TrialSpec] = []
        for variant in variants {
            for seed in seeds {
                var merged = train
                for (k, v) in variant.overrides { Self.set(&merged, k, v) }
                Self.set(&merged, "seed", .number(Double(seed)))
                Self.set(&merged, "base", .string(basePath))
                let resolved: (config: TrainConfig, hash: String)
                do { resolved = try TrialConfig.resolve(merged, source: "\(path): variants.\(variant.name), seed \(seed)") } catch {
                    throw AblateError.study(path: path, line: 1, column: 1,
                                            message: "variant '\(variant.name)' seed \(seed) does not resolve: \(error)")
                }
                out.append(TrialSpec(variant: variant.name, seed: seed, config: resolved.config, hash: resolved.hash))
            }
        }
        return out
    }

    /// The scoring jobs of an analysis study: one per seed and suite.
    public var analysisPlan: [(seed: Int, suite: String, prompts: Int, completions: Int)] {
        guard let analysis else { return [] }
        return seeds.flatMap { seed in
            analysis.prompts.map { (seed, $0.suite, $0.count, $0.count * analysis.numGenerations) }
        }
    }

    static func set(_ pairs: inout [(key: String, value: JSONValue)], _ key: String, _ value: JSONValue) {
        if let i = pairs.firstIndex(where: { $0.key == key }) { pairs[i].value = value } else { pairs.append((key, value)) }
    }
}
