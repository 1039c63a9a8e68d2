import Foundation
import Seeded
import TestSupport
import Testing
@testable import MiniLM

/// The RL seam (one forward, then backward passes over it) and the GRPO trainer built on it.
@Suite struct GRPOTests {
    /// A batch of prompts + completions with the completion tokens weighted (sequence means).
    func rolloutBatch(_ model: GPT, seed: UInt64 = 31) throws -> TokenBatch {
        let seqs = randomSequences(lengths: [9, 6, 12, 4], vocab: model.config.vocabSize, seed: seed)
        return try TokenBatch.teacherForcing(sequences: seqs, lossStart: [3, 2, 5, 1], normalization: .sequenceMean, pad: 0,
                                             contextLength: model.config.contextLength)
    }

    /// The full logits [B·T, V] of a forward over `batch`.
    func logits(_ model: GPT, _ batch: TokenBatch) -> [Float] {
        let acts = Activations(config: model.config, batch: batch.batchSize, time: batch.time)
        _ = model.forward(acts, inputs: batch.inputs, targets: batch.targets, weights: batch.weights, batch: batch.batchSize, time: batch.time)
        return acts.logits.array(0..<(batch.batchSize * batch.time * model.config.vocabSize))
    }

    /// log p, entropy and self-certainty at τ ≠ 1 against their formulas on logits ÷ τ, computed in Double.
    @Test(arguments: [Float(0.6), 1.0, 1.7])
    func tokenStatisticsMatchFormulasAtTemperature(tau: Float) throws {
        let model = try tinyModel()
        let batch = try rolloutBatch(model)
        let stats = try GPTRunner(model: model, threads: 2).forward(batch, temperature: tau).statistics
        let z = logits(model, batch), V = model.config.vocabSize
        for r in 0..<batch.weights.count {
            guard batch.weights[r] != 0 else {
                #expect(stats.logProbs[r] == 0 && stats.entropies[r] == 0)
                continue
            }
            let y = (0..<V).map { Double(z[r * V + $0]) / Double(tau) }
            let m = y.max()!, lse = m + log(y.reduce(0) { $0 + exp($1 - m) })
            let p = y.map { exp($0 - lse) }
            let entropy = -zip(p, y).reduce(0) { $0 + $1.0 * ($1.1 - lse) }
            let certainty = lse - y.reduce(0, +) / Double(V)
            #expect(abs(Double(stats.logProbs[r]) - (y[Int(batch.targets[r])] - lse)) < 1e-5)
            #expect(abs(Double(stats.entropies[r]) - entropy) < 1e-5)
            #expect(abs(Double(stats.selfCertainties[r]) - certainty) < 1e-5)
            #expect(entropy >= 0 && entropy <= log(Double(V)) + 1e-9)
        }
    }

    /// One forward serves the statistics, the per-sample norms and the backward exactly as separate passes do.
    @Test func sharedForwardEqualsSeparatePasses() throws {
        let model = try tinyModel()
        let batch = try rolloutBatch(model)
        let runner = GPTRunner(model: model, threads: 2)
        let separateStats = try runner.tokenStatistics(batch, temperature: 0.8)
        let separateNorms = try runner.perSampleGradNorms(batch, subset: .lastBlocks(1))
        let separateGrads = FloatBuffer(count: model.parameterCount)
        _ = try runner.lossAndGradients(batch, grads: separateGrads)

        let pass = try runner.forward(batch, temperature: 0.8)
        let norms = try runner.perSampleGradNorms(pass, subset: .lastBlocks(1))
        let grads = FloatBuffer(count: model.parameterCount)
        try runner.backward(pass, grads: grads)
        #expect(pass.statistics.logProbs == separateStats.logProbs)
        #expect(pass.statistics.entropies == separateStats.entropies)
        #expect(norms == separateNorms)
        #expect(grads.array == separateGrads.array)
        // A later forward makes the pass stale: a backward over it is refused, not silently wrong.
        _ = try runner.forward(batch)
        #expect(throws: MiniLMError.self) { try runner.backward(pass, grads: grads) }
    }

    /// The backward with signed per-token weights at τ ≠ 1 is the gradient of Σ w·(−log p_τ(y)).
    @Test func backwardWithNegativeWeightsMatchesFiniteDifferences() throws {
        let model = try tinyModel()
        let batch = try rolloutBatch(model)
        let runner = GPTRunner(model: model, threads: 1)
        var rng = SplitMix64(seed: 9)
        let weights = batch.weights.map { $0 != 0 ? Float(rng.uniform() * 2 - 1) : 0 }
        let tau: Float = 0.7
        func loss() -> Double {
            let lp = (try? runner.forward(batch, temperature: tau).statistics.logProbs) ?? []
            return zip(weights, lp).reduce(0) { $0 - Double($1.0) * Double($1.1) }
        }
        let grads = FloatBuffer(count: model.parameterCount)
        try runner.backward(try runner.forward(batch, temperature: tau), weights: weights, temperature: tau, grads: grads)
        try expectGradientMatchesFiniteDifferences(model, grads, loss)
    }

