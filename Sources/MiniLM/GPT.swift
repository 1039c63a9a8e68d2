import CBLAS
import Foundation
import Seeded

/// A GPT-2 style decoder (DESIGN.md, MiniLM): token + learned position embeddings, L pre-LayerNorm blocks
/// (causal multi-head attention with a fused qkv projection, GELU(tanh) MLP), final LayerNorm, untied LM head.
/// Linear layers have biases except the LM head. All parameters live in `params` with the `layout` views.
public final class GPT: @unchecked Sendable {
    public let config: ModelConfig
    public let layout: ParameterLayout
    public let params: FloatBuffer

    /// A freshly initialised model: weights ~ N(0, 0.02), the two residual projections (attn.c_proj, mlp.c_proj)
    /// ~ N(0, 0.02/√(2L)) so the residual stream's variance does not grow with depth (GPT-2), biases 0,
    /// LayerNorm weights 1. Deterministic for a seed.
    public init(config: ModelConfig, seed: UInt64) throws {
        try config.validate()
        self.config = config
        layout = ParameterLayout(config: config)
        params = FloatBuffer(count: layout.count)
        var rng = SplitMix64(seed: seed)
        let residualStd = 0.02 / (2 * Double(config.layers)).squareRoot()
        for e in layout.entries {
            let p = params.base + e.offset
            if e.name.hasSuffix("ln_1.weight") || e.name.hasSuffix("ln_2.weight") || e.name.hasSuffix("ln_f.weight") {
                p.update(repeating: 1, count: e.count)
            } else if e.shape.count == 1 {
                p.update(repeating: 0, count: e.count)
            } else {
                let std = e.name.hasSuffix("c_proj.weight") ? residualStd : 0.02
                for i in 0..<e.count { p[i] = Float(rng.gaussian() * std) }
            }
        }
    }

    /// A model over given parameter values (e.g. from a checkpoint); `parameters.count` must match the layout.
    public init(config: ModelConfig, parameters: FloatBuffer) throws {
        try config.validate()
        let layout = ParameterLayout(config: config)
        guard parameters.count == layout.count else {
            throw MiniLMError.invalidConfig(field: "parameters", reason: "has \(parameters.count) values but the config needs \(layout.count)")
        }
        self.config = config
        self.layout = layout
        self.params = parameters
    }

    public var parameterCount: Int { layout.count }

    /// A deep copy (e.g. a frozen reference policy).
    public func copy() -> GPT {
        let p = FloatBuffer(count: params.count)
        p.copy(from: params)
        return GPT(validated: config, layout: layout, parameters: p)
    }

    private init(validated config: ModelConfig, layout: ParameterLayout, parameters: FloatBuffer) {
        self.config = config
        self.layout = layout
        self.params = parameters
    }

    // MARK: - Forward

