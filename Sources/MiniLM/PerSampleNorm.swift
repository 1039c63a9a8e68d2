import CBLAS

/// Scratch space for per-sample gradient norms of one worker.
final class PerSampleNormScratch {
    let gramA: FloatBuffer                        // [T16, T16], T16 = context rounded up to whole panels
    let panels: FloatBuffer                       // [T16, max width of a layer's input or output]
    let materialised: FloatBuffer                 // [max OC·C over linear layers]
    let vector: FloatBuffer                       // [2·C]: a LayerNorm's weight and bias gradient
    let tokenRows: FloatBuffer                    // [V, C]
    var touched: [Bool]

    init(config: ModelConfig) {
        let T = config.contextLength, C = config.dModel, F = config.mlpHidden, V = config.vocabSize
        let T16 = (T + PackedLinear.panelWidth - 1) / PackedLinear.panelWidth * PackedLinear.panelWidth
        gramA = FloatBuffer(count: T16 * T16)
        panels = FloatBuffer(count: T16 * max(3 * C, F, V))
        materialised = FloatBuffer(count: max(3 * C * C, F * C, V * C))
        vector = FloatBuffer(count: 2 * C)
        tokenRows = FloatBuffer(count: V * C)
        touched = [Bool](repeating: false, count: V)
    }
}

/// Squared L2 norms of one sequence's gradient for each kind of parameter, from the layer's input rows a_t and
/// output-gradient rows g_t (t < n), without forming the batch's weight gradient (docs/REFERENCE.md, "Per-sample
/// gradient norms"). Sums are accumulated in Double.
enum PerSampleNorm {
    /// How `linear` computes a norm; nil lets it pick the cheaper one for the shape.
    enum Method { case ghost, materialised }

    /// ‖Σ_t g_t a_tᵀ‖²_F, plus ‖Σ_t g_t‖² for the bias when `bias` is set: by the ghost norm (two Gram matrices,
    /// ~n²(C+OC) flops) or the materialised OC×C product (~2n·C·OC flops), whichever is cheaper for this n.
    static func linear(dout g: UnsafePointer<Float>, inp a: UnsafePointer<Float>, rows n: Int,
                       inFeatures C: Int, outFeatures OC: Int, bias: Bool, scratch: PerSampleNormScratch,
                       method: Method? = nil, kernels: KernelPath = .active) -> Double {
        if method ?? (n * (C + OC) < 2 * C * OC ? .ghost : .materialised) == .ghost {
            let (weight, biasPart) = ghost(dout: g, inp: a, rows: n, inFeatures: C, outFeatures: OC, scratch: scratch, kernels: kernels)
            return weight + (bias ? biasPart : 0)
        }
        let m = scratch.materialised.base
        BLAS.sgemm(transA: true, transB: false, m: OC, n: C, k: n, a: g, lda: OC, b: a, ldb: C, c: m, ldc: C)
        let w = cblas_dsdot(Int32(OC * C), m, 1, m, 1)
        guard bias else { return w }
        m.update(repeating: 0, count: OC)
        for t in 0..<n { Vector.axpy(1, g + t * OC, m, OC) }
        return w + cblas_dsdot(Int32(OC), m, 1, m, 1)
    }

