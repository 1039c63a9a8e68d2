import CBLAS

/// Explicit SIMD reductions over float rows (multiply and add kept separate; the register-tiled kernels use `fma`
/// below, fused only where the build targets FMA). The compiler does not vectorise a float reduction written as a
/// scalar loop (it may not reorder the additions), so every hot dot product, sum and max goes through these.
/// Results depend only on n and the data, never on alignment or thread count.
enum Vector {
    typealias V = SIMD8<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }

    /// a + b·c, as one fused multiply-add per lane where the build targets FMA (x86-64-v3, arm64). A portable
    /// x86-64 build has no FMA instruction, and `addingProduct` would become a scalar `fmaf` call per lane, so
    /// there it is a multiply and an add (rounded twice).
    @inline(__always)
    static func fma(_ a: V, _ b: V, _ c: V) -> V {
        #if REWARDZOO_NO_FMA
        return a + b * c
        #else
        return a.addingProduct(b, c)
        #endif
    }

    /// Σ a[i]·b[i].
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        // Two accumulators halve the dependency chain of the additions.
        var acc = V(), acc2 = V(), i = 0
        while i + 16 <= n { acc += load(a + i) * load(b + i); acc2 += load(a + i + 8) * load(b + i + 8); i += 16 }
        if i + 8 <= n { acc += load(a + i) * load(b + i); i += 8 }
        var s = (acc + acc2).sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// Σ a[i].
    @inline(__always)
    static func sum(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = V(), i = 0
        while i + 8 <= n { acc += load(a + i); i += 8 }
        var s = acc.sum()
        while i < n { s += a[i]; i += 1 }
        return s
    }

    /// max a[i] (−∞ for n = 0).
    @inline(__always)
    static func max(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = V(repeating: -.infinity), i = 0
        while i + 8 <= n { let v = load(a + i); acc.replace(with: v, where: v .> acc); i += 8 }
        var m = acc.max()
        while i < n { m = Swift.max(m, a[i]); i += 1 }
        return m
    }

    /// Σ (a[i] − c)².
    @inline(__always)
    static func sumSquaredDeviations(_ a: UnsafePointer<Float>, _ c: Float, _ n: Int) -> Float {
        var acc = V(), i = 0
        let cv = V(repeating: c)
        while i + 8 <= n { let d = load(a + i) - cv; acc += d * d; i += 8 }
        var s = acc.sum()
        while i < n { let d = a[i] - c; s += d * d; i += 1 }
        return s
    }

    /// y[i] += alpha·x[i].
    @inline(__always)
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let av = V(repeating: alpha)
        var i = 0
        while i + 8 <= n { store(load(y + i) + av * load(x + i), y + i); i += 8 }
        while i < n { y[i] += alpha * x[i]; i += 1 }
    }

    /// dst[0..<n] = src[0..<n] with non-temporal stores where dst allows (16-byte aligned, n a multiple of 4;
    /// otherwise a plain copy): for rows written once and read only after far more data than the caches hold.
    /// The same values as `update(from:count:)`; other threads may read dst only after the writer's `storeFence`.
    @inline(__always)
    static func streamCopy(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
        rz_stream_copy(dst, src, n)
    }

    /// Orders the calling thread's earlier `streamCopy` stores before its later stores (non-temporal stores are
    /// weakly ordered: without it, a thread that synchronises with this one later might not see them).
    @inline(__always)
    static func storeFence() { rz_store_fence() }

    /// In place: a[i] = exp(a[i] − shift); returns the sum.
    @inline(__always)
    static func expShiftedSum(_ a: UnsafeMutablePointer<Float>, _ shift: Float, _ n: Int) -> Float {
        for i in 0..<n { a[i] = fastExp(a[i] - shift) }  // branch-free: the compiler vectorises this loop
        return sum(a, n)
    }

    /// a[i] *= c.
    @inline(__always)
    static func scale(_ a: UnsafeMutablePointer<Float>, _ c: Float, _ n: Int) {
        for i in 0..<n { a[i] *= c }
    }

    /// Transposes the 8×8 block of rows src + i·stride (8 floats each) into rows dst + j·dstStride:
    /// dst[j][i] = src[i][j]. Three rounds of de-interleaving pairs (evens of both, then odds of both) give the
    /// transpose of 8 vectors of 8.
    @inline(__always)
    static func transpose8(_ src: UnsafePointer<Float>, stride: Int, into dst: UnsafeMutablePointer<Float>, stride dstStride: Int) {
        @inline(__always) func round(_ v: inout (V, V, V, V, V, V, V, V)) {
            v = (V(lowHalf: v.0.evenHalf, highHalf: v.1.evenHalf), V(lowHalf: v.2.evenHalf, highHalf: v.3.evenHalf),
                 V(lowHalf: v.4.evenHalf, highHalf: v.5.evenHalf), V(lowHalf: v.6.evenHalf, highHalf: v.7.evenHalf),
                 V(lowHalf: v.0.oddHalf, highHalf: v.1.oddHalf), V(lowHalf: v.2.oddHalf, highHalf: v.3.oddHalf),
                 V(lowHalf: v.4.oddHalf, highHalf: v.5.oddHalf), V(lowHalf: v.6.oddHalf, highHalf: v.7.oddHalf))
        }
        var v = (load(src), load(src + stride), load(src + 2 * stride), load(src + 3 * stride),
                 load(src + 4 * stride), load(src + 5 * stride), load(src + 6 * stride), load(src + 7 * stride))
        round(&v); round(&v); round(&v)
        store(v.0, dst); store(v.1, dst + dstStride); store(v.2, dst + 2 * dstStride); store(v.3, dst + 3 * dstStride)
        store(v.4, dst + 4 * dstStride); store(v.5, dst + 5 * dstStride); store(v.6, dst + 6 * dstStride); store(v.7, dst + 7 * dstStride)
    }
}
