import Foundation

/// The Wilson score interval for a binomial proportion (Wilson 1927; Newcombe 1998, method 3).
///
/// With p̂ = k/n and z the two-sided normal quantile of the confidence level:
///   centre = (p̂ + z²/2n) / (1 + z²/n),  half-width = z/(1 + z²/n) · √(p̂(1−p̂)/n + z²/4n²).
/// Unlike the Wald interval it stays inside [0, 1] and does not collapse to a point at k = 0 or k = n, which is
/// what accuracies of a weak model on a few hundred problems need. No continuity correction (statsmodels'
/// `proportion_confint(method="wilson")`).
public enum Wilson {
    /// z for a 95% two-sided interval, Φ⁻¹(0.975).
    public static let z95 = 1.959_963_984_540_054

    /// The interval of `successes` out of `trials` at normal quantile `z` (95% by default).
    /// `trials` = 0 gives the uninformative [0, 1]; counts outside 0...trials are clamped (a programming error
    /// upstream, but a bound must never leave [0, 1]).
    public static func interval(successes: Int, trials: Int, z: Double = z95) -> (low: Double, high: Double) {
        guard trials > 0 else { return (0, 1) }
        let n = Double(trials), k = Double(min(max(successes, 0), trials))
        let p = k / n, z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        // Exact endpoints at k = 0 and k = n (rounding would otherwise leave 1e-17 instead of 0).
        let low = k == 0 ? 0 : max(0, centre - half)
        let high = k == n ? 1 : min(1, centre + half)
        return (low, high)
    }
}
