import Foundation
import JSON
import Testing

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
