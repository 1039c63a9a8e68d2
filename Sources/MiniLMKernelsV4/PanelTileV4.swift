/// The AVX-512 build of `PackedLinear`'s register tile (MiniLM's decode GEMM and Gram matrices).
///
/// This target is compiled for x86-64-v4 (Package.swift), so everything in it may hold AVX-512 instructions and
/// must run only on a CPU that has them: MiniLM calls it only when `KernelPath.avx512` was chosen, which requires
/// AVX-512 F/BW/CD/DQ/VL and the OS's ZMM state. The entry point is public and not `@inlinable`, and it takes raw
/// pointers only, so no v4 code can be inlined into MiniLM's x86-64-v3 code; the helpers are `@inline(__always)`
/// internal functions, so the object file defines no shared (weak) symbols that the linker could pick for another
/// module. The source holds nothing CPU-specific: compiled without the flag (REWARDZOO_PORTABLE=1, other
/// architectures, the copy the tests compile) it is the same algorithm on SSE2 or NEON.
///
/// The arithmetic is the AVX2 tile's with 16 lanes to a register instead of 8: each of the 16 outputs of a row
/// is one fused multiply-add chain over the input features in order k = 0, 1, …, K−1, starting from +0, exactly
/// as in `PackedLinear.kernel6` (whose two SIMD8 halves hold lanes 0–7 and 8–15). Since every output lane is an
/// independent chain, neither the lane width nor the row blocking changes a bit: the results are identical to the
/// AVX2 path's. With 32 vector registers the rows go in blocks of 12 (12 accumulators, one weight vector, the
/// broadcasts folded into the FMAs), which keeps enough independent chains in flight to cover the FMA latency.
public enum PanelTileV4 {
    /// out[(r − start)·16 + j] = Σ_k a[r·stride + k] · panel[k·16 + j] (k in order, fused), for rows r in
    /// start..<m and the 16 columns j of one packed panel (`[k][16]`, PackedLinear's layout).
    public static func multiplyRows(_ a: UnsafePointer<Float>, rows m: Int, stride: Int, from start: Int,
                                    panel: UnsafePointer<Float>, k K: Int, out: UnsafeMutablePointer<Float>) {
        var r = start
        while r < m {
            let left = m - r
            // Blocks of 12, 8 or 4 rows; a last block of fewer rows repeats its final row and stores only the real ones.
            let block = left > 8 ? 12 : left > 4 ? 8 : 4
            let valid = min(block, left), last = valid - 1
            let base = a + r * stride, o = out + (r - start) * 16
            func row(_ i: Int) -> UnsafePointer<Float> { base + min(i, last) * stride }
            switch block {
            case 12: tile12(row, panel: panel, k: K, valid: valid, out: o)
            case 8: tile8(row, panel: panel, k: K, valid: valid, out: o)
            default: tile4(row, panel: panel, k: K, valid: valid, out: o)
            }
            r += valid
        }
    }

    typealias V = SIMD16<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }

    /// c + a·w, fused (as `Vector.fma` of the AVX2 build).
    @inline(__always)
    static func fma(_ c: V, _ a: Float, _ w: V) -> V { c.addingProduct(V(repeating: a), w) }

    @inline(__always)
    static func tile12(_ row: (Int) -> UnsafePointer<Float>, panel: UnsafePointer<Float>, k K: Int, valid: Int,
                       out: UnsafeMutablePointer<Float>) {
        let a0 = row(0), a1 = row(1), a2 = row(2), a3 = row(3), a4 = row(4), a5 = row(5)
        let a6 = row(6), a7 = row(7), a8 = row(8), a9 = row(9), a10 = row(10), a11 = row(11)
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
        var c6 = V(), c7 = V(), c8 = V(), c9 = V(), c10 = V(), c11 = V()
        var w = panel
        for k in 0..<K {
            let wk = load(w)
            c0 = fma(c0, a0[k], wk); c1 = fma(c1, a1[k], wk); c2 = fma(c2, a2[k], wk); c3 = fma(c3, a3[k], wk)
            c4 = fma(c4, a4[k], wk); c5 = fma(c5, a5[k], wk); c6 = fma(c6, a6[k], wk); c7 = fma(c7, a7[k], wk)
            c8 = fma(c8, a8[k], wk); c9 = fma(c9, a9[k], wk); c10 = fma(c10, a10[k], wk); c11 = fma(c11, a11[k], wk)
            w += 16
        }
        store(c0, out)
        if valid > 1 { store(c1, out + 16) }
        if valid > 2 { store(c2, out + 32) }
        if valid > 3 { store(c3, out + 48) }
        if valid > 4 { store(c4, out + 64) }
        if valid > 5 { store(c5, out + 80) }
        if valid > 6 { store(c6, out + 96) }
        if valid > 7 { store(c7, out + 112) }
        if valid > 8 { store(c8, out + 128) }
        if valid > 9 { store(c9, out + 144) }
        if valid > 10 { store(c10, out + 160) }
        if valid > 11 { store(c11, out + 176) }
    }

    @inline(__always)
    static func tile8(_ row: (Int) -> UnsafePointer<Float>, panel: UnsafePointer<Float>, k K: Int, valid: Int,
                      out: UnsafeMutablePointer<Float>) {
        let a0 = row(0), a1 = row(1), a2 = row(2), a3 = row(3), a4 = row(4), a5 = row(5), a6 = row(6), a7 = row(7)
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V(), c6 = V(), c7 = V()
        var w = panel
        for k in 0..<K {
            let wk = load(w)
            c0 = fma(c0, a0[k], wk); c1 = fma(c1, a1[k], wk); c2 = fma(c2, a2[k], wk); c3 = fma(c3, a3[k], wk)
            c4 = fma(c4, a4[k], wk); c5 = fma(c5, a5[k], wk); c6 = fma(c6, a6[k], wk); c7 = fma(c7, a7[k], wk)
            w += 16
        }
        store(c0, out)
        if valid > 1 { store(c1, out + 16) }
        if valid > 2 { store(c2, out + 32) }
        if valid > 3 { store(c3, out + 48) }
        if valid > 4 { store(c4, out + 64) }
        if valid > 5 { store(c5, out + 80) }
        if valid > 6 { store(c6, out + 96) }
        if valid > 7 { store(c7, out + 112) }
    }

    @inline(__always)
    static func tile4(_ row: (Int) -> UnsafePointer<Float>, panel: UnsafePointer<Float>, k K: Int, valid: Int,
                      out: UnsafeMutablePointer<Float>) {
        let a0 = row(0), a1 = row(1), a2 = row(2), a3 = row(3)
        var c0 = V(), c1 = V(), c2 = V(), c3 = V()
        var w = panel
        for k in 0..<K {
            let wk = load(w)
            c0 = fma(c0, a0[k], wk); c1 = fma(c1, a1[k], wk); c2 = fma(c2, a2[k], wk); c3 = fma(c3, a3[k], wk)
            w += 16
        }
        store(c0, out)
        if valid > 1 { store(c1, out + 16) }
        if valid > 2 { store(c2, out + 32) }
        if valid > 3 { store(c3, out + 48) }
    }
}
