import JSON
/// Which null distribution `kendalltau` uses (scipy's `method`).
public enum KendallMethod: String, Sendable, CaseIterable {
    case auto, exact, asymptotic
}

/// Which τ `kendalltau` reports (scipy's `variant`).
public enum KendallVariant: String, Sendable, CaseIterable {
    case b, c
}

public struct CorrelationResult: Equatable, Sendable {
    /// The correlation coefficient (r, ρ or τ-b).
    public var statistic: Double
    public var pvalue: Double
    /// How the p-value was computed: "t", "exact" or "asymptotic".
    public var methodUsed: String
}

public enum Correlation {
    /// Pearson's r (scipy `pearsonr`): r = Σ(x−x̄)(y−ȳ)/(‖x−x̄‖‖y−ȳ‖), clipped to [−1, 1]. The p-value is from
    /// t = r√((n−2)/(1−r²)) with n − 2 df (equal to scipy's beta form); |r| = 1 gives p = 0, and n = 2 gives
    /// r = ±1 exactly and p = 1 for every alternative (scipy). Constant input (every value equal to the first),
    /// NaN, or an infinite value (x − x̄ is then NaN) gives NaN.
    /// - Throws: empty input, unequal lengths, fewer than 2 pairs.
    public static func pearson(_ x: [Double], _ y: [Double], alternative: Alternative = .twoSided) throws
        -> CorrelationResult
    {
        try Check.paired(x, y, "pearsonr", minimum: 2)
        let r = pearsonR(x, y)
        return CorrelationResult(statistic: r, pvalue: tPValue(r, n: x.count, alternative: alternative),
                                 methodUsed: "t")
    }

    /// Spearman's ρ (scipy `spearmanr`): Pearson's r of the average ranks, p-value from t with n − 2 df.
    /// Constant input or NaN gives NaN.
    /// - Throws: empty input, unequal lengths, fewer than 3 pairs (scipy's p-value is undefined below 3).
    public static func spearman(_ x: [Double], _ y: [Double], alternative: Alternative = .twoSided) throws
        -> CorrelationResult
    {
        try Check.paired(x, y, "spearmanr", minimum: 3)
        if x.contains(where: \.isNaN) || y.contains(where: \.isNaN) {
            return CorrelationResult(statistic: .nan, pvalue: .nan, methodUsed: "t")
        }
        let rx = Ranking(x).ranks, ry = Ranking(y).ranks
        var r = pearsonR(rx, ry)
        // A perfect rank correlation is ±1 exactly, so p = 0 exactly, as scipy's spearmanr (np.corrcoef) gives;
        // the sum of squares of a unit vector can round to 1 − 2⁻⁵², which at n = 3 would give p ≈ 1e-8.
        // (scipy's pearsonr does keep that rounding, and so does `pearson`.)
        let n1 = Double(x.count + 1)
        if rx == ry && !r.isNaN { r = 1 } else if zip(rx, ry).allSatisfy({ $0 == n1 - $1 }) && !r.isNaN { r = -1 }
        return CorrelationResult(statistic: r, pvalue: tPValue(r, n: x.count, alternative: alternative),
                                 methodUsed: "t")
    }

