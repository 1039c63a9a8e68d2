import Foundation
import JSON

/// The `ablate stats` protocol: JSON requests in, JSON results out.
///
/// A request is `{"id": …, "test": "<scipy name>", "params": {…}, "x": […], "y": […]}`; matrices are
/// `x[run][task]`; NaN and infinities are the strings "nan", "inf", "-inf". Input is one request object or
/// an array of them. Each result echoes `id` and gives `statistic`, `pvalue` and the test's other outputs,
/// or `{"id": …, "error": "…"}`. A bad request never stops the others. The tests, each with its parameters,
/// data fields and function, are the entries of `tests` (`StatsRequest+Tests.swift`).
public enum StatsRequest {
    /// The most values one data array may hold (also the most runs × tasks of a matrix): every test is
    /// O(n log n) or has its own cost limit, and 10⁷ doubles are 80 MB per copy.
    public static let maximumValues = 10_000_000

    /// Answers a whole input document: an array of requests (answered in order) or a single request.
    /// - Throws: only if the text is not JSON at all.
    public static func respond(toDocument data: Data) throws -> JSONValue {
        let document: JSONValue
        do { document = try JSONValue.parse(data) } catch let error as JSONParseError {
            throw StatsError.badRequest(error.description)
        }
        if case let .array(requests) = document { return .array(requests.map(respond(to:))) }
        return respond(to: document)
    }

    /// Answers one request; never throws: failures become `{"id": …, "error": "…"}`.
    public static func respond(to request: JSONValue) -> JSONValue {
        let id = request["id"] ?? .null
        do {
            let outputs = try run(request)
            return .object([("id", id)] + outputs)
        } catch let error as StatsError {
            return .object([("id", id), ("error", .string(error.description))])
        } catch {
            return .object([("id", id), ("error", .string("\(error)"))])
        }
    }

    // MARK: - Dispatch

    typealias Outputs = [(key: String, value: JSONValue)]

    /// Checks a request against its test's entry (fields, parameters, data fields) and runs the entry's function.
    static func run(_ request: JSONValue) throws -> Outputs {
        guard case let .object(fields) = request else {
            throw StatsError.badRequest("a request must be a JSON object with \"test\", \"params\", \"x\" and \"y\"")
        }
        let allowed: Set = ["id", "test", "params", "x", "y"]
        if let extra = fields.first(where: { !allowed.contains($0.key) }) {
            throw StatsError.badRequest("unknown field \"\(extra.key)\"; a request has the fields "
                + "\"id\", \"test\", \"params\", \"x\" and \"y\"")
        }
        guard case let .string(name)? = request["test"] else {
            throw StatsError.badRequest("missing \"test\" (a string such as \"ttest_ind\")")
        }
        guard let test = tests.first(where: { $0.name == name }) else {
            throw StatsError.unknownTest(name: name, valid: tests.map(\.name))
        }
        let params = try Params(request["params"], test: name, valid: test.params)
        // A field the test does not read may be absent, null or empty (a request template); data in it is refused.
        for key in ["x", "y"] where !test.data.contains(key) && ![nil, .null, .array([])].contains(request[key]) {
            throw StatsError.badRequest("\(name) takes no \"\(key)\""
                + (test.data.isEmpty ? " (it takes no data, only params)" : "; its data field is \"x\""))
        }
        return try test.answer(Request(value: request), params)
    }
}
