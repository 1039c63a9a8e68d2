import Foundation
import JSON
import TestSupport
import Testing

@testable import Statistics

/// Requests written as a researcher pastes them from scipy: each of these was refused or answered short before.
@Suite("stats requests in scipy's words")
struct StatsScipyNamesTests {
    static func run(_ json: String) throws -> JSONValue {
        try StatsRequest.respond(toDocument: Data(json.utf8))
    }

    static let matrix = "[[0.1, 0.5, 0.3], [0.3, 0.9, 0.2], [0.2, 0.4, 0.6], [0.7, 0.1, 0.5]]"

    /// scipy's `bootstrap` calls the function it resamples `statistic`; rliable (and this protocol) `aggregate`.
    /// Both names give the same interval, both at once is refused, and a bad value names the key it came under.
    @Test("stratified_bootstrap_ci takes scipy's `statistic` for rliable's `aggregate`")
    func stratifiedStatistic() throws {
        for aggregate in ["mean", "median", "iqm", "optimality_gap"] {
            let common = #""seed": 3, "n_resamples": 500, "method": "basic""#
            let scipy = try Self.run(#"{"test": "stratified_bootstrap_ci", "params": {"statistic": "\#(aggregate)", \#(common)}, "x": \#(Self.matrix)}"#)
            let rliable = try Self.run(#"{"test": "stratified_bootstrap_ci", "params": {"aggregate": "\#(aggregate)", \#(common)}, "x": \#(Self.matrix)}"#)
            #expect(scipy["error"] == nil, "\(aggregate): \(scipy.serialized)")
            #expect(scipy.serialized == rliable.serialized, "\(aggregate)")
        }
        let both = try Self.run(#"{"test": "stratified_bootstrap_ci", "params": {"statistic": "mean", "aggregate": "mean", "seed": 1}, "x": \#(Self.matrix)}"#)
        guard case let .string(message)? = both["error"] else { Issue.record("both names accepted: \(both.serialized)"); return }
        #expect(message.contains("statistic") && message.contains("aggregate") && message.contains("not both"), "\(message)")
        let bad = try Self.run(#"{"test": "stratified_bootstrap_ci", "params": {"statistic": "max", "seed": 1}, "x": \#(Self.matrix)}"#)
        #expect(bad["error"] == .string("`statistic` is 'max'; please provide one of 'mean', 'median', 'iqm' or 'optimality_gap'."),
                "\(bad.serialized)")
    }

    /// A request template with empty data arrays: a test that reads no data (the power calculations) or no `y`
    /// takes them as absent; data it would ignore is still refused.
    @Test("power_ttest_ind takes an empty `x` it does not need")
    func powerWithEmptyData() throws {
        let bare = try Self.run(#"{"test": "power_ttest_ind", "params": {"effect_size": 0.8, "nobs1": 10}}"#)
        #expect(bare["power"] != nil, "\(bare.serialized)")
        for data in [#""x": []"#, #""x": [], "y": []"#, #""y": []"#] {
            let out = try Self.run(#"{"test": "power_ttest_ind", "params": {"effect_size": 0.8, "nobs1": 10}, \#(data)}"#)
            #expect(out == bare, "\(data): \(out.serialized)")
        }
        let paired = try Self.run(#"{"test": "power_ttest_paired", "params": {"effect_size": 0.8}, "x": [], "y": []}"#)
        #expect(paired["seeds_per_arm"] != nil, "\(paired.serialized)")
        let iqm = try Self.run(#"{"test": "iqm", "x": [1, 2, 3, 4], "y": []}"#)
        #expect(iqm["statistic"] == .number(2.5), "\(iqm.serialized)")
        let refused = try Self.run(#"{"test": "power_ttest_ind", "params": {"effect_size": 0.8}, "x": [1]}"#)
        #expect(refused["error"] == .string("bad request: power_ttest_ind takes no \"x\" (it takes no data, only params)."))
    }

    /// The AUROC is U/(n₁n₂): the request returns the U it computed (scipy's `mannwhitneyu(x, y).statistic`), after
    /// the outputs it always had.
    @Test("auroc returns the Mann–Whitney U it computes")
    func aurocU() throws {
        let x = [0.9, 0.4, 0.7, 0.7, 0.2], y = [0.1, 0.7, 0.3]
        let out = try Self.run(#"{"test": "auroc", "x": \#(x), "y": \#(y)}"#)
        let u = try MannWhitney.test(x, y).statistic
        #expect(u == 11)
        #expect(out["u_statistic"] == .number(u), "\(out.serialized)")
        #expect(out["statistic"] == .number(u / 15), "\(out.serialized)")
        guard case let .object(pairs) = out else { Issue.record("not an object"); return }
        #expect(pairs.map(\.key) == ["id", "statistic", "cliffs_delta", "u_statistic"])
        // With labels: U of the positives' scores against the others'.
        let labelled = try Self.run(#"{"test": "auroc", "params": {"positive_label": 1}, "x": [0.9, 0.1, 0.4, 0.7, 0.3, 0.7, 0.7, 0.2], "y": [1, 0, 1, 1, 0, 0, 1, 1]}"#)
        #expect(labelled["u_statistic"] == .number(u), "\(labelled.serialized)")
    }
}
