import Foundation

/// AdamW (Loshchilov & Hutter) with decoupled weight decay and bias correction, over the flat parameter buffer.
/// Weight decay applies only to tensors with 2+ dimensions (nanoGPT's grouping: matmul weights and embeddings).
public final class AdamW {
    public struct Config: Codable, Equatable, Sendable {
        /// Peak learning rate; the schedule scales it per step.
        public var learningRate: Double = 1e-3
        /// β₁ = 0.9 (GPT-2 / nanoGPT).
        public var beta1: Double = 0.9
        /// β₂ = 0.95: nanoGPT's choice for small models, steadier than 0.999 with noisy small batches.
        public var beta2: Double = 0.95
        /// ε = 1e-8 (PyTorch default).
        public var eps: Double = 1e-8
        /// Decoupled weight decay 0.1 (nanoGPT), applied as θ ← θ − lr·λ·θ.
        public var weightDecay: Double = 0.1
        public init() {}
    }

    public var config: Config
    public private(set) var step = 0
    let m: FloatBuffer, v: FloatBuffer
    let decayMask: [Bool]  // per layout entry
    let layout: ParameterLayout

    public init(layout: ParameterLayout, config: Config = Config()) {
        self.layout = layout
        self.config = config
        m = FloatBuffer(count: layout.count)
        v = FloatBuffer(count: layout.count)
        decayMask = layout.entries.map(\.decays)
    }

    /// One update of `params` from `grads` at learning rate `lr`, restricted to `range` (all by default).
    public func update(params: FloatBuffer, grads: FloatBuffer, lr: Double, range: Range<Int>? = nil) {
        step += 1
        let b1 = Float(config.beta1), b2 = Float(config.beta2), eps = Float(config.eps)
        let c1 = Float(1 / (1 - pow(config.beta1, Double(step))))
        let c2 = Float(1 / (1 - pow(config.beta2, Double(step))))
        let lrf = Float(lr), wd = Float(config.weightDecay)
        let limit = range ?? 0..<layout.count
        for (k, e) in layout.entries.enumerated() {
            let lo = max(e.offset, limit.lowerBound), hi = min(e.offset + e.count, limit.upperBound)
            guard lo < hi else { continue }
            let decay = decayMask[k] ? lrf * wd : 0
            let p = params.base, g = grads.base, mm = m.base, vv = v.base
            for i in lo..<hi {
                let gi = g[i]
                mm[i] = b1 * mm[i] + (1 - b1) * gi
                vv[i] = b2 * vv[i] + (1 - b2) * gi * gi
                let mh = mm[i] * c1, vh = vv[i] * c2
                p[i] -= lrf * mh / (vh.squareRoot() + eps) + decay * p[i]
            }
        }
    }
}
