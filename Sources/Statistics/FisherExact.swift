import Foundation

public struct FisherExactResult: Equatable, Sendable {
    /// The sample odds ratio a·d / (b·c) of the table [[a, b], [c, d]] (∞ when b·c = 0 < a·d, NaN when both are 0).
    public var statistic: Double
    public var pvalue: Double
}

/// Fisher's exact test of a 2×2 table with scipy's semantics (`scipy.stats.fisher_exact`).
///
/// Conditioning on the margins, a (the top-left count) is hypergeometric: M = a+b+c+d, n = a+b, N = a+c.
/// `less` is P(X ≤ a), `greater` P(X ≥ a); two-sided sums the probabilities of every table no more likely than
/// the observed one (relative tolerance 1e-7, as R's `fisher.test` and scipy), clipped to 1. A table with an
/// empty row or column has p = 1. In a study: rows are two arms, columns "collapsed" and "did not".
public enum FisherExact {
    public static func test(_ a: Int, _ b: Int, _ c: Int, _ d: Int, alternative: Alternative = .twoSided) throws -> FisherExactResult {
        guard a >= 0, b >= 0, c >= 0, d >= 0 else {
            throw StatsError.invalidParameter(name: "table", value: "[[\(a), \(b)], [\(c), \(d)]]", expected: "non-negative counts")
        }
        let odds: Double
        if b * c == 0 { odds = a * d == 0 ? .nan : .infinity } else { odds = Double(a) * Double(d) / (Double(b) * Double(c)) }
        let m = a + b + c + d, n = a + b, k = a + c
        guard n > 0, c + d > 0, k > 0, b + d > 0 else { return FisherExactResult(statistic: odds, pvalue: 1) }
        let low = max(0, k - (m - n)), high = min(n, k)
        let pmf = (low...high).map { Hypergeometric.pmf($0, total: m, marked: n, drawn: k) }
        let observed = pmf[a - low]
        let p: Double = switch alternative {
        case .less: pmf[0...(a - low)].reduce(0, +)
        case .greater: pmf[(a - low)...].reduce(0, +)
        case .twoSided: pmf.filter { $0 <= observed * (1 + 1e-7) }.reduce(0, +)
        }
        return FisherExactResult(statistic: odds, pvalue: min(max(p, 0), 1))
    }

    /// The power of the two-sided test at `alpha` for two arms of `n1` and `n2` trials whose true event rates are
    /// `p1` and `p2`: the probability, over both binomials, of a table whose p-value is at most `alpha` (exact
    /// enumeration of the (n1+1)(n2+1) tables).
    public static func power(n1: Int, n2: Int, p1: Double, p2: Double, alpha: Double) throws -> Double {
        try Check.level(alpha, "alpha")
        guard n1 >= 1, n2 >= 1, n1 <= 1000, n2 <= 1000 else {
            throw StatsError.invalidParameter(name: "n", value: "\(n1), \(n2)", expected: "1...1000 trials per arm")
        }
        guard (0...1).contains(p1), (0...1).contains(p2) else {
            throw StatsError.invalidParameter(name: "p", value: "\(p1), \(p2)", expected: "rates in [0, 1]")
        }
        let b1 = (0...n1).map { Binomial.pmf($0, n1, p1) }, b2 = (0...n2).map { Binomial.pmf($0, n2, p2) }
        var power = 0.0
        for x1 in 0...n1 where b1[x1] > 0 {
            for x2 in 0...n2 where b2[x2] > 0 {
                if try test(x1, n1 - x1, x2, n2 - x2).pvalue <= alpha { power += b1[x1] * b2[x2] }
            }
        }
        return min(power, 1)
    }

    /// The smallest equal number of trials per arm (up to `limit`) whose power reaches `target`; nil when none does.
    public static func trialsNeeded(p1: Double, p2: Double, alpha: Double, target: Double = 0.8, limit: Int = 100) throws -> Int? {
        for n in 2...max(2, limit) where try power(n1: n, n2: n, p1: p1, p2: p2, alpha: alpha) >= target { return n }
        return nil
    }
}

/// Probability mass functions on log scale through ln Γ (exact enough for the tables a study has).
enum Hypergeometric {
    static func pmf(_ x: Int, total m: Int, marked n: Int, drawn k: Int) -> Double {
        exp(lnChoose(n, x) + lnChoose(m - n, k - x) - lnChoose(m, k))
    }
}

enum Binomial {
    static func pmf(_ x: Int, _ n: Int, _ p: Double) -> Double {
        if p == 0 { return x == 0 ? 1 : 0 }
        if p == 1 { return x == n ? 1 : 0 }
        return exp(lnChoose(n, x) + Double(x) * log(p) + Double(n - x) * log1p(-p))
    }
}

/// ln C(n, k), −∞ outside 0...n.
func lnChoose(_ n: Int, _ k: Int) -> Double {
    guard k >= 0, k <= n else { return -.infinity }
    return GSL.lnGamma(Double(n + 1)) - GSL.lnGamma(Double(k + 1)) - GSL.lnGamma(Double(n - k + 1))
}
