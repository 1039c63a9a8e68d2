import Seeded
import TestSupport
import Testing
@testable import MiniLM

@Suite struct BLASTests {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func sgemmMatchesNaiveMatmul(transA: Bool, transB: Bool) {
        let m = 5, n = 7, k = 3
        var rng = SplitMix64(seed: 1)
        let a = (0..<m * k).map { _ in Float(rng.uniform() * 2 - 1) }
        let b = (0..<k * n).map { _ in Float(rng.uniform() * 2 - 1) }
        var c = [Float](repeating: 0.5, count: m * n)
        BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 2, a: a, b: b, beta: 1, c: &c)
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for p in 0..<k {
                    let aip = transA ? a[p * m + i] : a[i * k + p]
                    let bpj = transB ? b[j * k + p] : b[p * n + j]
                    s += aip * bpj
                }
                #expect(abs(c[i * n + j] - (0.5 + 2 * s)) < 1e-5)
            }
        }
    }
}

@Suite struct PackedLinearTests {
    /// The decode kernel equals the OpenBLAS linear layer for every row count (6- and 4-row blocks, padded last
    /// blocks), partial output panels, with and without bias, assigning and accumulating, on every kernel path
    /// this CPU runs (`KernelPathTests` names the AVX-512 path on its own, so its skip is visible).
    @Test(arguments: [(3, 5), (8, 16), (17, 21), (32, 40)])
    func matchesLinearForward(inFeatures K: Int, outFeatures N: Int) {
        for kernels in KernelPath.supported() { Self.checkForward(inFeatures: K, outFeatures: N, kernels: kernels) }
    }

    static func checkForward(inFeatures K: Int, outFeatures N: Int, kernels: KernelPath) {
        let weight = randomFloats(N * K, seed: 41), bias = randomFloats(N, seed: 42)
        let storage = FloatBuffer(count: PackedLinear.storage(inFeatures: K, outFeatures: N))
        for m in 1...14 {
            let inp = randomFloats(m * K, seed: UInt64(43 + m)), start = randomFloats(m * N, seed: UInt64(60 + m))
            for withBias in [false, true] {
                for accumulate in [false, true] {
                    var expected = start, actual = start
                    weight.withUnsafeBufferPointer { w in
                        bias.withUnsafeBufferPointer { b in
                            Linear.forward(out: &expected, inp: inp, weight: w.baseAddress!, bias: withBias ? b.baseAddress! : nil,
                                           rows: m, inFeatures: K, outFeatures: N, accumulate: accumulate)
                            let packed = PackedLinear(weight: w.baseAddress!, bias: withBias ? b.baseAddress! : nil,
                                                      inFeatures: K, outFeatures: N, into: storage.base)
                            packed.forward(out: &actual, inp: inp, rows: m, accumulate: accumulate, kernels: kernels)
                        }
                    }
                    expectRelativeError(actual, expected, atMost: 1e-6,
                                        "\(kernels): m \(m) K \(K) N \(N) bias \(withBias) accumulate \(accumulate)")
                }
            }
        }
    }
}

extension PackedLinearTests {
    /// Packed transposed, a weight carries output gradients back to the input like `Linear.backward`'s dinp.
    @Test(arguments: [(3, 5), (16, 8), (21, 17), (40, 32)])
    func transposedMatchesInputGradient(inFeatures C: Int, outFeatures OC: Int) {
        for kernels in KernelPath.supported() { Self.checkTransposed(inFeatures: C, outFeatures: OC, kernels: kernels) }
    }

