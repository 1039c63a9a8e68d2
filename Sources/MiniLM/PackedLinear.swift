import CBLAS
#if REWARDZOO_KERNELS_V4
import MiniLMKernelsV4
#endif

/// Linear layers repacked for decoding, where each call multiplies only a few dozen rows.
///
/// OpenBLAS packs the weight operand into its own panel layout on every `sgemm` call; at 16–32 rows that copy
/// costs about as much as the arithmetic. Here the weights are packed once per sampling call into panels of 16
/// output features stored input-major (`[in][16]`), and a register-blocked kernel computes 6 (or 4) rows × 16
/// outputs at a time: two vector loads and six broadcasts feed twelve SIMD8 fused multiply-adds per input feature.
/// Summation runs over the input features in order, so results depend only on the data.
struct PackedLinear {
    /// Panels `[⌈out/16⌉][in][16]`, zero past `outFeatures`.
    let panels: UnsafePointer<Float>
    /// The bias padded to whole panels, or nil.
    let bias: UnsafePointer<Float>?
    let inFeatures: Int, outFeatures: Int

    static let panelWidth = 16

    /// How far ahead (in floats: 4 KB, 64 steps of the kernel's loop) `forward` prefetches the panels. When
    /// decoding, the weights of a whole step (3 MB for the benchmark model) pass through the kernel once per group
    /// of sequences, behind the group's KV cache, and each panel arrives from L3 or memory: the kernel stalled on
    /// the first load of every panel line. Prefetching in the first row block, which is the one that streams the
    /// panel (the later blocks find it in L1), made the sampling benchmark ~5% faster on a loaded Zen 1; it changes
    /// no result.
    static let prefetchDistance = 1024

    /// Floats needed to pack a `[out, in]` weight (and its bias).
    static func storage(inFeatures: Int, outFeatures: Int) -> Int {
        let padded = (outFeatures + panelWidth - 1) / panelWidth * panelWidth
        return padded * inFeatures + padded
    }

    /// Packs `weight` (`[out, in]`, PyTorch layout) and `bias` into `into`, which holds `storage(...)` floats.
    init(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, inFeatures K: Int, outFeatures N: Int,
         into buffer: UnsafeMutablePointer<Float>) {
        let W = PackedLinear.panelWidth
        let padded = (N + W - 1) / W * W
        PackedLinear.packRows(weight, rows: N, stride: K, k: K, into: buffer)
        let b = buffer + padded * K
        b.update(repeating: 0, count: padded)
        if let bias { b.update(from: bias, count: N) }
        panels = UnsafePointer(buffer)
        self.bias = bias == nil ? nil : UnsafePointer(b)
        inFeatures = K
        outFeatures = N
    }

    /// Packs the transpose of `weight` (`[out, in]`): the layer x ↦ x·W that carries a gradient from a linear
    /// layer's output back to its input (`rows` = the layer's outputs, `columns` = its inputs). Panel rows are
    /// 16 consecutive columns of one row of W, so the packing is a strided copy.
    init(transposing weight: UnsafePointer<Float>, rows OC: Int, columns C: Int, into buffer: UnsafeMutablePointer<Float>) {
        let W = PackedLinear.panelWidth
        let panelCount = (C + W - 1) / W
        buffer.update(repeating: 0, count: PackedLinear.storage(inFeatures: OC, outFeatures: C))
        for p in 0..<panelCount {
            let cols = min(W, C - p * W)
            for o in 0..<OC { (buffer + (p * OC + o) * W).update(from: weight + o * C + p * W, count: cols) }
        }
        panels = UnsafePointer(buffer)
        bias = nil
        inFeatures = OC
        outFeatures = C
    }

