import Foundation
import JSON
import TestSupport
import Testing

@testable import Statistics

/// Issue 9 for `ablate stats`: every request that used to abort, hang or be silently accepted, as a table of
/// requests and the error substring (or output) each must give, with small sizes standing in for large ones.
@Suite("stats hardening: limits, refusals and scipy names")
struct StatsHardeningTests {
    static func run(_ json: String) throws -> JSONValue {
        try StatsRequest.respond(toDocument: Data(json.utf8))
    }

    static func zeros(_ n: Int) -> String { "[" + Array(repeating: "0.5", count: n).joined(separator: ",") + "]" }
    static func ramp(_ n: Int) -> String { "[" + (0..<n).map { "\(Double($0 % 97) / 97)" }.joined(separator: ",") + "]" }
    static func matrix(_ runs: Int, _ tasks: Int) -> String {
        "[" + Array(repeating: ramp(tasks), count: runs).joined(separator: ",") + "]"
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let request: String
        let message: String
        var testDescription: String { name }
    }

    static let refusals: [Refusal] = [
        Refusal(name: "BCa on more values than its jackknife limit",
                request: #"{"test": "bootstrap_ci", "params": {"seed": 1, "n_resamples": 2}, "x": \#(ramp(5001))}"#,
                message: "exceeds the limit of 5000 values for BCa"),
        Refusal(name: "bootstrap draws above the limit",
                request: #"{"test": "bootstrap_ci", "params": {"seed": 1, "method": "percentile", "n_resamples": 10001}, "x": \#(ramp(5000))}"#,
                message: "n_resamples × len(x) = 10001 × 5000"),
        Refusal(name: "stratified bootstrap of a large matrix",
                request: #"{"test": "stratified_bootstrap_ci", "params": {"seed": 1}, "x": \#(matrix(40, 30))}"#,
                message: "exceeds the limit of 50,000,000 draws per request"),
        Refusal(name: "probability of improvement interval too expensive",
                request: #"{"test": "probability_of_improvement", "params": {"seed": 1}, "x": \#(matrix(20, 30)), "y": \#(matrix(20, 30))}"#,
                message: "probability_of_improvement: n_resamples × (runs of x + runs of y) × tasks"),
        Refusal(name: "n_resamples 1", request: #"{"test": "bootstrap_ci", "params": {"seed": 1, "n_resamples": 1}, "x": [1, 2, 3]}"#,
                message: "`n_resamples` is 1; it must be an integer from 2 to 10,000,000"),
        Refusal(name: "poi bad n_resamples without a seed",
                request: #"{"test": "probability_of_improvement", "params": {"n_resamples": -5}, "x": [[1]], "y": [[2]]}"#,
                message: "`n_resamples` is -5"),
        Refusal(name: "poi bad confidence_level without a seed",
                request: #"{"test": "probability_of_improvement", "params": {"confidence_level": 95}, "x": [[1]], "y": [[2]]}"#,
                message: "`confidence_level` is 95.0"),
        Refusal(name: "pointbiserialr non-binary x",
                request: #"{"test": "pointbiserialr", "x": [0, 1, 0.5, 1], "y": [1, 2, 3, 4]}"#,
                message: "`x[2]` is 0.5; it must be 0 or 1"),
        Refusal(name: "descriptive with a y", request: #"{"test": "descriptive", "x": [1, 2], "y": [3]}"#,
                message: "descriptive takes no \"y\""),
        Refusal(name: "power with data", request: #"{"test": "power_ttest_paired", "params": {"effect_size": 1}, "x": [1]}"#,
                message: "it takes no data"),
        Refusal(name: "kendalltau unknown variant", request: #"{"test": "kendalltau", "params": {"variant": "a"}, "x": [1, 2, 3], "y": [1, 3, 2]}"#,
                message: "please provide one of 'b' or 'c'"),
        Refusal(name: "stratified unknown interval method",
                request: #"{"test": "stratified_bootstrap_ci", "params": {"seed": 1, "method": "bca"}, "x": [[1, 2], [2, 3]]}"#,
                message: "please provide one of 'percentile' or 'basic'"),
        Refusal(name: "auroc positive_label not among the labels",
                request: #"{"test": "auroc", "params": {"positive_label": 2}, "x": [0.1, 0.2, 0.3], "y": [0, 1, 1]}"#,
                message: "please provide one of '0' or '1'"),
        Refusal(name: "ratio on a paired design",
                request: #"{"test": "power_ttest_paired", "params": {"effect_size": 1, "ratio": 2}}"#,
                message: "ratio"),
        Refusal(name: "iqm proportiontocut 0.5", request: #"{"test": "iqm", "params": {"proportiontocut": 0.5}, "x": [1, 2]}"#,
                message: "in [0, 0.5)"),
    ]

