/// GELU with the tanh approximation (GPT-2): gelu(x) = ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
public enum GELU {
    static let s: Float = 0.7978845608028654  // √(2/π)
    static let c: Float = 0.044715

    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count n: Int) {
        for i in 0..<n {
            let x = inp[i]
            let t = fastTanh(s * (x + c * x * x * x))
            out[i] = 0.5 * x * (1 + t)
        }
    }

    /// dinp += dout · gelu'(x) (accumulates, like every layer's backward; `dinp` and `dout` must not overlap).
    public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, count n: Int) {
        for i in 0..<n {
            let x = inp[i]
            let x2 = x * x
            let t = fastTanh(s * (x + c * x2 * x))
            let sech2 = 1 - t * t
            let d = 0.5 * (1 + t) + 0.5 * x * sech2 * s * (1 + 3 * c * x2)
            dinp[i] += dout[i] * d
        }
    }
}

/// tanh as a [13/6] rational function on [−7.9053, 7.9053] and ±1 outside (the polynomial coefficients of the
/// well-known float approximation used by Eigen and XNNPACK); max abs error ~5e-7, ~1 ns, and branch-free so the
/// compiler vectorises loops over it. glibc `tanhf` costs ~15 ns (docs/PLATFORM.md).
@inline(__always)
public func fastTanh(_ v: Float) -> Float {
    let x = min(max(v, -7.90531110763549805), 7.90531110763549805)
    let x2 = x * x
    var p: Float = -2.76076847742355e-16
    p = p * x2 + 2.00018790482477e-13
    p = p * x2 + -8.60467152213735e-11
    p = p * x2 + 5.12229709037114e-08
    p = p * x2 + 1.48572235717979e-05
    p = p * x2 + 6.37261928875436e-04
    p = p * x2 + 4.89352455891786e-03
    p = p * x
    var q: Float = 1.19825839466702e-06
    q = q * x2 + 1.18534705686654e-04
    q = q * x2 + 2.26843463243900e-03
    q = q * x2 + 4.89352518554385e-03
    return p / q
}
