/// Adjusted p-values in the input order, with reject flags at α (reject when adjusted p ≤ α).
public struct AdjustedPValues: Equatable, Sendable {
    public var adjusted: [Double]
    public var reject: [Bool]
    public var alpha: Double
}

public enum MultipleComparisons {
    /// Holm's step-down adjustment (statsmodels `multipletests(method='holm')`, not its default Holm–Šidák):
    /// with p sorted ascending, adj₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎). Ties keep input order.
    /// - Throws: empty input, a p-value outside [0, 1] or NaN, α outside (0, 1).
    public static func holm(_ p: [Double], alpha: Double = 0.05) throws -> AdjustedPValues {
        try validate(p, alpha, "holm")
        let m = p.count
        let order = p.indices.sorted { p[$0] < p[$1] || (p[$0] == p[$1] && $0 < $1) }
        var adjusted = [Double](repeating: 0, count: m)
        var running = 0.0
        for (j, i) in order.enumerated() {
            running = max(running, min(1, Double(m - j) * p[i]))
            adjusted[i] = running
        }
        return AdjustedPValues(adjusted: adjusted, reject: adjusted.map { $0 <= alpha }, alpha: alpha)
    }

    /// Benjamini–Hochberg false-discovery-rate adjustment (statsmodels `fdr_bh`): with p sorted ascending,
    /// adj₍ᵢ₎ = min_{j ≥ i} (m/j)·p₍ⱼ₎, clipped to 1.
    /// - Throws: empty input, a p-value outside [0, 1] or NaN, α outside (0, 1).
    public static func benjaminiHochberg(_ p: [Double], alpha: Double = 0.05) throws -> AdjustedPValues {
        try validate(p, alpha, "benjamini_hochberg")
        let m = p.count
        let order = p.indices.sorted { p[$0] < p[$1] || (p[$0] == p[$1] && $0 < $1) }
        var adjusted = [Double](repeating: 0, count: m)
        var running = 1.0
        for j in stride(from: m - 1, through: 0, by: -1) {
            let i = order[j]
            running = min(running, Double(m) / Double(j + 1) * p[i])
            adjusted[i] = min(1, running)
        }
        return AdjustedPValues(adjusted: adjusted, reject: adjusted.map { $0 <= alpha }, alpha: alpha)
    }

    private static func validate(_ p: [Double], _ alpha: Double, _ test: String) throws {
        try Check.nonEmpty(p, "x", test)
        if let i = p.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw StatsError.invalidParameter(name: "x[\(i)]", value: "\(p[i])", expected: "a p-value in [0, 1]")
        }
        try Check.level(alpha, "alpha")
    }
}
