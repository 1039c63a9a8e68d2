import Foundation
import MiniLM
import RewardZoo
import Seeded
import Statistics
import Tasks

/// Reward-vs-correctness without training (the `kind: analysis` study): sample G completions for each of N test
/// prompts per suite from a checkpoint, compute every signal once, score each group with each reward, and measure
/// how well each raw reward separates correct from incorrect completions of the same prompt (the paper's claim
/// that a lower gradient norm goes with correctness) and how it correlates with completion length (the claim that
/// without √T the reward is length-biased).
public struct RewardAnalysis {
    public struct Settings: Sendable {
        public var checkpoint = ""
        public var suites = TaskRegistry.names
        /// Prompts per suite (distinct test problems); `promptCounts` overrides it per suite.
        public var prompts = 300
        public var promptCounts: [String: Int] = [:]
        /// G, completions per prompt.
        public var groupSize = 8
        public var temperature: Float = 1
        public var maxNewTokens = 96
        public var seed: UInt64 = 1
        /// (label, spec): the rewards to score with, each under its own label (e.g. vigor-none).
        public var rewards: [(label: String, spec: RewardSpec)] = []
        public var threads = 2
        /// Bootstrap resamples of the AUROC intervals.
        public var resamples = 2000
        /// (reward, given) label pairs: the within-group partial rank correlation of `reward` with correctness given
        /// `given` (`PartialAssociation`).
        public var beyond: [(reward: String, given: String)] = []
        public init() {}

        /// The default analysis: every built-in reward that needs no gold answer and no required option, in registry
        /// order, a reward with a `length_correction` option once per correction (`vigor-none`, `vigor-sqrt`, …).
        public static func defaultRewards() throws -> [(label: String, spec: RewardSpec)] {
            var out: [(String, RewardSpec)] = []
            for type in RewardRegistry.builtIn where !type.usesGold && type.options.allSatisfy({ $0.defaultValue != nil }) {
                if let option = type.options.first(where: { $0.name == "length_correction" }), case let .choice(corrections) = option.kind {
                    for c in corrections {
                        out.append(("\(type.name)-\(c)", try RewardRegistry.spec(name: type.name, options: [option.name: c])))
                    }
                } else {
                    out.append((type.name, try RewardRegistry.spec(name: type.name, options: [:])))
                }
            }
            return out
        }
    }

    /// One sampled completion with its raw reward under each label.
    public struct Row: Sendable {
        public var suite: String
        public var prompt: Int
        public var length: Int
        public var truncated: Bool
        public var correct: Bool
        public var raw: [String: Double?]
    }

    /// Per suite and reward.
    public struct Separation: Sendable {
        public var suite: String
        public var reward: String
        /// Groups with both a correct and an incorrect completion.
        public var mixedGroups: Int
        /// Mean within-group AUROC of the raw reward (correct vs incorrect; ties ½) over the mixed groups, with a
        /// percentile bootstrap interval over groups.
        public var auroc: Double
        public var aurocLow: Double
        public var aurocHigh: Double
        /// Spearman ρ of the raw reward with completion length over every completion, and its p-value.
        public var lengthRho: Double
        public var lengthP: Double
        /// Mean within-group Spearman ρ with length, over groups whose lengths and rewards both vary.
        public var withinGroupLengthRho: Double
        /// 95% t interval of that mean over groups.
        public var withinGroupLengthRhoLow: Double
        public var withinGroupLengthRhoHigh: Double
        public var withinGroupLengthGroups: Int
        /// The per-group AUROCs (for paired comparisons), keyed by prompt index.
        public var perGroup: [Int: Double]
    }

    /// Length spread of one suite's groups: can a length correction change a within-group rank at all?
    public struct LengthSpread: Sendable {
        public var suite: String
        public var groups: Int
        /// Groups whose completions all have one length (no correction can reorder them).
        public var constantLengthGroups: Int
        /// Mean within-group standard deviation of the completion length (tokens).
        public var meanWithinGroupSD: Double
        public var meanLength: Double
        public var accuracy: Double
    }

    /// A paired comparison of two rewards' within-group AUROCs on the groups mixed for both.
    public struct Comparison: Sendable {
        public var suite: String
        public var a: String, b: String
        public var groups: Int
        public var meanDifference: Double
        public var pvalue: Double
        public var holm: Double
    }

