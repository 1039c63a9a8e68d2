// The model's forward equations, written once, over n rows (positions). The teacher-forced forward
// (`GPT.forward`: B·T rows, the positions of whole sequences) and the sampler's KV-cache decode step (one row per
// active sequence, at its own position) both run `GPT.step`; they differ only in
// - `RowKernels`: how the linear layers multiply (OpenBLAS, or weights packed for few rows) and how the rows
//   attend (causal GEMMs over whole sequences, or each row against its sequence's KV cache);
// - `RowStorage`: where the rows are computed (the kept `Activations`, or one row per sequence reused by every
//   block);
// - `ActivationSink`: who else receives them (no one, or an `ActivationCapture`).

/// Where the row step writes each tensor's rows (row r at `rows(t, layer:) + r · width`).
protocol RowStorage {
    func rows(_ tensor: ActivationTensor, layer: Int) -> UnsafeMutablePointer<Float>
}

/// One of the model's linear layers, y = x·Wᵀ + b.
enum LinearLayer {
    case qkv(block: Int), attnProj(block: Int), fc(block: Int), fcProj(block: Int), lmHead

    /// Offsets of its weight (`[out, in]`) and bias (nil for the LM head) in the parameter buffer, and its shape.
    func parameters(_ layout: ParameterLayout) -> (weight: Int, bias: Int?, inFeatures: Int, outFeatures: Int) {
        let c = layout.config, C = c.dModel, F = c.mlpHidden
        switch self {
        case .qkv(let l): return (layout.blocks[l].qkvWeight, layout.blocks[l].qkvBias, C, 3 * C)
        case .attnProj(let l): return (layout.blocks[l].attnProjWeight, layout.blocks[l].attnProjBias, C, C)
        case .fc(let l): return (layout.blocks[l].fcWeight, layout.blocks[l].fcBias, C, F)
        case .fcProj(let l): return (layout.blocks[l].fcProjWeight, layout.blocks[l].fcProjBias, F, C)
        case .lmHead: return (layout.lmHead, nil, C, c.vocabSize)
        }
    }
}

/// How a row step multiplies and attends: the part of the forward that teacher forcing and decoding do differently.
protocol RowKernels {
    /// The position of row r in its sequence (its row of wpe).
    func position(ofRow r: Int) -> Int

    /// out[rows] = inp·Wᵀ + b of `layer`; with `accumulate`, added to what `out` holds (the residual connections).
    func linear(_ layer: LinearLayer, out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows n: Int, accumulate: Bool)

    /// Causal multi-head self-attention of block l: `out` rows (width C) from the `qkv` rows (q | k | v, width 3C).
    /// The probabilities go to the kept activations or, row by row, to `sink.attention`.
    func attention(block l: Int, out: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>, rows n: Int, sink: some ActivationSink)
}

extension GPT {
    /// Runs the model's equations on n rows with tokens `tokens[0..<n]` (positions from `kernels`), writing every
    /// activation of a row-wise layout into `storage` and handing each finished stage to `sink`
    /// (docs/ARCHITECTURE.md, "MiniLM"):
    ///
    ///     x₀ = wte[token] + wpe[position]                                  encoded
    ///     per block l:  res2 = x + c_proj(attn(c_attn(ln_1(x))))             ln1, qkv, atty, probs, res2
    ///                   res3 = res2 + mlp.c_proj(gelu(c_fc(ln_2(res2))))     ln2, fch, fchGelu, res3;  x = res3
    ///     logits = lm_head(ln_f(x))                                         lnf, logits
    ///
    /// A residual is copied, then the projection added onto it (`accumulate`), so a storage may keep one row per
    /// sequence for all blocks: each block reads its input before it overwrites that block's output.
    func step(rows n: Int, tokens: UnsafePointer<Int32>, storage: some RowStorage, kernels: some RowKernels,
              sink: some ActivationSink) {
        let C = config.dModel, F = config.mlpHidden
        let p = UnsafePointer(params.base)
        let encoded = storage.rows(.encoded, layer: 0)
        for r in 0..<n {  // row r as a sequence of one token at its own position
            Embedding.forward(out: encoded + r * C, tokens: tokens + r, wte: p + layout.wte, wpe: p + layout.wpe + kernels.position(ofRow: r) * C,
                              batch: 1, time: 1, channels: C)
        }
        sink.computed(.embedding, layer: 0, rows: n, storage: storage)
        var x = UnsafePointer(encoded)
        for l in 0..<config.layers {
            let o = layout.blocks[l]
            func out(_ t: ActivationTensor) -> UnsafeMutablePointer<Float> { storage.rows(t, layer: l) }
            let ln1 = out(.ln1), qkv = out(.qkv), atty = out(.atty), res2 = out(.res2)
            let ln2 = out(.ln2), fch = out(.fch), fchGelu = out(.fchGelu), res3 = out(.res3)
            // x = x + attn(ln_1(x))
            LayerNorm.forward(out: ln1, mean: out(.ln1Mean), rstd: out(.ln1Rstd), inp: x, weight: p + o.ln1Weight,
                              bias: p + o.ln1Bias, rows: n, channels: C)
            kernels.linear(.qkv(block: l), out: qkv, inp: ln1, rows: n, accumulate: false)
            kernels.attention(block: l, out: atty, qkv: qkv, rows: n, sink: sink)
            res2.update(from: x, count: n * C)
            kernels.linear(.attnProj(block: l), out: res2, inp: atty, rows: n, accumulate: true)
            // x = x + mlp(ln_2(x))
            LayerNorm.forward(out: ln2, mean: out(.ln2Mean), rstd: out(.ln2Rstd), inp: res2, weight: p + o.ln2Weight,
                              bias: p + o.ln2Bias, rows: n, channels: C)
            kernels.linear(.fc(block: l), out: fch, inp: ln2, rows: n, accumulate: false)
            GELU.forward(out: fchGelu, inp: fch, count: n * F)  // out of place: in place would not vectorise
            res3.update(from: res2, count: n * C)
            kernels.linear(.fcProj(block: l), out: res3, inp: fchGelu, rows: n, accumulate: true)
            sink.computed(.block, layer: l, rows: n, storage: storage)
            x = UnsafePointer(res3)
        }
        let lnf = storage.rows(.lnf, layer: 0)
        LayerNorm.forward(out: lnf, mean: storage.rows(.lnfMean, layer: 0), rstd: storage.rows(.lnfRstd, layer: 0), inp: x,
                          weight: p + layout.lnfWeight, bias: p + layout.lnfBias, rows: n, channels: C)
        kernels.linear(.lmHead, out: storage.rows(.logits, layer: 0), inp: lnf, rows: n, accumulate: false)
        sink.computed(.head, layer: 0, rows: n, storage: storage)
    }
}
