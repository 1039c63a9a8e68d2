import Foundation

/// LayerNorm over the last dimension C with eps 1e-5 (PyTorch's default): y = (x − μ)/σ · w + b.
public enum LayerNorm {
    public static let eps: Float = 1e-5

    /// Assigns out[N, C]; saves the row means and reciprocal standard deviations for the backward pass.
    public static func forward(
        out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, rows N: Int, channels C: Int
    ) {
        let invC = 1 / Float(C)
        for r in 0..<N {
            let x = inp + r * C
            let m = Vector.sum(x, C) * invC
            let v = Vector.sumSquaredDeviations(x, m, C) * invC
            let s = 1 / (v + eps).squareRoot()
            let o = out + r * C
            for i in 0..<C { o[i] = (x[i] - m) * s * weight[i] + bias[i] }
            mean[r] = m
            rstd[r] = s
        }
    }

    /// dinp += ∂L/∂x (accumulates, so a residual stream's gradient flows through unchanged);
    /// dweight += Σ dout·x̂, dbias += Σ dout (both or neither). `dinp` may be nil too.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows N: Int, channels C: Int
    ) {
        let invC = 1 / Float(C)
        for r in 0..<N {
            let x = inp + r * C, g = dout + r * C
            let m = mean[r], s = rstd[r]
            if let dinp {
                // dx = s·(dŷ − mean(dŷ) − x̂·mean(dŷ·x̂)), with dŷ = dout·w. The two row sums in SIMD accumulators
                // (a scalar float reduction does not vectorise).
                var accD = Vector.V(), accDX = Vector.V(), i = 0
                let mv = Vector.V(repeating: m), sv = Vector.V(repeating: s)
                while i + 8 <= C {
                    let d = Vector.load(g + i) * Vector.load(weight + i)
                    accD += d
                    accDX = Vector.fma(accDX, d, (Vector.load(x + i) - mv) * sv)
                    i += 8
                }
                var sumD = accD.sum(), sumDX = accDX.sum()
                while i < C {
                    let d = g[i] * weight[i]
                    sumD += d
                    sumDX += d * ((x[i] - m) * s)
                    i += 1
                }
                sumD *= invC
                sumDX *= invC
                let dx = dinp + r * C
                for i in 0..<C {
                    let xh = (x[i] - m) * s
                    dx[i] += s * (g[i] * weight[i] - sumD - xh * sumDX)
                }
            }
        }
        if let dweight, let dbias {
            parameterGradients(dweight: dweight, dbias: dbias, dout: dout, inp: inp, mean: mean, rstd: rstd, rows: N, channels: C)
        }
    }

    /// dweight += Σ_rows dout·x̂, dbias += Σ_rows dout.
    public static func parameterGradients(
        dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        inp: UnsafePointer<Float>, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows N: Int, channels C: Int
    ) {
        for r in 0..<N {
            let x = inp + r * C, g = dout + r * C
            let m = mean[r], s = rstd[r]
            for i in 0..<C { dweight[i] += g[i] * (x[i] - m) * s }
            for i in 0..<C { dbias[i] += g[i] }
        }
    }
}
