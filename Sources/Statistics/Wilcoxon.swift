/// How `wilcoxon` treats zero differences (scipy's `zero_method`).
public enum WilcoxonZeroMethod: String, Sendable, CaseIterable {
    /// Drop zeros before ranking (scipy's default).
    case wilcox
    /// Rank zeros with the rest, then drop them from the statistic; the normal approximation is adjusted (Cureton).
    case pratt
    /// Rank zeros with the rest and add half of their ranks to each of R+ and R−.
    case zsplit
}

/// Which null distribution `wilcoxon` uses (scipy's `method`).
public enum WilcoxonMethod: String, Sendable, CaseIterable {
    case auto, exact, asymptotic
}

/// Null distribution actually used for a Wilcoxon p-value.
public enum WilcoxonMethodUsed: String, Sendable {
    /// Exact subset-sum distribution of R+ (exact only without ties and zeros).
    case exact
    /// Exhaustive enumeration of all 2ⁿ sign flips of the differences (exact under ties and zeros).
    case permutation
    /// Normal approximation with tie correction (and continuity correction if requested).
    case asymptotic
}

public struct WilcoxonResult: Equatable, Sendable {
    /// min(R+, R−) for a two-sided test, R+ for a one-sided one (scipy's convention).
    public var statistic: Double
    public var pvalue: Double
    /// The standardised statistic when the normal approximation was used (−|z| when two-sided), else nil.
    public var zstatistic: Double?
    public var methodUsed: WilcoxonMethodUsed
}

public enum Wilcoxon {
    /// Wilcoxon signed-rank test of d = x − y (or of x alone when `y` is nil) against a distribution
    /// symmetric about 0, with scipy 1.17's semantics (`scipy.stats.wilcoxon`).
    ///
    /// Ranks are average ranks of |d|. R+ sums the ranks of positive d. With `method: .auto`:
    /// more than 50 differences (zeros included) → normal approximation; else, without ties or zeros, the
    /// exact distribution of R+; else, with at most 13 differences, an exhaustive enumeration of all 2ⁿ sign
    /// flips (p = share of flips at least as extreme, with scipy's relative tolerance 100·ε); else normal.
    /// The normal approximation uses mean c(c+1)/4 and variance (c(c+1)(2c+1) − Σ(t³−t)/2)/24 over the c
    /// differences kept (Pratt subtracts the zeros' share), and `correction` (default false) moves z by 0.5/se
    /// toward 0. The exact method rounds a non-integral R+ up for `less` and down for `greater`.
    /// NaN in the data gives NaN. All-zero differences give p = 1 (exact, permutation) or NaN (asymptotic).
    /// - Throws: empty input, unequal lengths, `.exact` with more than 1000 differences.
    public static func test(_ x: [Double], _ y: [Double]? = nil, zeroMethod: WilcoxonZeroMethod = .wilcox,
                            correction: Bool = false, alternative: Alternative = .twoSided,
                            method: WilcoxonMethod = .auto) throws -> WilcoxonResult {
        let d: [Double]
        if let y {
            try Check.paired(x, y, "wilcoxon")
            d = zip(x, y).map { $0 - $1 }
        } else {
            try Check.nonEmpty(x, "x", "wilcoxon")
            d = x
        }
        if d.contains(where: \.isNaN) {
            let used: WilcoxonMethodUsed = method == .asymptotic || (method == .auto && d.count > 50) ? .asymptotic : .exact
            return WilcoxonResult(statistic: .nan, pvalue: .nan, zstatistic: used == .asymptotic ? .nan : nil,
                                  methodUsed: used)
        }
        let s = SignedRanks(d, zeroMethod: zeroMethod)
        let nZero = d.filter { $0 == 0 }.count

        let used: WilcoxonMethodUsed
        switch method {
        case .asymptotic: used = .asymptotic
        case .exact: used = .exact
        case .auto:
            if d.count > 50 { used = .asymptotic }
            else if !s.hasTies && nZero == 0 { used = .exact }
            else if d.count <= 13 { used = .permutation }
            else { used = .asymptotic }
        }

        var p: Double
        var z: Double? = nil
        switch used {
        case .asymptotic:
            var zz = (s.rPlus - s.mean) / s.se
            if correction {
                let sign: Double = switch alternative {
                case .greater: 1
                case .less: -1
                case .twoSided: zz > 0 ? 1 : (zz < 0 ? -1 : 0)
                }
                zz -= sign * 0.5 / s.se
            }
            p = GSL.pValue(zz, alternative: alternative, sf: GSL.normalSF)
            z = alternative == .twoSided ? -abs(zz) : zz
        case .exact:
            // The table has n(n+1)/2 entries built in n passes; beyond 1000 differences that is slow and the
            // normal approximation is excellent.
            guard s.count <= 1000 else {
                throw StatsError.exactUnavailable(test: "wilcoxon", reason: "\(s.count) differences exceed 1000")
            }
            let dist = SignedRankDistribution(n: s.count)
            switch alternative {
            case .less: p = dist.cdf(Int(s.rPlus.rounded(.up)))
            case .greater: p = dist.sf(Int(s.rPlus.rounded(.down)))
            case .twoSided:
                p = min(1, 2 * min(dist.sf(Int(s.rPlus.rounded(.down))), dist.cdf(Int(s.rPlus.rounded(.up)))))
            }
        case .permutation:
            p = s.signFlipPValue(alternative: alternative)
        }
        p = min(max(p, 0), 1)
        let statistic = alternative == .twoSided ? min(s.rPlus, s.rMinus) : s.rPlus
        return WilcoxonResult(statistic: statistic, pvalue: p, zstatistic: z, methodUsed: used)
    }
}