    /// Runs the model on B sequences of T positions; fills every activation of `acts` and returns Σ w·NLL.
    func forward(
        _ acts: Activations, inputs: UnsafePointer<Int32>, targets: UnsafePointer<Int32>, weights: UnsafePointer<Float>,
        batch B: Int, time T: Int
    ) -> Double {
        let C = config.dModel, F = config.mlpHidden, V = config.vocabSize, H = config.heads
        let N = B * T
        let p = UnsafePointer(params.base)
        Embedding.forward(out: acts.encoded.base, tokens: inputs, wte: p + layout.wte, wpe: p + layout.wpe, batch: B, time: T, channels: C)
        var x = UnsafePointer(acts.encoded.base)
        for l in 0..<config.layers {
            let a = acts.layers[l], o = layout.blocks[l]
            // x = x + attn(ln_1(x))
            LayerNorm.forward(out: a.ln1.base, mean: a.ln1Mean.base, rstd: a.ln1Rstd.base, inp: x,
                              weight: p + o.ln1Weight, bias: p + o.ln1Bias, rows: N, channels: C)
            Linear.forward(out: a.qkv.base, inp: a.ln1.base, weight: p + o.qkvWeight, bias: p + o.qkvBias,
                           rows: N, inFeatures: C, outFeatures: 3 * C)
            Attention.forward(out: a.atty.base, probs: a.probs.base, qkv: a.qkv.base, batch: B, time: T, channels: C, heads: H)
            a.res2.base.update(from: x, count: N * C)
            Linear.forward(out: a.res2.base, inp: a.atty.base, weight: p + o.attnProjWeight, bias: p + o.attnProjBias,
                           rows: N, inFeatures: C, outFeatures: C, accumulate: true)
            // x = x + mlp(ln_2(x))
            LayerNorm.forward(out: a.ln2.base, mean: a.ln2Mean.base, rstd: a.ln2Rstd.base, inp: a.res2.base,
                              weight: p + o.ln2Weight, bias: p + o.ln2Bias, rows: N, channels: C)
            Linear.forward(out: a.fch.base, inp: a.ln2.base, weight: p + o.fcWeight, bias: p + o.fcBias,
                           rows: N, inFeatures: C, outFeatures: F)
            GELU.forward(out: a.fchGelu.base, inp: a.fch.base, count: N * F)
            a.res3.base.update(from: a.res2.base, count: N * C)
            Linear.forward(out: a.res3.base, inp: a.fchGelu.base, weight: p + o.fcProjWeight, bias: p + o.fcProjBias,
                           rows: N, inFeatures: F, outFeatures: C, accumulate: true)
            x = UnsafePointer(a.res3.base)
        }
        LayerNorm.forward(out: acts.lnf.base, mean: acts.lnfMean.base, rstd: acts.lnfRstd.base, inp: x,
                          weight: p + layout.lnfWeight, bias: p + layout.lnfBias, rows: N, channels: C)
        Linear.forward(out: acts.logits.base, inp: acts.lnf.base, weight: p + layout.lmHead, bias: nil,
                       rows: N, inFeatures: C, outFeatures: V)
        return CrossEntropy.forward(probs: acts.probs.base, losses: acts.losses.base, logits: acts.logits.base,
                                    targets: targets, weights: weights, rows: N, vocab: V)
    }

    // MARK: - Backward

    /// What a backward pass produces.
    enum BackwardTarget {
        /// Accumulate ∂L/∂θ into a buffer with the parameter layout (the caller zeroes it once per step).
        case gradients(UnsafeMutablePointer<Float>)
        /// Add each sequence's squared per-sample gradient norm, over the parameters at offsets ≥ `subsetStart`,
        /// to `out[b]`. No weight gradient is formed; the pass stops below the subset.
        /// `transposed`: the weights packed transposed, for the input-gradient products (OpenBLAS otherwise).
        case squaredNorms(subsetStart: Int, out: UnsafeMutablePointer<Double>, scratch: PerSampleNormScratch,
                          transposed: PackedModel? = nil)
    }

