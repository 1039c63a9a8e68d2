import Foundation

/// Study design for a power calculation.
public enum PowerDesign: String, Sendable, CaseIterable {
    /// Two independent arms of equal size n (statsmodels `TTestIndPower`, ratio 1): df = 2n − 2, δ = d·√(n/2).
    case independent
    /// n matched pairs (statsmodels `TTestPower` on the differences): df = n − 1, δ = d_z·√n.
    case paired
}

public struct PowerResult: Equatable, Sendable {
    /// Fractional n per arm that reaches the target power exactly (statsmodels `solve_power`'s `nobs1`).
    public var nobs: Double
    /// Seeds needed per arm: ⌈nobs⌉, at least 2.
    public var seedsPerArm: Int
    /// Power achieved with `seedsPerArm`.
    public var powerAtSeeds: Double
}

public enum Power {
    /// Power of a t-test with n per arm (fractional n allowed), as statsmodels `ttest_power`:
    /// P(T' > t₍df,1−α'₎) (+ P(T' < t₍df,α'₎) when two-sided, α' = α/2) for a noncentral t T' with
    /// noncentrality δ. GSL has no noncentral t, so its distribution function is computed by a **numeric
    /// integration**: P(T' > c) = ∫₀^∞ Q(c·u/√ν − δ)·f(u) du, f the χ_ν density of u = √V, by composite
    /// Simpson's rule (4000 panels over ±12 around the mode) — accurate to about 1e-9.
    /// `greater` is statsmodels' 'larger', `less` its 'smaller'.
    public static func power(effectSize: Double, nobs: Double, alpha: Double = 0.05,
                             design: PowerDesign = .independent, alternative: Alternative = .twoSided) throws
        -> Double
    {
        try Check.level(alpha, "alpha")
        guard effectSize.isFinite else {
            throw StatsError.invalidParameter(name: "effect_size", value: "\(effectSize)", expected: "finite")
        }
        guard nobs > 1 else {
            throw StatsError.invalidParameter(name: "nobs", value: "\(nobs)", expected: "greater than 1")
        }
        return powerUnchecked(effectSize, nobs, alpha, design, alternative)
    }

    /// Seeds needed per arm to reach `power` (default 0.8) at `alpha` (default 0.05) for a standardised
    /// effect (Cohen's d for independent arms, d_z for paired): solves power(n) = target for fractional n by
    /// bisection (statsmodels `solve_power`), then rounds up.
    /// - Throws: effect size 0 or non-finite, alpha or power outside (0, 1), a target no n ≤ 10⁷ reaches.
    public static func seedsPerArm(effectSize: Double, power target: Double = 0.8, alpha: Double = 0.05,
                                   design: PowerDesign = .independent, alternative: Alternative = .twoSided) throws
        -> PowerResult
    {
        try Check.level(alpha, "alpha")
        try Check.level(target, "power")
        guard effectSize.isFinite, effectSize != 0 else {
            throw StatsError.invalidParameter(name: "effect_size", value: "\(effectSize)",
                                              expected: "finite and non-zero")
        }
        let f = { (n: Double) in powerUnchecked(effectSize, n, alpha, design, alternative) - target }
        var lo = 1.0 + 1e-9, hi = 2.0
        if f(lo) >= 0 { hi = lo } else {
            while f(hi) < 0 {
                lo = hi
                hi *= 2
                if hi > 1e7 {
                    throw StatsError.invalidParameter(
                        name: "effect_size", value: "\(effectSize)",
                        expected: "large enough (in the direction of `alternative`) to reach power \(target) "
                            + "with fewer than 10^7 seeds per arm")
                }
            }
            for _ in 0..<200 where hi - lo > 1e-10 * hi {
                let mid = (lo + hi) / 2
                if f(mid) < 0 { lo = mid } else { hi = mid }
            }
        }
        let seeds = max(2, Int((hi - 1e-9).rounded(.up)))
        return PowerResult(nobs: hi, seedsPerArm: seeds,
                           powerAtSeeds: powerUnchecked(effectSize, Double(seeds), alpha, design, alternative))
    }

    static func powerUnchecked(_ d: Double, _ n: Double, _ alpha: Double, _ design: PowerDesign,
                               _ alternative: Alternative) -> Double {
        let (df, nc): (Double, Double) = switch design {
        case .independent: (2 * n - 2, d * (n / 2).squareRoot())
        case .paired: (n - 1, d * n.squareRoot())
        }
        let tailAlpha = alternative == .twoSided ? alpha / 2 : alpha
        var p = 0.0
        if alternative != .less { p += noncentralTSF(GSL.tQuantile(1 - tailAlpha, df: df), df: df, nc: nc) }
        if alternative != .greater { p += 1 - noncentralTSF(GSL.tQuantile(tailAlpha, df: df), df: df, nc: nc) }
        return p
    }

    /// P(T' > c) for T' = (Z + δ)/√(V/ν), V ~ χ²_ν, by Simpson's rule over u = √V.
    static func noncentralTSF(_ c: Double, df nu: Double, nc: Double) -> Double {
        let mode = Swift.max(nu - 1, 0).squareRoot()
        let lo = Swift.max(0, mode - 12), hi = mode + 12
        let panels = 4000
        let h = (hi - lo) / Double(panels)
        let logNorm = (nu / 2 - 1) * log(2.0) + GSL.lnGamma(nu / 2)
        func integrand(_ u: Double) -> Double {
            guard u > 0 else { return nu == 1 ? exp(-logNorm) * GSL.normalSF(-nc) : 0 }
            let density = exp((nu - 1) * log(u) - u * u / 2 - logNorm)
            return GSL.normalSF(c * u / nu.squareRoot() - nc) * density
        }
        var s = integrand(lo) + integrand(hi)
        for k in 1..<panels { s += integrand(lo + Double(k) * h) * (k % 2 == 1 ? 4 : 2) }
        return s * h / 3
    }
}
