import CGSL

/// Thin, safe wrappers over the GSL distribution functions the tests use.
///
/// GSL's default error handler aborts the process; `ready` switches it off exactly once (a Swift `static let`
/// is initialised lazily and thread-safely), and every wrapper touches `ready` before calling GSL. p-values are
/// always taken from upper-tail functions (`…_Q`) rather than `1 − P`, so p ≈ 1e-12 keeps its digits.
enum GSL {
    static let ready: Void = { _ = gsl_set_error_handler_off() }()

    /// P(Z > z) for a standard normal.
    static func normalSF(_ z: Double) -> Double { _ = ready; return z.isNaN ? .nan : gsl_cdf_ugaussian_Q(z) }
    /// P(Z ≤ z) for a standard normal.
    static func normalCDF(_ z: Double) -> Double { _ = ready; return z.isNaN ? .nan : gsl_cdf_ugaussian_P(z) }
    /// Standard normal quantile; ±inf at 0 and 1, NaN outside [0, 1].
    static func normalQuantile(_ p: Double) -> Double {
        _ = ready
        if p.isNaN || p < 0 || p > 1 { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        return gsl_cdf_ugaussian_Pinv(p)
    }
    /// P(T > t) for Student's t with `df` degrees of freedom (NaN when df ≤ 0 or NaN).
    static func tSF(_ t: Double, df: Double) -> Double {
        _ = ready
        if t.isNaN || df.isNaN || !(df > 0) { return .nan }
        if t == .infinity { return 0 }
        if t == -.infinity { return 1 }
        return gsl_cdf_tdist_Q(t, df)
    }
    /// P(T ≤ t) for Student's t.
    static func tCDF(_ t: Double, df: Double) -> Double { tSF(-t, df: df) }
    /// Student's t quantile.
    static func tQuantile(_ p: Double, df: Double) -> Double {
        _ = ready
        if p.isNaN || df.isNaN || !(df > 0) || p < 0 || p > 1 { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        return gsl_cdf_tdist_Pinv(p, df)
    }
    /// P(F > f) for Snedecor's F with (d1, d2) degrees of freedom (NaN for NaN or non-positive df).
    static func fSF(_ f: Double, _ d1: Double, _ d2: Double) -> Double {
        _ = ready
        if f.isNaN || !(d1 > 0) || !(d2 > 0) { return .nan }
        if f == .infinity { return 0 }
        return gsl_cdf_fdist_Q(f, d1, d2)
    }
    /// The p-quantile of the χ² distribution with `df` degrees of freedom (NaN for NaN or non-positive df,
    /// or p outside [0, 1]).
    static func chiSquareQuantile(_ p: Double, df: Double) -> Double {
        _ = ready
        if p.isNaN || df.isNaN || !(df > 0) || p < 0 || p > 1 { return .nan }
        if p == 0 { return 0 }
        if p == 1 { return .infinity }
        return gsl_cdf_chisq_Pinv(p, df)
    }
    /// ln Γ(x) for x > 0; NaN otherwise (GSL's poles would only set an error code).
    static func lnGamma(_ x: Double) -> Double { _ = ready; return x > 0 ? gsl_sf_lngamma(x) : .nan }

    /// p-value of a statistic whose null distribution is symmetric, from upper tails:
    /// less = P(S ≤ s), greater = P(S ≥ s), two-sided = 2·P(S ≥ |s|) (scipy's `_get_pvalue`).
    static func pValue(_ s: Double, alternative: Alternative, sf: (Double) -> Double) -> Double {
        if s.isNaN { return .nan }
        switch alternative {
        case .less: return sf(-s)
        case .greater: return sf(s)
        case .twoSided: return min(1, 2 * sf(abs(s)))
        }
    }
}
