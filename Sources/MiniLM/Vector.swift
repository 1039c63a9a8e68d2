/// Explicit SIMD reductions over float rows. The compiler does not vectorise a float reduction written as a
/// scalar loop (it may not reorder the additions), so every hot dot product, sum and max goes through these.
/// Results depend only on n and the data, never on alignment or thread count.
enum Vector {
    typealias V = SIMD16<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }

    /// Σ a[i]·b[i].
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = V(), i = 0
        while i + 16 <= n { acc = acc.addingProduct(load(a + i), load(b + i)); i += 16 }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// Σ a[i].
    @inline(__always)
    static func sum(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = V(), i = 0
        while i + 16 <= n { acc += load(a + i); i += 16 }
        var s = acc.sum()
        while i < n { s += a[i]; i += 1 }
        return s
    }

    /// max a[i] (−∞ for n = 0).
    @inline(__always)
    static func max(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = V(repeating: -.infinity), i = 0
        while i + 16 <= n { acc = pointwiseMax(acc, load(a + i)); i += 16 }
        var m = acc.max()
        while i < n { m = Swift.max(m, a[i]); i += 1 }
        return m
    }

    /// Σ (a[i] − c)².
    @inline(__always)
    static func sumSquaredDeviations(_ a: UnsafePointer<Float>, _ c: Float, _ n: Int) -> Float {
        var acc = V(), i = 0
        let cv = V(repeating: c)
        while i + 16 <= n { let d = load(a + i) - cv; acc = acc.addingProduct(d, d); i += 16 }
        var s = acc.sum()
        while i < n { let d = a[i] - c; s += d * d; i += 1 }
        return s
    }

    /// y[i] += alpha·x[i].
    @inline(__always)
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let av = V(repeating: alpha)
        var i = 0
        while i + 16 <= n { store(load(y + i).addingProduct(av, load(x + i)), y + i); i += 16 }
        while i < n { y[i] += alpha * x[i]; i += 1 }
    }

    /// In place: a[i] = exp(a[i] − shift); returns the sum.
    @inline(__always)
    static func expShiftedSum(_ a: UnsafeMutablePointer<Float>, _ shift: Float, _ n: Int) -> Float {
        var s: Float = 0
        var acc = V(), i = 0
        while i + 16 <= n {
            var v = load(a + i)
            for k in 0..<16 { v[k] = fastExp(v[k] - shift) }
            store(v, a + i)
            acc += v
            i += 16
        }
        s = acc.sum()
        while i < n { let e = fastExp(a[i] - shift); a[i] = e; s += e; i += 1 }
        return s
    }

    /// a[i] *= c.
    @inline(__always)
    static func scale(_ a: UnsafeMutablePointer<Float>, _ c: Float, _ n: Int) {
        for i in 0..<n { a[i] *= c }
    }
}