    /// ∇θ of the GRPO loss (every loss type, with clipping and KL active) through `GRPOLoss.evaluate`'s
    /// ∂L/∂log p and the backward, against central differences of the loss itself.
    @Test(arguments: GRPOLossType.allCases)
    func grpoLossGradientMatchesFiniteDifferences(lossType: GRPOLossType) throws {
        let model = try tinyModel()
        let batch = try rolloutBatch(model)
        let runner = GPTRunner(model: model, threads: 1)
        let tau: Float = 0.9
        let current = try runner.forward(batch, temperature: tau).statistics.logProbs
        var rng = SplitMix64(seed: 4)
        // Ratios inside the clip range and well outside it on both sides (e^±0.6), so the check sees every branch
        // of the min, and no finite-difference step crosses a kink of it.
        let old = current.indices.map { current[$0] + [0, 0.6, -0.6][$0 % 3] }
        let ref = current.map { $0 + Float(rng.uniform() - 0.5) * 0.4 }
        let mask = batch.weights.map { $0 != 0 ? Float(1) : 0 }
        let advantages = [1.2, -0.7, 0.4, -1.5]
        let objective = GRPOLoss(lossType: lossType, epsilonLow: 0.2, epsilonHigh: 0.28, beta: 0.05, maxCompletionLength: 12)
        func loss() -> Double {
            let lp = (try? runner.forward(batch, temperature: tau).statistics.logProbs) ?? []
            return objective.evaluate(logProbs: lp, oldLogProbs: old, refLogProbs: ref, mask: mask, advantages: advantages,
                                      time: batch.time).loss
        }
        let pass = try runner.forward(batch, temperature: tau)
        let result = objective.evaluate(logProbs: pass.statistics.logProbs, oldLogProbs: old, refLogProbs: ref, mask: mask,
                                        advantages: advantages, time: batch.time)
        #expect(result.clipFraction > 0 && result.clipFraction < 1, "the case exercises clipping: \(result.clipFraction)")
        let grads = FloatBuffer(count: model.parameterCount)
        try runner.backward(pass, weights: result.dLossDLogProb.map { Float(-$0) }, temperature: tau, grads: grads)
        try expectGradientMatchesFiniteDifferences(model, grads, loss)
    }

    /// Clip fraction, ratio and KL on a constructed case, and the aggregation of each loss type.
    @Test func lossOnAConstructedCase() {
        // Two sequences of T = 3: the first has 3 loss tokens, the second 1 (then padding).
        let lp: [Float] = [-1, -1, -1, -2, 0, 0]
        let old: [Float] = [-1, -1.5, -0.5, -2, 0, 0]  // ratios 1, e^0.5 ≈ 1.65, e^-0.5 ≈ 0.61, 1
        let mask: [Float] = [1, 1, 1, 1, 0, 0]
        let A = [1.0, -1.0]
        let grpo = GRPOLoss(lossType: .grpo, epsilonLow: 0.2, epsilonHigh: 0.2, beta: 0)
        let r = grpo.evaluate(logProbs: lp, oldLogProbs: old, refLogProbs: [], mask: mask, advantages: A, time: 3)
        // Sequence 0 (A = 1): token 1 is clipped high (ratio 1.65 > 1.2) and carries no gradient; token 2 (0.61) is
        // below the range but with A > 0 the unclipped branch is the min, so it is not counted as clipped.
        #expect(r.clipFraction == 0.25)
        #expect(r.dLossDLogProb[1] == 0)
        let e = exp(-0.5)
        #expect(abs(r.dLossDLogProb[2] - (-e / 6)) < 1e-12)   // −ρA · 1/(B·|y_0|) = −0.61/6
        #expect(abs(r.dLossDLogProb[3] - (1.0 / 2)) < 1e-12)  // −ρA/(B·|y_1|) with A = −1
        let expected0 = (-(1.0) - 1.2 - e) / 3, expected1 = 1.0
        #expect(abs(r.loss - (expected0 + expected1) / 2) < 1e-12)
        let bnpo = GRPOLoss(lossType: .bnpo, beta: 0).evaluate(logProbs: lp, oldLogProbs: old, refLogProbs: [], mask: mask,
                                                               advantages: A, time: 3)
        #expect(abs(bnpo.loss - (-(1.0) - 1.2 - e + 1) / 4) < 1e-12)
        let dr = GRPOLoss(lossType: .drGRPO, beta: 0, maxCompletionLength: 5).evaluate(
            logProbs: lp, oldLogProbs: old, refLogProbs: [], mask: mask, advantages: A, time: 3)
        #expect(abs(dr.loss - (-(1.0) - 1.2 - e + 1) / 10) < 1e-12)
        // k3 KL is 0 where ref = logp and positive elsewhere.
        let kl = GRPOLoss(beta: 1).evaluate(logProbs: lp, oldLogProbs: lp, refLogProbs: lp, mask: mask, advantages: A, time: 3)
        #expect(kl.meanKL == 0 && kl.meanRatio == 1 && kl.clipFraction == 0)
        let kl2 = GRPOLoss(beta: 1).evaluate(logProbs: lp, oldLogProbs: lp, refLogProbs: lp.map { $0 - 0.3 }, mask: mask,
                                             advantages: A, time: 3)
        #expect(abs(kl2.meanKL - (exp(-0.3) + 0.3 - 1)) < 1e-6)
    }

