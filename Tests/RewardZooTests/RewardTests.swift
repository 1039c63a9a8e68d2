import Foundation
import MiniLM
import TestSupport
import Testing

@testable import RewardZoo

/// Each reward on hand-computed groups.
@Suite struct GradientNormRewardTests {
    static let corrections: [Named<String, [Double]>] = [
        // norms [1, 2, 0.5] over T = [4, 9, 16]
        Named("sqrt (default): −‖g‖·√T", "sqrt", [-2, -6, -2]),
        Named("none: −‖g‖", "none", [-1, -2, -0.5]),
        Named("linear: −‖g‖·T", "linear", [-4, -18, -8]),
    ]

    @Test(arguments: corrections)
    func lengthCorrection(_ c: Named<String, [Double]>) throws {
        let r = try reward("vigor", ["length_correction": c.input])
        expectClose(try r.score(normGroup([1, 2, 0.5], tokens: [4, 9, 16])), c.expected, abs: 1e-12)
    }

    @Test func defaultIsSqrtWithRankShaping() throws {
        let p = try RewardPipeline(spec: RewardRegistry.spec(name: "vigor", options: [:]), shaping: nil)
        #expect(p.shaping == .rank)
        #expect(p.spec.options["length_correction"] == .string("sqrt"))
        #expect(p.needs == SignalNeeds(signals: [.gradNorm], gradNormSubsets: [.all]))
    }

    @Test func truncatedAndEmptyGetWorstValidInTheGroupMinus1e3() throws {
        // Valid: 0 (−1·√4 = −2) and 3 (−4·√9 = −12); 1 truncated, 2 empty: −12 − 1e-3. Their norms are never read.
        let g = normGroup([1, .nan, .nan, 4], tokens: [4, 4, 0, 9], truncated: [false, true, false, false])
        let p = try RewardPipeline(spec: RewardRegistry.spec(name: "vigor", options: [:]), shaping: nil)
        let (raw, shaped) = try p.score(g)
        expectClose(raw, [-2, -12.001, -12.001, -12], abs: 1e-12)
        // Rank: the two invalid ones tie and rank by index (1 below 2), both below every valid one.
        expectClose(shaped, [1, -1, -1.0 / 3, 1.0 / 3], abs: 1e-12)
        // REFERENCE says the worst valid reward of the *batch*; any penalty below the group's valid rewards
        // gives the same ranks, so under rank shaping group and batch agree.
        expectClose(Shaping.rank.apply([-2, -1000, -1000, -12]), shaped, abs: 1e-12)
    }

    @Test func allInvalidGetMinus20() throws {
        let r = try reward("vigor")
        expectClose(try r.score(normGroup([.nan, 3], tokens: [5, 0], truncated: [true, false])), [-20, -20], abs: 1e-12)
    }

