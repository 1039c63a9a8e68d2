/// Global L2 norm of a gradient buffer (Double accumulation).
public func globalNorm(_ g: FloatBuffer, range: Range<Int>? = nil) -> Double {
    let r = range ?? 0..<g.count
    var s = 0.0
    var i = r.lowerBound
    while i < r.upperBound {
        // Blocks of float sums keep the loop vectorisable while the running total stays in Double.
        let end = min(i + 4096, r.upperBound)
        var part: Float = 0
        for j in i..<end { part += g[j] * g[j] }
        s += Double(part)
        i = end
    }
    return s.squareRoot()
}

/// Scales `g` so its global norm is at most `maxNorm`; returns the norm before clipping.
@discardableResult
public func clipGlobalNorm(_ g: FloatBuffer, maxNorm: Double) -> Double {
    let n = globalNorm(g)
    if maxNorm > 0, n > maxNorm, n.isFinite {
        let s = Float(maxNorm / n)
        for i in 0..<g.count { g[i] *= s }
    }
    return n
}
