import Foundation
import Testing
@testable import Tasks

/// Shared helpers for the Tasks tests: a named case type for tables and cached samples per family, so the
/// suites generate each family's problems once.
struct Named<Input: Sendable, Output: Sendable>: Sendable, CustomTestStringConvertible {
    let name: String
    let input: Input
    let expected: Output
    init(_ name: String, _ input: Input, _ expected: Output) {
        self.name = name
        self.input = input
        self.expected = expected
    }
    var testDescription: String { name }
}

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

/// Expects `report` to flag exactly the steps in `wrong` (and no unparsable step), pointing at the caller.
func expectFlags(_ report: ScratchpadReport, wrong: [Int], _ comment: Comment? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(report.wrongSteps == wrong, comment, sourceLocation: sourceLocation)
    #expect(!report.steps.contains { $0.verdict == .unparsable }, comment, sourceLocation: sourceLocation)
}
