import Foundation

/// How per-token GRPO losses are aggregated into the batch loss (docs/REFERENCE.md, "GRPO"; TRL `loss_type`).
public enum GRPOLossType: String, CaseIterable, Codable, Sendable {
    /// Mean over sequences of each sequence's token mean (DeepSeekMath's GRPO; length-biased towards short
    /// completions for positive advantages).
    case grpo
    /// Σ ℓ·m / Σ m over the batch (token mean).
    case bnpo
    /// Σ ℓ·m / (B · max completion length) (Dr. GRPO: a constant normaliser, no length bias).
    case drGRPO = "dr_grpo"
    /// Global token mean (DAPO). With one process and no gradient accumulation it equals `bnpo`.
    case dapo
}

/// The clipped-ratio GRPO objective with a k3 KL penalty, per token and aggregated (docs/REFERENCE.md, "GRPO"):
/// ρ_t = exp(logp_t − old_t), ℓ_t = −min(ρ_t·A, clip(ρ_t, 1−ε_low, 1+ε_high)·A) + β·KL_t,
/// KL_t = exp(ref_t − logp_t) − (ref_t − logp_t) − 1, L = aggregate(ℓ·m).
///
/// `evaluate` returns the loss and ∂L/∂logp_t for every position, so a backward pass with token weights
/// −∂L/∂logp_t (through `GPTRunner.backward`, which differentiates Σ w·(−log p)) yields ∇θ L. The gradient of
/// the min is taken where its unclipped branch is active (ρ·A ≤ clip(ρ)·A) and is 0 where the clipped one binds.
public struct GRPOLoss: Codable, Sendable, Equatable {
    public var lossType: GRPOLossType = .grpo
    public var epsilonLow = 0.2
    public var epsilonHigh = 0.2
    /// KL coefficient; 0 drops the penalty (and the reference log-probs are not read).
    public var beta = 0.01
    /// The normaliser's length for `dr_grpo` (the configured maximum completion length).
    public var maxCompletionLength = 1

    public init(lossType: GRPOLossType = .grpo, epsilonLow: Double = 0.2, epsilonHigh: Double = 0.2, beta: Double = 0.01,
                maxCompletionLength: Int = 1) {
        self.lossType = lossType
        self.epsilonLow = epsilonLow
        self.epsilonHigh = epsilonHigh
        self.beta = beta
        self.maxCompletionLength = maxCompletionLength
    }

    public struct Result: Sendable {
        public var loss: Double
        /// ∂L/∂logp_t per position ([B·T]); 0 off the mask.
        public var dLossDLogProb: [Double]
        /// Mean k3 KL over masked tokens (0 when β = 0).
        public var meanKL: Double
        /// Fraction of masked tokens where the clip binds: ρ < 1−ε_low with A < 0, or ρ > 1+ε_high with A > 0 (TRL).
        public var clipFraction: Double
        /// Mean ratio over masked tokens.
        public var meanRatio: Double
    }

    /// - Parameters:
    ///   - logProbs, oldLogProbs, refLogProbs: [B·T] per position (ref may be empty when β = 0).
    ///   - mask: [B·T], 1 on the completion tokens that carry loss.
    ///   - advantages: [B], one per sequence.
    public func evaluate(logProbs: [Float], oldLogProbs: [Float], refLogProbs: [Float], mask: [Float], advantages: [Double],
                         time T: Int) -> Result {
        let B = advantages.count
        precondition(logProbs.count == B * T && oldLogProbs.count == B * T && mask.count == B * T)
        precondition(beta == 0 || refLogProbs.count == B * T)
        var perSequence = [Double](repeating: 0, count: B), tokens = [Double](repeating: 0, count: B)
        var dl = [Double](repeating: 0, count: B * T)  // ∂ℓ_t/∂logp_t, before aggregation
        var kl = 0.0, clipped = 0.0, ratioSum = 0.0
        for b in 0..<B {
            let A = advantages[b]
            for t in 0..<T where mask[b * T + t] != 0 {
                let i = b * T + t
                let lp = Double(logProbs[i])
                let ratio = Foundation.exp(lp - Double(oldLogProbs[i]))
                let clippedRatio = min(max(ratio, 1 - epsilonLow), 1 + epsilonHigh)
                let unclippedTerm = ratio * A, clippedTerm = clippedRatio * A
                var loss = -min(unclippedTerm, clippedTerm)
                var d = unclippedTerm <= clippedTerm ? -ratio * A : 0
                if (ratio < 1 - epsilonLow && A < 0) || (ratio > 1 + epsilonHigh && A > 0) { clipped += 1 }
                if beta != 0 {
                    let delta = Double(refLogProbs[i]) - lp
                    let e = Foundation.exp(delta)
                    loss += beta * (e - delta - 1)
                    d += beta * (1 - e)
                    kl += e - delta - 1
                }
                ratioSum += ratio
                perSequence[b] += loss
                tokens[b] += 1
                dl[i] = d
            }
        }
        let totalTokens = tokens.reduce(0, +)
        // The aggregation weight λ of each sequence's tokens: L = Σ_b λ_b Σ_t ℓ_bt.
        var lambda = [Double](repeating: 0, count: B)
        for b in 0..<B {
            switch lossType {
            case .grpo: lambda[b] = 1 / (Double(B) * max(tokens[b], 1))
            case .bnpo, .dapo: lambda[b] = 1 / max(totalTokens, 1)
            case .drGRPO: lambda[b] = 1 / (Double(B) * Double(max(maxCompletionLength, 1)))
            }
        }
        var loss = 0.0
        for b in 0..<B {
            loss += lambda[b] * perSequence[b]
            for t in 0..<T { dl[b * T + t] *= lambda[b] }
        }
        let n = max(totalTokens, 1)
        return Result(loss: loss, dLossDLogProb: dl, meanKL: kl / n, clipFraction: clipped / n, meanRatio: ratioSum / n)
    }
}
