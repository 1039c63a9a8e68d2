import Foundation
import JSON
import MiniLM
import RewardZoo
import Seeded
import Testing

@testable import Ablate

/// Training, `ablate analyze` and `ablate inspect` take their signals from the runner's one `completionSignals`
/// and build their groups through the one `GroupBuilder`, so a completion is scored the same whichever of them
/// scores it.
@Suite struct ScoringConsistencyTests {
    /// Records the rollouts of a step (and asks for every gradient norm the rewards need); advantages are zero.
    final class RecordingScorer: RolloutScorer {
        let request: RolloutSignalRequest
        var seen: [Rollouts] = []
        init(subsets: [ParameterSubset]) { request = RolloutSignalRequest(gradNormSubsets: subsets) }
        func advantages(for rollouts: Rollouts) throws -> [Double] {
            seen.append(rollouts)
            return Array(repeating: 0, count: rollouts.completions.count)
        }
    }

    /// One GRPO step at τ = 0.8 with a teacher-forced forward (the sampling's own activations equal it only up to
    /// rounding); then every reward that builds with its default options scores the step's completions three
    /// ways: as the trainer's scorer does, as `ablate analyze` does (signals of a fresh inspector forward under the
    /// pre-step weights at the sampling temperature) and as `ablate inspect --rewards` does. Same group, same
    /// raw rewards, bit for bit.
    @Test func trainingAnalysisAndInspectScoreACompletionIdentically() throws {
        let tokenizer = try TaskVocabulary.tokenizer()
        let config = ModelConfig(vocabSize: tokenizer.vocabSize, contextLength: 48, layers: 2, heads: 2, dModel: 16, mlpHidden: 32)
        let model = try GPT(config: config, seed: 7)
        let before = model.copy()
        let names = RewardRegistry.names.filter { (try? RewardRegistry.spec(name: $0, options: [:])) != nil }
        let pipelines = try names.map { (label: $0, pipeline: try RewardPipeline(spec: try RewardRegistry.spec(name: $0, options: [:]), shaping: nil)) }
        let subsets = Array(pipelines.reduce(into: Set<ParameterSubset>()) { $0.formUnion($1.pipeline.needs.gradNormSubsets) })
            .sorted { $0.description < $1.description }
        #expect(names.contains("vigor") && names.contains("self_certainty") && names.contains("majority_vote") && !subsets.isEmpty)

        var grpo = GRPOConfig()
        grpo.groupSize = 4
        grpo.maxNewTokens = 10
        grpo.temperature = 0.8
        grpo.reuseSamplingActivations = false
        grpo.seed = 3
        let trainer = try GRPOTrainer(model: model, config: grpo, threads: 2)
        let texts = ["2+3=?\n", "7*2=?\n", "9-4=?\n"], golds = ["5", "14", "5"]
        let prompts = try texts.map { [Tokenizer.bos] + (try tokenizer.encode($0)) }
        let recorder = RecordingScorer(subsets: subsets)
        _ = try trainer.step(prompts: prompts, scorer: recorder)
        let rollouts = try #require(recorder.seen.first)
        let G = grpo.groupSize, seed: UInt64 = 11

        // Training: the trainer's scorer, one per reward, on the recorded rollouts.
        var training: [String: [Double?]] = [:]
        for (label, pipeline) in pipelines {
            let scorer = RewardScorer(pipeline: pipeline, scaling: .group, tokenizer: tokenizer, seed: seed)
            scorer.gold = golds
            _ = try scorer.advantages(for: rollouts)
            training[label] = try #require(scorer.last).raw
        }

        // Analysis: the same completions through a fresh inspector forward and `RewardAnalysis.rawScores`.
        let samples = rollouts.completions.enumerated().map { i, c in
            InspectSample(id: .number(Double(i)), promptIds: prompts[i / G], completionIds: c.tokens, gold: golds[i / G])
        }
        let inspector = Inspector(model: before, threads: 2, temperature: grpo.temperature)
        let signals = try inspector.completionSignals(samples, subsets: subsets)
        #expect(signals == rollouts.signals, "the runner's signals, whether the trainer or the inspector asks")
        let builder = GroupBuilder(tokenizer: tokenizer)
        let completions = try rollouts.completions.map { try builder.completion($0.tokens) }
        #expect(completions.map(\.truncated) == rollouts.completions.map(\.truncated), "truncated is the sampler's flag")
        var analysis: [String: [Double?]] = [:]
        for p in 0..<prompts.count {
            let range = (p * G)..<((p + 1) * G)
            let raw = try RewardAnalysis.rawScores(Array(completions[range]), signals: Array(signals[range]), pipelines: pipelines,
                                                   gold: golds[p], seed: StableHash.mix(seed ^ StableHash.hash("group-0-\(p)")))
            for (k, (label, _)) in pipelines.enumerated() { analysis[label, default: []] += raw[k] }
        }

        // Inspect: its groups are the samples with one prompt; its seed is its own, so `random` is left out.
        let inspection = try RewardInspection(names: names.filter { $0 != "random" }.joined(separator: ","))
        let inspected = try inspection.score(samples: samples, signals: signals, tokenizer: tokenizer)

        for (label, _) in pipelines {
            let t = try #require(training[label]), a = try #require(analysis[label])
            #expect(t.count == G * prompts.count)
            #expect(t.map { $0?.bitPattern } == a.map { $0?.bitPattern }, "\(label): training \(t) vs analysis \(a)")
            guard label != "random" else { continue }
            let i = inspected.map { line -> UInt64? in
                if case let .number(d)? = line[label]?["raw"] { return d.bitPattern }
                return nil
            }
            #expect(t.map { $0?.bitPattern } == i, "\(label): training vs inspect")
        }
    }
}
