import MiniLM

/// `vigor` (VIGOR, ZJUSCL/VIGOR `_compute_gradient_kl_reward`): a completion that fits the current policy needs a
/// small update, so r_i = −‖∇θ_S mean_t NLL(y_t)‖₂ · c(T_i), teacher forced on raw logits under the current
/// parameters, with the length correction c(T) = √T (`sqrt`, the paper's), 1 (`none`) or T (`linear`): the mean
/// of T token gradients shrinks like 1/√T, so without it long completions are favoured.
///
/// Range (−∞, 0]; higher is better. A truncated or empty completion gets (the worst valid reward of the group −
/// 1e-3), and −20 when no completion of the group is valid. The reference code takes the worst of the batch;
/// under rank shaping (the default) the group gives the same ranks. Optional focal weighting (off: λ = 0):
/// r_i · H̄_i^λ with the completion's mean token entropy. Ties in the rank shaping go by sampling order.
public struct GradientNormReward: IntrinsicReward {
    public static let name = "vigor"
    public static let summary = "VIGOR: −‖∇θ mean NLL‖₂ · √T of the completion itself (smaller gradient = better fit)"
    public static let defaultShaping = Shaping.rank
    public static let options = [
        RewardOption("length_correction", .choice(["none", "sqrt", "linear"]), default: .string("sqrt"),
                     help: "c(T) in −‖g‖·c(T): 1, √T (the paper's) or T"),
        RewardOption("params", .subset, default: .string("all"),
                     help: "parameters of the gradient: all, lm_head, or last:K (the last K blocks, ln_f and lm_head)"),
        RewardOption("focal_lambda", .double(0...10), default: .double(0),
                     help: "focal entropy weighting r·H̄^λ (0 = off; the paper's optional λ = 0.1)"),
    ]

    let correction: String
    let subset: ParameterSubset
    let lambda: Double

    public init(options: RewardOptions) throws {
        correction = options.string("length_correction")
        subset = options.subset("params")
        lambda = options.double("focal_lambda")
    }

    public var needs: SignalNeeds {
        SignalNeeds(signals: lambda > 0 ? [.gradNorm, .tokenEntropies] : [.gradNorm], gradNormSubsets: [subset])
    }

    /// Raw value reserved for completions without EOS when no completion of the group is valid.
    public static let allInvalid = -20.0

    public func score(_ group: CompletionGroup) throws -> [Double?] {
        guard let norms = group.gradNorms[subset], norms.count == group.count else {
            throw RewardZooError.missingSignal(reward: Self.name, signal: "grad_norm[\(subset)]")
        }
        let entropies = lambda > 0 ? try group.perToken(.tokenEntropies, group.tokenEntropies, reward: Self.name) : []
        var raw = [Double?](repeating: nil, count: group.count)
        for i in 0..<group.count where !group.truncated[i] && group.tokenCounts[i] > 0 {
            let T = Double(group.tokenCounts[i])
            let c = correction == "sqrt" ? T.squareRoot() : (correction == "linear" ? T : 1)
            var r = -norms[i] * c
            if lambda > 0 { r *= Foundation.pow(max(SignalMeans.mean(entropies[i]), 0), lambda) }
            raw[i] = r
        }
        let worst = raw.compactMap { $0 }.min()
        return raw.map { $0 ?? (worst.map { $0 - 1e-3 } ?? Self.allInvalid) }
    }
}

import Foundation
