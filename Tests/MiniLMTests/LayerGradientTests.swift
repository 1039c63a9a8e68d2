import TestSupport
import Testing
@testable import MiniLM

/// Finite-difference checks of every layer's backward pass on tiny shapes. Each layer's output is reduced to a
/// scalar with a fixed random projection r: L = Σ r ⊙ out, so ∂L/∂out = r.
@Suite struct LayerGradientTests {
    @Test func linear() {
        let N = 5, C = 4, OC = 3
        let x = FloatBuffer(randomFloats(N * C, seed: 1)), w = FloatBuffer(randomFloats(OC * C, seed: 2)), b = FloatBuffer(randomFloats(OC, seed: 3))
        let r = randomFloats(N * OC, seed: 4)
        func loss() -> Double {
            var out = [Float](repeating: 0, count: N * OC)
            Linear.forward(out: &out, inp: x.base, weight: w.base, bias: b.base, rows: N, inFeatures: C, outFeatures: OC)
            return zip(out, r).reduce(0) { $0 + Double($1.0 * $1.1) }
        }
        // Every output accumulates onto what it holds.
        var dx = [Float](repeating: 1, count: N * C), dw = [Float](repeating: 1, count: OC * C), db = [Float](repeating: 1, count: OC)
        Linear.backward(dinp: &dx, dweight: &dw, dbias: &db, dout: r, inp: x.base, weight: w.base, rows: N, inFeatures: C, outFeatures: OC)
        dx = dx.map { $0 - 1 }; dw = dw.map { $0 - 1 }; db = db.map { $0 - 1 }
        let nx = finiteDifferences(x.base, indices: Array(0..<(N * C)), loss)
        let nw = finiteDifferences(w.base, indices: Array(0..<(OC * C)), loss)
        let nb = finiteDifferences(b.base, indices: Array(0..<OC), loss)
        expectRelativeError(dx.map(Double.init), nx, atMost: 1e-3, "dinp")
        expectRelativeError(dw.map(Double.init), nw, atMost: 1e-3, "dweight")
        expectRelativeError(db.map(Double.init), nb, atMost: 1e-3, "dbias")
    }

    /// LayerNorm's input gradient (row sums in SIMD accumulators plus a scalar tail) against the formula in
    /// Double, for widths with no tail, a tail, and several vectors.
    @Test(arguments: [8, 13, 24])
    func layerNormInputGradientAcrossWidths(channels C: Int) {
        let N = 3
        let x = randomFloats(N * C, seed: 15, scale: 2), w = randomFloats(C, seed: 16), g = randomFloats(N * C, seed: 17)
        var out = [Float](repeating: 0, count: N * C), mean = [Float](repeating: 0, count: N), rstd = [Float](repeating: 0, count: N)
        LayerNorm.forward(out: &out, mean: &mean, rstd: &rstd, inp: x, weight: w, bias: [Float](repeating: 0, count: C), rows: N, channels: C)
        var dx = [Float](repeating: 0, count: N * C)
        LayerNorm.backward(dinp: &dx, dweight: nil, dbias: nil, dout: g, inp: x, weight: w, mean: mean, rstd: rstd, rows: N, channels: C)
        var expected = [Double](repeating: 0, count: N * C)
        for r in 0..<N {
            let m = Double(mean[r]), s = Double(rstd[r])
            var sumD = 0.0, sumDX = 0.0
            for i in 0..<C {
                let d = Double(g[r * C + i]) * Double(w[i])
                sumD += d
                sumDX += d * (Double(x[r * C + i]) - m) * s
            }
            for i in 0..<C {
                let xh = (Double(x[r * C + i]) - m) * s
                expected[r * C + i] = s * (Double(g[r * C + i]) * Double(w[i]) - sumD / Double(C) - xh * sumDX / Double(C))
            }
        }
        expectRelativeError(dx.map(Double.init), expected, atMost: 1e-5, "C \(C)")
    }