    @Test("refused up front, naming the field and the limit", arguments: refusals)
    func refused(_ r: Refusal) throws {
        let clock = ContinuousClock()
        var out: JSONValue = .null
        let t = try clock.measure { out = try Self.run(r.request) }
        guard case let .string(message)? = out["error"] else {
            Issue.record("\(r.name): expected an error, got \(out.serialized.prefix(300))")
            return
        }
        #expect(message.contains(r.message), "\(r.name): \(message)")
        // The work each request asks for would take minutes; refusing it takes parsing only. The bound leaves room
        // for a debug build on a loaded 2-core machine (2 s was exceeded at load 7).
        #expect(t < .seconds(10), "\(r.name): refusing took \(t)")
    }

    @Test("a refused request never loses the others' results")
    func othersSurvive() throws {
        let out = try Self.run(#"""
            [{"id": 1, "test": "bootstrap_ci", "params": {"seed": 1}, "x": \#(Self.ramp(6000))},
             {"id": 2, "test": "iqm", "x": [1, 2, 3, 4]}]
            """#)
        guard case let .array(results) = out, results.count == 2 else { Issue.record("\(out.serialized.prefix(200))"); return }
        #expect(results[0]["error"] != nil)
        #expect(results[1]["statistic"] == .number(2.5))
    }

    @Test("probability_of_improvement reports the per-task values it averages")
    func perTask() throws {
        let out = try Self.run(#"{"test": "probability_of_improvement", "x": [[1, 0], [1, 0]], "y": [[0, 0], [0, 1]]}"#)
        #expect(out["per_task"] == .array([.number(1), .number(0.25)]), "\(out.serialized)")
        #expect(out["statistic"] == .number(0.625))
    }

    @Test("a perfect rank correlation has p = 0 exactly, also at n = 3")
    func perfectRank() throws {
        for (x, y) in [("[1, 2, 3]", "[1, 2, 3]"), ("[0.1, 0.7, 0.3]", "[1, 9, 4]"), ("[1, 2, 3, 4]", "[8, 6, 4, 2]")] {
            let out = try Self.run(#"{"test": "spearmanr", "x": \#(x), "y": \#(y)}"#)
            #expect(out["pvalue"] == .number(0), "\(x) \(y): \(out.serialized)")
            let s = Request.number(out["statistic"] ?? .null) ?? 0
            #expect(abs(s) == 1)
        }
    }

    @Test("basic intervals mirror the percentile interval about the estimate")
    func basicInterval() throws {
        let x = Array(Self.ramp(40).dropFirst().dropLast().split(separator: ",").compactMap { Double($0) })
        let p = try Bootstrap.interval(x, statistic: Descriptive.meanUnchecked, method: .percentile, resamples: 999, seed: 3)
        let b = try Bootstrap.interval(x, statistic: Descriptive.meanUnchecked, method: .basic, resamples: 999, seed: 3)
        expectClose(b.low, 2 * p.estimate - p.high, rel: 1e-12, "low")
        expectClose(b.high, 2 * p.estimate - p.low, rel: 1e-12, "high")
        let m = [[0.1, 0.5], [0.3, 0.9], [0.2, 0.4]]
        let sp = try Rliable.stratifiedBootstrap(m, aggregate: Aggregate.mean.callAsFunction, resamples: 999, seed: 3)
        let sb = try Rliable.stratifiedBootstrap(m, aggregate: Aggregate.mean.callAsFunction, resamples: 999, seed: 3,
                                                 method: .basic)
        expectClose(sb.low, 2 * sp.estimate - sp.high, rel: 1e-12, "stratified low")
        #expect(sb.method == .basic)
    }
}
