import Foundation
import MiniLM
import RewardZoo
import Seeded
import Tasks

/// The bridge between the trainer (token ids) and RewardZoo (groups of signals and answer strings): builds one
/// `CompletionGroup` per prompt through `GroupBuilder` (the builder `ablate inspect` and `ablate analyze` use
/// too), scores and shapes it, and turns the shaped scores into advantages. Gold answers reach the group only
/// when the reward uses them; they always serve the monitoring metrics.
final class RewardScorer: RolloutScorer {
    let pipeline: RewardPipeline
    let scaling: AdvantageScaling
    let builder: GroupBuilder
    let seed: UInt64
    let request: RolloutSignalRequest
    /// Gold answers of the current step's prompts (set by the run before each step).
    var gold: [String] = []
    /// What the last `advantages` call saw and produced, for the metrics and the rollout log.
    private(set) var last: StepScores?

    struct StepScores {
        var texts: [String]
        /// Completion lengths in tokens (EOS included when it ended).
        var lengths: [Int]
        var answers: [String?]
        var correct: [Bool]
        var raw: [Double?]
        var shaped: [Double?]
        var advantages: [Double]
        /// Majority vote's label per prompt, when the reward is a majority vote (monitoring).
        var labels: [String?]
    }

    init(pipeline: RewardPipeline, scaling: AdvantageScaling, tokenizer: Tokenizer, seed: UInt64) {
        self.pipeline = pipeline
        self.scaling = scaling
        builder = GroupBuilder(tokenizer: tokenizer)
        self.seed = seed
        let needs = pipeline.needs
        request = RolloutSignalRequest(gradNormSubsets: needs.gradNormSubsets.sorted { $0.description < $1.description },
                                       extraSamples: needs.voteSamples)
    }

    func advantages(for rollouts: Rollouts) throws -> [Double] {
        let G = rollouts.groupSize, P = rollouts.prompts.count
        guard gold.count == P else {
            throw AblateError.run(reason: "the scorer holds \(gold.count) gold answers for a step of \(P) prompts (prompts and their answers must be drawn together)")
        }
        let completions = try rollouts.completions.map { try builder.completion($0.tokens) }
        let votes = try rollouts.extra.map { try builder.completion($0.tokens) }
        let extraPer = P > 0 ? votes.count / P : 0
        var raw: [Double?] = [], shaped: [[Double?]] = [], labels: [String?] = []
        for p in 0..<P {
            let range = (p * G)..<((p + 1) * G), voteRange = (p * extraPer)..<((p + 1) * extraPer)
            let group = try GroupBuilder.group(Array(completions[range]), signals: Array(rollouts.signals[range]), needs: pipeline.needs,
                                               votes: Array(votes[voteRange]), gold: gold[p],
                                               seed: StableHash.mix(seed ^ StableHash.hash("group-\(rollouts.step)-\(p)")),
                                               step: rollouts.step)
            let scores: (raw: [Double?], shaped: [Double?])
            do { scores = try pipeline.score(group) } catch {
                throw AblateError.rewardFailed(step: rollouts.step + 1, prompt: p, reason: "\(error)")
            }
            raw += scores.raw
            shaped.append(scores.shaped)
            labels.append(MajorityVote.label((completions[range] + votes[voteRange]).map(\.answer)))
        }
        let advantages = Advantages.compute(shaped, scaling: scaling).flatMap { $0 }
        let answers = completions.map(\.answer)
        let correct = (0..<(P * G)).map { answers[$0] != nil && answers[$0] == gold[$0 / G] }
        last = StepScores(texts: completions.map(\.text), lengths: completions.map(\.tokens.count), answers: answers, correct: correct, raw: raw,
                          shaped: shaped.flatMap { $0 }, advantages: advantages, labels: labels)
        return advantages
    }
}