    /// out[m, out] = inp[m, in]·Wᵀ + bias; with `accumulate`, added to what `out` holds (residual connections).
    func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows m: Int, accumulate: Bool = false,
                 kernels: KernelPath = .active) {
        let K = inFeatures, N = outFeatures, W = PackedLinear.panelWidth
        var p = 0
        while p * W < N {
            let panel = panels + p * K * W, cols = min(W, N - p * W)
            let bias = self.bias.map { $0 + p * W }
            PackedLinear.multiplyRows(inp, rows: m, stride: K, panel: panel, k: K, kernels: kernels,
                                      prefetchAhead: PackedLinear.prefetchDistance) { r, lo, hi in
                PackedLinear.store(lo, hi, out + r * N + p * W, cols: cols, bias: bias, accumulate: accumulate)
            }
            p += 1
        }
    }

    /// Packs rows `x[0..<n]` (row stride `stride`, `k` features each) as the columns of panels `[⌈n/16⌉][k][16]`,
    /// zero past row n: the layout `multiplyRows` takes as its right operand.
    static func packRows(_ x: UnsafePointer<Float>, rows n: Int, stride: Int, k K: Int, into out: UnsafeMutablePointer<Float>) {
        let W = panelWidth, panels = (n + W - 1) / W
        if n % W != 0 { (out + (panels - 1) * K * W).update(repeating: 0, count: K * W) }
        var r = 0
        // Whole groups of 8 rows × 8 features go through an in-register transpose; the rest element by element.
        while r + 8 <= n {
            let dst = out + (r / W) * K * W + r % W, src = x + r * stride
            var k = 0
            // The source rows are usually cold (a batch-wide activation); fetch the next group's while transposing.
            let ahead = src + 8 * stride, prefetch = r + 16 <= n
            while k + 8 <= K {
                if prefetch { for i in 0..<8 { rz_prefetch(ahead + i * stride + k) } }
                Vector.transpose8(src + k, stride: stride, into: dst + k * W, stride: W)
                k += 8
            }
            for i in 0..<8 { for kk in k..<K { dst[kk * W + i] = src[i * stride + kk] } }
            r += 8
        }
        while r < n {
            let dst = out + (r / W) * K * W + r % W, src = x + r * stride
            for k in 0..<K { dst[k * W] = src[k] }
            r += 1
        }
    }

    /// For rows r of `a` (`rows` of them, stride `stride`), the 16 dot products of a_r[0..<k] with the columns of
    /// one packed panel, handed to `emit(r, lanes 0..<8, lanes 8..<16)`. Rows go in register blocks of 6, with
    /// 4-row blocks where 6 would leave a short tail (32 = 6·4 + 4·2, 16 = 6·2 + 4); a last block of fewer rows
    /// repeats its final row and emits only the real ones. With `kernels` = `.avx512` the tile is
    /// `MiniLMKernelsV4`'s, which gives the same bits (`multiplyRowsAVX512`). With `prefetchAhead` > 0 the first
    /// block of the AVX2 tile prefetches the panel memory that many floats ahead of what it reads.
    @inline(__always)
    static func multiplyRows(_ a: UnsafePointer<Float>, rows m: Int, stride: Int, from start: Int = 0,
                             panel: UnsafePointer<Float>, k K: Int, kernels: KernelPath = .active, prefetchAhead: Int = 0,
                             emit: (Int, V, V) -> Void) {
        #if REWARDZOO_KERNELS_V4
        if kernels == .avx512 {
            multiplyRowsAVX512(a, rows: m, stride: stride, from: start, panel: panel, k: K, emit: emit)
            return
        }
        #endif
        var r = start
        while r < m {
            let left = m - r
            let block = left % 6 == 0 || left >= 10 || left == 5 ? 6 : 4
            let valid = min(block, left), last = valid - 1
            let base = a + r * stride
            func row(_ i: Int) -> UnsafePointer<Float> { base + min(i, last) * stride }
            let first = r
            let prefetch = prefetchAhead > 0 && r == start ? panel + prefetchAhead : nil
            if block == 6 {
                kernel6(row(0), row(1), row(2), row(3), row(4), row(5), panel: panel, k: K, prefetch: prefetch) { i, lo, hi in
                    if i < valid { emit(first + i, lo, hi) }
                }
            } else {
                kernel4(row(0), row(1), row(2), row(3), panel: panel, k: K, prefetch: prefetch) { i, lo, hi in
                    if i < valid { emit(first + i, lo, hi) }
                }
            }
            r += valid
        }
    }

    typealias V = Vector.V

    #if REWARDZOO_KERNELS_V4
    /// Rows of the AVX-512 build go in chunks through a stack buffer of 16-float rows, then to `emit` (one
    /// store and two loads per row against K fused multiply-adds).
    static let avx512Chunk = 48

    /// `multiplyRows` on `MiniLMKernelsV4`'s tile. Only for `KernelPath.avx512`, which `KernelPath.select`
    /// grants only on a CPU with x86-64-v4: this is the one call into AVX-512 code.
    @inline(__always)
    static func multiplyRowsAVX512(_ a: UnsafePointer<Float>, rows m: Int, stride: Int, from start: Int,
                                   panel: UnsafePointer<Float>, k K: Int, emit: (Int, V, V) -> Void) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: avx512Chunk * panelWidth) { buffer in
            guard let tile = buffer.baseAddress else { return }
            var r = start
            while r < m {
                let end = min(m, r + avx512Chunk)
                PanelTileV4.multiplyRows(a, rows: end, stride: stride, from: r, panel: panel, k: K, out: tile)
                for i in r..<end {
                    let row = tile + (i - r) * panelWidth
                    emit(i, Vector.load(row), Vector.load(row + 8))
                }
                r = end
            }
        }
    }
    #endif

    /// Writes one row's 16 outputs (`cols` of them in a last, partial panel).
    @inline(__always)
    static func store(_ lo: V, _ hi: V, _ o: UnsafeMutablePointer<Float>, cols: Int, bias: UnsafePointer<Float>?, accumulate: Bool) {
        var lo = lo, hi = hi
        if let bias { lo += Vector.load(bias); hi += Vector.load(bias + 8) }
        if cols == panelWidth {
            if accumulate { lo += Vector.load(o); hi += Vector.load(o + 8) }
            Vector.store(lo, o)
            Vector.store(hi, o + 8)
        } else {
            for c in 0..<cols { o[c] = (accumulate ? o[c] : 0) + (c < 8 ? lo[c] : hi[c - 8]) }
        }
    }

    @inline(__always)
    static func kernel6(_ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>,
                        _ a3: UnsafePointer<Float>, _ a4: UnsafePointer<Float>, _ a5: UnsafePointer<Float>,
                        panel: UnsafePointer<Float>, k K: Int, prefetch: UnsafePointer<Float>? = nil, emit: (Int, V, V) -> Void) {
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        var w = panel
        for k in 0..<K {
            if let prefetch { rz_prefetch(prefetch + k * panelWidth) }  // one panel line per step
            let w0 = Vector.load(w), w1 = Vector.load(w + 8)
            var b = V(repeating: a0[k]); c00 = Vector.fma(c00, b, w0); c01 = Vector.fma(c01, b, w1)
            b = V(repeating: a1[k]); c10 = Vector.fma(c10, b, w0); c11 = Vector.fma(c11, b, w1)
            b = V(repeating: a2[k]); c20 = Vector.fma(c20, b, w0); c21 = Vector.fma(c21, b, w1)
            b = V(repeating: a3[k]); c30 = Vector.fma(c30, b, w0); c31 = Vector.fma(c31, b, w1)
            b = V(repeating: a4[k]); c40 = Vector.fma(c40, b, w0); c41 = Vector.fma(c41, b, w1)
            b = V(repeating: a5[k]); c50 = Vector.fma(c50, b, w0); c51 = Vector.fma(c51, b, w1)
            w += panelWidth
        }
        emit(0, c00, c01); emit(1, c10, c11); emit(2, c20, c21)
        emit(3, c30, c31); emit(4, c40, c41); emit(5, c50, c51)
    }

    @inline(__always)
    static func kernel4(_ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>,
                        _ a3: UnsafePointer<Float>, panel: UnsafePointer<Float>, k K: Int, prefetch: UnsafePointer<Float>? = nil,
                        emit: (Int, V, V) -> Void) {
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
        var w = panel
        for k in 0..<K {
            if let prefetch { rz_prefetch(prefetch + k * panelWidth) }
            let w0 = Vector.load(w), w1 = Vector.load(w + 8)
            var b = V(repeating: a0[k]); c00 = Vector.fma(c00, b, w0); c01 = Vector.fma(c01, b, w1)
            b = V(repeating: a1[k]); c10 = Vector.fma(c10, b, w0); c11 = Vector.fma(c11, b, w1)
            b = V(repeating: a2[k]); c20 = Vector.fma(c20, b, w0); c21 = Vector.fma(c21, b, w1)
            b = V(repeating: a3[k]); c30 = Vector.fma(c30, b, w0); c31 = Vector.fma(c31, b, w1)
            w += panelWidth
        }
        emit(0, c00, c01); emit(1, c10, c11); emit(2, c20, c21); emit(3, c30, c31)
    }
}

