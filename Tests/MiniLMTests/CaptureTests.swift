import Foundation
import TestSupport
import Testing
@testable import MiniLM

/// The sampler's own activations as the RL step's forward (`ActivationCapture`): every activation, statistic,
/// per-sample norm and gradient agrees with a teacher-forced forward over the sampled sequences.
@Suite struct CaptureTests {
    struct Sampled {
        let batch: TokenBatch
        let capture: ActivationCapture
        let runner: GPTRunner
        let generations: [Generation]
    }

    /// Samples `prompts` (each `perPrompt` times, the last `extra` of them not captured) with a capture into a
    /// fresh runner, and builds the teacher-forcing batch of the captured sequences.
    /// With `compact`, the capture has room for the whole context and is then compacted to the longest sequence.
    func sample(_ model: GPT, prompts: [[Int32]], perPrompt: Int, extra: Int, maxNew: Int, temperature: Float = 1,
                groupBudget: Int? = nil, compact: Bool = false) throws -> Sampled {
        let G = perPrompt - extra
        let jobs = prompts.flatMap { Array(repeating: $0, count: perPrompt) }
        let runner = GPTRunner(model: model, threads: 2)
        let longest = prompts.map(\.count).max() ?? 1
        let time = compact ? model.config.contextLength : min(model.config.contextLength, longest + maxNew - 1)
        let capture = try runner.beginCapture(batchSize: prompts.count * G, time: time,
                                              sequenceOfJob: jobs.indices.map { j in j % perPrompt < G ? j / perPrompt * G + j % perPrompt : nil })
        let sampler = Sampler(model: model, threads: 2)
        if let groupBudget { sampler.cacheBudgetBytes = groupBudget; sampler.minimumGroup = 1 }
        let gens = try sampler.generate(prompts: jobs, options: SamplingOptions(temperature: temperature, maxNewTokens: maxNew, eos: 2, seed: 17),
                                        capture: capture)
        var sequences: [[Int32]] = [], starts: [Int] = []
        for (j, g) in gens.enumerated() where j % perPrompt < G {
            sequences.append(jobs[j] + g.tokens)
            starts.append(jobs[j].count)
        }
        let needed = sequences.map { $0.count - 1 }.max() ?? 1
        #expect(capture.finish() == needed)
        #expect(capture.reached == sequences.map { $0.count - 1 })
        if compact { #expect(needed < time, "the compaction moves rows") }
        let batch = try TokenBatch.teacherForcing(sequences: sequences, lossStart: starts, normalization: .sequenceMean, pad: 0,
                                                  contextLength: model.config.contextLength, minimumTime: capture.time)
        return Sampled(batch: batch, capture: capture, runner: runner, generations: gens)
    }

    /// Every captured activation equals the teacher-forced forward's on the positions the sequence reaches, and
    /// is zero beyond them. Head sizes 4 (scalar attention path) and 8 (vectorised), one or several decode groups.
    /// Also after compacting a capture sized for the whole context.
    @Test(arguments: [(8, 2, nil, false), (16, 2, nil, false), (16, 2, 1, false), (16, 2, nil, true)] as [(Int, Int, Int?, Bool)])
    func activationsMatchTeacherForcing(dModel: Int, heads: Int, groupBudget: Int?, compact: Bool) throws {
        let model = try tinyModel(seed: 3, context: 24, dModel: dModel, heads: heads)
        let prompts = randomSequences(lengths: [3, 5, 2], vocab: 11, seed: 4)
        let s = try sample(model, prompts: prompts, perPrompt: 4, extra: 1, maxNew: 9, groupBudget: groupBudget, compact: compact)
        #expect(s.generations.contains { $0.finished } && s.generations.contains { $0.truncated }, "both endings are covered")
        let B = s.batch.batchSize, T = s.batch.time
        let reference = Activations(config: model.config, batch: B, time: T)
        _ = model.forward(reference, inputs: s.batch.inputs, targets: s.batch.targets, weights: s.batch.weights, batch: B, time: T)
        var checked = 0
        for b in 0..<B {
            let reached = s.batch.effectiveLength(b)
            let shard = try #require(s.capture.shards.first { $0.range.contains(b) })
            let got = ActivationCapture.Target(acts: shard.acts, sequence: b - shard.range.lowerBound, time: T, config: model.config)
            let want = ActivationCapture.Target(acts: reference, sequence: b, time: T, config: model.config)
            for ((g, width), (w, _)) in zip(got.buffers(), want.buffers()) {
                let captured = Array(UnsafeBufferPointer(start: got.row(g, width, 0), count: T * width))
                let forced = Array(UnsafeBufferPointer(start: want.row(w, width, 0), count: reached * width))
                expectRelativeError(Array(captured[0..<(reached * width)]), forced, atMost: 2e-5, "sequence \(b)")
                #expect(captured[(reached * width)...].allSatisfy { $0 == 0 }, "padding of sequence \(b)")
                checked += 1
            }
            for l in 0..<model.config.layers {
                for h in 0..<heads {
                    let captured = Array(UnsafeBufferPointer(start: got.probs(l, head: h, 0), count: T * T))
                    let forced = Array(UnsafeBufferPointer(start: want.probs(l, head: h, 0), count: reached * T))
                    expectRelativeError(Array(captured[0..<(reached * T)]), forced, atMost: 2e-5, "probs of sequence \(b)")
                    #expect(captured[(reached * T)...].allSatisfy { $0 == 0 })
                }
            }
        }
        #expect(checked == B * (5 + 12 * model.config.layers))
    }

    /// Statistics, per-sample gradient norms (every subset) and the signed-weight backward over a captured pass
    /// agree with the same quantities over a teacher-forced forward.
    @Test func signalsAndGradientsMatchTeacherForcing() throws {
        let model = try tinyModel(seed: 5, context: 24, dModel: 16, heads: 2)
        let prompts = randomSequences(lengths: [4, 2, 6], vocab: 11, seed: 6)
        let s = try sample(model, prompts: prompts, perPrompt: 3, extra: 0, maxNew: 10, temperature: 0.7, compact: true)
        let captured = try s.runner.pass(from: s.capture, batch: s.batch, temperature: 0.7)
        let forcedRunner = GPTRunner(model: model, threads: 2)
        let forced = try forcedRunner.forward(s.batch, temperature: 0.7)
        #expect(abs(captured.loss - forced.loss) <= 1e-5 * abs(forced.loss))
        expectRelativeError(captured.statistics.logProbs, forced.statistics.logProbs, atMost: 1e-5, "log p")
        expectRelativeError(captured.statistics.entropies, forced.statistics.entropies, atMost: 1e-5, "entropy")
        expectRelativeError(captured.statistics.selfCertainties, forced.statistics.selfCertainties, atMost: 1e-5, "self-certainty")
        // The sampler's own log-probs of its tokens are the captured pass's.
        var k = 0
        for b in 0..<s.batch.batchSize {
            let lps = (0..<s.batch.time).compactMap { t in s.batch.weights[b * s.batch.time + t] != 0 ? captured.statistics.logProbs[b * s.batch.time + t] : nil }
            expectRelativeError(lps, s.generations[b].logProbs, atMost: 1e-5, "sampler log p of \(b)")
            k += lps.count
        }
        #expect(k == s.generations.reduce(0) { $0 + $1.tokens.count })
        for subset in [ParameterSubset.all, .lmHead, .lastBlocks(1)] {
            expectRelativeError(try s.runner.perSampleGradNorms(captured, subset: subset),
                                try forcedRunner.perSampleGradNorms(forced, subset: subset),
                                atMost: 1e-4, "norms \(subset)")
        }
        let weights = (0..<s.batch.weights.count).map { i in s.batch.weights[i] * (i % 3 == 0 ? -1.5 : 0.8) }
        let g1 = FloatBuffer(count: model.parameterCount), g2 = FloatBuffer(count: model.parameterCount)
        try s.runner.backward(captured, weights: weights, temperature: 0.7, grads: g1)
        try forcedRunner.backward(forced, weights: weights, temperature: 0.7, grads: g2)
        expectRelativeError(g1.array, g2.array, atMost: 1e-4, "gradient")
        // A forward on the capturing runner overwrites the captured activations: the capture is then refused.
        _ = try s.runner.forward(s.batch)
        #expect(throws: MiniLMError.self) { try s.runner.pass(from: s.capture, batch: s.batch) }
    }

    /// A capture too short for what the sampler may generate is refused before anything is written.
    @Test func aShortCaptureIsRefused() throws {
        let model = try tinyModel(seed: 5, context: 24)
        let runner = GPTRunner(model: model, threads: 1)
        let capture = try runner.beginCapture(batchSize: 1, time: 5, sequenceOfJob: [0])
        #expect(throws: MiniLMError.self) {
            try Sampler(model: model).generate(prompts: [[1, 3, 4]], options: SamplingOptions(maxNewTokens: 4), capture: capture)
        }
        #expect(throws: MiniLMError.self) { try runner.beginCapture(batchSize: 1, time: 25, sequenceOfJob: [0]) }
        // Read before it is finished, or with a batch that runs past what was sampled: refused.
        // Two sequences of 4 new tokens: prompts of 3 and 2 tokens reach positions 6 and 5.
        let prompts: [[Int32]] = [[1, 3, 4], [1, 3]]
        let fits = try runner.beginCapture(batchSize: 2, time: 6, sequenceOfJob: [0, 1])
        let gen = try Sampler(model: model).generate(prompts: prompts, options: SamplingOptions(maxNewTokens: 4, eos: 99), capture: fits)
        func batch(_ extra: [Int32]) throws -> TokenBatch {
            try TokenBatch.teacherForcing(sequences: [prompts[0] + gen[0].tokens, prompts[1] + gen[1].tokens + extra], lossStart: [3, 2],
                                          normalization: .sequenceMean, pad: 0, contextLength: 24, minimumTime: 6)
        }
        #expect(throws: MiniLMError.self) { try runner.pass(from: fits, batch: try batch([])) }
        #expect(fits.finish() == 6 && fits.reached == [6, 5])
        // Sequence 1 one token longer than sampled: the same time, but past its captured positions.
        #expect(throws: MiniLMError.self) { try runner.pass(from: fits, batch: try batch([5])) }
        _ = try runner.pass(from: fits, batch: try batch([]))
        #expect(throws: MiniLMError.self) { try runner.beginCapture(batchSize: 1, time: 4, sequenceOfJob: [1]) }
    }