    /// Point-biserial correlation (scipy `pointbiserialr`): Pearson's r between a 0/1 group indicator `groups`
    /// and the values, with Pearson's p-value.
    /// - Throws: an x value other than 0 or 1 (naming its index), and as `pearson`.
    public static func pointBiserial(_ groups: [Double], _ values: [Double], alternative: Alternative = .twoSided)
        throws -> CorrelationResult
    {
        try Check.paired(groups, values, "pointbiserialr", minimum: 2)
        if let i = groups.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw StatsError.invalidParameter(name: "x[\(i)]", value: JSONValue.double(groups[i]).serialized,
                                              expected: "0 or 1 (x is the binary group indicator of pointbiserialr)")
        }
        return try pearson(groups, values, alternative: alternative)
    }

    /// Kendall's τ (scipy `kendalltau`): variant 'b' (default) τ_b = (C − D)/√((P − Tx)(P − Ty)) over the
    /// P = n(n−1)/2 pairs, Tx/Ty pairs tied in x/y; variant 'c' (Stuart) τ_c = 2(C − D)/(n²(m − 1)/m), m the
    /// smaller number of distinct values. The p-value depends only on C − D, so it is the same for both.
    /// Pair counts by Knight's O(n log n) algorithm.
    /// `method: .auto` is exact when there are no ties and n ≤ 33 (or min(D, P − D) ≤ 1): the permutation
    /// distribution of the number of inversions (Mahonian numbers). Otherwise the normal approximation with
    /// scipy's tie-corrected variance and no continuity correction. All-tied x or y, or NaN, gives NaN.
    /// - Throws: empty input, unequal lengths, fewer than 2 pairs, `.exact` with ties or with n·min(C, D) > 5·10⁸.
    public static func kendall(_ x: [Double], _ y: [Double], alternative: Alternative = .twoSided,
                               method: KendallMethod = .auto, variant: KendallVariant = .b) throws
        -> CorrelationResult
    {
        let test = "kendalltau"
        try Check.paired(x, y, test, minimum: 2)
        if x.contains(where: \.isNaN) || y.contains(where: \.isNaN) {
            return CorrelationResult(statistic: .nan, pvalue: .nan, methodUsed: method.rawValue)
        }
        let n = x.count
        // Knight's O(n log n) counts (`PairCounting.kendallCounts`); sorting compares rather than subtracts, so
        // two equal infinities are a tie, as scipy ranks them.
        let counts = PairCounting.kendallCounts(x, y)
        let dis = counts.discordant, xtie = counts.xTies, ytie = counts.yTies, ntie = counts.jointTies
        let tot = n * (n - 1) / 2
        if xtie == tot || ytie == tot {
            return CorrelationResult(statistic: .nan, pvalue: .nan, methodUsed: method.rawValue)
        }
        let cmd = Double(tot - xtie - ytie + ntie - 2 * dis)
        let raw: Double
        switch variant {
        case .b: raw = cmd / Double(tot - xtie).squareRoot() / Double(tot - ytie).squareRoot()
        case .c:
            let classes = Double(min(Set(x).count, Set(y).count))
            raw = 2 * cmd / (Double(n) * Double(n) * (classes - 1) / classes)
        }
        let tau = min(1, max(-1, raw))
        let ties = xtie != 0 || ytie != 0
        var used = method
        switch method {
        case .exact where ties:
            throw StatsError.exactUnavailable(test: test, reason: "the data have ties")
        case .auto:
            used = !ties && (n <= 33 || min(dis, tot - dis) <= 1) ? .exact : .asymptotic
        default: break
        }
        if used == .exact {
            guard Double(n) * Double(min(tot - dis, dis)) <= 5e8 else {
                throw StatsError.exactUnavailable(test: test, reason: "n = \(n) is too large for the exact distribution")
            }
            return CorrelationResult(statistic: tau, pvalue: kendallExactP(n: n, concordant: tot - dis,
                                                                           alternative: alternative),
                                     methodUsed: "exact")
        }
        let (x0, x1) = tieSums(x), (y0, y1) = tieSums(y)
        let nn = Double(n), m = nn * (nn - 1)
        let variance = (m * (2 * nn + 5) - x1 - y1) / 18 + 2 * Double(xtie) * Double(ytie) / m
            + x0 * y0 / (9 * m * (nn - 2))
        let z = cmd / variance.squareRoot()
        return CorrelationResult(statistic: tau, pvalue: GSL.pValue(z, alternative: alternative, sf: GSL.normalSF),
                                 methodUsed: "asymptotic")
    }

    // MARK: - Kernels

    static func pearsonR(_ x: [Double], _ y: [Double]) -> Double {
        if x.contains(where: \.isNaN) || y.contains(where: \.isNaN) { return .nan }
        // Constant input: scipy tests x == x[0] exactly (x − x̄ need not be exactly 0), warns and returns NaN.
        if x.allSatisfy({ $0 == x[0] }) || y.allSatisfy({ $0 == y[0] }) { return .nan }
        let mx = Descriptive.meanUnchecked(x), my = Descriptive.meanUnchecked(y)
        let xm = x.map { $0 - mx }, ym = y.map { $0 - my }
        // Norms scaled by the largest deviation, as scipy, so that squares neither overflow nor underflow.
        func norm(_ v: [Double]) -> Double {
            let top = v.reduce(0) { Swift.max($0, abs($1)) }
            return top * v.reduce(0) { $0 + ($1 / top) * ($1 / top) }.squareRoot()
        }
        let nx = norm(xm), ny = norm(ym)
        var r = 0.0
        for i in x.indices { r += (xm[i] / nx) * (ym[i] / ny) }
        // An infinite value makes r NaN; Swift's min/max would turn NaN into a bound, so clip only numbers.
        r = r.isNaN ? r : min(1, max(-1, r))
        // Two points: scipy rounds r to exactly ±1.
        return x.count == 2 ? r.rounded() : r
    }

    static func tPValue(_ r: Double, n: Int, alternative: Alternative) -> Double {
        if r.isNaN { return .nan }
        // Two points always lie on a line (r = ±1): scipy returns p = 1 whatever the alternative.
        if n == 2 { return 1 }
        let df = Double(n - 2)
        let t = r * (df / ((1 + r) * (1 - r))).squareRoot()
        return GSL.pValue(t, alternative: alternative) { GSL.tSF($0, df: df) }
    }

    /// Σ t(t−1)(t−2) and Σ t(t−1)(2t+5) over tie groups.
    private static func tieSums(_ v: [Double]) -> (Double, Double) {
        var a = 0.0, b = 0.0
        for t in Ranking(v).tieSizes where t > 1 {
            let c = Double(t)
            a += c * (c - 1) * (c - 2)
            b += c * (c - 1) * (2 * c + 5)
        }
        return (a, b)
    }

    /// Exact p-value of τ without ties from the distribution of the number of concordant pairs C, which is
    /// that of the number of inversions of a random permutation (symmetric about P/2).
    static func kendallExactP(n: Int, concordant c: Int, alternative: Alternative) -> Double {
        let tot = n * (n - 1) / 2
        let inRightTail = c >= tot - c
        let k = min(c, tot - c)
        var prob: Double, mass: Double
        if n <= 2 {
            prob = 1; mass = 0.5
        } else if 4 * k == n * (n - 1) && alternative == .twoSided {
            prob = 1; mass = 0
        } else {
            // pmf of inversions over permutations of j elements, truncated at k, built up for j = 1…n;
            // dividing by j at each step keeps it a probability.
            var pmf = [Double](repeating: 0, count: k + 1)
            pmf[0] = 1
            if n >= 2 {
                for j in 2...n {
                    // new[i] = (1/j) Σ_{s=0}^{min(i, j−1)} old[i − s], via a running sum.
                    var next = [Double](repeating: 0, count: k + 1)
                    var running = 0.0
                    for i in 0...k {
                        running += pmf[i]
                        if i - j >= 0 { running -= pmf[i - j] }
                        next[i] = running / Double(j)
                    }
                    pmf = next
                }
            }
            prob = 2 * pmf.reduce(0, +)
            mass = pmf[k]
        }
        if alternative != .twoSided {
            if inRightTail == (alternative == .greater) { prob /= 2 } else { prob = 1 - prob / 2 + mass }
        }
        return min(max(prob, 0), 1)
    }
}
