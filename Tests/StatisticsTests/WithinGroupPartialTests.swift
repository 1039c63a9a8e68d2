import Statistics
import TestSupport
import Testing

/// The within-group partial rank correlation against numpy: scipy `rankdata` within each group, values centred on
/// the group means, pooled Pearson correlations and the first-order partial correlation formula.
@Suite struct WithinGroupPartialTests {
    static let x: [[Double]] = [[-0.3, -0.16, 0.1, -0.41, -0.25, -1.25, 0.02, 1.36], [-0.48, -0.62, -1.13, -0.86, -0.05, 0.61, -1.42, -0.4],
                                [-0.49, -0.49, 1.4, -1.25, 0.17, 0.13, -0.06, -0.24], [-0.58, -0.25, 1.09, 0.41, -0.35, -0.93, -0.18, 0.8],
                                [-1.4, -0.13, -1.06, -1.13, -0.32, -0.75, 0.53, 1.88], [-0.98, 0.04, -0.59, -0.93, -0.71, -0.67, -0.74, 1.46]]
    static let y: [[Double]] = [[0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 1, 0, 0, 0], [0, 1, 1, 0, 0, 0, 1, 0],
                                [1, 1, 1, 1, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 1, 0, 0, 1]]
    static let z: [[Double]] = [[0.0, 0.3, -0.27, -0.89, -0.45, -0.99, 0.06, 1.34], [0.16, -0.19, -2.52, -0.54, -0.05, 0.11, -1.53, -0.48],
                                [-0.64, 2.0, 0.76, -1.2, 0.07, 0.58, -0.19, 0.68], [-0.46, -0.1, 1.26, 0.69, -0.33, -0.37, -0.25, 1.52],
                                [-1.29, 0.35, -1.69, -2.04, -0.3, -0.9, 0.16, 2.24], [0.09, -0.59, -0.12, -2.0, -1.13, 0.36, -2.13, 0.85]]

    static func groups(_ x: [[Double]], _ y: [[Double]], _ z: [[Double]]) -> [[(x: Double, y: Double, z: Double)]] {
        (0..<x.count).map { g in (0..<x[g].count).map { (x[g][$0], y[g][$0], z[g][$0]) } }
    }

    @Test func matchesNumpy() throws {
        let r = try WithinGroupPartial.correlation(Self.groups(Self.x, Self.y, Self.z))
        expectClose(r.xy, 0.46500754794607896, rel: 1e-12)
        expectClose(r.zy, 0.4537426064865151, rel: 1e-12)
        expectClose(r.xz, 0.7149953873015819, rel: 1e-12)
        expectClose(r.partial, 0.22564985194439494, rel: 1e-12)
    }

    @Test func onlyOrderingsWithinAGroupCount() throws {
        // Shifting a whole group's x (or z) changes nothing: ranks are within the group.
        var shifted = Self.x
        shifted[3] = shifted[3].map { $0 + 100 }
        #expect(try WithinGroupPartial.correlation(Self.groups(shifted, Self.y, Self.z)) == WithinGroupPartial.correlation(Self.groups(Self.x, Self.y, Self.z)))
        // z = x: nothing is left beyond z.
        let same = try WithinGroupPartial.correlation(Self.groups(Self.x, Self.y, Self.x.map { $0.map { $0 * 2 } }))
        #expect(same.partial.isNaN || abs(same.partial) < 1e-9 || same.xz == 1)
        #expect(throws: StatsError.self) { try WithinGroupPartial.correlation([[(1, 0, 1)]]) }
    }
}
