import Foundation
import JSON
import Seeded
import Testing

@testable import Ablate
@testable import Statistics

/// One case of the scipy fixture: an `ablate stats` request and the outputs scipy/statsmodels give.
struct FixtureCase: Sendable, CustomTestStringConvertible {
    let name: String
    let request: JSONValue
    let expected: JSONValue
    let tolerance: JSONValue?
    var testDescription: String { name }
}

enum Fixtures {
    static func statsCases() throws -> [FixtureCase] {
        guard let url = Bundle.module.url(forResource: "stats_cases", withExtension: "json", subdirectory: "Fixtures")
        else { throw StatsError.badRequest("fixture stats_cases.json missing; run make_stats_fixtures.py") }
        let root = try JSONValue.parse(try Data(contentsOf: url))
        guard case let .array(cases)? = root["cases"] else { throw StatsError.badRequest("fixture has no cases") }
        return cases.map { c in
            var name = "?"
            if case let .string(s)? = c["name"] { name = s }
            return FixtureCase(name: name, request: c["request"] ?? .null, expected: c["expected"] ?? .null,
                               tolerance: c["tolerance"])
        }
    }
}

// MARK: - Pre-training and evaluation helpers

/// A fresh empty directory under the system temporary directory (removed by the caller if it cares).
func temporaryDirectory(_ label: String = "ablate-tests") throws -> String {
    let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A recipe that trains in well under a second in a debug build: a one-block model of width 16 on one-step
/// arithmetic with one-digit numbers (sequences of about 12 tokens).
func tinyRecipe(steps: Int = 40) -> PretrainRecipe {
    var r = PretrainRecipe()
    r.preset = "small"
    r.layers = 1
    r.heads = 2
    r.dModel = 16
    r.mlpHidden = 64
    r.mix = ["arith": 1]
    r.familyOverrides = ["arith": #"{"digits": 1, "maxOperands": 2}"#]
    r.steps = steps
    r.batchSize = 16
    r.learningRate = 1e-2
    r.warmupSteps = 5
    r.evalInterval = 20
    r.heldOutExamples = 32
    r.bucketBatches = 2
    return r
}
