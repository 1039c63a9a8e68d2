import Foundation

/// The within-group partial rank correlation of x with y given z: does x order the members of a group by y beyond
/// what z already does?
///
/// In each group x and z are replaced by their average ranks (scipy's `rankdata`) and x, y, z are centred on the
/// group's means (group fixed effects: only orderings within a group count, never differences between groups).
/// Pooled over groups, r_xy, r_zy and r_xz are the Pearson correlations of the centred values, and
/// r_xy·z = (r_xy − r_xz r_zy) / √((1 − r_xz²)(1 − r_zy²)). With y a 0/1 correctness label, r_xy is a
/// within-group rank-biserial association of x with correctness, and r_xy·z what is left of it once z's ranking
/// is accounted for. A group where x, y or z is constant adds nothing to the sums of the variables it leaves at 0.
public struct WithinGroupPartialResult: Equatable, Sendable {
    public var xy: Double
    public var zy: Double
    public var xz: Double
    public var partial: Double
}

public enum WithinGroupPartial {
    /// `groups[g]` holds (x, y, z) per member.
    public static func correlation(_ groups: [[(x: Double, y: Double, z: Double)]]) throws -> WithinGroupPartialResult {
        guard groups.contains(where: { $0.count >= 2 }) else {
            throw StatsError.tooFewObservations(argument: "groups", test: "within_group_partial", count: groups.map(\.count).max() ?? 0, minimum: 2)
        }
        var sxx = 0.0, syy = 0.0, szz = 0.0, sxy = 0.0, szy = 0.0, sxz = 0.0
        for g in groups where g.count >= 2 {
            let rx = Ranking(g.map(\.x)).ranks, rz = Ranking(g.map(\.z)).ranks, ys = g.map(\.y)
            try Check.finite(g.map(\.x), "x", "within_group_partial")
            try Check.finite(ys, "y", "within_group_partial")
            try Check.finite(g.map(\.z), "z", "within_group_partial")
            let n = Double(g.count)
            let mx = rx.reduce(0, +) / n, my = ys.reduce(0, +) / n, mz = rz.reduce(0, +) / n
            for i in g.indices {
                let x = rx[i] - mx, y = ys[i] - my, z = rz[i] - mz
                sxx += x * x; syy += y * y; szz += z * z
                sxy += x * y; szy += z * y; sxz += x * z
            }
        }
        let xy = sxy / (sxx * syy).squareRoot(), zy = szy / (szz * syy).squareRoot(), xz = sxz / (sxx * szz).squareRoot()
        let partial = (xy - xz * zy) / ((1 - xz * xz) * (1 - zy * zy)).squareRoot()
        return WithinGroupPartialResult(xy: xy, zy: zy, xz: xz, partial: partial)
    }
}
