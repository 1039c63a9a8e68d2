/// Fully connected layer y = x·Wᵀ + b with W stored `[OC, C]` (PyTorch layout). Rows are N = B·T positions.
public enum Linear {
    /// out[N, OC] = inp[N, C]·Wᵀ + bias (assigns; with `accumulate`, adds to what `out` holds, for residuals).
    public static func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, rows N: Int, inFeatures C: Int, outFeatures OC: Int, accumulate: Bool = false
    ) {
        guard N > 0 else { return }
        var beta: Float = accumulate ? 1 : 0
        if let bias {
            for r in 0..<N {
                let o = out + r * OC
                if accumulate { for j in 0..<OC { o[j] += bias[j] } } else { o.update(from: bias, count: OC) }
            }
            beta = 1
        }
        BLAS.sgemm(transA: false, transB: true, m: N, n: OC, k: C, a: inp, b: weight, beta: beta, c: out)
    }

    /// dinp[N, C] += dout·W; dweight += doutᵀ·inp; dbias += Σ_rows dout. Every output accumulates (the caller
    /// zeroes it), as in every layer's backward; any of the three may be nil when it is not needed.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        rows N: Int, inFeatures C: Int, outFeatures OC: Int
    ) {
        guard N > 0 else { return }
        if let dinp {
            BLAS.sgemm(transA: false, transB: false, m: N, n: C, k: OC, a: dout, b: weight,
                       beta: 1, c: dinp)
        }
        if let dweight {
            BLAS.sgemm(transA: true, transB: false, m: OC, n: C, k: N, a: dout, b: inp, beta: 1, c: dweight)
        }
        if let dbias {
            for r in 0..<N {
                let g = dout + r * OC
                for j in 0..<OC { dbias[j] += g[j] }
            }
        }
    }
}
