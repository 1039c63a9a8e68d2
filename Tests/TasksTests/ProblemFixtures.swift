import Foundation
@testable import Tasks

/// Problems sampled once per family and split, so the suites generate each family's problems once. (`Named`
/// and `expectClose` are in Tests/TestSupport.)
enum Fixtures {
    /// Problems drawn per family and split in the property tests.
    static let sampleSize = 1500

    /// `sampleSize` default-knob problems of `family` and `split`, seed 2024, generated once per process.
    static func problems(_ family: String, _ split: Split) throws -> [Problem] {
        try cache.problems(family, split)
    }

    private static let cache = Cache()

    private final class Cache: @unchecked Sendable {
        private var store: [String: [Problem]] = [:]
        private let lock = NSLock()

        func problems(_ family: String, _ split: Split) throws -> [Problem] {
            try lock.withLock {
                let key = "\(family)/\(split)"
                if let hit = store[key] { return hit }
                let made = try TaskRegistry.family(named: family).problems(count: Fixtures.sampleSize, split: split, seed: 2024)
                store[key] = made
                return made
            }
        }
    }
}