    @Test func parameterSubsetSelectsTheNorms() throws {
        let r = try reward("vigor", ["params": "last:2", "length_correction": "none"])
        #expect(r.needs.gradNormSubsets == [.lastBlocks(2)])
        var g = normGroup([1, 2], tokens: [1, 1], subset: .lastBlocks(2))
        g.gradNorms[.all] = [7, 7]
        expectClose(try r.score(g), [-1, -2], abs: 1e-12)
        #expect(throws: RewardZooError.missingSignal(reward: "vigor", signal: "grad_norm[last:2]")) {
            try r.score(normGroup([1, 2], tokens: [1, 1]))
        }
    }

    @Test func focalWeightingMultipliesByMeanEntropyToTheLambda() throws {
        let r = try reward("vigor", ["focal_lambda": "0.5"])
        #expect(r.needs.signals == [.gradNorm, .tokenEntropies])
        var g = normGroup([1, 1], tokens: [2, 4])
        g.tokenSignals[.tokenEntropies] = [[1, 3], [0.25, 0.25, 0.25, 0.25]]
        // −1·√2·(2 + 1e-6)^0.5 ≈ −2; −1·√4·(0.25 + 1e-6)^0.5 ≈ −1 (VIGOR's ε inside the base)
        expectClose(try r.score(g), [-2.0.squareRoot() * (2 + 1e-6).squareRoot(), -2 * (0.25 + 1e-6).squareRoot()], abs: 1e-12)
    }

    /// VIGOR's config default λ = −0.5: a low-entropy completion is pushed away from 0 (over-confidence costs),
    /// and a zero-entropy one stays finite through the ε floor.
    @Test func negativeFocalLambdaPenalisesOverConfidence() throws {
        let r = try reward("vigor", ["focal_lambda": "-0.5", "length_correction": "none"])
        var g = normGroup([1, 1, 1], tokens: [1, 1, 1])
        g.tokenSignals[.tokenEntropies] = [[4], [0.25], [0]]
        let s = try r.score(g)
        expectClose(Array(s.prefix(2)), [-pow(4 + 1e-6, -0.5), -pow(0.25 + 1e-6, -0.5)], abs: 1e-12)
        let zero = try #require(s[2])
        #expect(zero.isFinite && abs(zero - -pow(1e-6, -0.5)) < 1e-6 * 1e3)
        #expect(s[2]! < s[1]! && s[1]! < s[0]!, "the most confident ranks last")
    }

    /// `focal_metric: p_norm`: w = 1 − mean token probability for completions above `focal_target`, else 1.
    @Test func pNormFocalWeighting() throws {
        let r = try reward("vigor", ["focal_lambda": "1", "focal_metric": "p_norm", "focal_target": "0.9",
                                     "length_correction": "none"])
        #expect(r.needs.signals == [.gradNorm, .tokenLogProbs])
        var g = normGroup([2, 2], tokens: [2, 2])
        g.tokenSignals[.tokenLogProbs] = [[log(0.98), log(0.94)], [log(0.5), log(0.7)]]
        // p̄ = 0.96 > 0.9: −2·0.04; p̄ = 0.6 ≤ 0.9: untouched
        expectClose(try r.score(g), [-2 * 0.04, -2], abs: 1e-12)
        let all = try reward("vigor", ["focal_lambda": "1", "focal_metric": "p_norm", "length_correction": "none"])
        expectClose(try all.score(g), [-2 * 0.04, -2 * 0.4], abs: 1e-12)
    }

    @Test func entropyFocalTargetWeightsOnlyLowEntropyCompletions() throws {
        let r = try reward("vigor", ["focal_lambda": "1", "focal_target": "0.5", "length_correction": "none"])
        var g = normGroup([1, 1], tokens: [1, 1])
        g.tokenSignals[.tokenEntropies] = [[0.1], [2]]
        expectClose(try r.score(g), [-(0.1 + 1e-6), -1], abs: 1e-12)
    }

    /// Options added after trials were recorded stay out of a resolved spec at their defaults (so no existing
    /// trial hash changes), also when given explicitly, and appear when set to anything else.
    @Test func laterOptionsAreRecordedOnlyWhenSet() throws {
        let plain = try RewardRegistry.spec(name: "vigor", options: [:])
        let explicit = try RewardRegistry.spec(name: "vigor", options: ["focal_metric": "entropy", "focal_target": "0"])
        #expect(try plain.json() == #"{"focal_lambda":0,"length_correction":"sqrt","name":"vigor","params":"all"}"#)
        #expect(try explicit.json() == plain.json())
        #expect(RewardSpec.default == plain)
        let set = try RewardRegistry.spec(name: "vigor", options: ["focal_lambda": "-0.5", "focal_metric": "p_norm"])
        #expect(try set.json() == #"{"focal_lambda":-0.5,"focal_metric":"p_norm","length_correction":"sqrt","name":"vigor","params":"all"}"#)
        #expect(try RewardSpec.decode(json: set.json()) == set)
    }
}

