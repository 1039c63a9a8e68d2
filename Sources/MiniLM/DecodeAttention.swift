import CBLAS

/// The decode step's attention kernel: one new query row per sequence against its KV cache (the teacher-forced
/// forward attends whole sequences with GEMMs in `Attention.swift`). Kept apart from the sampler's loop so that a
/// CPU-specific variant replaces one file.
enum DecodeAttention {
    /// Attention of one query row (all heads) over the first `count` cached positions.
    /// `keys` and `values` are `[H][rowsPerHead][hs]`; `scores` holds H·rowsPerHead floats. When the head size is
    /// a multiple of 8, keys are read in blocks of 8 rows, up to `count` rounded up to 8 (the cache has room; those
    /// scores are never used), and the weighted sum of values keeps up to 32 channels in registers over all rows.
    ///
    /// Each head's keys and values are a short stream (n·hs floats) that starts cold: the caches of all the
    /// group's sequences outgrow L2, so without help every head began with a run of misses, and the loads of the
    /// first key rows were where the kernel spent most of its time. So the vectorised path prefetches one stream
    /// ahead: the head's values while its scores are computed, and the next head's keys (after the last head,
    /// `nextKeys`, the keys of the next row's sequence) while the values are summed. Prefetches change no result.
    static func attendOne(q: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, rowsPerHead Tpad: Int,
                          count n: Int, out: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>,
                          headSize hs: Int, heads H: Int, nextKeys: UnsafePointer<Float>? = nil) {
        let scale = 1 / Float(hs).squareRoot()
        let vectorised = hs % 8 == 0
        for h in 0..<H {
            let sr = scores + h * Tpad, qh = q + h * hs, kh = keys + h * Tpad * hs, vh = values + h * Tpad * hs, oh = out + h * hs
            if vectorised {
                var j0 = 0
                while j0 < n {
                    prefetchLines(vh + j0 * hs, floats: 8 * hs)  // the values of these 8 keys
                    Vector.store(DecodeAttention.dots8(qh, kh + j0 * hs, stride: hs, count: hs) * Vector.V(repeating: scale), sr + j0)
                    j0 += 8
                }
            } else {
                for j in 0..<n { sr[j] = Vector.dot(qh, kh + j * hs, hs) * scale }
            }
            let inv = 1 / Vector.expShiftedSum(sr, Vector.max(sr, n), n)
            Vector.scale(sr, inv, n)
            // out_h = Σ_j p[j] · v_j over the head's contiguous value rows.
            guard vectorised else {
                oh.update(repeating: 0, count: hs)
                for j in 0..<n { Vector.axpy(sr[j], vh + j * hs, oh, hs) }
                continue
            }
            let keysAhead = h + 1 < H ? kh + Tpad * hs : nextKeys
            var c0 = 0
            while c0 + 32 <= hs {
                var a0 = Vector.V(), a1 = Vector.V(), a2 = Vector.V(), a3 = Vector.V()
                var v = vh + c0
                let ahead = c0 == 0 ? keysAhead : nil  // once per head, in the first pass over the values
                for j in 0..<n {
                    if let ahead { prefetchLines(ahead + j * hs, floats: hs) }
                    let pj = Vector.V(repeating: sr[j])
                    a0 = Vector.fma(a0, pj, Vector.load(v))
                    a1 = Vector.fma(a1, pj, Vector.load(v + 8))
                    a2 = Vector.fma(a2, pj, Vector.load(v + 16))
                    a3 = Vector.fma(a3, pj, Vector.load(v + 24))
                    v += hs
                }
                Vector.store(a0, oh + c0)
                Vector.store(a1, oh + c0 + 8)
                Vector.store(a2, oh + c0 + 16)
                Vector.store(a3, oh + c0 + 24)
                c0 += 32
            }
            while c0 < hs {
                var a = Vector.V()
                var v = vh + c0
                for j in 0..<n { a = Vector.fma(a, Vector.V(repeating: sr[j]), Vector.load(v)); v += hs }
                Vector.store(a, oh + c0)
                c0 += 8
            }
        }
    }

    /// Prefetches the cache lines of `floats` floats from `p` (16 floats a line).
    @inline(__always)
    static func prefetchLines(_ p: UnsafePointer<Float>, floats: Int) {
        var i = 0
        while i < floats { rz_prefetch(p + i); i += 16 }
    }

    /// The dot products of q[0..<count] with 8 rows r_i = rows + i·stride, as one vector: eight accumulators, then
    /// a transposing reduction (pairwise sums of halves) instead of eight horizontal sums. `count` % 8 == 0.
    @inline(__always)
    static func dots8(_ q: UnsafePointer<Float>, _ rows: UnsafePointer<Float>, stride: Int, count: Int) -> Vector.V {
        var a0 = Vector.V(), a1 = Vector.V(), a2 = Vector.V(), a3 = Vector.V()
        var a4 = Vector.V(), a5 = Vector.V(), a6 = Vector.V(), a7 = Vector.V()
        var c = 0
        while c < count {
            let qv = Vector.load(q + c), r = rows + c
            a0 = Vector.fma(a0, qv, Vector.load(r))
            a1 = Vector.fma(a1, qv, Vector.load(r + stride))
            a2 = Vector.fma(a2, qv, Vector.load(r + 2 * stride))
            a3 = Vector.fma(a3, qv, Vector.load(r + 3 * stride))
            a4 = Vector.fma(a4, qv, Vector.load(r + 4 * stride))
            a5 = Vector.fma(a5, qv, Vector.load(r + 5 * stride))
            a6 = Vector.fma(a6, qv, Vector.load(r + 6 * stride))
            a7 = Vector.fma(a7, qv, Vector.load(r + 7 * stride))
            c += 8
        }
        @inline(__always) func pairSums(_ x: Vector.V, _ y: Vector.V) -> Vector.V {
            Vector.V(lowHalf: x.evenHalf + x.oddHalf, highHalf: y.evenHalf + y.oddHalf)
        }
        // Each level halves the lanes per row: 8 → 4 → 2 → 1, and the result's lane i is row i's sum.
        let b01 = pairSums(a0, a1), b23 = pairSums(a2, a3), b45 = pairSums(a4, a5), b67 = pairSums(a6, a7)
        let c03 = pairSums(b01, b23), c47 = pairSums(b45, b67)
        return pairSums(c03, c47)
    }
}
