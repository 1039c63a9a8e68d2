import CGSL
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
    /// integration**: P(T' > c) = ∫₀^∞ Q(c·u/√ν − δ)·f(u) du, f the χ_ν density of u = √V, by GSL's adaptive
    /// QAGP over ±12 around the mode (relative accuracy about 1e-10, also for ν < 2, where f or its slope is
    /// infinite at 0). The lower tail is the upper tail of −T' (noncentrality −δ), never 1 − P.
    /// `greater` is statsmodels' 'larger', `less` its 'smaller'.
    /// `ratio` = n₂/n₁ (statsmodels' `ratio`, independent design only): df = n₁ + n₂ − 2, δ = d·√(n₁n₂/(n₁+n₂)).
    public static func power(effectSize: Double, nobs: Double, alpha: Double = 0.05,
                             design: PowerDesign = .independent, alternative: Alternative = .twoSided,
                             ratio: Double = 1) throws -> Double
    {
        try Check.level(alpha, "alpha")
        try checkRatio(ratio, design)
        guard effectSize.isFinite else {
            throw StatsError.invalidParameter(name: "effect_size", value: "\(effectSize)", expected: "finite")
        }
        guard nobs > 1 else {
            throw StatsError.invalidParameter(name: "nobs", value: "\(nobs)", expected: "greater than 1")
        }
        return powerUnchecked(effectSize, nobs, alpha, design, alternative, ratio)
    }

    static func checkRatio(_ ratio: Double, _ design: PowerDesign) throws {
        guard ratio.isFinite, ratio > 0 else {
            throw StatsError.invalidParameter(name: "ratio", value: "\(ratio)", expected: "a positive number (n₂/n₁)")
        }
        if design == .paired && ratio != 1 {
            throw StatsError.invalidParameter(name: "ratio", value: "\(ratio)", expected: "1 for paired designs")
        }
    }

    /// Seeds needed per arm to reach `power` (default 0.8) at `alpha` (default 0.05) for a standardised
    /// effect (Cohen's d for independent arms, d_z for paired): solves power(n) = target for fractional n by
    /// bisection (statsmodels `solve_power`), then rounds up.
    /// - Throws: effect size 0 or non-finite, alpha or power outside (0, 1), a target no n ≤ 10⁷ reaches.
    /// With `ratio` ≠ 1 the result is n₁ (statsmodels' `nobs1`); arm 2 needs n₁·ratio.
    public static func seedsPerArm(effectSize: Double, power target: Double = 0.8, alpha: Double = 0.05,
                                   design: PowerDesign = .independent, alternative: Alternative = .twoSided,
                                   ratio: Double = 1) throws -> PowerResult
    {
        try Check.level(alpha, "alpha")
        try checkRatio(ratio, design)
        try Check.level(target, "power")
        guard effectSize.isFinite, effectSize != 0 else {
            throw StatsError.invalidParameter(name: "effect_size", value: "\(effectSize)",
                                              expected: "finite and non-zero")
        }
        let f = { (n: Double) in powerUnchecked(effectSize, n, alpha, design, alternative, ratio) - target }
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
                           powerAtSeeds: powerUnchecked(effectSize, Double(seeds), alpha, design, alternative, ratio))
    }

    /// The smallest standardised effect (Cohen's d, or d_z paired) that `nobs` seeds per arm detect with `power`
    /// at `alpha`: solves power(d) = target by bisection (statsmodels `solve_power` with `effect_size=None`).
    /// What a study's seeds can resolve when it declares no hypothesis (a tuning study's choice between rates).
    public static func detectableEffect(nobs: Double, power target: Double = 0.8, alpha: Double = 0.05,
                                        design: PowerDesign = .independent, alternative: Alternative = .twoSided) throws -> Double {
        try Check.level(alpha, "alpha")
        try Check.level(target, "power")
        guard nobs > 1, nobs.isFinite else {
            throw StatsError.invalidParameter(name: "nobs", value: "\(nobs)", expected: "greater than 1")
        }
        let f = { (d: Double) in powerUnchecked(d, nobs, alpha, design, alternative) - target }
        var lo = 0.0, hi = 1.0
        while f(hi) < 0 {
            lo = hi
            hi *= 2
            guard hi < 1e6 else { throw StatsError.invalidParameter(name: "nobs", value: "\(nobs)", expected: "enough seeds to reach the power") }
        }
        for _ in 0..<200 where hi - lo > 1e-12 * hi {
            let mid = (lo + hi) / 2
            if f(mid) < 0 { lo = mid } else { hi = mid }
        }
        return hi
    }

    static func powerUnchecked(_ d: Double, _ n: Double, _ alpha: Double, _ design: PowerDesign,
                               _ alternative: Alternative, _ ratio: Double = 1) -> Double {
        let (df, nc): (Double, Double) = switch design {
        case .independent where ratio == 1: (2 * n - 2, d * (n / 2).squareRoot())
        case .independent: (n + n * ratio - 2, d * (n * (n * ratio) / (n + n * ratio)).squareRoot())
        case .paired: (n - 1, d * n.squareRoot())
        }
        let tailAlpha = alternative == .twoSided ? alpha / 2 : alpha
        var p = 0.0
        if alternative != .less { p += noncentralTSF(GSL.tQuantile(1 - tailAlpha, df: df), df: df, nc: nc) }
        // P(T' < c) = P(−T' > −c), and −T' is noncentral t with −δ: summing that tail directly keeps a tiny
        // power tiny (1 − P(T' > c) left rounding noise of ±1e-12, negative powers included).
        if alternative != .greater { p += noncentralTSF(-GSL.tQuantile(tailAlpha, df: df), df: df, nc: -nc) }
        return p
    }

    /// The integrand's constants, handed to GSL through its `void *params`.
    private struct NoncentralT {
        var c, nu, nc, logNorm: Double
    }

    /// P(T' > c) for T' = (Z + δ)/√(V/ν), V ~ χ²_ν: ∫ Q(c·u/√ν − δ)·f(u) du over u = √V by GSL's QAGP.
    ///
    /// Simpson's rule on a fixed grid is not enough here: for ν < 1 the χ_ν density u^{ν−1}e^{−u²/2} is infinite
    /// at 0 and for ν < 2 its slope is, which cost up to 0.2 in power at nobs ≈ 1.2 and 2e-4 at ν ≈ 1.2.
    /// QAGP's Gauss–Kronrod nodes never touch the end points, and its extrapolation handles such singularities.
    static func noncentralTSF(_ c: Double, df nu: Double, nc: Double) -> Double {
        if c.isNaN || nu.isNaN || nc.isNaN || !(nu > 0) { return .nan }
        if c == .infinity { return 0 }
        if c == -.infinity { return 1 }
        _ = GSL.ready
        let mode = Swift.max(nu - 1, 0).squareRoot()
        let lo = Swift.max(0, mode - 12), hi = mode + 12
        var constants = NoncentralT(c: c, nu: nu, nc: nc, logNorm: (nu / 2 - 1) * log(2.0) + GSL.lnGamma(nu / 2))
        let limit = 1000
        guard let workspace = gsl_integration_workspace_alloc(limit) else { return .nan }
        defer { gsl_integration_workspace_free(workspace) }
        // Q(a·u − δ), a = c/√ν, steps from 1 to 0 (or back) around u = δ/a over a width of about 1/|a|. With a
        // huge critical value (ν < 1) that step sits far inside the first Gauss–Kronrod panel and the integral would
        // come out 0, so it gets break points of its own.
        var points = [lo]
        let a = c / nu.squareRoot()
        if a != 0 {
            let centre = nc / a, width = 1 / abs(a)
            // Strictly increasing and inside (lo, hi), as QAGP needs (points can merge when |δ| is enormous).
            for k in [-8.0, -2, 0, 2, 8] where centre + k * width > points[points.count - 1] && centre + k * width < hi {
                points.append(centre + k * width)
            }
        }
        points.append(hi)
        var result = 0.0, error = 0.0
        withUnsafeMutablePointer(to: &constants) { pointer in
            var f = gsl_function(function: { u, params in
                guard let k = params?.assumingMemoryBound(to: NoncentralT.self).pointee, u > 0 else { return 0 }
                let density = exp((k.nu - 1) * log(u) - u * u / 2 - k.logNorm)
                return GSL.normalSF(k.c * u / k.nu.squareRoot() - k.nc) * density
            }, params: UnsafeMutableRawPointer(pointer))
            // A non-zero status (round-off limits reached) still leaves the best estimate in `result`.
            _ = gsl_integration_qagp(&f, &points, points.count, 0, 1e-11, limit, workspace, &result, &error)
        }
        return result
    }
}
