import Foundation

/// Softmax cross-entropy with a weight per position: L = Σ_{b,t} w[b,t] · (−log softmax(z[b,t])[y[b,t]]).
/// Weights encode both the loss mask (0 on prompt and padding) and the normalisation (1/n for a mean).
public enum CrossEntropy {
    /// Writes probs[N, V] = softmax(logits) and losses[N] = −log p(target) (unweighted; 0 where the weight is 0).
    /// Returns Σ w·loss accumulated in Double.
    @discardableResult
    public static func forward(
        probs: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>,
        targets: UnsafePointer<Int32>, weights: UnsafePointer<Float>, rows N: Int, vocab V: Int
    ) -> Double {
        var total: Double = 0
        for r in 0..<N {
            let z = logits + r * V, p = probs + r * V
            let m = Vector.max(z, V)
            p.update(from: z, count: V)
            let s = Vector.expShiftedSum(p, m, V)
            Vector.scale(p, 1 / s, V)
            if weights[r] != 0 {
                // −log p_y = logsumexp(z) − z_y, computed from the logits so tiny probabilities keep their precision.
                let l = (m + log(s)) - z[Int(targets[r])]
                losses[r] = l
                total += Double(weights[r]) * Double(l)
            } else {
                losses[r] = 0
            }
        }
        return total
    }

    /// dlogits[N, V] = w · (p − onehot(y)) (assigns).
    public static func backward(
        dlogits: UnsafeMutablePointer<Float>, probs: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
        weights: UnsafePointer<Float>, rows N: Int, vocab V: Int
    ) {
        for r in 0..<N {
            let d = dlogits + r * V, p = probs + r * V
            let w = weights[r]
            if w == 0 { d.update(repeating: 0, count: V); continue }
            for j in 0..<V { d[j] = w * p[j] }
            d[Int(targets[r])] -= w
        }
    }
}