    @Test func layerNorm() {
        let N = 4, C = 6
        let x = FloatBuffer(randomFloats(N * C, seed: 5, scale: 2)), w = FloatBuffer(randomFloats(C, seed: 6)), b = FloatBuffer(randomFloats(C, seed: 7))
        let r = randomFloats(N * C, seed: 8)
        var mean = [Float](repeating: 0, count: N), rstd = [Float](repeating: 0, count: N)
        func loss() -> Double {
            var out = [Float](repeating: 0, count: N * C)
            LayerNorm.forward(out: &out, mean: &mean, rstd: &rstd, inp: x.base, weight: w.base, bias: b.base, rows: N, channels: C)
            return zip(out, r).reduce(0) { $0 + Double($1.0 * $1.1) }
        }
        _ = loss()
        var dx = [Float](repeating: 0.25, count: N * C)  // backward accumulates: start from a non-zero value
        var dw = [Float](repeating: 0, count: C), db = [Float](repeating: 0, count: C)
        LayerNorm.backward(dinp: &dx, dweight: &dw, dbias: &db, dout: r, inp: x.base, weight: w.base, mean: mean, rstd: rstd, rows: N, channels: C)
        let nx = finiteDifferences(x.base, indices: Array(0..<(N * C)), h: 1e-3, loss)
        let nw = finiteDifferences(w.base, indices: Array(0..<C), loss)
        let nb = finiteDifferences(b.base, indices: Array(0..<C), loss)
        expectRelativeError(dx.map { Double($0) - 0.25 }, nx, atMost: 2e-3, "dinp")
        expectRelativeError(dw.map(Double.init), nw, atMost: 1e-3, "dweight")
        expectRelativeError(db.map(Double.init), nb, atMost: 1e-3, "dbias")
    }

    @Test func gelu() {
        let n = 40
        let x = FloatBuffer((0..<n).map { Float($0 - 20) * 0.25 })  // −5 … 4.75, covers both tails and the bend
        let r = randomFloats(n, seed: 9)
        func loss() -> Double {
            var out = [Float](repeating: 0, count: n)
            GELU.forward(out: &out, inp: x.base, count: n)
            return zip(out, r).reduce(0) { $0 + Double($1.0 * $1.1) }
        }
        var dx = [Float](repeating: -2, count: n)  // accumulates, like every layer's backward
        GELU.backward(dinp: &dx, dout: r, inp: x.base, count: n)
        let nx = finiteDifferences(x.base, indices: Array(0..<n), h: 1e-3, loss)
        expectRelativeError(dx.map { Double($0) + 2 }, nx, atMost: 1e-3, "dinp")
    }

    /// T = 70 spans three causal row blocks (32, 32, 6); buffers start as NaN, so any entry right of the diagonal
    /// that the blocked products skip must still be written (zeroed) before it is read.
    @Test(arguments: [(1, 5, 4, 1), (2, 6, 8, 2), (1, 3, 6, 3), (1, 70, 4, 2)])
    func attention(B: Int, T: Int, C: Int, H: Int) {
        let qkv = FloatBuffer(randomFloats(B * T * 3 * C, seed: 10, scale: 1.5))
        let r = randomFloats(B * T * C, seed: 11)
        var probs = [Float](repeating: .nan, count: B * H * T * T)
        func loss() -> Double {
            var out = [Float](repeating: 0, count: B * T * C)
            Attention.forward(out: &out, probs: &probs, qkv: qkv.base, batch: B, time: T, channels: C, heads: H)
            return zip(out, r).reduce(0) { $0 + Double($1.0 * $1.1) }
        }
        _ = loss()
        var dqkv = [Float](repeating: 9, count: B * T * 3 * C)  // backward accumulates onto what is there
        var scratch = [Float](repeating: .nan, count: T * T)
        Attention.backward(dqkv: &dqkv, dout: r, qkv: qkv.base, probs: probs, scratch: &scratch, batch: B, time: T, channels: C, heads: H)
        let nq = finiteDifferences(qkv.base, indices: Array(0..<(B * T * 3 * C)), h: 1e-3, loss)
        expectRelativeError(dqkv.map { Double($0) - 9 }, nq, atMost: 2e-3, "dqkv")
        // Causality: probabilities above the diagonal are exactly zero, rows sum to one.
        for bh in 0..<(B * H) {
            for t in 0..<T {
                let row = probs[(bh * T + t) * T..<((bh * T + t) * T + T)]
                #expect(abs(row.reduce(0, +) - 1) < 1e-5)
                #expect(row.dropFirst(t + 1).allSatisfy { $0 == 0 })
            }
        }
    }

