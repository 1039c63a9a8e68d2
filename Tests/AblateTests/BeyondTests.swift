import Foundation
import Statistics
import TestSupport
import Testing

@testable import Ablate

/// `beyond:` in an analysis study: parsing, which groups count, the partial correlation and its bootstrap.
@Suite struct BeyondTests {
    static let study = """
        description: "d"
        kind: analysis
        seeds: [1]
        analysis:
          prompts: {arith: 4}
          rewards:
            vigor_sqrt: {name: vigor}
            trajectory_logprob: {name: trajectory_logprob}
          beyond:
            - {reward: vigor_sqrt, given: trajectory_logprob}

        """

    @Test func parsesAndRefusesUnknownLabels() throws {
        let s = try Study.parse(yaml: Self.study, path: "studies/rc.yaml")
        #expect(s.analysis?.beyond.map { [$0.reward, $0.given] } == [["vigor_sqrt", "trajectory_logprob"]])
        let cases = [("given: trajectory_logprob}", "given: logprob}", "analysis.beyond[].given: unknown reward label 'logprob'"),
                     ("given: trajectory_logprob}", "given: vigor_sqrt}", "given itself leaves nothing to measure"),
                     ("given: trajectory_logprob}", "}", "missing key 'given'")]
        for (from, to, expected) in cases {
            #expect {
                _ = try Study.parse(yaml: Self.study.replacingOccurrences(of: from, with: to), path: "studies/rc.yaml")
            } throws: { "\($0)".contains(expected) && "\($0)".contains("studies/rc.yaml:") }
        }
    }

    static func row(_ prompt: Int, _ correct: Bool, vigor: Double?, logprob: Double?) -> RewardAnalysis.Row {
        RewardAnalysis.Row(suite: "arith", prompt: prompt, length: 10, truncated: false, correct: correct,
                           raw: ["vigor_sqrt": vigor, "trajectory_logprob": logprob])
    }

    @Test func usesMixedGroupsScoredByBothAndBootstrapsOverGroups() throws {
        var rows: [RewardAnalysis.Row] = []
        var groups: [[(x: Double, y: Double, z: Double)]] = []
        for p in 0..<12 {
            var g: [(x: Double, y: Double, z: Double)] = []
            for j in 0..<6 {
                let correct = (j + p) % 3 == 0
                let z = Double((j * 7 + p) % 6), x = z + (correct ? 1.5 : 0) + Double((j * 5 + p) % 4) * 0.3
                rows.append(Self.row(p, correct, vigor: x, logprob: z))
                g.append((x, correct ? 1 : 0, z))
            }
            groups.append(g)
        }
        // A group with only correct completions, and a completion a reward abstains on: left out / dropped.
        for j in 0..<6 { rows.append(Self.row(20, true, vigor: Double(j), logprob: Double(-j))) }
        rows.append(Self.row(0, false, vigor: nil, logprob: 1))
        let b = PartialAssociation(suite: "arith", reward: "vigor_sqrt", given: "trajectory_logprob", rows: rows, resamples: 500, seed: 1)
        let expected = try WithinGroupPartial.correlation(groups)
        #expect(b.groups == 12)
        expectClose(b.partial, expected.partial, rel: 1e-12)
        expectClose(b.rewardCorrect, expected.xy, rel: 1e-12)
        let low = try #require(b.low), high = try #require(b.high), partial = try #require(b.partial)
        #expect(low < partial && partial < high && partial > 0)
        // Seeded: the same interval again.
        let again = PartialAssociation(suite: "arith", reward: "vigor_sqrt", given: "trajectory_logprob", rows: rows, resamples: 500, seed: 1)
        #expect(again.low == b.low && again.high == b.high)
    }
}
