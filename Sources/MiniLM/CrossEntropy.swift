import Foundation

/// Softmax cross-entropy with a weight per position: L = Σ_{b,t} w[b,t] · (−log softmax(z[b,t]/τ)[y[b,t]]).
/// Weights encode the loss mask (0 on prompt and padding), the normalisation (1/n for a mean) and, in RL, the
/// signed per-token coefficient of a policy-gradient loss. τ = 1 is the plain NLL.
public enum CrossEntropy {
    /// Writes losses[N] = −log p(target) on raw logits (0 where the weight is 0) and returns Σ w·loss in Double.
    @discardableResult
    public static func forward(
        losses: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
        weights: UnsafePointer<Float>, rows N: Int, vocab V: Int
    ) -> Double {
        var total: Double = 0
        for r in 0..<N {
            guard weights[r] != 0 else { losses[r] = 0; continue }
            let z = logits + r * V
            // −log p_y = logsumexp(z) − z_y, from the logits so tiny probabilities keep their precision.
            let l = logSumExp(z, V) - z[Int(targets[r])]
            losses[r] = l
            total += Double(weights[r]) * Double(l)
        }
        return total
    }

    /// dlogits[N, V] += (w/τ) · (softmax(z/τ) − onehot(y)): the gradient of Σ w·(−log p_τ(y)) with respect to the
    /// raw logits z. Accumulates (the caller zeroes `dlogits`); rows with w = 0 are left as they are.
    /// The softmax is recomputed from the logits, so one forward serves backward passes at any temperature.
    public static func backward(
        dlogits: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
        weights: UnsafePointer<Float>, rows N: Int, vocab V: Int, temperature: Float = 1
    ) {
        let invTau = 1 / temperature
        var p = [Float](repeating: 0, count: V)
        p.withUnsafeMutableBufferPointer { pb in
            let p = pb.baseAddress!
            for r in 0..<N {
                let w = weights[r]
                if w == 0 { continue }
                let z = logits + r * V, d = dlogits + r * V
                for j in 0..<V { p[j] = z[j] * invTau }
                let m = Vector.max(p, V)
                Vector.scale(p, 1 / Vector.expShiftedSum(p, m, V), V)
                let k = w * invTau
                for j in 0..<V { d[j] += k * p[j] }
                d[Int(targets[r])] -= w * invTau
            }
        }
    }

    /// log Σ_j exp(z_j), shifted by the maximum.
    @inline(__always)
    static func logSumExp(_ z: UnsafePointer<Float>, _ V: Int) -> Float {
        // The same arithmetic as the softmax of the backward pass (shift, fastExp, vector sum).
        let m = Vector.max(z, V)
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: V) { buf in
            let e = buf.baseAddress!
            e.update(from: z, count: V)
            return m + log(Vector.expShiftedSum(e, m, V))
        }
    }
}
