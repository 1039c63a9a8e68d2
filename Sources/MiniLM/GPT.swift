import CBLAS
import Foundation
import Seeded

/// A GPT-2 style decoder (docs/ARCHITECTURE.md, "MiniLM"): token + learned position embeddings, L pre-LayerNorm blocks
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
        return CrossEntropy.forward(losses: acts.losses.base, logits: acts.logits.base, targets: targets, weights: weights,
                                    rows: N, vocab: V)
    }

    // MARK: - Backward

    /// Backpropagates L = Σ w·(−log softmax(z/τ)[target]) through the activations of the preceding `forward` on the
    /// same `acts` (the weights may differ from the forward's: in RL they are signed per-token coefficients), and
    /// hands each parameter's gradient to `sink`. Mirrors the forward from the top; every layer accumulates into
    /// its input gradient, which is zeroed just before. Stops below `sink.subsetStart`.
    ///
    /// Rows that cannot carry gradient are skipped: with one sequence (B = 1), the layers above the last
    /// attention only see the weighted span (each position reaches only its own logits there, so the prompt's rows
    /// are exact zeros); below it, positions up to the last weighted one (keys and values feed later queries).
    /// `transposed`: the weights packed transposed for the input-gradient products of short row counts (a pass
    /// over one sequence); OpenBLAS otherwise.
    func backward(
        _ acts: Activations, inputs: UnsafePointer<Int32>, targets: UnsafePointer<Int32>, weights: UnsafePointer<Float>,
        batch B: Int, time T: Int, temperature: Float = 1, sink: some GradientSink, transposed: PackedModel? = nil
    ) {
        let C = config.dModel, F = config.mlpHidden, V = config.vocabSize, H = config.heads
        let p = UnsafePointer(params.base)
        let subsetStart = sink.subsetStart

        // Per sequence, the weighted span [first, end) (above the last attention) and [0, end) (below it).
        var above = RowSpans(time: T, spans: []), below = RowSpans(time: T, spans: [])
        for b in 0..<B {
            var end = T
            while end > 0 && weights[b * T + end - 1] == 0 { end -= 1 }
            var first = 0
            while first < end && weights[b * T + first] == 0 { first += 1 }
            above.spans.append(first..<end)
            below.spans.append(0..<end)
        }
        // The position-wise layers above the last attention compute input gradients for these rows only.
        var window = above.rows

        /// dinp[window] += dout[window]·W of a linear layer.
        func inputGradient(_ dinp: UnsafeMutablePointer<Float>, weight: Int, dout: UnsafePointer<Float>, inFeatures cin: Int,
                           outFeatures cout: Int) {
            let r0 = window.lowerBound
            if let packed = transposed?.byWeightOffset[weight] {
                packed.forward(out: dinp + r0 * cin, inp: dout + r0 * cout, rows: window.count, accumulate: true)
            } else {
                Linear.backward(dinp: dinp + r0 * cin, dweight: nil, dbias: nil, dout: dout + r0 * cout, inp: dout, weight: p + weight,
                                rows: window.count, inFeatures: cin, outFeatures: cout)
            }
        }
        func zero(_ buffer: FloatBuffer, width: Int, rows: Range<Int>) {
            (buffer.base + rows.lowerBound * width).update(repeating: 0, count: rows.count * width)
        }

        // Loss and LM head.
        zero(acts.dlogits, width: V, rows: window)
        CrossEntropy.backward(dlogits: acts.dlogits.base + window.lowerBound * V, logits: acts.logits.base + window.lowerBound * V,
                              targets: targets + window.lowerBound, weights: weights + window.lowerBound, rows: window.count,
                              vocab: V, temperature: temperature)
        sink.linear(weight: layout.lmHead, bias: nil, dout: acts.dlogits.base, inp: acts.lnf.base, spans: above, inFeatures: C, outFeatures: V)
        guard subsetStart < layout.lmHead else { return }
        zero(acts.dln, width: C, rows: window)
        inputGradient(acts.dln.base, weight: layout.lmHead, dout: acts.dlogits.base, inFeatures: C, outFeatures: V)

        // Final LayerNorm: dres becomes ∂L/∂(last block's output).
        let dres = acts.dres.base
        acts.dres.zero()
        let lastX = config.layers > 0 ? UnsafePointer(acts.layers[config.layers - 1].res3.base) : UnsafePointer(acts.encoded.base)
        sink.layerNorm(weight: layout.lnfWeight, bias: layout.lnfBias, dout: acts.dln.base, inp: lastX, mean: acts.lnfMean.base,
                       rstd: acts.lnfRstd.base, spans: above, channels: C)
        guard subsetStart < layout.lnfWeight else { return }
        layerNormInput(dres, dout: acts.dln.base, inp: lastX, weight: layout.lnfWeight, mean: acts.lnfMean.base,
                       rstd: acts.lnfRstd.base, rows: window, channels: C)

        var spans = above  // rows that carry gradient at this depth: `below` from the last attention down
        for l in stride(from: config.layers - 1, through: 0, by: -1) {
            let a = acts.layers[l], o = layout.blocks[l]
            let x = l == 0 ? UnsafePointer(acts.encoded.base) : UnsafePointer(acts.layers[l - 1].res3.base)
            // x = x + mlp(ln_2(x)): dres holds ∂L/∂res3.
            sink.linear(weight: o.fcProjWeight, bias: o.fcProjBias, dout: dres, inp: a.fchGelu.base, spans: spans, inFeatures: F, outFeatures: C)
            zero(acts.dfchGelu, width: F, rows: window)
            inputGradient(acts.dfchGelu.base, weight: o.fcProjWeight, dout: dres, inFeatures: F, outFeatures: C)
            zero(acts.dfch, width: F, rows: window)
            GELU.backward(dinp: acts.dfch.base + window.lowerBound * F, dout: acts.dfchGelu.base + window.lowerBound * F,
                          inp: a.fch.base + window.lowerBound * F, count: window.count * F)
            sink.linear(weight: o.fcWeight, bias: o.fcBias, dout: acts.dfch.base, inp: a.ln2.base, spans: spans, inFeatures: C, outFeatures: F)
            zero(acts.dln, width: C, rows: window)
            inputGradient(acts.dln.base, weight: o.fcWeight, dout: acts.dfch.base, inFeatures: C, outFeatures: F)
            sink.layerNorm(weight: o.ln2Weight, bias: o.ln2Bias, dout: acts.dln.base, inp: a.res2.base, mean: a.ln2Mean.base,
                           rstd: a.ln2Rstd.base, spans: spans, channels: C)
            layerNormInput(dres, dout: acts.dln.base, inp: a.res2.base, weight: o.ln2Weight, mean: a.ln2Mean.base,
                           rstd: a.ln2Rstd.base, rows: window, channels: C)
            // x = x + attn(ln_1(x)): dres holds ∂L/∂res2.
            sink.linear(weight: o.attnProjWeight, bias: o.attnProjBias, dout: dres, inp: a.atty.base, spans: spans, inFeatures: C, outFeatures: C)
            acts.datty.zero()  // the attention reads every row
            inputGradient(acts.datty.base, weight: o.attnProjWeight, dout: dres, inFeatures: C, outFeatures: C)
            // From here down, the prompt's rows carry gradient too (keys and values feed later queries).
            spans = below
            window = below.rows
            acts.dqkv.zero()
            Attention.backward(dqkv: acts.dqkv.base, dout: acts.datty.base, qkv: a.qkv.base, probs: a.probs.base,
                               scratch: acts.dAttention.base, batch: B, time: T, channels: C, heads: H)
            sink.linear(weight: o.qkvWeight, bias: o.qkvBias, dout: acts.dqkv.base, inp: a.ln1.base, spans: spans, inFeatures: C, outFeatures: 3 * C)
            zero(acts.dln, width: C, rows: window)
            inputGradient(acts.dln.base, weight: o.qkvWeight, dout: acts.dqkv.base, inFeatures: C, outFeatures: 3 * C)
            sink.layerNorm(weight: o.ln1Weight, bias: o.ln1Bias, dout: acts.dln.base, inp: x, mean: a.ln1Mean.base,
                           rstd: a.ln1Rstd.base, spans: spans, channels: C)
            // A subset starts at a block boundary: the blocks below need nothing when this one is its first.
            guard subsetStart < o.range.lowerBound else { return }
            layerNormInput(dres, dout: acts.dln.base, inp: x, weight: o.ln1Weight, mean: a.ln1Mean.base,
                           rstd: a.ln1Rstd.base, rows: window, channels: C)
        }

        // Embeddings: dres holds ∂L/∂encoded.
        sink.embeddings(wte: layout.wte, wpe: layout.wpe, dout: dres, tokens: inputs, spans: spans, channels: C)
    }

    /// dres[rows] += the LayerNorm's input gradient.
    private func layerNormInput(_ dres: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                                weight: Int, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows: Range<Int>,
                                channels C: Int) {
        let r = rows.lowerBound
        LayerNorm.backward(dinp: dres + r * C, dweight: nil, dbias: nil, dout: dout + r * C, inp: inp + r * C,
                           weight: UnsafePointer(params.base) + weight, mean: mean + r, rstd: rstd + r, rows: rows.count, channels: C)
    }
}