    /// The backward of Σ w·(−log softmax(z/τ)[y]) against finite differences at τ = 1 and τ ≠ 1, with signed
    /// weights (RL coefficients are negative where the advantage is positive); it accumulates.
    @Test(arguments: [Float(1), 0.7, 1.6])
    func crossEntropy(temperature tau: Float) {
        let N = 4, V = 7
        let z = FloatBuffer(randomFloats(N * V, seed: 12, scale: 3))
        let targets: [Int32] = [1, 6, 0, 3]
        let weights: [Float] = [0.5, 0, -1, 0.25]
        func loss() -> Double {
            var total = 0.0
            for r in 0..<N where weights[r] != 0 {
                let row = (0..<V).map { Double(z[r * V + $0]) / Double(tau) }
                let m = row.max()!
                let lse = m + log(row.reduce(0) { $0 + exp($1 - m) })
                total += Double(weights[r]) * (lse - row[Int(targets[r])])
            }
            return total
        }
        var dz = [Float](repeating: 0.25, count: N * V)  // accumulates onto what is there
        CrossEntropy.backward(dlogits: &dz, logits: z.base, targets: targets, weights: weights, rows: N, vocab: V, temperature: tau)
        let nz = finiteDifferences(z.base, indices: Array(0..<(N * V)), h: 1e-3, loss)
        expectRelativeError(dz.map { Double($0) - 0.25 }, nz, atMost: 1e-3, "dlogits at τ = \(tau)")
        var losses = [Float](repeating: .nan, count: N)
        let total = CrossEntropy.forward(losses: &losses, logits: z.base, targets: targets, weights: weights, rows: N, vocab: V)
        #expect(losses[1] == 0, "an unweighted position carries no loss")
        if tau == 1 { #expect(abs(total - loss()) < 1e-5 * abs(loss())) }
    }

    @Test func embedding() {
        let B = 2, T = 3, C = 4, V = 5
        let tokens: [Int32] = [1, 4, 1, 0, 2, 2]
        let wte = FloatBuffer(randomFloats(V * C, seed: 13)), wpe = FloatBuffer(randomFloats(T * C, seed: 14))
        let r = randomFloats(B * T * C, seed: 15)
        func loss() -> Double {
            var out = [Float](repeating: 0, count: B * T * C)
            Embedding.forward(out: &out, tokens: tokens, wte: wte.base, wpe: wpe.base, batch: B, time: T, channels: C)
            return zip(out, r).reduce(0) { $0 + Double($1.0 * $1.1) }
        }
        var dwte = [Float](repeating: 0, count: V * C), dwpe = [Float](repeating: 0, count: T * C)
        Embedding.backward(dwte: &dwte, dwpe: &dwpe, dout: r, tokens: tokens, batch: B, time: T, channels: C)
        let ne = finiteDifferences(wte.base, indices: Array(0..<(V * C)), loss)
        let np = finiteDifferences(wpe.base, indices: Array(0..<(T * C)), loss)
        expectRelativeError(dwte.map(Double.init), ne, atMost: 1e-3, "dwte")
        expectRelativeError(dwpe.map(Double.init), np, atMost: 1e-3, "dwpe")
    }

    @Test func fastTanhAndExpAreAccurate() {
        var maxTanh: Float = 0, maxExp: Double = 0
        for i in -2000...2000 {
            let x = Float(i) * 0.005
            maxTanh = max(maxTanh, abs(fastTanh(x) - Foundation.tanh(x)))
        }
        for i in -870...880 {
            let x = Float(i) * 0.1
            let rel = abs(Double(fastExp(x)) - Foundation.exp(Double(x))) / Foundation.exp(Double(x))
            maxExp = max(maxExp, rel)
        }
        #expect(maxTanh < 2e-6)
        #expect(maxExp < 1e-6)
        #expect(fastExp(-100) == 0)
        #expect(fastExp(100) == .infinity)
        #expect(fastTanh(50) == 1 && fastTanh(-50) == -1)
    }
}

import Foundation
