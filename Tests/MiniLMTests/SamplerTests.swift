import TestSupport
import Testing
@testable import MiniLM

@Suite struct SamplerTests {
    /// Every step's logits from the KV cache equal a full forward over the prompt and the tokens so far.
    /// (threads, d_model, heads): head sizes 4 (generic decode path), 8, 16, 24 (8-channel value blocks) and 32
    /// (32-channel value blocks).
    @Test(arguments: [(1, 8, 2), (2, 8, 2), (1, 32, 4), (2, 32, 2), (1, 24, 1), (2, 64, 2)])
    func cachedLogitsEqualFullRecomputation(threads: Int, dModel: Int, heads: Int) throws {
        let model = try tinyModel(vocab: 11, context: 16, dModel: dModel, heads: heads)
        let prompts = randomSequences(lengths: [3, 1, 6], vocab: 11, seed: 21)
        var options = SamplingOptions(temperature: 1, maxNewTokens: 8, eos: 2, seed: 5)
        options.recordLogits = true
        let gens = try Sampler(model: model, threads: threads).generate(prompts: prompts, options: options)
        let runner = GPTRunner(model: model, threads: 1)
        for (i, g) in gens.enumerated() {
            #expect(!g.tokens.isEmpty)
            #expect(g.logits.count == g.tokens.count)
            let full = prompts[i] + g.tokens
            for step in 0..<g.tokens.count {
                // Logits that predicted token `step` came from the prefix of length prompt + step.
                let prefix = Array(full[0..<(prompts[i].count + step)])
                let expected = try lastLogits(runner, prefix)
                expectRelativeError(g.logits[step], expected, atMost: 1e-4, "sequence \(i) step \(step)")
            }
            // Recorded log-probabilities are those of the drawn tokens under softmax(logits).
            for step in 0..<g.tokens.count {
                let z = g.logits[step].map(Double.init)
                let lse = Foundation.log(z.map { Foundation.exp($0 - z.max()!) }.reduce(0, +)) + z.max()!
                #expect(abs(Double(g.logProbs[step]) - (z[Int(g.tokens[step])] - lse)) < 1e-4)
            }
        }
    }