@Suite struct TokenSignalRewardTests {
    /// Direct formulas over logits z at temperature τ (docs/REFERENCE.md), as the trainer's signals would give them.
    static func tokenStats(_ z: [Double], tau: Double) -> (sc: Double, entropy: Double, klUniformPlusLogV: Double, negPlogP: Double) {
        let s = z.map { $0 / tau }
        let m = s.max() ?? 0
        let lse = m + log(s.map { exp($0 - m) }.reduce(0, +))
        let p = s.map { exp($0 - lse) }
        let v = Double(z.count)
        let sc = lse - s.reduce(0, +) / v
        let entropy = lse - zip(p, s).map { $0 * $1 }.reduce(0, +)
        let kl = p.map { (1 / v) * log((1 / v) / $0) }.reduce(0, +)  // KL(U ‖ p)
        let negPlogP = -p.map { $0 * log($0) }.reduce(0, +)
        return (sc, entropy, kl + log(v), negPlogP)
    }

    static let logits: [[[Double]]] = [
        [[2, 0, -1, 0.5], [0, 0, 0, 0], [5, -3, 1, 1]],
        [[-1, 4, 0, 0]],
        [],
    ]

    @Test func selfCertaintyIsTheTokenMeanOfKLFromUniform() throws {
        let tau = 0.7
        let stats = Self.logits.map { $0.map { Self.tokenStats($0, tau: tau) } }
        let g = CompletionGroup(tokenCounts: Self.logits.map(\.count), tokenSignals: [.tokenSelfCertainties: stats.map { $0.map(\.sc) }])
        let expected = stats.map { s in s.isEmpty ? 0 : s.map(\.klUniformPlusLogV).reduce(0, +) / Double(s.count) }
        expectClose(try reward("self_certainty").score(g), expected, rel: 1e-12, abs: 1e-12)
        #expect(SelfCertaintyReward.defaultShaping == .zscore)
    }

    @Test(arguments: ["mean", "sum"])
    func negEntropyIsMinusTheMeanOrSum(_ aggregate: String) throws {
        let stats = Self.logits.map { $0.map { Self.tokenStats($0, tau: 1.3) } }
        let g = CompletionGroup(tokenCounts: Self.logits.map(\.count), tokenSignals: [.tokenEntropies: stats.map { $0.map(\.entropy) }])
        let expected = stats.map { s -> Double in
            let total = s.map(\.negPlogP).reduce(0, +)
            return -(aggregate == "sum" || s.isEmpty ? total : total / Double(s.count))
        }
        expectClose(try reward("neg_entropy", ["aggregate": aggregate]).score(g), expected, rel: 1e-12, abs: 1e-12)
    }

    @Test func trajectoryLogProbSumsOrAverages() throws {
        let g = CompletionGroup(tokenCounts: [3, 1, 0], tokenSignals: [.tokenLogProbs: [[-0.5, -1, -1.5], [-2], []]])
        expectClose(try reward("trajectory_logprob").score(g), [-3, -2, 0], abs: 1e-12)
        expectClose(try reward("trajectory_logprob", ["aggregate": "mean"]).score(g), [-1, -2, 0], abs: 1e-12)
    }
}

@Suite struct AnswerRewardTests {
    static let votes: [Named<([String?], [String?], Int), [Double]>] = [
        Named("tie goes to the first answer", (["3", "4", "4", "3"], [], 0), [1, 0, 0, 1]),
        Named("non-answers never vote and get 0", ([nil, nil, nil, "7"], [], 0), [0, 0, 0, 1]),
        Named("nobody answered", ([nil, nil], [], 0), [0, 0]),
        Named("clear majority", (["1", "2", "2"], [], 0), [0, 1, 1]),
        Named("votes unused without a budget", (["1", "2"], ["2", "2", "1"], 0), [1, 0]),
        Named("one vote sample breaks the tie", (["1", "2"], ["2", "2", "1"], 1), [0, 1]),
        Named("full budget", (["1", "2"], ["2", "2", "1"], 3), [0, 1]),
        Named("trained completions come first in a tie", (["5"], ["6"], 1), [1]),
        Named("vote-only answers can outvote the group", (["5", nil], ["6", "6"], 2), [0, 0]),
    ]

