import MiniLM

/// One prompt's group of G completions as a reward sees it. Arrays are indexed by completion in sampling order.
///
/// RewardZoo never sees tasks: answers arrive as canonical strings extracted by the trainer. Only the signals
/// some configured reward declared in its `SignalNeeds` are filled; the others are absent (or nil, or empty).
public struct CompletionGroup: Sendable {
    /// T_i: completion tokens, EOS included when finished; 0 = empty.
    public var tokenCounts: [Int]
    /// Stopped by the length limit before EOS.
    public var truncated: [Bool]
    /// Canonical extracted answers; nil = no answer.
    public var answers: [String?]
    /// Answers of the extra vote-only completions (majority vote's budget), [] if none. Never trained on.
    public var voteAnswers: [String?]
    /// Canonical gold answer; the trainer fills it only when some reward uses gold.
    public var gold: String?
    /// The per-token signals (`Signal.tokenSignals`), keyed by signal: [i][t], t over completion tokens
    /// (count == tokenCounts[i]).
    public var tokenSignals: [Signal: [[Double]]]
    /// Per completion gradient norms, one array per requested parameter subset.
    public var gradNorms: [ParameterSubset: [Double]]
    /// Unique per (run seed, step, group): stochastic rewards draw from it.
    public var seed: UInt64
    /// 0-based training step (for the test-only `fault` reward).
    public var step: Int

    /// G, the number of trained completions.
    public var count: Int { tokenCounts.count }

    /// `answers` defaults to G nils and `truncated` to G falses when not given.
    public init(tokenCounts: [Int], truncated: [Bool]? = nil, answers: [String?]? = nil, voteAnswers: [String?] = [],
                gold: String? = nil, tokenSignals: [Signal: [[Double]]] = [:], gradNorms: [ParameterSubset: [Double]] = [:],
                seed: UInt64 = 0, step: Int = 0) {
        self.tokenCounts = tokenCounts
        self.truncated = truncated ?? Array(repeating: false, count: tokenCounts.count)
        self.answers = answers ?? Array(repeating: nil, count: tokenCounts.count)
        self.voteAnswers = voteAnswers
        self.gold = gold
        self.tokenSignals = tokenSignals
        self.gradNorms = gradNorms
        self.seed = seed
        self.step = step
    }

    /// Checks that every array present has one entry per completion (and per token for token signals), and that
    /// only per-token signals are keyed as such.
    public func validate() throws {
        let g = count
        func check(_ what: String, _ n: Int) throws {
            if n != g { throw RewardZooError.malformedGroup("\(what) has \(n) entries for \(g) completions") }
        }
        try check("truncated", truncated.count)
        try check("answers", answers.count)
        for t in tokenCounts where t < 0 { throw RewardZooError.malformedGroup("negative token count \(t)") }
        for (signal, values) in tokenSignals.sorted(by: { $0.key < $1.key }) {
            guard signal.tokenStatistic != nil else {
                throw RewardZooError.malformedGroup("\(signal.rawValue) is not a per-token signal")
            }
            try check(signal.rawValue, values.count)
            for (i, row) in values.enumerated() where row.count != tokenCounts[i] {
                throw RewardZooError.malformedGroup("\(signal.rawValue)[\(i)] has \(row.count) values for \(tokenCounts[i]) tokens")
            }
        }
        for (subset, norms) in gradNorms { try check("grad_norm[\(subset)]", norms.count) }
    }

    /// A per-token signal a reward declared, or an error naming the reward and the signal.
    public func tokenSignal(_ signal: Signal, for reward: String) throws -> [[Double]] {
        guard let values = tokenSignals[signal], values.count == count else {
            throw RewardZooError.missingSignal(reward: reward, signal: signal.rawValue)
        }
        return values
    }

    /// Gradient norms for a subset a reward declared, or an error naming the reward and the subset.
    public func gradNorms(_ subset: ParameterSubset, for reward: String) throws -> [Double] {
        guard let norms = gradNorms[subset], norms.count == count else {
            throw RewardZooError.missingSignal(reward: reward, signal: "grad_norm[\(subset)]")
        }
        return norms
    }
}
