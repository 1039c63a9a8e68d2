import Foundation
import Testing

@testable import Ablate

/// A study's `transfer:`: parsing errors name the field and line; the findings pair seeds across suites and arms,
/// and the ratio's interval is Fieller's (bounded only when the gain on `from` is clearly not 0).
@Suite struct TransferTests {
    static let head = """
        description: "t"
        seeds: [1, 2, 3, 4]
        evaluation: {suites: [arith, word, trace]}
        variants:
          vigor: {reward: {name: vigor}}
          flat: {reward: {name: neg_entropy}}
          random: {reward: {name: random}}
        comparisons: {control: random, metrics: [accuracy]}

        """

    static func parse(_ tail: String) throws -> Study {
        try Study.parse(yaml: head + tail, path: "studies/headline.yaml")
    }

    @Test func parsesAndRefusesWithFieldAndLine() throws {
        let s = try Self.parse("transfer: {from: arith, to: [trace, word], metric: avg_at_k}\n")
        #expect(s.transfer == Study.Transfer(from: "arith", to: ["trace", "word"], metric: "avg_at_k"))
        #expect(try Self.parse("transfer: {from: arith, to: [trace]}\n").transfer?.metric == "accuracy")
        let cases: [(String, String)] = [
            ("transfer: {from: chess, to: [trace]}\n", "transfer.from: unknown suite 'chess'"),
            ("transfer: {from: arith, to: [arith]}\n", "transfer.to: 'arith' is the `from` suite"),
            ("transfer: {from: arith, to: [trace, trace]}\n", "transfer.to: 'trace' is listed twice"),
            ("transfer: {from: arith, to: []}\n", "transfer.to: empty"),
            ("transfer: {from: arith}\n", "transfer: missing key 'to'"),
            ("transfer: {from: arith, to: [trace], metric: speed}\n", "transfer.metric: unknown metric 'speed'"),
            ("transfer: {from: arith, to: [trace], by: x}\n", "transfer: unknown key 'by'"),
        ]
        for (yaml, expected) in cases {
            do {
                _ = try Self.parse(yaml)
                Issue.record("accepted: \(yaml)")
            } catch {
                #expect("\(error)".contains(expected), "\(yaml) → \(error)")
                #expect("\(error)".contains("studies/headline.yaml:9:"), "\(error)")
            }
        }
    }

    static func result(_ variant: String, _ seed: Int, arith: Double, trace: Double) -> TrialResult {
        TrialResult(variant: variant, seed: seed, hash: "h", state: .complete, step: 1, reason: nil,
                    eval: ["arith": ["accuracy": arith], "trace": ["accuracy": trace], "word": ["accuracy": 0.2]],
                    train: [], seconds: 1, codeVersion: "v", machine: "m")
    }

    /// vigor − random per seed: arith (0.030, 0.025, 0.041, 0.022), trace (0.010, 0.004, 0.012, 0.000); numpy and
    /// scipy (np.cov ddof 1, t.ppf(0.975, 3)) give the ratio 0.220 and Fieller's interval below. `flat`'s arith gain
    /// straddles 0, so its ratio has no interval. Seed 4 of random has no trace value: it drops from both.
    @Test func ratiosPairSeedsAcrossSuitesAndArms() throws {
        let s = try Self.parse("transfer: {from: arith, to: [trace]}\n")
        let arith = [0.030, 0.025, 0.041, 0.022, 0.5], trace = [0.010, 0.004, 0.012, 0.000, 0.5]
        var results: [TrialResult] = []
        for i in 0..<4 {
            results.append(Self.result("random", i + 1, arith: 0.5, trace: 0.2))
            results.append(Self.result("vigor", i + 1, arith: 0.5 + arith[i], trace: 0.2 + trace[i]))
            results.append(Self.result("flat", i + 1, arith: 0.5 + [0.01, -0.01, 0.005, 0.0][i], trace: 0.2 + 0.01 * Double(i)))
        }
        let f = StudyFindings(study: s, results: results)
        let rows = try #require(f.transfer?.rows)
        #expect(rows.map(\.variant) == ["vigor", "flat"] && rows.allSatisfy { $0.target == "trace" && $0.control == "random" })
        let v = rows[0]
        #expect(v.seeds == [1, 2, 3, 4])
        #expect(abs((v.fromDifference ?? 0) - 0.0295) < 1e-12 && abs((v.targetDifference ?? 0) - 0.0065) < 1e-12)
        #expect(abs((v.ratio ?? 0) - 0.0065 / 0.0295) < 1e-12)
        let i = try #require(v.ratioInterval)
        #expect(abs((i.low ?? .nan) - Self.expected.low) < 1e-6 && abs((i.high ?? .nan) - Self.expected.high) < 1e-6, "\(i)")
        #expect(rows[1].ratioInterval == nil && (rows[1].reason ?? "").contains("cannot be told from 0"))
        let md = StudyReport(study: s, results: results).render()[0].1
        #expect(md.contains("## Transfer (test split)") && md.contains("| vigor | random | trace | 4 | "))
    }

    /// Fieller's interval for the vigor rows above (numpy/scipy, see the test's comment).
    static let expected = (low: -0.13113796989940588, high: 0.3797501939397428)
}
