import Foundation
import MiniLM
import Seeded

@testable import RewardZoo

/// Bitwise identity of two score arrays (determinism checks).
func sameBits(_ a: [Double?], _ b: [Double?]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in x?.bitPattern == y?.bitPattern }
}

/// The parameter subsets random groups carry gradient norms for.
let testSubsets: [ParameterSubset] = [.all, .lmHead, .lastBlocks(0), .lastBlocks(1), .lastBlocks(2)]

/// A seeded random group with every signal filled: token counts 0...12 (some empty), ~20% truncated, answers
/// from a small pool (so clusters and ties happen) with ~20% nil, 6 vote answers, a gold answer, token signals of
/// the right signs (log-probs ≤ 0, entropies and self-certainties ≥ 0) and gradient norms for `testSubsets`.
func randomGroup(size g: Int, seed: UInt64, step: Int = 0) -> CompletionGroup {
    var rng = SplitMix64(seed: seed)
    let pool = ["1", "2", "3", "42"]
    func answer() -> String? { rng.chance(0.2) ? nil : rng.pick(pool) }
    let counts = (0..<g).map { _ in rng.chance(0.1) ? 0 : rng.int(in: 1...12) }
    let truncated = (0..<g).map { _ in rng.chance(0.2) }
    let answers = (0..<g).map { _ in answer() }
    let votes = (0..<6).map { _ in answer() }
    // Every per-token signal, of the right sign: log-probs ≤ 0, the others ≥ 0.
    var tokenSignals: [Signal: [[Double]]] = [:]
    for (k, signal) in Signal.tokenSignals.enumerated() {
        let scale = signal == .tokenLogProbs ? -3.0 : Double(3 + k)
        tokenSignals[signal] = counts.map { n in (0..<n).map { _ in scale * rng.uniform() } }
    }
    var norms: [ParameterSubset: [Double]] = [:]
    for s in testSubsets { norms[s] = (0..<g).map { _ in 0.1 + 10 * rng.uniform() } }
    return CompletionGroup(tokenCounts: counts, truncated: truncated, answers: answers, voteAnswers: votes,
                           gold: rng.pick(pool), tokenSignals: tokenSignals,
                           gradNorms: norms, seed: rng.next(), step: step)
}

/// The group reordered by `perm` (new position k holds old completion perm[k]).
func permuted(_ g: CompletionGroup, _ perm: [Int]) -> CompletionGroup {
    var p = g
    p.tokenCounts = perm.map { g.tokenCounts[$0] }
    p.truncated = perm.map { g.truncated[$0] }
    p.answers = perm.map { g.answers[$0] }
    p.tokenSignals = g.tokenSignals.mapValues { v in perm.map { v[$0] } }
    p.gradNorms = g.gradNorms.mapValues { v in perm.map { v[$0] } }
    return p
}

/// The group with only what `needs` declares: undeclared signals removed (answers nil, no gold, no votes).
func restricted(_ g: CompletionGroup, to needs: SignalNeeds) -> CompletionGroup {
    var r = g
    r.tokenSignals = g.tokenSignals.filter { needs.signals.contains($0.key) }
    r.gradNorms = needs.signals.contains(.gradNorm) ? g.gradNorms.filter { needs.gradNormSubsets.contains($0.key) } : [:]
    if !needs.signals.contains(.answers) { r.answers = Array(repeating: nil, count: g.count) }
    r.voteAnswers = needs.voteSamples > 0 ? Array(g.voteAnswers.prefix(needs.voteSamples)) : []
    if !needs.usesGold { r.gold = nil }
    return r
}

/// A group of valid (finished, non-empty) completions with the given gradient norms for `.all`.
func normGroup(_ norms: [Double], tokens: [Int], truncated: [Bool]? = nil, subset: ParameterSubset = .all) -> CompletionGroup {
    CompletionGroup(tokenCounts: tokens, truncated: truncated, gradNorms: [subset: norms])
}

/// Builds a reward from its CLI form.
func reward(_ name: String, _ options: [String: String] = [:]) throws -> any IntrinsicReward {
    try RewardRegistry.make(RewardRegistry.spec(name: name, options: options))
}