    /// The trainer's step with the sampling's activations and with a teacher-forced forward: the same rollouts
    /// and, up to rounding, the same update.
    @Test func trainerStepMatchesTeacherForcedStep() throws {
        let prompts = randomSequences(lengths: [3, 2, 4], vocab: 11, seed: 12)
        var params: [[Float]] = []
        var reports: [GRPOStepReport] = []
        for reuse in [true, false] {
            let model = try tinyModel(seed: 11)
            var config = GRPOConfig()
            config.groupSize = 4
            config.maxNewTokens = 7
            config.loss.beta = 0.05
            config.adam.learningRate = 1e-2
            config.schedule = LearningRateSchedule(peak: 1e-2, warmupSteps: 0, totalSteps: 10, minRatio: 1)
            config.seed = 9
            config.reuseSamplingActivations = reuse
            let trainer = try GRPOTrainer(model: model, config: config, threads: 2)
            let scorer = LengthScorer()
            for _ in 0..<3 { reports.append(try trainer.step(prompts: prompts, scorer: scorer)) }
            params.append(model.params.array)
        }
        // AdamW's first steps move every coordinate by about the learning rate whatever its gradient's size, so
        // coordinates whose gradient is rounding noise differ by up to 2·lr: the parameters agree loosely, the
        // first step's loss and gradient norm tightly.
        expectRelativeError(params[0], params[1], atMost: 1e-2, "parameters after 3 steps")
        #expect(abs(reports[0].loss - reports[3].loss) <= 1e-9, "the loss is ~0 at ratio 1 with zero-sum advantages")
        #expect(abs(reports[0].gradNorm - reports[3].gradNorm) <= 1e-5 * reports[3].gradNorm)
        for i in 0..<3 {
            #expect(reports[i].meanRatio == 1 && reports[i].meanCompletionLength == reports[i + 3].meanCompletionLength)
        }
        #expect(reports[0].meanKL < 1e-12 && reports[3].meanKL == 0, "the reference is a copy: KL zero, up to rounding when captured")
    }

    /// Rewards longer completions, with the per-sample norms requested so they run over the pass.
    final class LengthScorer: RolloutScorer {
        let request = RolloutSignalRequest(gradNormSubsets: [.all])
        func advantages(for rollouts: Rollouts) throws -> [Double] {
            let G = rollouts.groupSize
            var adv = rollouts.completions.map { Double($0.tokens.count) }
            for p in 0..<(adv.count / G) {
                let mean = adv[(p * G)..<((p + 1) * G)].reduce(0, +) / Double(G)
                for i in 0..<G { adv[p * G + i] -= mean }
            }
            return adv
        }
    }
}