    static func checkTransposed(inFeatures C: Int, outFeatures OC: Int, kernels: KernelPath) {
        let weight = randomFloats(OC * C, seed: 51)
        let storage = FloatBuffer(count: PackedLinear.storage(inFeatures: OC, outFeatures: C))
        for m in [1, 5, 6, 13] {
            let dout = randomFloats(m * OC, seed: UInt64(52 + m)), inp = randomFloats(m * C, seed: 9)
            var expected = [Float](repeating: 0, count: m * C), actual = [Float](repeating: .nan, count: m * C)
            weight.withUnsafeBufferPointer { w in
                Linear.backward(dinp: &expected, dweight: nil, dbias: nil, dout: dout, inp: inp, weight: w.baseAddress!,
                                rows: m, inFeatures: C, outFeatures: OC)
                PackedLinear(transposing: w.baseAddress!, rows: OC, columns: C, into: storage.base)
                    .forward(out: &actual, inp: dout, rows: m, kernels: kernels)
            }
            expectRelativeError(actual, expected, atMost: 1e-6, "\(kernels): m \(m) C \(C) OC \(OC)")
        }
    }
}

@Suite struct StreamCopyTests {
    /// The non-temporal copy equals a plain copy at every alignment of the destination (the stores are used only
    /// at 16 bytes) and every length (whole vectors of 4 or not), and writes nothing past n.
    @Test func matchesPlainCopy() {
        let src = randomFloats(70, seed: 5)
        for offset in 0..<4 {
            for n in [0, 1, 3, 4, 8, 13, 64] {
                let dst = FloatBuffer(count: 72)
                for i in 0..<72 { dst[i] = -1 }
                src.withUnsafeBufferPointer { Vector.streamCopy(dst.base + offset, $0.baseAddress!, n) }
                Vector.storeFence()
                for i in 0..<72 {
                    let expected = i >= offset && i < offset + n ? src[i - offset] : -1
                    #expect(dst[i].bitPattern == expected.bitPattern, "offset \(offset) n \(n) index \(i)")
                }
            }
        }
    }
}

@Suite struct PackingTests {
    /// Panels hold row r's feature k at [r / 16][k][r % 16], zero past the last row, for row counts and widths
    /// that take the 8×8 transposes, their element-wise tails and partial panels.
    @Test(arguments: [(1, 3), (8, 8), (13, 17), (40, 24)])
    func packRowsLaysOutPanels(rows n: Int, features K: Int) {
        let stride = K + 3
        let x = randomFloats(n * stride, seed: 77)
        let panels = (n + 15) / 16
        var out = [Float](repeating: .nan, count: panels * K * 16)
        x.withUnsafeBufferPointer { PackedLinear.packRows($0.baseAddress!, rows: n, stride: stride, k: K, into: &out) }
        for r in 0..<(panels * 16) {
            for k in 0..<K {
                let got = out[(r / 16) * K * 16 + k * 16 + r % 16]
                #expect(got == (r < n ? x[r * stride + k] : 0), "row \(r) feature \(k)")
            }
        }
    }
}

@Suite struct BufferViewTests {
    /// A view (and a view of a view) shares its owner's memory and keeps it alive after the owner's last
    /// reference is gone; a sequence's activations are such views, at the sequence's offset.
    @Test func viewsShareMemoryAndOutliveTheirOwner() throws {
        let config = try tinyModel().config
        let C = config.dModel, T = 3
        var view: FloatBuffer, nested: FloatBuffer, sequence: Activations
        do {
            let owner = FloatBuffer(count: 10)
            for i in 0..<10 { owner[i] = Float(i) }
            view = FloatBuffer(viewing: owner, offset: 4, count: 5)
            nested = FloatBuffer(viewing: view, offset: 2, count: 3)
            let acts = Activations(config: config, batch: 2, time: T)
            for i in 0..<(2 * T * C) { acts.encoded[i] = Float(i) }
            sequence = acts.sequence(1, time: T, gradients: Activations(config: config, batch: 1, time: T))
        }
        #expect(view.array == [4, 5, 6, 7, 8])
        #expect(nested.array == [6, 7, 8])
        nested[0] = -1
        #expect(view[2] == -1)
        #expect(sequence.encoded.count == T * C)
        #expect(sequence.encoded.array == (0..<(T * C)).map { Float(T * C + $0) })
    }
}