    @Test(arguments: votes)
    func majorityVote(_ c: Named<([String?], [String?], Int), [Double]>) throws {
        let r = try reward("majority_vote", ["vote_samples": String(c.input.2)])
        #expect(r.needs == SignalNeeds(signals: [.answers], voteSamples: c.input.2))
        let g = CompletionGroup(tokenCounts: Array(repeating: 3, count: c.input.0.count), answers: c.input.0, voteAnswers: c.input.1)
        expectClose(try r.score(g), c.expected.map { $0 }, abs: 1e-12)
    }

    @Test func voteBudgetLargerThanTheVotesIsAnError() throws {
        let r = try reward("majority_vote", ["vote_samples": "4"])
        #expect(throws: RewardZooError.self) {
            try r.score(CompletionGroup(tokenCounts: [1], answers: ["1"], voteAnswers: ["1", "2"]))
        }
    }

    @Test func majorityVoteLabelAndTally() {
        #expect(MajorityVote.label(["3", "4", "4", "3"]) == "3")
        #expect(MajorityVote.label([nil, nil]) == nil)
        #expect(MajorityVote.label([]) == nil)
        let t = MajorityVote.tally(["a", nil, "b", "b", "a", "b"])
        #expect(t.label == "b" && t.votes == 3 && t.voters == 5)
    }

    @Test func semanticClusterIsTheShareOfTheGroup() throws {
        let g = CompletionGroup(tokenCounts: [1, 1, 1, 1], answers: ["a", "a", "b", nil], voteAnswers: ["b", "b"])
        expectClose(try reward("semantic_cluster").score(g), [0.5, 0.5, 0.25, 0], abs: 1e-12)
    }

    @Test func goldComparesWithTheGoldAnswer() throws {
        let r = try reward("gold")
        let needsGold = r.needs.usesGold, typeUsesGold = GoldReward.usesGold
        #expect(needsGold && typeUsesGold)
        let g = CompletionGroup(tokenCounts: [1, 1, 1], answers: ["1", nil, "2"], gold: "2")
        expectClose(try r.score(g), [0, 0, 1], abs: 1e-12)
        #expect(throws: RewardZooError.missingSignal(reward: "gold", signal: "gold")) {
            try r.score(CompletionGroup(tokenCounts: [1], answers: ["2"]))
        }
        // No other single reward reads gold.
        for t in RewardRegistry.types where t.name != "gold" {
            let uses = t.usesGold
            #expect(!uses, "\(t.name)")
        }
    }
}

@Suite struct RandomRewardTests {
    func group(_ g: Int, seed: UInt64) -> CompletionGroup { CompletionGroup(tokenCounts: Array(repeating: 1, count: g), seed: seed) }

    @Test func deterministicPerSeedAndIndependentOfGroupSize() throws {
        let r = try reward("random")
        let a = try r.score(group(64, seed: 7))
        #expect(sameBits(a, try r.score(group(64, seed: 7))))
        #expect(!sameBits(a, try r.score(group(64, seed: 8))), "another group seed redraws")
        #expect(!sameBits(a, try reward("random", ["seed": "1"]).score(group(64, seed: 7))), "another option seed redraws")
        #expect(sameBits(Array(a.prefix(10)), try r.score(group(10, seed: 7))), "completion i's draw does not depend on G")
        #expect(a.allSatisfy { $0 == 0 || $0 == 1 })
    }

    @Test(arguments: [0.0, 0.2, 0.5, 1.0])
    func rateIsRoughlyP(_ p: Double) throws {
        let r = try reward("random", ["p": String(p)])
        var ones = 0.0, n = 0.0
        for s in UInt64(0)..<200 {
            for v in try r.score(group(20, seed: s)) { ones += v ?? 0; n += 1 }
        }
        // 4000 draws: the binomial sd at p = 0.5 is 0.008; 0.03 is almost 4 sd.
        #expect(Swift.abs(ones / n - p) <= 0.03, "rate \(ones / n) for p = \(p)")
    }
}

@Suite struct CompositeAndFaultTests {
    init() { RewardRegistry.register(FaultReward.self) }