    /// Top-p draws stay inside the nucleus: the smallest most-likely set whose mass reaches p.
    @Test func topPDrawsStayInTheNucleus() throws {
        let model = try tinyModel()
        let prompts = randomSequences(lengths: [2, 4, 3, 1, 5, 2], vocab: 11, seed: 8)
        var options = SamplingOptions(temperature: 0.8, topP: 0.6, maxNewTokens: 8, eos: -1, seed: 3)
        options.recordLogits = true
        var draws = 0
        for g in try Sampler(model: model, threads: 2).generate(prompts: prompts, options: options) {
            for (step, tok) in g.tokens.enumerated() {
                let z = g.logits[step].map { Double($0) / 0.8 }
                let m = z.max()!, e = z.map { exp($0 - m) }, s = e.reduce(0, +)
                let order = e.indices.sorted { e[$0] != e[$1] ? e[$0] > e[$1] : $0 < $1 }
                var mass = 0.0, nucleus: Set<Int> = []
                for j in order { nucleus.insert(j); mass += e[j] / s; if mass >= 0.6 { break } }
                #expect(nucleus.contains(Int(tok)), "token \(tok) outside the nucleus \(nucleus.sorted())")
                #expect(nucleus.count < 11, "p = 0.6 must cut something")
                draws += 1
            }
        }
        #expect(draws == 48)
    }

    /// A scorer that rewards completions for how often they use `token`.
    final class CountingScorer: RolloutScorer {
        let token: Int32
        var request = RolloutSignalRequest(gradNormSubsets: [.lmHead, .all])
        var seen: [Rollouts] = []
        var poison: Int? = nil
        init(token: Int32) { self.token = token }
        func advantages(for rollouts: Rollouts) throws -> [Double] {
            seen.append(rollouts)
            let G = rollouts.groupSize
            let rewards = rollouts.completions.map { c in Double(c.tokens.filter { $0 == token }.count) / Double(max(c.tokens.count, 1)) }
            var adv = [Double](repeating: 0, count: rewards.count)
            for p in 0..<(rewards.count / G) {
                let g = Array(rewards[(p * G)..<((p + 1) * G)])
                let mean = g.reduce(0, +) / Double(G)
                for i in 0..<G { adv[p * G + i] = g[i] - mean }
            }
            if let poison, rollouts.step == poison { adv[0] = .nan }
            return adv
        }
    }

    func trainer(_ model: GPT, beta: Double = 0.01, iterations: Int = 1, reuseSampling: Bool = true) throws -> GRPOTrainer {
        var config = GRPOConfig()
        config.reuseSamplingActivations = reuseSampling
        config.groupSize = 6
        config.maxNewTokens = 6
        config.loss.beta = beta
        config.numIterations = iterations
        config.adam.learningRate = 3e-2
        config.schedule = LearningRateSchedule(peak: 3e-2, warmupSteps: 0, totalSteps: 40, minRatio: 1)
        config.seed = 5
        return try GRPOTrainer(model: model, config: config, threads: 2)
    }