    /// Backpropagates Σ w·NLL of the preceding `forward` on the same `acts`.
    func backward(
        _ acts: Activations, inputs: UnsafePointer<Int32>, targets: UnsafePointer<Int32>, weights: UnsafePointer<Float>,
        batch B: Int, time T: Int, target: BackwardTarget
    ) {
        let C = config.dModel, F = config.mlpHidden, V = config.vocabSize, H = config.heads
        let N = B * T
        let p = UnsafePointer(params.base)

        // Per-mode policy: which parameters get a gradient/norm, and whether gradients must flow below an offset.
        var grads: UnsafeMutablePointer<Float>? = nil
        var subsetStart = 0
        var normsOut: UnsafeMutablePointer<Double>? = nil
        var scratch: PerSampleNormScratch? = nil
        var transposed: PackedModel? = nil
        // Rows of sequence b whose output gradients can be non-zero: [first[b], end[b]). Below the last block's
        // attention every position up to the last weighted one can carry gradient (keys and values feed later
        // queries); above it, each position only reaches its own logits, so rows before the first weighted
        // position (the prompt) are exactly zero and the Gram matrices shrink to the completion.
        var end = [Int](repeating: T, count: B)
        var firstWeighted = [Int](repeating: 0, count: B)
        var first = [Int](repeating: 0, count: B)
        switch target {
        case let .gradients(g): grads = g
        case let .squaredNorms(start, out, s, packed):
            subsetStart = start; normsOut = out; scratch = s; transposed = packed
            for b in 0..<B {
                var t = T
                while t > 0 && weights[b * T + t - 1] == 0 { t -= 1 }
                end[b] = t
                var f = 0
                while f < t && weights[b * T + f] == 0 { f += 1 }
                firstWeighted[b] = f
            }
            first = firstWeighted
        }
        // Rows the position-wise layers above the last attention must process. In a norms pass over one sequence
        // only its weighted span can carry gradient there (the prompt's rows are exact zeros), so the input-gradient
        // products, GELU and LayerNorm backward skip the rest; a batched pass keeps every row.
        var window = 0..<N
        if B == 1, normsOut != nil { window = min(first[0], end[0])..<end[0] }
        func wanted(_ offset: Int) -> Bool { offset >= subsetStart }
        func needBelow(_ offset: Int) -> Bool { subsetStart < offset }

        func linear(_ dinp: UnsafeMutablePointer<Float>?, weight: Int, bias: Int?, dout: UnsafePointer<Float>,
                    inp: UnsafePointer<Float>, inFeatures cin: Int, outFeatures cout: Int) {
            let dinp = needBelow(weight) ? dinp : nil
            if let grads {
                Linear.backward(dinp: dinp, dweight: grads + weight, dbias: bias.map { grads + $0 }, dout: dout, inp: inp,
                                weight: p + weight, rows: N, inFeatures: cin, outFeatures: cout)
                return
            }
            guard let normsOut, let scratch else { return }
            for b in 0..<B where end[b] > first[b] {
                let g = dout + (b * T + first[b]) * cout, a = inp + (b * T + first[b]) * cin, n = end[b] - first[b]
                // A subset starts at a tensor boundary and the bias follows its weight, so the weight is wanted
                // whenever the bias is.
                if wanted(weight) {
                    normsOut[b] += PerSampleNorm.linear(dout: g, inp: a, rows: n, inFeatures: cin, outFeatures: cout,
                                                        bias: bias.map(wanted) ?? false, scratch: scratch)
                }
            }
            if let dinp {
                let r0 = window.lowerBound, dinp = dinp + r0 * cin, dout = dout + r0 * cout
                if let packed = transposed?.byWeightOffset[weight] {
                    packed.forward(out: dinp, inp: dout, rows: window.count)
                } else {
                    Linear.backward(dinp: dinp, dweight: nil, dbias: nil, dout: dout, inp: inp + r0 * cin, weight: p + weight,
                                    rows: window.count, inFeatures: cin, outFeatures: cout)
                }
            }
        }

        func layerNorm(_ dinp: UnsafeMutablePointer<Float>, weight: Int, bias: Int, dout: UnsafePointer<Float>,
                       inp: UnsafePointer<Float>, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>) {
            let dinp = needBelow(weight) ? dinp : nil
            if let grads {
                LayerNorm.backward(dinp: dinp, dweight: grads + weight, dbias: grads + bias, dout: dout, inp: inp,
                                   weight: p + weight, mean: mean, rstd: rstd, rows: N, channels: C)
                return
            }
            guard let normsOut, let scratch else { return }
            if wanted(weight) {
                // Sequence by sequence, the backward pass also sums that sequence's weight and bias gradient
                // (rows outside [first, end) carry exact zeros), so the rows are read once.
                let dw = scratch.vector.base, db = dw + C
                let rows = B == 1 ? window : 0..<T
                for b in 0..<B {
                    let o = b * T + rows.lowerBound
                    dw.update(repeating: 0, count: 2 * C)
                    LayerNorm.backward(dinp: dinp.map { $0 + o * C }, dweight: dw, dbias: db, dout: dout + o * C, inp: inp + o * C,
                                       weight: p + weight, mean: mean + o, rstd: rstd + o, rows: rows.count, channels: C)
                    if end[b] > first[b] { normsOut[b] += cblas_dsdot(Int32(2 * C), dw, 1, dw, 1) }
                }
                return
            }
            if let dinp {
                LayerNorm.backward(dinp: dinp, dweight: nil, dbias: nil, dout: dout, inp: inp, weight: p + weight,
                                   mean: mean, rstd: rstd, rows: N, channels: C)
            }
        }

        // Loss and LM head.
        CrossEntropy.backward(dlogits: acts.dlogits.base, probs: acts.probs.base, targets: targets, weights: weights, rows: N, vocab: V)
        linear(acts.dln.base, weight: layout.lmHead, bias: nil, dout: acts.dlogits.base, inp: acts.lnf.base, inFeatures: C, outFeatures: V)
        guard needBelow(layout.lmHead) else { return }
        let dres = acts.dres.base
        dres.update(repeating: 0, count: N * C)
        let lastX = config.layers > 0 ? UnsafePointer(acts.layers[config.layers - 1].res3.base) : UnsafePointer(acts.encoded.base)
        layerNorm(dres, weight: layout.lnfWeight, bias: layout.lnfBias, dout: acts.dln.base, inp: lastX,
                  mean: acts.lnfMean.base, rstd: acts.lnfRstd.base)
        guard needBelow(layout.lnfWeight) else { return }

        for l in stride(from: config.layers - 1, through: 0, by: -1) {
            let a = acts.layers[l], o = layout.blocks[l]
            let x = l == 0 ? UnsafePointer(acts.encoded.base) : UnsafePointer(acts.layers[l - 1].res3.base)
            // MLP branch: dres holds ∂L/∂res3.
            linear(acts.dfch.base, weight: o.fcProjWeight, bias: o.fcProjBias, dout: dres, inp: a.fchGelu.base, inFeatures: F, outFeatures: C)
            guard needBelow(o.fcProjWeight) else { return }
            GELU.backward(dinp: acts.dfch.base + window.lowerBound * F, dout: acts.dfch.base + window.lowerBound * F,
                          inp: a.fch.base + window.lowerBound * F, count: window.count * F)
            linear(acts.dln.base, weight: o.fcWeight, bias: o.fcBias, dout: acts.dfch.base, inp: a.ln2.base, inFeatures: C, outFeatures: F)
            guard needBelow(o.fcWeight) else { return }
            layerNorm(dres, weight: o.ln2Weight, bias: o.ln2Bias, dout: acts.dln.base, inp: a.res2.base, mean: a.ln2Mean.base, rstd: a.ln2Rstd.base)
            guard needBelow(o.ln2Weight) else { return }
            // Attention branch: dres now holds ∂L/∂res2.
            linear(acts.datty.base, weight: o.attnProjWeight, bias: o.attnProjBias, dout: dres, inp: a.atty.base, inFeatures: C, outFeatures: C)
            guard needBelow(o.attnProjWeight) else { return }
            first = [Int](repeating: 0, count: B)  // from here down, prompt rows carry gradient too
            if window != 0..<N {
                // Rows outside the window hold another sequence's values; the attention reads every row.
                acts.datty.base.update(repeating: 0, count: window.lowerBound * C)
                (acts.datty.base + window.upperBound * C).update(repeating: 0, count: (N - window.upperBound) * C)
                window = 0..<N
            }
            Attention.backward(dqkv: acts.dqkv.base, dout: acts.datty.base, qkv: a.qkv.base, probs: a.probs.base,
                               scratch: acts.dAttention.base, batch: B, time: T, channels: C, heads: H)
            linear(acts.dln.base, weight: o.qkvWeight, bias: o.qkvBias, dout: acts.dqkv.base, inp: a.ln1.base, inFeatures: C, outFeatures: 3 * C)
            guard needBelow(o.qkvWeight) else { return }
            layerNorm(dres, weight: o.ln1Weight, bias: o.ln1Bias, dout: acts.dln.base, inp: x, mean: a.ln1Mean.base, rstd: a.ln1Rstd.base)
            guard needBelow(o.ln1Weight) else { return }
        }

        // Embeddings: dres holds ∂L/∂encoded.
        if let grads {
            Embedding.backward(dwte: grads + layout.wte, dwpe: grads + layout.wpe, dout: dres, tokens: inputs, batch: B, time: T, channels: C)
        } else if let normsOut, let scratch {
            for b in 0..<B where end[b] > 0 {
                let g = UnsafePointer(dres + b * T * C)
                if wanted(layout.wpe) { normsOut[b] += PerSampleNorm.positionEmbedding(dout: g, rows: end[b], channels: C) }
                if wanted(layout.wte) {
                    normsOut[b] += PerSampleNorm.tokenEmbedding(dout: g, tokens: inputs + b * T, rows: end[b], channels: C, scratch: scratch)
                }
            }
        }
    }
}