/// Every linear layer of a model packed for small-row products, in one allocation: as the layers (decoding), or
/// transposed, as the maps that carry gradients from each layer's output to its input (a backward pass over one
/// sequence at a time, where OpenBLAS would re-pack every weight for every sequence).
final class PackedModel {
    struct Block { let qkv, attnProj, fc, fcProj: PackedLinear }
    let blocks: [Block]
    let lmHead: PackedLinear
    /// Each packed layer by the offset of its weight in the parameter buffer.
    let byWeightOffset: [Int: PackedLinear]
    private let buffer: FloatBuffer

    init(_ model: GPT, transposed: Bool = false) {
        let c = model.config, layout = model.layout, C = c.dModel, F = c.mlpHidden
        let shapes = [(C, 3 * C), (C, C), (C, F), (F, C)]
        let perBlock = shapes.map { PackedLinear.storage(inFeatures: transposed ? $0.1 : $0.0, outFeatures: transposed ? $0.0 : $0.1) }
            .reduce(0, +)
        let head = PackedLinear.storage(inFeatures: transposed ? c.vocabSize : C, outFeatures: transposed ? C : c.vocabSize)
        buffer = FloatBuffer(count: c.layers * perBlock + head)
        let p = UnsafePointer(model.params.base)
        var next = buffer.base
        var byOffset: [Int: PackedLinear] = [:]
        func pack(_ weight: Int, _ bias: Int?, _ K: Int, _ N: Int) -> PackedLinear {
            let packed = transposed
                ? PackedLinear(transposing: p + weight, rows: N, columns: K, into: next)
                : PackedLinear(weight: p + weight, bias: bias.map { p + $0 }, inFeatures: K, outFeatures: N, into: next)
            next += PackedLinear.storage(inFeatures: packed.inFeatures, outFeatures: packed.outFeatures)
            byOffset[weight] = packed
            return packed
        }
        blocks = layout.blocks.map { o in
            Block(qkv: pack(o.qkvWeight, o.qkvBias, C, 3 * C), attnProj: pack(o.attnProjWeight, o.attnProjBias, C, C),
                  fc: pack(o.fcWeight, o.fcBias, C, F), fcProj: pack(o.fcProjWeight, o.fcProjBias, F, C))
        }
        lmHead = pack(layout.lmHead, nil, C, c.vocabSize)
        byWeightOffset = byOffset
    }
}
