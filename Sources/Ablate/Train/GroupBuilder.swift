import MiniLM
import RewardZoo
import Tasks

/// The one place where completions and their signals become `CompletionGroup`s. Training (`RewardScorer`),
/// `ablate inspect` (`RewardInspection`) and `ablate analyze` (`RewardAnalysis`) all build their groups here, so a
/// completion with the same signals gets the same reward whichever of them scores it:
///
/// - **Text and answer**: the completion's token ids decoded with the special tokens (PAD, BOS, EOS) skipped,
///   and `AnswerParser.parse` of that text.
/// - **Truncated**: the completion does not end with EOS. For a sampled completion that is exactly the sampler's
///   `Generation.truncated` (sampling stops at EOS or at the length limit); for given token ids it is the only
///   evidence there is.
/// - **Signals**: exactly what the reward declares in its `SignalNeeds`: each declared per-token signal is its
///   runner statistic (`Signal.tokenStatistic`) as Double, each declared gradient-norm subset its norms, the
///   answers only when `.answers` is declared, the gold answer only for a reward that uses gold. A signal the
///   runner did not compute stays out of the group, and the reward then names what it misses.
public struct GroupBuilder: Sendable {
    public let tokenizer: Tokenizer

    public init(tokenizer: Tokenizer) { self.tokenizer = tokenizer }

    /// A completion as every scorer reads it.
    public struct Completion: Sendable, Equatable {
        /// The completion's token ids, EOS last when it ended.
        public let tokens: [Int32]
        /// The decoded text (special tokens skipped).
        public let text: String
        /// The canonical final answer; nil = none.
        public let answer: String?
        /// Stopped before EOS (by the length limit, or given without it).
        public var truncated: Bool { tokens.last != Tokenizer.eos }
    }

    /// Decodes and parses one completion; an id outside the vocabulary is an error.
    public func completion(_ tokens: [Int32]) throws -> Completion {
        let text = try tokenizer.decode(tokens)
        return Completion(tokens: tokens, text: text, answer: AnswerParser.parse(text))
    }

    /// The group of `completions` (their runner signals in `signals`, in the same order) holding what `needs`
    /// declares. `votes`: vote-only completions (majority vote's budget); `gold`: the prompt's gold answer, put in
    /// only when `needs.usesGold`; `seed` and `step` as the rewards read them.
    public static func group(_ completions: [Completion], signals: [GPTRunner.CompletionSignals], needs: SignalNeeds,
                             votes: [Completion] = [], gold: String? = nil, seed: UInt64, step: Int = 0) throws -> CompletionGroup {
        guard signals.count == completions.count else {
            throw AblateError.run(reason: "a group of \(completions.count) completions with signals for \(signals.count)")
        }
        var group = CompletionGroup(tokenCounts: completions.map(\.tokens.count), truncated: completions.map(\.truncated),
                                    voteAnswers: votes.map(\.answer), gold: needs.usesGold ? gold : nil, seed: seed, step: step)
        if needs.signals.contains(.answers) { group.answers = completions.map(\.answer) }
        for signal in needs.sortedSignals {
            guard let statistic = signal.tokenStatistic else { continue }
            let values = signals.compactMap { $0.statistics[statistic]?.map(Double.init) }
            if values.count == completions.count { group.tokenSignals[signal] = values }
        }
        for subset in needs.gradNormSubsets {
            let norms = signals.compactMap { $0.gradNorms[subset] }
            if norms.count == completions.count { group.gradNorms[subset] = norms }
        }
        return group
    }
}