    /// The trainer really learns: rewarding a token makes the policy use it more. The first step's forward
    /// gives ratio 1 and KL 0 (the reference is a copy), the signals it hands the scorer have the right shapes,
    /// and the norms equal a fresh pass's.
    @Test func trainerLearnsToUseARewardedToken() throws {
        let model = try tinyModel(seed: 11)
        let t = try trainer(model, iterations: 2)
        let scorer = CountingScorer(token: 5)
        let prompts = randomSequences(lengths: [3, 2, 4, 3], vocab: 11, seed: 12)
        func usage(_ r: Rollouts) -> Double {
            let c = r.completions.flatMap(\.tokens)
            return Double(c.filter { $0 == 5 }.count) / Double(c.count)
        }
        var reports: [GRPOStepReport] = []
        for _ in 0..<40 { reports.append(try t.step(prompts: prompts, scorer: scorer)) }
        let first = reports[0]
        #expect(first.meanKL < 1e-12, "the reference is a copy of the initial policy (KL 0 up to the sampling forward's rounding)")
        let r0 = scorer.seen[0]
        #expect(r0.completions.count == 24 && r0.signals.count == 24)
        for (c, s) in zip(r0.completions, r0.signals) {
            #expect(GPTRunner.TokenStatistic.allCases.allSatisfy { s.statistics[$0]?.count == c.tokens.count })
            #expect(s.gradNorms[.all] != nil && s.gradNorms[.lmHead] != nil)
        }
        let early = scorer.seen.prefix(5).map(usage).reduce(0, +) / 5, late = scorer.seen.suffix(5).map(usage).reduce(0, +) / 5
        #expect(late > early + 0.2, "token usage \(early) → \(late)")
        #expect(reports.allSatisfy { $0.gradNorm.isFinite && $0.learningRate == 3e-2 })
        #expect(reports.contains { $0.clipFraction > 0 }, "the second iteration's ratios move off 1")
    }

    /// With one iteration per batch the update reuses the step's forward: every ratio is exactly 1, so nothing is
    /// clipped; with a reference copy of the policy and a teacher-forced forward (the same arithmetic as the
    /// reference's) the first step's KL is exactly 0.
    @Test func oneIterationHasRatioOneAndFirstStepKLZero() throws {
        let model = try tinyModel(seed: 11)
        let t = try trainer(model, beta: 0.05, iterations: 1, reuseSampling: false)
        let scorer = CountingScorer(token: 5)
        let prompts = randomSequences(lengths: [3, 2], vocab: 11, seed: 12)
        let first = try t.step(prompts: prompts, scorer: scorer)
        #expect(first.meanRatio == 1 && first.clipFraction == 0 && first.meanKL == 0)
        let second = try t.step(prompts: prompts, scorer: scorer)
        #expect(second.meanRatio == 1 && second.meanKL > 0, "the policy moved away from the reference")
    }

    /// A non-finite advantage stops the run with the step and the quantity, before any update.
    @Test func nonFiniteAdvantageStopsTheRun() throws {
        let model = try tinyModel(seed: 11)
        let t = try trainer(model, beta: 0)
        let scorer = CountingScorer(token: 5)
        scorer.poison = 2
        let prompts = randomSequences(lengths: [3, 2], vocab: 11, seed: 12)
        _ = try t.step(prompts: prompts, scorer: scorer)
        _ = try t.step(prompts: prompts, scorer: scorer)
        let before = model.params.array
        do {
            _ = try t.step(prompts: prompts, scorer: scorer)
            Issue.record("a NaN advantage must stop the run")
        } catch let MiniLMError.diverged(step, quantity, value) {
            #expect(step == 3 && quantity == "advantage of completion 0" && value.isNaN)
        }
        #expect(model.params.array == before)
    }

    /// A vote budget samples extra completions per prompt that reach the scorer but are never trained on.
    @Test func voteOnlyCompletionsReachTheScorerOnly() throws {
        let model = try tinyModel(seed: 11)
        let t = try trainer(model, beta: 0)
        let scorer = CountingScorer(token: 5)
        scorer.request.extraSamples = 2
        let prompts = randomSequences(lengths: [3, 2, 4], vocab: 11, seed: 12)
        _ = try t.step(prompts: prompts, scorer: scorer)
        let r = try #require(scorer.seen.first)
        #expect(r.completions.count == 18 && r.extra.count == 6 && r.signals.count == 18)
        #expect(r.signals.allSatisfy { $0.gradNorms[.lmHead] != nil })
    }

    @Test func repeatedTrigrams() {
        #expect(GRPOTrainer.repeated3grams([1, 2, 3, 1, 2, 3, 1]) == (repeated: 2, total: 5))
        #expect(GRPOTrainer.repeated3grams([1, 2]) == (repeated: 0, total: 0))
    }
}

/// Expects a gradient to match central differences of `loss` on up to 6 coordinates of every tensor.
func expectGradientMatchesFiniteDifferences(_ model: GPT, _ grads: FloatBuffer, _ loss: () -> Double,
                                            sourceLocation: SourceLocation = #_sourceLocation) throws {
    for e in model.layout.entries {
        let step = max(1, e.count / 6)
        let idx = stride(from: 0, to: e.count, by: step).map { e.offset + $0 }
        let numeric = finiteDifferences(model.params.base, indices: idx, h: 5e-3, loss)
        let analytic = idx.map { Double(grads[$0]) }
        if numeric.allSatisfy({ abs($0) < 1e-6 }) && analytic.allSatisfy({ abs($0) < 1e-6 }) { continue }
        expectRelativeError(analytic, numeric, atMost: 1e-2, e.name, sourceLocation: sourceLocation)
    }
}