    public struct Result: Sendable {
        public var settings: Settings
        public var rows: [Row]
        public var separations: [Separation]
        public var spreads: [LengthSpread]
        public var comparisons: [Comparison]
        public var beyond: [PartialAssociation] = []
        public var seconds: Double
        /// Per suite, the identity of the problem behind each prompt index (`Problem.identity`): sampling seeds draw
        /// overlapping problems, and `AnalysisHypotheses` pools a problem's groups over seeds by it.
        public var problems: [String: [String]] = [:]
    }

    public let settings: Settings
    public init(settings: Settings) { self.settings = settings }

    public func run(progress: (String) -> Void = { _ in }) throws -> Result {
        let start = Date()
        let s = settings
        guard FileManager.default.fileExists(atPath: s.checkpoint) else { throw AblateError.missingCheckpoint(path: s.checkpoint) }
        let contents = try Checkpoint.load(path: s.checkpoint)
        let overrides = try EvaluationSettings(checkpoint: contents, path: s.checkpoint).familyOverrides
        let families = try PretrainRecipe.families(overrides: overrides)
        let pipelines = try s.rewards.map { (label: $0.label, pipeline: try RewardPipeline(spec: $0.spec, shaping: nil)) }
        let subsets = Array(pipelines.reduce(into: Set<ParameterSubset>()) { $0.formUnion($1.pipeline.needs.gradNormSubsets) })
            .sorted { $0.description < $1.description }
        let builder = GroupBuilder(tokenizer: contents.tokenizer)
        let sampler = Sampler(model: contents.model, threads: s.threads)
        // The signals at the sampling temperature, as training computes them.
        let inspector = Inspector(model: contents.model, threads: s.threads, temperature: s.temperature)
        var rows: [Row] = []
        var identities: [String: [String]] = [:]
        for suite in s.suites {
            guard let family = families.first(where: { $0.name == suite }) else { throw AblateError.unknownSuite(name: suite, valid: TaskRegistry.names) }
            let problems = try family.problems(count: s.promptCounts[suite] ?? s.prompts, split: .test, seed: s.seed,
                                               allowFewer: true)  // a small split is taken whole
            identities[suite] = problems.map(\.identity)
            let prompts = try problems.map { [Tokenizer.bos] + (try builder.tokenizer.encode($0.prompt)) }
            let jobs = prompts.flatMap { Array(repeating: $0, count: s.groupSize) }
            let gens = try sampler.generate(prompts: jobs, options: SamplingOptions(
                temperature: s.temperature, maxNewTokens: s.maxNewTokens, seed: s.seed ^ StableHash.hash("analysis-\(suite)")))
            let samples = zip(jobs, gens).map { InspectSample(id: .null, promptIds: $0.0, completionIds: $0.1.tokens) }
            let signals = try inspector.completionSignals(samples, subsets: subsets)
            let completions = try gens.map { try builder.completion($0.tokens) }
            for (p, problem) in problems.enumerated() {
                let range = (p * s.groupSize)..<((p + 1) * s.groupSize)
                let group = Array(completions[range])
                let raw = try Self.rawScores(group, signals: Array(signals[range]), pipelines: pipelines, gold: problem.answer,
                                             seed: StableHash.mix(s.seed ^ StableHash.hash("analysis-\(suite)-\(p)")))
                for (j, c) in group.enumerated() {
                    var values: [String: Double?] = [:]
                    for (k, (label, _)) in pipelines.enumerated() { values[label] = raw[k][j] }
                    rows.append(Row(suite: suite, prompt: p, length: c.tokens.count, truncated: c.truncated,
                                    correct: c.answer != nil && c.answer == problem.answer, raw: values))
                }
            }
            progress("\(suite): \(problems.count) prompts × \(s.groupSize) completions scored")
        }
        var result = Result(settings: s, rows: rows, separations: [], spreads: [], comparisons: [], seconds: 0)
        result.problems = identities
        try summarize(&result)
        result.seconds = Date().timeIntervalSince(start)
        return result
    }

    /// The raw rewards of one sampled group under each pipeline (`[pipeline][completion]`), its groups built by
    /// `GroupBuilder` as in training: the same completions with the same signals and seed score the same here as
    /// in a trial.
    static func rawScores(_ completions: [GroupBuilder.Completion], signals: [GPTRunner.CompletionSignals],
                          pipelines: [(label: String, pipeline: RewardPipeline)], gold: String?, seed: UInt64) throws -> [[Double?]] {
        try pipelines.map { _, pipeline in
            try pipeline.score(try GroupBuilder.group(completions, signals: signals, needs: pipeline.needs, gold: gold, seed: seed)).raw
        }
    }