    @Test func sameSeedSameTokensAndIndependentOfBatchingAndThreads() throws {
        let model = try tinyModel(vocab: 11, context: 16)
        let prompts = randomSequences(lengths: [2, 5, 4, 1], vocab: 11, seed: 22)
        let options = SamplingOptions(temperature: 0.9, topP: 0.95, maxNewTokens: 10, eos: 2, seed: 42)
        let a = try Sampler(model: model, threads: 1).generate(prompts: prompts, options: options)
        let b = try Sampler(model: model, threads: 1).generate(prompts: prompts, options: options)
        let c = try Sampler(model: model, threads: 2).generate(prompts: prompts, options: options)
        #expect(a.map(\.tokens) == b.map(\.tokens))
        #expect(a.map(\.tokens) == c.map(\.tokens))
        // Batching varied: decode groups of one sequence (1 and 2 threads) give the same tokens.
        for threads in [1, 2] {
            let single = Sampler(model: model, threads: threads)
            single.cacheBudgetBytes = 1
            single.minimumGroup = 1
            #expect(single.groups(0..<prompts.count, workers: threads, contextRows: 16).count == prompts.count)
            #expect(try single.generate(prompts: prompts, options: options).map(\.tokens) == a.map(\.tokens),
                    "groups of one, \(threads) thread(s)")
        }
        // Batch composition varied: another prompt at index 0 leaves sequences 1... as they were.
        var changed = prompts
        changed[0] = [3, 4, 5]
        let e = try Sampler(model: model, threads: 2).generate(prompts: changed, options: options)
        #expect(Array(e.dropFirst().map(\.tokens)) == Array(a.dropFirst().map(\.tokens)))
        // A sampler reuses its buffers: a second call with other prompts matches a fresh sampler.
        let reused = Sampler(model: model, threads: 2)
        _ = try reused.generate(prompts: prompts, options: options)
        let morePrompts = randomSequences(lengths: [7, 1, 3], vocab: 11, seed: 24)
        #expect(try reused.generate(prompts: morePrompts, options: options).map(\.tokens)
                == Sampler(model: model, threads: 2).generate(prompts: morePrompts, options: options).map(\.tokens))
        var other = options
        other.seed = 43
        let d = try Sampler(model: model, threads: 1).generate(prompts: prompts, options: other)
        #expect(a.map(\.tokens) != d.map(\.tokens))
    }

    /// Decoding a worker's sequences in cache-sized groups changes speed only: the same tokens, and logits equal
    /// up to rounding (the prefill GEMMs see other shapes, and OpenBLAS may pick other kernels for them).
    @Test func groupingDoesNotChangeResults() throws {
        let model = try tinyModel(vocab: 11, context: 16, dModel: 32, heads: 2)
        let prompts = randomSequences(lengths: [3, 1, 6, 2, 5, 4, 7], vocab: 11, seed: 25)
        var options = SamplingOptions(temperature: 1, maxNewTokens: 9, eos: 2, seed: 9)
        options.recordLogits = true
        let whole = Sampler(model: model, threads: 2)
        let grouped = Sampler(model: model, threads: 2)
        grouped.cacheBudgetBytes = 1
        grouped.minimumGroup = 1
        #expect(grouped.groups(0..<4, workers: 2, contextRows: 16).count == 4)
        #expect(whole.groups(0..<4, workers: 2, contextRows: 16) == [0..<4])
        let a = try whole.generate(prompts: prompts, options: options), b = try grouped.generate(prompts: prompts, options: options)
        #expect(a.map(\.tokens) == b.map(\.tokens))
        #expect(a.map(\.finished) == b.map(\.finished))
        for (x, y) in zip(a, b) {
            for (zx, zy) in zip(x.logits, y.logits) { expectRelativeError(zx, zy, atMost: 1e-5) }
        }
    }

    /// Decode shapes off the kernels' block sizes: context 13 (not a multiple of 8, so the score kernel reads
    /// into the cache's padding), MLP width 20 and vocabulary 11 (partial 16-wide panels), head sizes 8 (SIMD
    /// path) and 6 (generic path); a prompt as long as the context, a one-token prompt, more threads than
    /// prompts, and generation up to the context limit.
    @Test(arguments: [(24, 3), (12, 2)])
    func edgeShapesMatchFullRecomputation(dModel: Int, heads: Int) throws {
        let model = try tinyModel(vocab: 11, context: 13, dModel: dModel, heads: heads, mlpHidden: 20)
        let prompts = randomSequences(lengths: [13, 1, 5], vocab: 11, seed: 31)
        var options = SamplingOptions(temperature: 1, maxNewTokens: 20, eos: 99, seed: 3)
        options.recordLogits = true
        let gens = try Sampler(model: model, threads: 4).generate(prompts: prompts, options: options)
        let runner = GPTRunner(model: model, threads: 1)
        for (i, g) in gens.enumerated() {
            #expect(g.truncated && !g.finished)
            #expect(prompts[i].count + g.tokens.count == 14, "sequence \(i) decodes up to the context")
            let full = prompts[i] + g.tokens
            for step in 0..<g.tokens.count {
                let expected = try lastLogits(runner, Array(full[0..<(prompts[i].count + step)]))
                expectRelativeError(g.logits[step], expected, atMost: 1e-4, "sequence \(i) step \(step)")
            }
        }
    }

    /// Samples of one prompt share its prefill row: each sequence's logits still equal a full recomputation of its
    /// own prompt and tokens (a row mapped to the wrong prompt would fail this), and the copies' first logits are
    /// one row's, bit for bit.
    @Test func repeatedPromptsShareThePrefill() throws {
        let (p, q) = (randomSequences(lengths: [5], vocab: 11, seed: 50)[0], randomSequences(lengths: [2], vocab: 11, seed: 51)[0])
        let prompts = [p, p, q, p, q, [3]]
        let (distinct, row) = Sampler.distinctPrompts(prompts)
        #expect(distinct == [p, q, [3]])
        #expect(row == [0, 0, 1, 0, 1, 2])
        let model = try tinyModel(vocab: 11, context: 16, dModel: 16, heads: 2)
        var options = SamplingOptions(temperature: 1, maxNewTokens: 6, eos: 2, seed: 12)
        options.recordLogits = true
        let gens = try Sampler(model: model, threads: 1).generate(prompts: prompts, options: options)
        #expect(gens[0].logits[0] == gens[1].logits[0] && gens[0].logits[0] == gens[3].logits[0])
        #expect(gens[2].logits[0] == gens[4].logits[0])
        #expect(gens[0].logits[0] != gens[2].logits[0])
        let runner = GPTRunner(model: model, threads: 1)
        for (i, g) in gens.enumerated() {
            let full = prompts[i] + g.tokens
            for step in 0..<g.tokens.count {
                let expected = try lastLogits(runner, Array(full[0..<(prompts[i].count + step)]))
                expectRelativeError(g.logits[step], expected, atMost: 1e-4, "sequence \(i) step \(step)")
            }
        }
    }

    /// maxNewTokens 0 samples nothing (every sequence truncated); a limit far past the context (Int.max) stops at
    /// the context.
    @Test func maxNewTokensZeroAndUnbounded() throws {
        let model = try tinyModel(vocab: 11, context: 16)
        let prompts = randomSequences(lengths: [3, 16], vocab: 11, seed: 32)
        let sampler = Sampler(model: model, threads: 2)
        let none = try sampler.generate(prompts: prompts, options: SamplingOptions(maxNewTokens: 0, eos: 99))
        #expect(none.allSatisfy { $0.tokens.isEmpty && $0.logProbs.isEmpty && $0.truncated && !$0.finished })
        let unbounded = try sampler.generate(prompts: prompts, options: SamplingOptions(maxNewTokens: .max, eos: 99))
        #expect(unbounded.map(\.tokens.count) == [14, 1])
        #expect(unbounded.allSatisfy { $0.truncated && !$0.finished })
    }

    /// One sampler called with growing and shrinking batch sizes and prompt lengths (its workspaces are reused,
    /// and its KV cache laid out for fewer sequences than it holds) gives what fresh samplers give.
    @Test func reusedSamplerMatchesFreshAcrossShapes() throws {
        let model = try tinyModel(vocab: 11, context: 16, dModel: 16, heads: 2)
        var options = SamplingOptions(temperature: 1, maxNewTokens: 6, eos: 2, seed: 11)
        options.recordLogits = true
        let reused = Sampler(model: model, threads: 2)
        for (k, lengths) in [[2, 3, 4, 5, 6, 7], [12, 1], [1, 2, 3, 1, 2, 3, 1, 2, 3, 4], [16]].enumerated() {
            let prompts = randomSequences(lengths: lengths, vocab: 11, seed: UInt64(40 + k))
            let a = try reused.generate(prompts: prompts, options: options)
            let b = try Sampler(model: model, threads: 2).generate(prompts: prompts, options: options)
            #expect(a.map(\.tokens) == b.map(\.tokens), "call \(k)")
            for (x, y) in zip(a, b) {
                for (zx, zy) in zip(x.logits, y.logits) { expectRelativeError(zx, zy, atMost: 1e-6, "call \(k)") }
            }
        }
    }

    /// With no minimum group size and a cache budget too small for one sequence, every sequence is its own group.
    @Test func groupsWithoutMinimumCoverTheShard() throws {
        let sampler = Sampler(model: try tinyModel(), threads: 1)
        sampler.minimumGroup = 0
        sampler.cacheBudgetBytes = 0
        #expect(sampler.groups(2..<5, workers: 1, contextRows: 16) == [2..<3, 3..<4, 4..<5])
    }

    @Test func stopsAtEOSOrLimitAndFlagsTruncation() throws {
        let model = try tinyModel(vocab: 11, context: 16)
        let prompts = randomSequences(lengths: [3, 14], vocab: 11, seed: 23)
        let gens = try Sampler(model: model).generate(prompts: prompts, options: SamplingOptions(temperature: 1, maxNewTokens: 6, eos: 2, seed: 1))
        for (i, g) in gens.enumerated() {
            #expect(g.finished != g.truncated)
            if g.finished { #expect(g.tokens.last == 2) } else { #expect(!g.tokens.contains(2)) }
            #expect(g.tokens.count <= 6)
            #expect(prompts[i].count + g.tokens.count <= 17, "a completed sequence fits the context for teacher forcing")
        }
        #expect(gens[1].tokens.count <= 3)
    }

    @Test func greedyTakesTheArgmax() throws {
        let model = try tinyModel(vocab: 11, context: 16)
        var options = SamplingOptions(temperature: 0, maxNewTokens: 5, eos: 2, seed: 0)
        options.recordLogits = true
        let g = try Sampler(model: model).generate(prompts: [[1, 4, 5]], options: options)[0]
        for (step, z) in g.logits.enumerated() {
            #expect(Int(g.tokens[step]) == z.indices.max { z[$0] < z[$1] })
        }
    }

    @Test func badOptionsAreErrors() throws {
        let model = try tinyModel()
        let s = Sampler(model: model)
        #expect(throws: MiniLMError.self) { try s.generate(prompts: [[]], options: SamplingOptions()) }
        #expect(throws: MiniLMError.self) { try s.generate(prompts: [[1, 99]], options: SamplingOptions()) }
        #expect(throws: MiniLMError.self) { try s.generate(prompts: [[1]], options: SamplingOptions(topP: 0)) }
        #expect(throws: MiniLMError.self) { try s.generate(prompts: [[Int32](repeating: 3, count: 17)], options: SamplingOptions()) }
    }

    func lastLogits(_ runner: GPTRunner, _ tokens: [Int32]) throws -> [Float] {
        // A forward over `tokens` as inputs; the logits at the last position predict the next token.
        let T = tokens.count
        let batch = try TokenBatch(batchSize: 1, time: T, inputs: tokens, targets: tokens, weights: [Float](repeating: 0, count: T))
        let acts = Activations(config: runner.model.config, batch: 1, time: T)
        batch.inputs.withUnsafeBufferPointer { i in
            batch.weights.withUnsafeBufferPointer { w in
                _ = runner.model.forward(acts, inputs: i.baseAddress!, targets: i.baseAddress!, weights: w.baseAddress!, batch: 1, time: T)
            }
        }
        let V = runner.model.config.vocabSize
        return acts.logits.array((T - 1) * V..<(T * V))
    }
}

import Foundation
