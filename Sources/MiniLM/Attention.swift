import Foundation

/// Causal multi-head self-attention over a fused qkv activation, as batched GEMMs per (sequence, head).
/// Layouts: qkv[B, T, 3C] holds q | k | v per position (head h uses channels h·hs..<(h+1)·hs of each third),
/// out[B, T, C], probs[B, H, T, T] (row t attends to positions ≤ t; entries above the diagonal are 0).
public enum Attention {
    /// Query rows per block of the causal GEMMs: row block i only meets key blocks ≤ i, so the products above
    /// the diagonal (all zeros after the mask) are mostly skipped: (1 + … + n)/n² of the square at n = T/32 blocks.
    static let causalBlock = 32

    /// The row blocks `[start, start + rows)` of a causal T×T product.
    @inline(__always)
    static func blocks(_ T: Int, _ body: (_ start: Int, _ rows: Int) -> Void) {
        var start = 0
        while start < T { body(start, min(causalBlock, T - start)); start += causalBlock }
    }

    public static func forward(
        out: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
        batch B: Int, time T: Int, channels C: Int, heads H: Int
    ) {
        let hs = C / H, C3 = 3 * C
        let scale = 1 / Float(hs).squareRoot()
        for b in 0..<B {
            for h in 0..<H {
                let q = qkv + b * T * C3 + h * hs
                let k = q + C
                let v = q + 2 * C
                let p = probs + (b * H + h) * T * T
                let y = out + b * T * C + h * hs
                // S = scale · Q Kᵀ on and below the diagonal blocks, then a causal softmax row by row (which zeroes
                // every entry right of the diagonal, computed or not).
                blocks(T) { i, rows in
                    BLAS.sgemm(transA: false, transB: true, m: rows, n: i + rows, k: hs, alpha: scale, a: q + i * C3, lda: C3,
                               b: k, ldb: C3, c: p + i * T, ldc: T)
                }
                for t in 0..<T { causalSoftmaxRow(p + t * T, valid: t + 1, total: T) }
                // Y = P V, each row block over the keys it can see.
                blocks(T) { i, rows in
                    BLAS.sgemm(transA: false, transB: false, m: rows, n: hs, k: i + rows, a: p + i * T, lda: T, b: v, ldb: C3,
                               c: y + i * C, ldc: C)
                }
            }
        }
    }

    /// dqkv += ∂L/∂qkv from dout (accumulates, like every layer's backward); `scratch` holds T·T floats.
    public static func backward(
        dqkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, qkv: UnsafePointer<Float>, probs: UnsafePointer<Float>,
        scratch dp: UnsafeMutablePointer<Float>, batch B: Int, time T: Int, channels C: Int, heads H: Int
    ) {
        let hs = C / H, C3 = 3 * C
        let scale = 1 / Float(hs).squareRoot()
        for b in 0..<B {
            for h in 0..<H {
                let q = qkv + b * T * C3 + h * hs, k = q + C, v = q + 2 * C
                let dq = dqkv + b * T * C3 + h * hs, dk = dq + C, dv = dq + 2 * C
                let p = probs + (b * H + h) * T * T
                let dy = dout + b * T * C + h * hs
                // P and dS are zero right of the diagonal, so every product runs over the blocks that can be non-zero:
                // a query block meets the keys up to its end, a key block the queries from its start.
                // dP = dY Vᵀ (row blocks); dV = Pᵀ dY (key blocks).
                blocks(T) { i, rows in
                    BLAS.sgemm(transA: false, transB: true, m: rows, n: i + rows, k: hs, a: dy + i * C, lda: C, b: v, ldb: C3,
                               c: dp + i * T, ldc: T)
                    BLAS.sgemm(transA: true, transB: false, m: rows, n: hs, k: T - i, a: p + i * T + i, lda: T, b: dy + i * C, ldb: C,
                               beta: 1, c: dv + i * C3, ldc: C3)
                }
                // dS = P ⊙ (dP − rowsum(P ⊙ dP)) · scale (the softmax Jacobian), zero right of the diagonal.
                for t in 0..<T {
                    let pr = p + t * T, dr = dp + t * T
                    let dot = Vector.dot(pr, dr, t + 1)
                    for j in 0...t { dr[j] = pr[j] * (dr[j] - dot) * scale }
                    if t + 1 < T { (dr + t + 1).update(repeating: 0, count: T - t - 1) }
                }
                // dQ = dS K (row blocks); dK = dSᵀ Q (key blocks).
                blocks(T) { i, rows in
                    BLAS.sgemm(transA: false, transB: false, m: rows, n: hs, k: i + rows, a: dp + i * T, lda: T, b: k, ldb: C3,
                               beta: 1, c: dq + i * C3, ldc: C3)
                    BLAS.sgemm(transA: true, transB: false, m: rows, n: hs, k: T - i, a: dp + i * T + i, lda: T, b: q + i * C3, ldb: C3,
                               beta: 1, c: dk + i * C3, ldc: C3)
                }
            }
        }
    }

    /// In-place softmax of row[0..<valid]; row[valid..<total] is set to 0.
    @inline(__always)
    static func causalSoftmaxRow(_ row: UnsafeMutablePointer<Float>, valid: Int, total: Int) {
        let m = Vector.max(row, valid)
        let sum = Vector.expShiftedSum(row, m, valid)
        Vector.scale(row, 1 / sum, valid)
        if valid < total { (row + valid).update(repeating: 0, count: total - valid) }
    }
}

/// exp(x) for x ≤ 0-ish softmax arguments and general use: range reduction x = n·ln2 + r, |r| ≤ ln2/2, a degree-6
/// polynomial for eʳ and the exponent assembled in the float's bits. Relative error < 2e-7 over [−87, 88];
/// inputs below −87 give 0 and above 88 give +inf. Branch-free so loops over it vectorise (glibc `expf` does not).
@inline(__always)
public func fastExp(_ v: Float) -> Float {
    let x = min(max(v, -87.0), 88.0)
    // Round x·log2(e) to the nearest integer n by adding 1.5·2^23, which leaves n in the low mantissa bits:
    // no float→int conversion (its overflow check would stop the loop from vectorising).
    let shifted = x * 1.44269504088896341 + 12582912
    let n = shifted - 12582912
    let ni = Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000
    let r = (x - n * 0.693145751953125) - n * 1.42860682030941723212e-6
    var p: Float = 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    let result = p * Float(bitPattern: UInt32(bitPattern: (ni &+ 127) &<< 23))
    return v < -87 ? 0 : (v > 88 ? .infinity : result)
}
