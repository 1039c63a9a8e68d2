import TestSupport
import Testing
@testable import Tasks

@Suite struct RegistryTests {
    @Test func namesInRegistryOrder() throws {
        #expect(TaskRegistry.names == ["arith", "word", "trace"])
        for name in TaskRegistry.names {
            #expect(try TaskRegistry.family(named: name).name == name)
        }
    }

    @Test func unknownFamilyListsTheValidNames() {
        #expect(throws: TasksError.unknownFamily(name: "arithmetic", valid: ["arith", "word", "trace"])) {
            try TaskRegistry.family(named: "arithmetic")
        }
        let message = TasksError.unknownFamily(name: "x", valid: TaskRegistry.names).description
        #expect(message == "unknown task family 'x'; valid families: 'arith', 'word', 'trace'")
    }

    static let badOverrides: [Named<(String, String), String>] = [
        Named("unknown key", ("arith", #"{"digit": 3}"#), "unknown key 'digit' in arith config; valid keys: 'allowNegative'"),
        Named("wrong type", ("word", #"{"maxSteps": "three"}"#), "malformed word config"),
        Named("not an object", ("trace", "[1, 2]"), "expected a JSON object"),
        Named("not JSON", ("trace", "digits=3"), "expected a JSON object"),
        Named("out of range", ("arith", #"{"digits": 0}"#), "invalid arith config: digits = 0: must be in 1...4"),
        Named("min above max", ("word", #"{"minSteps": 3, "maxSteps": 2}"#), "maxSteps = 2: must be at least minSteps = 3"),
        Named("bad operators", ("arith", #"{"operators": "+%"}"#), "operators = +%"),
        Named("too many variables", ("trace", #"{"variables": 9}"#), "variables = 9"),
    ]

    @Test(arguments: badOverrides)
    func badOverridesAreTypedErrors(_ c: Named<(String, String), String>) {
        do {
            _ = try TaskRegistry.family(named: c.input.0, overridesJSON: c.input.1)
            Issue.record("expected an error")
        } catch let error as TasksError {
            #expect(error.description.contains(c.expected), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func overridesChangeOnlyTheirKeys() throws {
        let family = try TaskRegistry.family(named: "arith", overridesJSON: #"{"digits": 1}"#)
        var expected = ArithConfig()
        expected.digits = 1
        #expect(family.configJSON == expected.json)
        #expect(try ArithFamily(overridesJSON: "{}").config == ArithConfig())
        #expect(WordFamily().configJSON.hasPrefix(#"{"maxAmount":10,"#))
    }

    @Test func configJSONRoundTrips() throws {
        for family in TaskRegistry.defaultFamilies() {
            let again = try TaskRegistry.family(named: family.name, overridesJSON: family.configJSON)
            #expect(again.configJSON == family.configJSON)
        }
    }

    @Test func directConfigInitValidates() {
        var c = TraceConfig()
        c.maxLoop = 1
        #expect(throws: TasksError.self) { try TraceFamily(config: c) }
    }
}
