import MiniLM

/// The signals a reward can ask for. Raw values are permanent: they appear in `ablate rewards`, configs and
/// results on disk. Every per-token signal is computed on logits divided by the sampling temperature τ
/// (docs/REFERENCE.md, "Self-certainty": ours is aligned, logits ÷ τ), over the completion tokens, EOS included.
public enum Signal: String, CaseIterable, Codable, Sendable, Comparable {
    /// log p_t(y_t) at the sampling temperature, per completion token.
    case tokenLogProbs = "token_logprobs"
    /// H_t = logsumexp(z_t/τ) − Σ_j p_t(j) z_t(j)/τ, per completion token.
    case tokenEntropies = "token_entropy"
    /// sc_t = logsumexp(z_t/τ) − mean_j z_t(j)/τ, per completion token.
    case tokenSelfCertainties = "self_certainty"
    /// Per completion ‖∇θ_S mean-token NLL‖₂ on raw logits (no temperature), for a parameter subset S.
    case gradNorm = "grad_norm"
    /// Extracted final answers (canonical strings; nil = no answer).
    case answers = "answers"

    /// Declaration order, so sets of signals print in a stable order.
    private var order: Int {
        switch self {
        case .tokenLogProbs: return 0
        case .tokenEntropies: return 1
        case .tokenSelfCertainties: return 2
        case .gradNorm: return 3
        case .answers: return 4
        }
    }

    public static func < (lhs: Signal, rhs: Signal) -> Bool { lhs.order < rhs.order }

    /// The runner's token statistic a per-token signal is (nil for the per-completion signals). This mapping is
    /// all that joins a new per-token signal to training, `ablate inspect` and `ablate analyze`: the runner
    /// computes every statistic, and the one group builder puts a signal in a group when a reward declares it.
    public var tokenStatistic: GPTRunner.TokenStatistic? {
        switch self {
        case .tokenLogProbs: return .logProb
        case .tokenEntropies: return .entropy
        case .tokenSelfCertainties: return .selfCertainty
        case .gradNorm, .answers: return nil
        }
    }

    /// The per-token signals, in declaration order.
    public static var tokenSignals: [Signal] { allCases.filter { $0.tokenStatistic != nil } }
}
