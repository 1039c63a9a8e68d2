import CBLAS

/// Scratch space for per-sample gradient norms of one worker.
final class PerSampleNormScratch {
    let gramA: FloatBuffer, gramG: FloatBuffer   // [Tmax, Tmax]
    let materialised: FloatBuffer                 // [max OC·C over linear layers]
    let vector: FloatBuffer                       // [2·C]
    let tokenRows: FloatBuffer                    // [V, C]
    var touched: [Bool]

    init(config: ModelConfig) {
        let T = config.contextLength, C = config.dModel, F = config.mlpHidden, V = config.vocabSize
        gramA = FloatBuffer(count: T * T)
        gramG = FloatBuffer(count: T * T)
        materialised = FloatBuffer(count: max(3 * C * C, F * C, V * C))
        vector = FloatBuffer(count: 2 * C)
        tokenRows = FloatBuffer(count: V * C)
        touched = [Bool](repeating: false, count: V)
    }
}

/// Squared L2 norms of one sequence's gradient for each kind of parameter, from the layer's input rows a_t and
/// output-gradient rows g_t (t < n), without forming the batch's weight gradient (REFERENCE.md, "Per-sample
/// gradient norms"). Sums are accumulated in Double.
enum PerSampleNorm {
    /// ‖Σ_t g_t a_tᵀ‖²_F, plus ‖Σ_t g_t‖² for the bias when `bias` is set. Ghost norm Σ_{t,s}(a_t·a_s)(g_t·g_s)
    /// from two symmetric Gram matrices (ssyrk, ~n²(C+OC) flops; the bias term is then the sum of G Gᵀ's entries,
    /// for free) or the materialised OC×C product (~2n·C·OC flops), whichever is cheaper for this n.
    static func linear(dout g: UnsafePointer<Float>, inp a: UnsafePointer<Float>, rows n: Int,
                       inFeatures C: Int, outFeatures OC: Int, bias: Bool, scratch: PerSampleNormScratch) -> Double {
        if n * (C + OC) < 2 * C * OC {
            let ga = scratch.gramA.base, gg = scratch.gramG.base
            cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(C), 1, a, Int32(C), 0, ga, Int32(n))
            cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(OC), 1, g, Int32(OC), 0, gg, Int32(n))
            var diag = 0.0, off = 0.0, biasDiag = 0.0, biasOff = 0.0
            for t in 0..<n {
                let ra = ga + t * n, rg = gg + t * n
                diag += Double(ra[t] * rg[t])
                biasDiag += Double(rg[t])
                if t + 1 < n {
                    off += Double(Vector.dot(ra + t + 1, rg + t + 1, n - t - 1))
                    if bias { biasOff += Double(Vector.sum(rg + t + 1, n - t - 1)) }
                }
            }
            return diag + 2 * off + (bias ? biasDiag + 2 * biasOff : 0)
        } else {
            let m = scratch.materialised.base
            BLAS.sgemm(transA: true, transB: false, m: OC, n: C, k: n, a: g, lda: OC, b: a, ldb: C, c: m, ldc: C)
            let w = cblas_dsdot(Int32(OC * C), m, 1, m, 1)
            guard bias else { return w }
            m.update(repeating: 0, count: OC)
            for t in 0..<n { Vector.axpy(1, g + t * OC, m, OC) }
            return w + cblas_dsdot(Int32(OC), m, 1, m, 1)
        }
    }

    /// ‖Σ_t g_t ⊙ x̂_t‖² + ‖Σ_t g_t‖² for a LayerNorm's weight and bias.
    static func layerNorm(dout g: UnsafePointer<Float>, inp x: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                          rstd: UnsafePointer<Float>, rows n: Int, channels C: Int, scratch: PerSampleNormScratch) -> Double {
        let dw = scratch.vector.base, db = scratch.vector.base + C
        dw.update(repeating: 0, count: 2 * C)
        for t in 0..<n {
            let gr = g + t * C, xr = x + t * C
            let m = mean[t], s = rstd[t]
            for i in 0..<C {
                dw[i] += gr[i] * (xr[i] - m) * s
                db[i] += gr[i]
            }
        }
        return cblas_dsdot(Int32(2 * C), dw, 1, dw, 1)
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
