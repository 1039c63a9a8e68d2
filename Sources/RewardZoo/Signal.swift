import MiniLM

/// The signals a reward can ask for. Raw values are permanent: they appear in `ablate rewards` and configs.
public enum Signal: String, CaseIterable, Codable, Sendable, Comparable {
    /// log p(y_t) at the sampling temperature, per completion token.
    case tokenLogProbs = "token_logprobs"
    /// H_t = logsumexp(z/τ) − Σ p·z/τ, per completion token.
    case tokenEntropies = "token_entropy"
    /// sc_t = logsumexp(z/τ) − mean(z/τ), per completion token (INTUITOR, aligned, REFERENCE.md).
    case tokenSelfCertainties = "self_certainty"
    /// Per completion ‖∇θ_S mean-token NLL‖₂ on raw logits.
    case gradNorm = "grad_norm"
    /// Extracted final answers.
    case answers = "answers"

    public static func < (a: Signal, b: Signal) -> Bool { a.rawValue < b.rawValue }
}

/// What a configured reward needs the trainer to compute; a composite needs the union of its parts.
public struct SignalNeeds: Equatable, Sendable {
    public var signals: Set<Signal>
    /// Non-empty exactly when `signals` contains `.gradNorm`.
    public var gradNormSubsets: Set<ParameterSubset>
    /// Extra completions per prompt sampled only for voting (0 = none).
    public var voteSamples: Int
    public var usesGold: Bool

    public init(signals: Set<Signal> = [], gradNormSubsets: Set<ParameterSubset> = [], voteSamples: Int = 0, usesGold: Bool = false) {
        self.signals = signals
        self.gradNormSubsets = gradNormSubsets
        self.voteSamples = voteSamples
        self.usesGold = usesGold
    }

    public static let none = SignalNeeds()

    /// Both needs at once; the vote budget is the larger one.
    public func union(_ other: SignalNeeds) -> SignalNeeds {
        SignalNeeds(signals: signals.union(other.signals), gradNormSubsets: gradNormSubsets.union(other.gradNormSubsets),
                    voteSamples: max(voteSamples, other.voteSamples), usesGold: usesGold || other.usesGold)
    }
}

/// One prompt's group of G completions as a reward sees it. Arrays are indexed by completion, in sampling order.
/// RewardZoo knows nothing of tasks: answers arrive as canonical strings extracted by the caller.
public struct CompletionGroup: Sendable {
    /// T_i: completion tokens, EOS included when the completion finished; 0 = empty.
    public var tokenCounts: [Int]
    /// Stopped by the length limit before EOS.
    public var truncated: [Bool]
    /// Canonical extracted answers; nil = no answer.
    public var answers: [String?]
    /// Answers of the extra vote-only completions (majority vote's budget); empty without one.
    public var voteAnswers: [String?]
    /// The canonical gold answer; the trainer fills it only when some reward uses gold labels.
    public var gold: String?
    /// [i][t] over completion tokens (count == tokenCounts[i]), present when requested.
    public var tokenLogProbs: [[Double]]?
    public var tokenEntropies: [[Double]]?
    public var tokenSelfCertainties: [[Double]]?
    /// Per parameter subset, per completion: ‖∇θ_S mean-token NLL‖₂.
    public var gradNorms: [ParameterSubset: [Double]]
    /// Unique per (run seed, step, group): stochastic rewards draw from it.
    public var seed: UInt64
    /// 0-based training step.
    public var step: Int

    public var count: Int { tokenCounts.count }

    public init(tokenCounts: [Int], truncated: [Bool]? = nil, answers: [String?]? = nil, voteAnswers: [String?] = [],
                gold: String? = nil, tokenLogProbs: [[Double]]? = nil, tokenEntropies: [[Double]]? = nil,
                tokenSelfCertainties: [[Double]]? = nil, gradNorms: [ParameterSubset: [Double]] = [:], seed: UInt64 = 0,
                step: Int = 0) {
        self.tokenCounts = tokenCounts
        self.truncated = truncated ?? Array(repeating: false, count: tokenCounts.count)
        self.answers = answers ?? Array(repeating: nil, count: tokenCounts.count)
        self.voteAnswers = voteAnswers
        self.gold = gold
        self.tokenLogProbs = tokenLogProbs
        self.tokenEntropies = tokenEntropies
        self.tokenSelfCertainties = tokenSelfCertainties
        self.gradNorms = gradNorms
        self.seed = seed
        self.step = step
    }

    /// A per-token signal the reward declared, checked for shape.
    func perToken(_ signal: Signal, _ values: [[Double]]?, reward: String) throws -> [[Double]] {
        guard let values, values.count == count else { throw RewardZooError.missingSignal(reward: reward, signal: signal.rawValue) }
        return values
    }
}

/// Mean or sum of a per-token signal over one completion: the one place the sequence value of a token signal is
/// formed (rewards, `ablate inspect`, the evaluator).
public enum SignalMeans {
    /// The mean; 0 for an empty completion (it has no tokens to be confident or uncertain about).
    public static func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : sum(values) / Double(values.count) }
    public static func sum(_ values: [Double]) -> Double { values.reduce(0, +) }
}

/// TTRL's majority vote: the one implementation (the reward, the evaluator's maj@k and the metrics call it).
public enum MajorityVote {
    /// The most frequent non-nil answer; ties go to the answer that appears first; nil when no completion answered.
    public static func label(_ answers: [String?]) -> String? {
        var counts: [String: Int] = [:], first: [String: Int] = [:]
        for (i, a) in answers.enumerated() {
            guard let a else { continue }
            counts[a, default: 0] += 1
            if first[a] == nil { first[a] = i }
        }
        var best: String? = nil
        for (a, n) in counts {
            guard let b = best else { best = a; continue }
            let nb = counts[b] ?? 0
            if n > nb || (n == nb && (first[a] ?? 0) < (first[b] ?? 0)) { best = a }
        }
        return best
    }
}
