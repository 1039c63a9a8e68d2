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
    /// The equations are the row step's (`step`, RowStep.swift) over the B·T rows, with OpenBLAS products and
    /// whole-sequence causal attention (`TeacherForcedKernels`).
    func forward(
        _ acts: Activations, inputs: UnsafePointer<Int32>, targets: UnsafePointer<Int32>, weights: UnsafePointer<Float>,
        batch B: Int, time T: Int
    ) -> Double {
        let N = B * T
        step(rows: N, tokens: inputs, storage: acts, kernels: TeacherForcedKernels(model: self, acts: acts, batch: B, time: T),
             sink: DiscardingSink())
        return CrossEntropy.forward(losses: acts[.losses], logits: acts[.logits], targets: targets, weights: weights,
                                    rows: N, vocab: config.vocabSize)
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
        let g = acts.gradients

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
        zero(g.dlogits, width: V, rows: window)
        CrossEntropy.backward(dlogits: g.dlogits.base + window.lowerBound * V, logits: acts[.logits] + window.lowerBound * V,
                              targets: targets + window.lowerBound, weights: weights + window.lowerBound, rows: window.count,
                              vocab: V, temperature: temperature)
        sink.linear(weight: layout.lmHead, bias: nil, dout: g.dlogits.base, inp: acts[.lnf], spans: above, inFeatures: C, outFeatures: V)
        guard subsetStart < layout.lmHead else { return }
        zero(g.dln, width: C, rows: window)
        inputGradient(g.dln.base, weight: layout.lmHead, dout: g.dlogits.base, inFeatures: C, outFeatures: V)

        // Final LayerNorm: dres becomes ∂L/∂(last block's output).
        let dres = g.dres.base
        g.dres.zero()
        let lastX = config.layers > 0 ? UnsafePointer(acts[.res3, config.layers - 1]) : UnsafePointer(acts[.encoded])
        sink.layerNorm(weight: layout.lnfWeight, bias: layout.lnfBias, dout: g.dln.base, inp: lastX, mean: acts[.lnfMean],
                       rstd: acts[.lnfRstd], spans: above, channels: C)
        guard subsetStart < layout.lnfWeight else { return }
        layerNormInput(dres, dout: g.dln.base, inp: lastX, weight: layout.lnfWeight, mean: acts[.lnfMean],
                       rstd: acts[.lnfRstd], rows: window, channels: C)

        var spans = above  // rows that carry gradient at this depth: `below` from the last attention down
        for l in stride(from: config.layers - 1, through: 0, by: -1) {
            let o = layout.blocks[l]
            let x = l == 0 ? UnsafePointer(acts[.encoded]) : UnsafePointer(acts[.res3, l - 1])
            // x = x + mlp(ln_2(x)): dres holds ∂L/∂res3.
            sink.linear(weight: o.fcProjWeight, bias: o.fcProjBias, dout: dres, inp: acts[.fchGelu, l], spans: spans, inFeatures: F, outFeatures: C)
            zero(g.dfchGelu, width: F, rows: window)
            inputGradient(g.dfchGelu.base, weight: o.fcProjWeight, dout: dres, inFeatures: F, outFeatures: C)
            zero(g.dfch, width: F, rows: window)
            GELU.backward(dinp: g.dfch.base + window.lowerBound * F, dout: g.dfchGelu.base + window.lowerBound * F,
                          inp: acts[.fch, l] + window.lowerBound * F, count: window.count * F)
            sink.linear(weight: o.fcWeight, bias: o.fcBias, dout: g.dfch.base, inp: acts[.ln2, l], spans: spans, inFeatures: C, outFeatures: F)
            zero(g.dln, width: C, rows: window)
            inputGradient(g.dln.base, weight: o.fcWeight, dout: g.dfch.base, inFeatures: C, outFeatures: F)
            sink.layerNorm(weight: o.ln2Weight, bias: o.ln2Bias, dout: g.dln.base, inp: acts[.res2, l], mean: acts[.ln2Mean, l],
                           rstd: acts[.ln2Rstd, l], spans: spans, channels: C)
            layerNormInput(dres, dout: g.dln.base, inp: acts[.res2, l], weight: o.ln2Weight, mean: acts[.ln2Mean, l],
                           rstd: acts[.ln2Rstd, l], rows: window, channels: C)
            // x = x + attn(ln_1(x)): dres holds ∂L/∂res2.
            sink.linear(weight: o.attnProjWeight, bias: o.attnProjBias, dout: dres, inp: acts[.atty, l], spans: spans, inFeatures: C, outFeatures: C)
            g.datty.zero()  // the attention reads every row
            inputGradient(g.datty.base, weight: o.attnProjWeight, dout: dres, inFeatures: C, outFeatures: C)
            // From here down, the prompt's rows carry gradient too (keys and values feed later queries).
            spans = below
            window = below.rows
            g.dqkv.zero()
            Attention.backward(dqkv: g.dqkv.base, dout: g.datty.base, qkv: acts[.qkv, l], probs: acts[.probs, l],
                               scratch: g.dAttention.base, batch: B, time: T, channels: C, heads: H)
            sink.linear(weight: o.qkvWeight, bias: o.qkvBias, dout: g.dqkv.base, inp: acts[.ln1, l], spans: spans, inFeatures: C, outFeatures: 3 * C)
            zero(g.dln, width: C, rows: window)
            inputGradient(g.dln.base, weight: o.qkvWeight, dout: g.dqkv.base, inFeatures: C, outFeatures: 3 * C)
            sink.layerNorm(weight: o.ln1Weight, bias: o.ln1Bias, dout: g.dln.base, inp: x, mean: acts[.ln1Mean, l],
                           rstd: acts[.ln1Rstd, l], spans: spans, channels: C)
            // A subset starts at a block boundary: the blocks below need nothing when this one is its first.
            guard subsetStart < o.range.lowerBound else { return }
            layerNormInput(dres, dout: g.dln.base, inp: x, weight: o.ln1Weight, mean: acts[.ln1Mean, l],
                           rstd: acts[.ln1Rstd, l], rows: window, channels: C)
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

/// The teacher-forced forward's kernels for the row step: rows are the B·T positions of whole sequences, the
/// linear layers are OpenBLAS products (`Linear`), and attention is the causal GEMMs of `Attention`, which keep
/// the probabilities in the activations (the backward reads them).
struct TeacherForcedKernels: RowKernels {
    let model: GPT
    let acts: Activations
    let batch: Int, time: Int

    @inline(__always)
    func position(ofRow r: Int) -> Int { r % time }

    func linear(_ layer: LinearLayer, out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows n: Int, accumulate: Bool) {
        let (w, b, cin, cout) = layer.parameters(model.layout)
        let p = UnsafePointer(model.params.base)
        Linear.forward(out: out, inp: inp, weight: p + w, bias: b.map { p + $0 }, rows: n, inFeatures: cin, outFeatures: cout,
                       accumulate: accumulate)
    }

    func attention(block l: Int, out: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>, rows n: Int, sink: some ActivationSink) {
        Attention.forward(out: out, probs: acts[.probs, l], qkv: qkv, batch: batch, time: time, channels: model.config.dModel,
                          heads: model.config.heads)
    }
}