    @Test func weightedSumsShapedComponents() throws {
        let spec = try RewardRegistry.spec(name: "weighted", options: ["components": "0.5:rank:vigor,0.5:raw:gold"])
        let r = try RewardRegistry.make(spec)
        #expect(r.needs == SignalNeeds(signals: [.gradNorm, .answers], gradNormSubsets: [.all], usesGold: true))
        var g = normGroup([1, 2, 3], tokens: [1, 1, 1])
        g.answers = ["2", "1", "2"]
        g.gold = "2"
        // vigor raw [−1, −2, −3] → rank [1, 0, −1]; gold [1, 0, 1].
        expectClose(try r.score(g), [1, 0, 0], abs: 1e-12)
        let p = try RewardPipeline(spec: spec, shaping: nil)
        #expect(p.shaping == .raw)
    }

    @Test func weightedJSONFormMatchesTheCLIForm() throws {
        let json = #"{"name": "weighted", "components": [{"weight": 0.5, "shaping": "rank", "reward": {"name": "vigor"}}, {"weight": 0.5, "reward": {"name": "gold"}}]}"#
        let decoded = try RewardSpec.decode(json: json)
        #expect(decoded == (try RewardRegistry.spec(name: "weighted", options: ["components": "0.5:rank:vigor,0.5:raw:gold"])))
        #expect(try RewardSpec.decode(json: decoded.json()) == decoded)
    }

    @Test func weightedNamesANonFiniteComponent() throws {
        let r = try reward("weighted", ["components": "1:raw:gold,1:raw:fault+at_step=0"])
        do {
            _ = try r.score(CompletionGroup(tokenCounts: [1], answers: ["1"], gold: "1"))
            Issue.record("expected an error")
        } catch let e as RewardZooError {
            #expect(e.description.contains("weighted/fault") && e.description.contains("completion 0"), "\(e)")
        }
    }

    @Test func faultReturnsNaNOrThrowsFromItsStep() throws {
        let nan = try RewardPipeline(spec: RewardRegistry.spec(name: "fault", options: ["at_step": "2"]), shaping: nil)
        expectClose(try nan.score(CompletionGroup(tokenCounts: [1, 1], step: 1)).raw, [0, 0], abs: 1e-12)
        do {
            _ = try nan.score(CompletionGroup(tokenCounts: [1, 1], step: 2))
            Issue.record("expected nonFinite")
        } catch let RewardZooError.nonFinite(reward, index, value) {
            #expect(reward == "fault" && index == 0 && value.isNaN)
        }
        let error = try reward("fault", ["kind": "error", "at_step": "0"])
        #expect(throws: RewardZooError.injectedFault(step: 3)) { try error.score(CompletionGroup(tokenCounts: [1], step: 3)) }
        #expect(FaultReward.summary.contains("failure isolation"))
    }

    @Test func pipelineRefusesMalformedGroups() throws {
        let p = try RewardPipeline(spec: RewardRegistry.spec(name: "neg_entropy", options: [:]), shaping: .zscore)
        #expect(throws: RewardZooError.malformedGroup("truncated has 1 entries for 2 completions")) {
            try p.score(CompletionGroup(tokenCounts: [1, 1], truncated: [false], tokenSignals: [.tokenEntropies: [[1], [1]]]))
        }
        #expect(throws: RewardZooError.malformedGroup("token_entropy[1] has 2 values for 1 tokens")) {
            try p.score(CompletionGroup(tokenCounts: [1, 1], tokenSignals: [.tokenEntropies: [[1], [1, 2]]]))
        }
    }

    @Test func signalNeedsUnion() {
        let a = SignalNeeds(signals: [.gradNorm], gradNormSubsets: [.all], voteSamples: 4)
        let b = SignalNeeds(signals: [.answers], gradNormSubsets: [.lmHead], voteSamples: 2, usesGold: true)
        #expect(a.union(b) == SignalNeeds(signals: [.gradNorm, .answers], gradNormSubsets: [.all, .lmHead], voteSamples: 4, usesGold: true))
        #expect(a.union(.none) == a)
        #expect(Signal.allCases.sorted() == Signal.allCases)
        #expect(SignalMeans.mean([]) == 0 && SignalMeans.sum([]) == 0 && SignalMeans.mean([1, 2, 6]) == 3)
    }
}
