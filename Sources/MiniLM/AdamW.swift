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

/// Global L2 norm of a gradient buffer (Double accumulation).
public func globalNorm(_ g: FloatBuffer, range: Range<Int>? = nil) -> Double {
    let r = range ?? 0..<g.count
    var s = 0.0
    var i = r.lowerBound
    while i < r.upperBound {
        // Blocks of float sums keep the loop vectorisable while the running total stays in Double.
        let end = min(i + 4096, r.upperBound)
        var part: Float = 0
        for j in i..<end { part += g[j] * g[j] }
        s += Double(part)
        i = end
    }
    return s.squareRoot()
}

/// Scales `g` so its global norm is at most `maxNorm`; returns the norm before clipping.
@discardableResult
public func clipGlobalNorm(_ g: FloatBuffer, maxNorm: Double) -> Double {
    let n = globalNorm(g)
    if maxNorm > 0, n > maxNorm, n.isFinite {
        let s = Float(maxNorm / n)
        for i in 0..<g.count { g[i] *= s }
    }
    return n
}

/// Linear warm-up from 0 to the peak over `warmupSteps`, then cosine decay to `minRatio`·peak at `totalSteps`.
public struct LearningRateSchedule: Codable, Equatable, Sendable {
    public var peak: Double
    public var warmupSteps: Int
    public var totalSteps: Int
    /// Final learning rate as a fraction of the peak (nanoGPT decays to 10%).
    public var minRatio: Double

    public init(peak: Double, warmupSteps: Int, totalSteps: Int, minRatio: Double = 0.1) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.minRatio = minRatio
    }

    /// The learning rate of step `step` (0-based).
    public func rate(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        let span = max(1, totalSteps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(span))
        let cosine = 0.5 * (1 + cos(Double.pi * progress))
        return peak * (minRatio + (1 - minRatio) * cosine)
    }
}
