import Foundation
import MiniLM
import RewardZoo
import Seeded
import Tasks

/// The bridge between the trainer (token ids) and RewardZoo (groups of signals and answer strings): decodes each
/// completion, extracts its answer with the task parser, builds one `CompletionGroup` per prompt with exactly
/// the signals the reward declares, scores and shapes it, and turns the shaped scores into advantages. Gold
/// answers reach the group only when the reward uses them; they always serve the monitoring metrics.
final class RewardScorer: RolloutScorer {
    let pipeline: RewardPipeline
    let scaling: AdvantageScaling
    let tokenizer: Tokenizer
    let seed: UInt64
    let request: RolloutSignalRequest
    /// Gold answers of the current step's prompts (set by the run before each step).
    var gold: [String] = []
    /// What the last `advantages` call saw and produced, for the metrics and the rollout log.
    private(set) var last: StepScores?

    struct StepScores {
        var texts: [String]
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
        self.tokenizer = tokenizer
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
        let needs = pipeline.needs
        func text(_ g: Generation) -> String {
            // The completion's text without EOS; a token the tokenizer cannot decode would be a model bug.
            (try? tokenizer.decode(g.tokens.filter { $0 != Tokenizer.eos })) ?? ""
        }
        let texts = rollouts.completions.map(text)
        let answers = texts.map { AnswerParser.parse($0) }
        let extraPer = P > 0 ? rollouts.extra.count / P : 0
        let extraAnswers = rollouts.extra.map { AnswerParser.parse(text($0)) }
        var raw: [Double?] = [], shaped: [[Double?]] = [], labels: [String?] = []
        for p in 0..<P {
            let range = (p * G)..<((p + 1) * G)
            var group = CompletionGroup(
                tokenCounts: range.map { rollouts.completions[$0].tokens.count },
                truncated: range.map { rollouts.completions[$0].truncated },
                answers: Array(answers[range]),
                voteAnswers: Array(extraAnswers[(p * extraPer)..<((p + 1) * extraPer)]),
                gold: needs.usesGold ? gold[p] : nil,
                seed: StableHash.mix(seed ^ StableHash.hash("group-\(rollouts.step)-\(p)")),
                step: rollouts.step)
            if needs.signals.contains(.tokenLogProbs) { group.tokenLogProbs = range.map { rollouts.logProbs[$0].map(Double.init) } }
            if needs.signals.contains(.tokenEntropies) { group.tokenEntropies = range.map { rollouts.entropies[$0].map(Double.init) } }
            if needs.signals.contains(.tokenSelfCertainties) {
                group.tokenSelfCertainties = range.map { rollouts.selfCertainties[$0].map(Double.init) }
            }
            for (subset, norms) in rollouts.gradNorms { group.gradNorms[subset] = Array(norms[range]) }
            let scores: (raw: [Double?], shaped: [Double?])
            do { scores = try pipeline.score(group) } catch {
                throw AblateError.rewardFailed(step: rollouts.step + 1, prompt: p, reason: "\(error)")
            }
            raw += scores.raw
            shaped.append(scores.shaped)
            labels.append(MajorityVote.label(Array(answers[range]) + group.voteAnswers))
        }
        let advantages = Advantages.compute(shaped, scaling: scaling).flatMap { $0 }
        let correct = (0..<(P * G)).map { answers[$0] != nil && answers[$0] == gold[$0 / G] }
        last = StepScores(texts: texts, answers: answers, correct: correct, raw: raw, shaped: shaped.flatMap { $0 },
                          advantages: advantages, labels: labels)
        return advantages
    }
}