    /// The statistics of `result.rows`: separations, length spreads and paired comparisons (all from the
    /// existing statistics functions).
    func summarize(_ result: inout Result) throws {
        let s = settings
        for suite in s.suites {
            let suiteRows = result.rows.filter { $0.suite == suite }
            let groups = Dictionary(grouping: suiteRows, by: \.prompt).sorted { $0.key < $1.key }
            // Length spread.
            var constant = 0, sds: [Double] = []
            for (_, g) in groups {
                let lengths = g.map { Double($0.length) }
                if Set(g.map(\.length)).count == 1 { constant += 1 }
                sds.append(lengths.count > 1 ? (try? Descriptive.sd(lengths)) ?? 0 : 0)
            }
            result.spreads.append(LengthSpread(
                suite: suite, groups: groups.count, constantLengthGroups: constant, meanWithinGroupSD: TrainRun.mean(sds),
                meanLength: TrainRun.mean(suiteRows.map { Double($0.length) }),
                accuracy: TrainRun.mean(suiteRows.map { $0.correct ? 1 : 0 })))
            for (label, _) in s.rewards {
                var perGroup: [Int: Double] = [:], withinRho: [Double] = []
                for (p, g) in groups {
                    let scored = g.compactMap { r in (r.raw[label] ?? nil).map { (value: $0, row: r) } }
                    let right = scored.filter(\.row.correct).map(\.value), wrong = scored.filter { !$0.row.correct }.map(\.value)
                    if !right.isEmpty, !wrong.isEmpty, let a = try? MannWhitney.commonLanguageEffect(right, wrong) { perGroup[p] = a }
                    if let rho = LengthCorrelation.withinGroup(rewards: scored.map(\.value), lengths: scored.map(\.row.length)) {
                        withinRho.append(rho)
                    }
                }
                let aurocs = perGroup.sorted { $0.key < $1.key }.map(\.value)
                var low = Double.nan, high = Double.nan
                if aurocs.count >= 2 {
                    let ci = try Bootstrap.interval(aurocs, statistic: TrainRun.mean, method: .percentile, resamples: s.resamples,
                                                    seed: UInt(truncatingIfNeeded: s.seed))
                    low = ci.low
                    high = ci.high
                }
                let rhoCI = withinRho.count >= 2 ? try? Descriptive.meanConfidenceInterval(withinRho) : nil
                let pairs = suiteRows.compactMap { r in (r.raw[label] ?? nil).map { ($0, Double(r.length)) } }
                let pooled = pairs.count >= 3 ? try? Correlation.spearman(pairs.map(\.0), pairs.map(\.1)) : nil
                result.separations.append(Separation(
                    suite: suite, reward: label, mixedGroups: aurocs.count, auroc: TrainRun.mean(aurocs), aurocLow: low, aurocHigh: high,
                    lengthRho: pooled?.statistic ?? .nan, lengthP: pooled?.pvalue ?? .nan,
                    withinGroupLengthRho: TrainRun.mean(withinRho), withinGroupLengthRhoLow: rhoCI?.low ?? .nan,
                    withinGroupLengthRhoHigh: rhoCI?.high ?? .nan, withinGroupLengthGroups: withinRho.count, perGroup: perGroup))
            }
            // Paired comparisons of every pair of rewards on the groups mixed for both (Wilcoxon signed-rank).
            let mine = result.separations.filter { $0.suite == suite }
            var comparisons: [Comparison] = []
            for i in 0..<mine.count {
                for j in (i + 1)..<mine.count {
                    let shared = Set(mine[i].perGroup.keys).intersection(mine[j].perGroup.keys).sorted()
                    guard shared.count >= 2 else { continue }
                    let x = shared.compactMap { mine[i].perGroup[$0] }, y = shared.compactMap { mine[j].perGroup[$0] }
                    let p = (try? Wilcoxon.test(x, y).pvalue) ?? .nan
                    comparisons.append(Comparison(suite: suite, a: mine[i].reward, b: mine[j].reward, groups: shared.count,
                                                  meanDifference: TrainRun.mean(zip(x, y).map { $0 - $1 }), pvalue: p, holm: .nan))
                }
            }
            let finite = comparisons.indices.filter { comparisons[$0].pvalue.isFinite }
            if !finite.isEmpty, let adjusted = try? MultipleComparisons.holm(finite.map { comparisons[$0].pvalue }) {
                for (k, i) in finite.enumerated() { comparisons[i].holm = adjusted.adjusted[k] }
            }
            result.comparisons += comparisons
            for (reward, given) in s.beyond {
                result.beyond.append(PartialAssociation(suite: suite, reward: reward, given: given, rows: suiteRows,
                                                        resamples: s.resamples, seed: s.seed))
            }
        }
    }
}