/// R+, R− and the normal-approximation moments of one vector of differences under a zero method.
struct SignedRanks {
    var rPlus = 0.0, rMinus = 0.0
    /// Number of differences the statistic ranks (non-zero ones for `wilcox`, all for `pratt`/`zsplit`).
    var count: Int
    var mean: Double
    var se: Double
    /// True when |d| has repeated values among the ranked differences.
    var hasTies: Bool
    /// Per difference: the rank it adds to R+ when positive (0 for a dropped zero) and, for zsplit zeros,
    /// the fixed half-rank added to R+ whatever the sign.
    private var signedWeight: [Double]
    private var isPositive: [Bool]
    private var fixedPlus = 0.0

    init(_ d: [Double], zeroMethod: WilcoxonZeroMethod) {
        let keepZeros = zeroMethod != .wilcox
        let ranked = keepZeros ? d : d.filter { $0 != 0 }
        let ranking = Ranking(ranked.map(abs))
        count = ranked.count
        hasTies = ranking.hasTies
        signedWeight = []
        isPositive = d.map { $0 > 0 }
        var k = 0
        for v in d {
            if v == 0 && !keepZeros { signedWeight.append(0); continue }
            let r = ranking.ranks[k]; k += 1
            if v > 0 { rPlus += r } else if v < 0 { rMinus += r }
            if v == 0 {
                signedWeight.append(0)
                if zeroMethod == .zsplit { fixedPlus += r / 2 }
            } else {
                signedWeight.append(r)
            }
        }
        rPlus += fixedPlus
        rMinus += fixedPlus
        let c = Double(count)
        var mn = c * (c + 1) / 4
        var v = c * (c + 1) * (2 * c + 1)
        var tieTerm = ranking.tieTerm
        let nz = Double(d.filter { $0 == 0 }.count)
        if zeroMethod == .pratt && nz > 0 {
            mn -= nz * (nz + 1) / 4
            v -= nz * (nz + 1) * (2 * nz + 1)
            // The zeros form the lowest tie group; Pratt leaves them out of the tie correction.
            if let first = ranking.tieSizes.first { tieTerm -= Double(first) * Double(first) * Double(first) - Double(first) }
        }
        mean = mn
        se = ((v - tieTerm / 2) / 24).squareRoot()
    }

    /// Exact p-value over all 2ⁿ sign flips of d (ranks of |d| are invariant under flips).
    func signFlipPValue(alternative: Alternative) -> Double {
        let n = signedWeight.count
        let total = 1 << n
        let observed = rPlus
        let gamma = abs(100 * Double.ulpOfOne * observed)
        var le = 0, ge = 0
        for mask in 0..<total {
            var r = fixedPlus
            for i in 0..<n where signedWeight[i] != 0 {
                // Bit set = sign flipped.
                let positive = (mask >> i) & 1 == 0 ? isPositive[i] : !isPositive[i]
                if positive { r += signedWeight[i] }
            }
            if r <= observed + gamma { le += 1 }
            if r >= observed - gamma { ge += 1 }
        }
        let pl = Double(le) / Double(total), pg = Double(ge) / Double(total)
        switch alternative {
        case .less: return pl
        case .greater: return pg
        case .twoSided: return min(1, 2 * min(pl, pg))
        }
    }
}

/// Exact null distribution of R+ for n untied, non-zero differences: every subset of {1…n} equally likely.
struct SignedRankDistribution {
    let n: Int
    /// pmf[k] = P(R+ = k), built by adding one rank at a time (each step halves, so values stay exact
    /// dyadic fractions while the counts fit in 53 bits).
    let pmf: [Double]

    init(n: Int) {
        self.n = n
        let maxSum = n * (n + 1) / 2
        var p = [Double](repeating: 0, count: maxSum + 1)
        p[0] = 1
        var top = 0
        if n > 0 {
            for i in 1...n {
                top += i
                for k in stride(from: top, through: 0, by: -1) {
                    p[k] = 0.5 * (p[k] + (k >= i ? p[k - i] : 0))
                }
            }
        }
        pmf = p
    }

    /// P(R+ ≤ k), summed directly (scipy switches to 1 − sf above the mean; summing the tail itself keeps
    /// tiny p-values accurate and agrees with scipy to rounding elsewhere).
    func cdf(_ k: Int) -> Double { sum(0, k) }

    /// P(R+ ≥ k), summed directly.
    func sf(_ k: Int) -> Double { sum(k, pmf.count - 1) }

    private func sum(_ from: Int, _ to: Int) -> Double {
        let lo = max(from, 0), hi = min(to, pmf.count - 1)
        guard lo <= hi else { return 0 }
        var s = 0.0
        for k in lo...hi { s += pmf[k] }
        return s
    }
}
