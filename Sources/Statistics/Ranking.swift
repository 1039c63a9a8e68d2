/// Average ranks (1-based, ties get the mean of the ranks they span), as scipy's `rankdata(method='average')`.
///
/// `tieSizes` lists the size of every group of equal values (size 1 included), in ascending value order.
/// Input must be free of NaN (callers check).
struct Ranking {
    var ranks: [Double]
    var tieSizes: [Int]

    init(_ x: [Double]) {
        let order = x.indices.sorted { x[$0] < x[$1] || (x[$0] == x[$1] && $0 < $1) }
        var ranks = [Double](repeating: 0, count: x.count)
        var tieSizes: [Int] = []
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && x[order[end]] == x[order[start]] { end += 1 }
            // Positions start..<end hold equal values; their ordinal ranks are start+1 ... end.
            let average = Double(start + 1 + end) / 2
            for k in start..<end { ranks[order[k]] = average }
            tieSizes.append(end - start)
            start = end
        }
        self.ranks = ranks
        self.tieSizes = tieSizes
    }

    var hasTies: Bool { tieSizes.contains { $0 > 1 } }

    /// Σ (t³ − t) over tie groups, the usual tie-correction term.
    var tieTerm: Double { tieSizes.reduce(0) { $0 + Double($1) * Double($1) * Double($1) - Double($1) } }
}
