/// O(n log n) kernels over all pairs: what the statistics would otherwise count or list pair by pair.
///
/// Every function gives exactly what the quadratic definition gives (the tests keep those as oracles): counts are
/// integers, and the order statistics of pairwise differences or Walsh averages are the very floating-point values
/// x − y or (a + b)/2 that listing the pairs would produce, because rounding is monotone.
enum PairCounting {
    // MARK: - Kendall's τ (Knight 1966)

    /// The pair counts of Kendall's τ over the n(n−1)/2 pairs of (x, y): `xTies` pairs tied in x, `yTies` tied in
    /// y, `jointTies` tied in both, `discordant` strictly discordant. Knight's algorithm: sort by (x, y), count the
    /// tie runs, then a merge sort on y counts the inversions, which are exactly the discordant pairs (pairs tied
    /// in x are already in y order, pairs tied in y are no inversions). Input must be free of NaN.
    static func kendallCounts(_ x: [Double], _ y: [Double]) -> (discordant: Int, xTies: Int, yTies: Int, jointTies: Int) {
        let n = x.count
        let order = x.indices.sorted { x[$0] < x[$1] || (x[$0] == x[$1] && y[$0] < y[$1]) }
        var xTies = 0, jointTies = 0
        var start = 0
        while start < n {
            var end = start + 1
            while end < n && x[order[end]] == x[order[start]] { end += 1 }
            xTies += (end - start) * (end - start - 1) / 2
            // Within an x run the y values are sorted: count the runs of equal y.
            var s = start
            while s < end {
                var e = s + 1
                while e < end && y[order[e]] == y[order[s]] { e += 1 }
                jointTies += (e - s) * (e - s - 1) / 2
                s = e
            }
            start = end
        }
        var ys = order.map { y[$0] }
        let discordant = inversions(&ys)
        var yTies = 0
        start = 0
        while start < n {  // ys is now sorted
            var end = start + 1
            while end < n && ys[end] == ys[start] { end += 1 }
            yTies += (end - start) * (end - start - 1) / 2
            start = end
        }
        return (discordant, xTies, yTies, jointTies)
    }

    /// Sorts `v` ascending (bottom-up merge sort) and returns the number of pairs i < j with v[i] > v[j] strictly.
    static func inversions(_ v: inout [Double]) -> Int {
        let n = v.count
        guard n > 1 else { return 0 }
        var buffer = [Double](repeating: 0, count: n)
        var count = 0
        var width = 1
        while width < n {
            var lo = 0
            while lo < n {
                let mid = min(lo + width, n), hi = min(lo + 2 * width, n)
                var i = lo, j = mid, k = lo
                while i < mid && j < hi {
                    // Equal values are taken from the left first: a tie is not an inversion.
                    if v[j] < v[i] { buffer[k] = v[j]; j += 1; count += mid - i } else { buffer[k] = v[i]; i += 1 }
                    k += 1
                }
                while i < mid { buffer[k] = v[i]; i += 1; k += 1 }
                while j < hi { buffer[k] = v[j]; j += 1; k += 1 }
                lo = hi
            }
            swap(&v, &buffer)
            width *= 2
        }
        return count
    }

    // MARK: - Mann–Whitney U

    /// U of x against y: #{(i, j): xᵢ > yⱼ} + ½·#{xᵢ = yⱼ}, by binary search in the sorted y. NaN if any value is
    /// NaN. O((n + m) log m).
    static func uStatistic(_ x: [Double], _ y: [Double]) -> Double {
        if x.contains(where: \.isNaN) || y.contains(where: \.isNaN) { return .nan }
        let s = y.sorted()
        var below = 0, equal = 0
        for a in x {
            let lt = lowerBound(s, a), le = upperBound(s, a)
            below += lt
            equal += le - lt
        }
        return Double(below) + Double(equal) / 2
    }

    /// First index whose value is not below `v`.
    static func lowerBound(_ s: [Double], _ v: Double) -> Int {
        var lo = 0, hi = s.count
        while lo < hi { let mid = (lo + hi) / 2; if s[mid] < v { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    /// First index whose value is above `v`.
    static func upperBound(_ s: [Double], _ v: Double) -> Int {
        var lo = 0, hi = s.count
        while lo < hi { let mid = (lo + hi) / 2; if s[mid] <= v { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    // MARK: - Hodges–Lehmann medians

    /// Median (type 7, numpy's) of the n·m differences xᵢ − yⱼ, without forming them. Finite input.
    static func medianOfDifferences(_ x: [Double], _ y: [Double]) -> Double {
        let xs = x.sorted(), ys = y.sorted()
        let total = xs.count * ys.count
        // #{(i, j): xᵢ − yⱼ ≤ t}: xᵢ − yⱼ ≤ t holds for a suffix ys[j...] of the ascending y, and that suffix
        // only shrinks as xᵢ grows, so one walk per count.
        let count = { (t: Double) -> Int in
            var c = 0, j = 0
            for a in xs {
                while j < ys.count && a - ys[j] > t { j += 1 }
                c += ys.count - j
            }
            return c
        }
        return medianBySelection(total: total, low: xs[0] - ys[ys.count - 1], high: xs[xs.count - 1] - ys[0],
                                 countAtMost: count)
    }

    /// Median (type 7) of the n(n+1)/2 Walsh averages (dᵢ + dⱼ)/2, i ≤ j, without forming them. Finite input.
    static func medianOfWalshAverages(_ d: [Double]) -> Double {
        let s = d.sorted()
        let n = s.count
        let count = { (t: Double) -> Int in
            // Row i counts j in i..<n with (sᵢ + sⱼ)/2 ≤ t; the last admissible j only falls as i rises.
            var c = 0, j = n - 1
            for i in 0..<n {
                while j >= i && (s[i] + s[j]) / 2 > t { j -= 1 }
                if j < i { break }
                c += j - i + 1
            }
            return c
        }
        return medianBySelection(total: n * (n + 1) / 2, low: s[0], high: s[n - 1], countAtMost: count)
    }

    /// The type-7 median of `total` implicit values in [low, high], given `countAtMost(t)` = #{values ≤ t}.
    ///
    /// Selection by bisection over the doubles themselves: finite doubles map monotonically onto 64-bit integers,
    /// so at most 64 counting passes find the smallest double t with countAtMost(t) ≥ k, which is the k-th
    /// smallest value exactly. Each pass is O(n + m), so the whole median costs O((n + m)·64) after the sort.
    static func medianBySelection(total: Int, low: Double, high: Double, countAtMost: (Double) -> Int) -> Double {
        func kth(_ k: Int) -> Double {  // 1-based
            var lo = orderedKey(low), hi = orderedKey(high)
            while lo < hi {
                let mid = lo + (hi - lo) / 2
                if countAtMost(double(fromKey: mid)) >= k { hi = mid } else { lo = mid + 1 }
            }
            return double(fromKey: lo)
        }
        let h = Double(total - 1) * 0.5
        let lo = Int(h.rounded(.down))
        let a = kth(lo + 1)
        if h == Double(lo) { return a }
        let b = kth(lo + 2)
        return a + (h - Double(lo)) * (b - a)  // as Descriptive.quantileSorted
    }

    /// A total order on doubles as unsigned integers (negative values reversed below the positive ones).
    static func orderedKey(_ d: Double) -> UInt64 {
        let u = d.bitPattern
        return u & (1 << 63) != 0 ? ~u : u | (1 << 63)
    }

    static func double(fromKey k: UInt64) -> Double {
        Double(bitPattern: k & (1 << 63) != 0 ? k & ~(1 << 63) : ~k)
    }
}