    /// The ghost norm Σ_{t,s}(a_t·a_s)(g_t·g_s) = ‖Σ_t g_t a_tᵀ‖²_F and the bias term Σ_{t,s} g_t·g_s = ‖Σ_t g_t‖²,
    /// from the upper triangles of A·Aᵀ and G·Gᵀ in 6×16 register tiles (the decode GEMM's kernel, with the rows
    /// packed as panels). The A tiles are stored; each G tile is folded into the sums as soon as it is computed,
    /// weighted 1 on the diagonal and 2 above it, so G·Gᵀ is never stored. OpenBLAS's ssyrk re-packs both
    /// operands on every call and ran ~20% slower on these 100–130-row Grams.
    /// The Gram tiles are compute-bound and the packing reads cold activations, so G is prefetched while the A
    /// tiles are computed.
    static func ghost(dout g: UnsafePointer<Float>, inp a: UnsafePointer<Float>, rows n: Int,
                      inFeatures C: Int, outFeatures OC: Int, scratch: PerSampleNormScratch,
                      kernels: KernelPath = .active) -> (weight: Double, bias: Double) {
        typealias V = Vector.V
        let W = PackedLinear.panelWidth, panelCount = (n + W - 1) / W, stride = panelCount * W
        let packed = scratch.panels.base, gramA = scratch.gramA.base
        let gBytes = UnsafeRawBufferPointer(start: g, count: n * OC * MemoryLayout<Float>.stride)
        PackedLinear.packRows(a, rows: n, stride: C, k: C, into: packed)
        for p in 0..<panelCount {
            prefetch(gBytes, part: p, of: panelCount)
            // Column block p of the upper triangle: rows 0 ..< min(n, 16(p+1)).
            PackedLinear.multiplyRows(a, rows: min(n, (p + 1) * W), stride: C, panel: packed + p * C * W, k: C, kernels: kernels) { r, lo, hi in
                Vector.store(lo, gramA + r * stride + p * W)
                Vector.store(hi, gramA + r * stride + p * W + 8)
            }
        }
        PackedLinear.packRows(g, rows: n, stride: OC, k: OC, into: packed)
        let lane = V(0, 1, 2, 3, 4, 5, 6, 7)
        var weight = 0.0, bias = 0.0
        for p in 0..<panelCount {
            let colsLo = lane + V(repeating: Float(p * W)), colsHi = colsLo + V(repeating: 8)
            var sw = V(), sb = V()
            PackedLinear.multiplyRows(g, rows: min(n, (p + 1) * W), stride: OC, panel: packed + p * OC * W, k: OC, kernels: kernels) { r, lo, hi in
                // Weight 2 above the diagonal (the lower triangle's twin), 1 on it, 0 below. Columns past n hold
                // zeros in both Grams.
                let t = V(repeating: Float(r))
                var wLo = V(repeating: 2), wHi = V(repeating: 2)
                wLo.replace(with: 1, where: colsLo .== t); wLo.replace(with: 0, where: colsLo .< t)
                wHi.replace(with: 1, where: colsHi .== t); wHi.replace(with: 0, where: colsHi .< t)
                let row = gramA + r * stride + p * W
                sw = Vector.fma(sw, wLo * lo, Vector.load(row))
                sw = Vector.fma(sw, wHi * hi, Vector.load(row + 8))
                sb = Vector.fma(sb, wLo, lo)
                sb = Vector.fma(sb, wHi, hi)
            }
            weight += Double(sw.sum())
            bias += Double(sb.sum())
        }
        return (weight, bias)
    }

    /// Prefetches the `part`-th of `parts` equal slices of `bytes`, one cache line at a time.
    static func prefetch(_ bytes: UnsafeRawBufferPointer, part: Int, of parts: Int) {
        guard let base = bytes.baseAddress else { return }
        let line = 64, lines = (bytes.count + line - 1) / line
        var i = part * lines / parts
        let end = (part + 1) * lines / parts
        while i < end { rz_prefetch(base + i * line); i += 1 }
    }

    /// Σ_t ‖g_t‖²: each position has its own embedding row.
    static func positionEmbedding(dout g: UnsafePointer<Float>, rows n: Int, channels C: Int) -> Double {
        cblas_dsdot(Int32(n * C), g, 1, g, 1)
    }

    /// Σ over distinct tokens v of ‖Σ_{t: x_t = v} g_t‖².
    static func tokenEmbedding(dout g: UnsafePointer<Float>, tokens: UnsafePointer<Int32>, rows n: Int, channels C: Int,
                               scratch: PerSampleNormScratch) -> Double {
        let rowsBuf = scratch.tokenRows.base
        var used: [Int] = []
        for t in 0..<n {
            let v = Int(tokens[t])
            if !scratch.touched[v] {
                scratch.touched[v] = true
                used.append(v)
                (rowsBuf + v * C).update(repeating: 0, count: C)
            }
            let r = rowsBuf + v * C, gr = g + t * C
            for i in 0..<C { r[i] += gr[i] }
        }
        var total = 0.0
        for v in used {
            total += cblas_dsdot(Int32(C), rowsBuf + v * C, 1, rowsBuf + v * C, 1)
            scratch.touched[v] = false
        }
        return total
    }
}
