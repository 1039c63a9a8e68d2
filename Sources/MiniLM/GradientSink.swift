import CBLAS

/// The rows of a backward pass whose output gradients can be non-zero, per sequence: `spans[b]` is a range of
/// positions of sequence b (0 ..< T), rows b·T + span in the [B·T] activations.
struct RowSpans {
    let time: Int
    var spans: [Range<Int>]
    var batch: Int { spans.count }
    /// The rows of all sequences as one range of the flattened [B·T] rows: the span itself for one sequence,
    /// every row otherwise.
    var rows: Range<Int> { batch == 1 ? spans[0] : 0..<(batch * time) }
}

/// Where a backward pass sends each parameter's gradient. `GPT.backward` mirrors the forward and, at each layer
/// with parameters, hands the layer's output gradient and input rows to the sink; the sink decides what to do
/// with them (accumulate ∂L/∂θ, or add per-sample squared norms), so the backward has no modes.
protocol GradientSink {
    /// The lowest parameter offset that receives a gradient (a tensor boundary: `ParameterLayout.range(of:)`).
    /// The backward stops once no layer below needs one.
    var subsetStart: Int { get }

    /// A linear layer y = x·Wᵀ + b: `dout` [N, OC] and `inp` [N, C], N = B·T rows.
    func linear(weight: Int, bias: Int?, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, spans: RowSpans,
                inFeatures C: Int, outFeatures OC: Int)

    /// A LayerNorm with its saved row statistics.
    func layerNorm(weight: Int, bias: Int, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                   mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, spans: RowSpans, channels C: Int)

    /// Token and position embeddings: `dout` is ∂L/∂(wte[x] + wpe[t]).
    func embeddings(wte: Int, wpe: Int, dout: UnsafePointer<Float>, tokens: UnsafePointer<Int32>, spans: RowSpans,
                    channels C: Int)
}

extension GradientSink {
    func wants(_ offset: Int) -> Bool { offset >= subsetStart }
}

/// Accumulates ∂L/∂θ into a buffer with the parameter layout (the caller zeroes it once per step): the training
/// backward. Parameters below `subsetStart` get nothing.
struct GradientAccumulator: GradientSink {
    let grads: UnsafeMutablePointer<Float>
    let parameters: UnsafePointer<Float>
    var subsetStart = 0

    func linear(weight: Int, bias: Int?, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, spans: RowSpans,
                inFeatures C: Int, outFeatures OC: Int) {
        guard wants(weight) else { return }
        let rows = spans.rows
        Linear.backward(dinp: nil, dweight: grads + weight, dbias: bias.map { grads + $0 }, dout: dout + rows.lowerBound * OC,
                        inp: inp + rows.lowerBound * C, weight: parameters + weight, rows: rows.count, inFeatures: C, outFeatures: OC)
    }

    func layerNorm(weight: Int, bias: Int, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                   mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, spans: RowSpans, channels C: Int) {
        guard wants(weight) else { return }
        let r = spans.rows
        LayerNorm.parameterGradients(dweight: grads + weight, dbias: grads + bias, dout: dout + r.lowerBound * C,
                                     inp: inp + r.lowerBound * C, mean: mean + r.lowerBound, rstd: rstd + r.lowerBound,
                                     rows: r.count, channels: C)
    }

    func embeddings(wte: Int, wpe: Int, dout: UnsafePointer<Float>, tokens: UnsafePointer<Int32>, spans: RowSpans,
                    channels C: Int) {
        Embedding.backward(dwte: wants(wte) ? grads + wte : nil, dwpe: wants(wpe) ? grads + wpe : nil, dout: dout,
                           tokens: tokens, batch: spans.batch, time: spans.time, channels: C)
    }
}

/// Adds each sequence's squared per-sample gradient norm over the parameters at offsets ≥ `subsetStart` to
/// `out[b]`, without forming any weight gradient (docs/REFERENCE.md, "Per-sample gradient norms"): ghost norms or the
/// materialised product per linear layer, closed forms for LayerNorm and the embeddings. Only the rows in each
/// sequence's span enter (rows outside carry exact zeros).
struct SquaredNormAccumulator: GradientSink {
    let subsetStart: Int
    let out: UnsafeMutablePointer<Double>
    let scratch: PerSampleNormScratch

    func linear(weight: Int, bias: Int?, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, spans: RowSpans,
                inFeatures C: Int, outFeatures OC: Int) {
        // A subset starts at a tensor boundary and the bias follows its weight, so the weight is wanted whenever
        // the bias is.
        guard wants(weight) else { return }
        for (b, span) in spans.spans.enumerated() where !span.isEmpty {
            let row = b * spans.time + span.lowerBound
            out[b] += PerSampleNorm.linear(dout: dout + row * OC, inp: inp + row * C, rows: span.count, inFeatures: C,
                                           outFeatures: OC, bias: bias.map(wants) ?? false, scratch: scratch)
        }
    }

    func layerNorm(weight: Int, bias: Int, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                   mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, spans: RowSpans, channels C: Int) {
        guard wants(weight) else { return }
        let dw = scratch.vector.base, db = dw + C
        for (b, span) in spans.spans.enumerated() where !span.isEmpty {
            let row = b * spans.time + span.lowerBound
            dw.update(repeating: 0, count: 2 * C)
            LayerNorm.parameterGradients(dweight: dw, dbias: db, dout: dout + row * C, inp: inp + row * C, mean: mean + row,
                                         rstd: rstd + row, rows: span.count, channels: C)
            out[b] += cblas_dsdot(Int32(2 * C), dw, 1, dw, 1)
        }
    }

    func embeddings(wte: Int, wpe: Int, dout: UnsafePointer<Float>, tokens: UnsafePointer<Int32>, spans: RowSpans,
                    channels C: Int) {
        for (b, span) in spans.spans.enumerated() where !span.isEmpty {
            // Below the attention every span starts at position 0.
            let g = dout + b * spans.time * C, n = span.upperBound
            if wants(wpe) { out[b] += PerSampleNorm.positionEmbedding(dout: g, rows: n, channels: C) }
            if wants(wte) {
                out[b] += PerSampleNorm.tokenEmbedding(dout: g, tokens: tokens + b * spans.time, rows: n, channels: C, scratch: scratch)
            }
        }
    }
}
