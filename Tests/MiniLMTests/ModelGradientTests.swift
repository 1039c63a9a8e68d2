import TestSupport
import Testing
@testable import MiniLM

@Suite struct ModelGradientTests {
    /// Every named tensor's gradient against central differences of the whole model's loss, on a batch with
    /// mixed lengths, a masked prompt and right padding.
    @Test func wholeModelGradientsMatchFiniteDifferences() throws {
        let model = try tinyModel()
        let seqs = randomSequences(lengths: [9, 5, 12], vocab: 11, seed: 3)
        let batch = try TokenBatch.teacherForcing(sequences: seqs, lossStart: [3, 1, 6], normalization: .tokenMean,
                                                  pad: 0, contextLength: model.config.contextLength)
        let runner = GPTRunner(model: model, threads: 1)
        let grads = FloatBuffer(count: model.parameterCount)
        _ = try runner.lossAndGradients(batch, grads: grads)
        let scratch = FloatBuffer(count: model.parameterCount)
        func loss() -> Double { (try? runner.lossAndGradients(batch, grads: scratch)) ?? .nan }
        for e in model.layout.entries {
            // Up to 12 coordinates per tensor, spread over it.
            let step = max(1, e.count / 12)
            let idx = stride(from: 0, to: e.count, by: step).map { e.offset + $0 }
            let numeric = finiteDifferences(model.params.base, indices: idx, h: 5e-3, loss)
            let analytic = idx.map { Double(grads[$0]) }
            if numeric.allSatisfy({ abs($0) < 1e-7 }) && analytic.allSatisfy({ abs($0) < 1e-7 }) { continue }
            expectRelativeError(analytic, numeric, atMost: 5e-3, e.name)
        }
    }

    /// A gradient must not depend on the number of worker threads beyond float rounding, nor on the padding.
    @Test func gradientsAgreeAcrossThreadsAndPadding() throws {
        let model = try tinyModel()
        let seqs = randomSequences(lengths: [7, 4, 10, 3], vocab: 11, seed: 4)
        let batch = try TokenBatch.teacherForcing(sequences: seqs, lossStart: [2, 1, 4, 1], normalization: .sum, pad: 0,
                                                  contextLength: 16)
        let g1 = FloatBuffer(count: model.parameterCount), g2 = FloatBuffer(count: model.parameterCount)
        let l1 = try GPTRunner(model: model, threads: 1).lossAndGradients(batch, grads: g1)
        let l2 = try GPTRunner(model: model, threads: 2).lossAndGradients(batch, grads: g2)
        #expect(abs(l1 - l2) < 1e-4 * abs(l1))
        expectRelativeError(g2.array, g1.array, atMost: 1e-5, "threads")
        // Sum of per-sequence gradients, each run alone (no padding) = batch gradient.
        let acc = FloatBuffer(count: model.parameterCount), one = FloatBuffer(count: model.parameterCount)
        let runner = GPTRunner(model: model, threads: 1)
        for (i, s) in seqs.enumerated() {
            let b = try TokenBatch.teacherForcing(sequences: [s], lossStart: [[2, 1, 4, 1][i]], normalization: .sum, pad: 0, contextLength: 16)
            _ = try runner.lossAndGradients(b, grads: one)
            for j in 0..<acc.count { acc[j] += one[j] }
        }
        expectRelativeError(g1.array, acc.array, atMost: 1e-5, "padding")
    }
}

@Suite struct PerSampleNormTests {
    static let subsets: [ParameterSubset] = [.all, .lmHead, .lastBlocks(0), .lastBlocks(1), .lastBlocks(2)]

    /// Batched per-sample norms equal the naive per-sequence loop, with mixed lengths, prompts, padding,
    /// every parameter subset, and one or two worker threads.
    @Test(arguments: subsets, [1, 2])
    func batchedNormsEqualNaiveLoop(subset: ParameterSubset, threads: Int) throws {
        let model = try tinyModel()
        let seqs = randomSequences(lengths: [16, 5, 11, 2, 9], vocab: 11, seed: 5)
        let batch = try TokenBatch.teacherForcing(sequences: seqs, lossStart: [4, 2, 8, 1, 3], normalization: .sequenceMean,
                                                  pad: 0, contextLength: 16)
        let runner = GPTRunner(model: model, threads: threads)
        let fast = try runner.perSampleGradNorms(batch, subset: subset)
        let naive = try runner.perSampleGradNormsNaive(batch, subset: subset)
        #expect(fast.count == 5)
        for i in 0..<5 {
            #expect(naive[i] > 0)
            #expect(abs(fast[i] - naive[i]) <= 1e-4 * naive[i], "sequence \(i): batched \(fast[i]) vs naive \(naive[i])")
        }
    }

    /// The one-sequence backward (row window above the last attention, transposed packed weights) on shapes and
    /// weightings off the fast paths: d_model 12 and MLP 20 (LayerNorm and transpose tails, partial panels),
    /// context 13, batch times 13 and 7 through one runner; sequences with no weighted token (norm exactly 0,
    /// after weighted ones in a shard), a weighted span with a gap, a fully weighted one, only the last position
    /// weighted; every subset; more threads than sequences.
    @Test(arguments: subsets, [1, 2, 8])
    func normsOnEdgeCasesEqualNaiveLoop(subset: ParameterSubset, threads: Int) throws {
        let model = try tinyModel(vocab: 11, context: 13, dModel: 12, heads: 2, mlpHidden: 20)
        let runner = GPTRunner(model: model, threads: threads)
        for T in [13, 7] {
            let B = 5
            let inputs = randomSequences(lengths: [Int](repeating: T, count: B), vocab: 11, seed: 8).flatMap { $0 }
            let targets = randomSequences(lengths: [Int](repeating: T, count: B), vocab: 11, seed: 9).flatMap { $0 }
            var weights = [Float](repeating: 0, count: B * T)
            for t in [2, 3, 5] { weights[t] = 0.5 }                     // 0: a span with a gap; 1: nothing weighted
            for t in 0..<T { weights[2 * T + t] = 1 / Float(T) }        // 2: every position
            weights[3 * T + T - 1] = 2                                  // 3: the last position only; 4: nothing
            let batch = try TokenBatch(batchSize: B, time: T, inputs: inputs, targets: targets, weights: weights)
            let fast = try runner.perSampleGradNorms(batch, subset: subset)
            let naive = try runner.perSampleGradNormsNaive(batch, subset: subset)
            for i in 0..<B {
                if [1, 4].contains(i) {
                    #expect(fast[i] == 0 && naive[i] == 0, "T \(T) sequence \(i): \(fast[i]), \(naive[i])")
                } else {
                    #expect(naive[i] > 0)
                    #expect(abs(fast[i] - naive[i]) <= 1e-4 * naive[i], "T \(T) sequence \(i): batched \(fast[i]) vs naive \(naive[i])")
                }
            }
        }
    }

    /// The backward pass's norms mode over a whole batch (B > 1: fused LayerNorm norms for every sequence, no
    /// row window, the next sequence's rows prefetched) and over one sequence, with the input gradients through
    /// the transposed packed weights or through OpenBLAS (no packed weights set), equals the naive loop.
    @Test(arguments: subsets)
    func backwardNormsModeEqualsNaiveLoop(subset: ParameterSubset) throws {
        let model = try tinyModel(vocab: 11, context: 13, dModel: 12, heads: 2, mlpHidden: 20)
        let B = 4, T = 11
        let inputs = randomSequences(lengths: [Int](repeating: T, count: B), vocab: 11, seed: 12).flatMap { $0 }
        let targets = randomSequences(lengths: [Int](repeating: T, count: B), vocab: 11, seed: 13).flatMap { $0 }
        var weights = [Float](repeating: 0, count: B * T)
        for t in 3..<8 { weights[t] = 0.2 }                    // 0: a span; 1: nothing weighted
        for t in 0..<T { weights[2 * T + t] = 0.1 }            // 2: every position
        weights[3 * T + 4] = 1                                 // 3: one position inside, padding after
        let batch = try TokenBatch(batchSize: B, time: T, inputs: inputs, targets: targets, weights: weights)
        let naive = try GPTRunner(model: model, threads: 1).perSampleGradNormsNaive(batch, subset: subset)
        let start = model.layout.range(of: subset).lowerBound
        let acts = Activations(config: model.config, batch: B, time: T)
        let gradients = Activations(config: model.config, batch: 1, time: T)
        let transposed = PackedModel(model, transposed: true)
        for packed in [false, true] {
            let scratch = PerSampleNormScratch(config: model.config)
            for oneAtATime in [false, true] {
                var sq = [Double](repeating: 0, count: B)
                inputs.withUnsafeBufferPointer { i in targets.withUnsafeBufferPointer { t in weights.withUnsafeBufferPointer { w in
                    sq.withUnsafeMutableBufferPointer { out in
                        let (i, t, w, out) = (i.baseAddress!, t.baseAddress!, w.baseAddress!, out.baseAddress!)
                        _ = model.forward(acts, inputs: i, targets: t, weights: w, batch: B, time: T)
                        if oneAtATime {
                            for b in 0..<B {
                                model.backward(acts.sequence(b, time: T, gradients: gradients), inputs: i + b * T, targets: t + b * T,
                                               weights: w + b * T, batch: 1, time: T,
                                               sink: SquaredNormAccumulator(subsetStart: start, out: out + b, scratch: scratch),
                                               transposed: packed ? transposed : nil)
                            }
                        } else {
                            model.backward(acts, inputs: i, targets: t, weights: w, batch: B, time: T,
                                           sink: SquaredNormAccumulator(subsetStart: start, out: out, scratch: scratch),
                                           transposed: packed ? transposed : nil)
                        }
                    }
                }}}
                let norms = sq.map { $0.squareRoot() }
                for b in 0..<B {
                    let what = "packed \(packed) one at a time \(oneAtATime) sequence \(b): \(norms[b]) vs naive \(naive[b])"
                    if b == 1 { #expect(norms[b] == 0 && naive[b] == 0, "\(what)") } else {
                        #expect(abs(norms[b] - naive[b]) <= 1e-4 * naive[b], "\(what)")
                    }
                }
            }
        }
    }

    /// At the base model's shapes and a full context (128 rows: 8 Gram panels summed in float per panel), the
    /// ghost norm stays as accurate as the materialised product.
    @Test func ghostNormAccurateAtFullContext() {
        let n = 128, C = 96, OC = 384
        let scratch = PerSampleNormScratch(config: ModelConfig(vocabSize: 8, contextLength: n, layers: 1, heads: 1, dModel: C, mlpHidden: OC))
        // Positive-leaning inputs (as after a LayerNorm with a bias) and zero-mean output gradients: the ghost sum
        // has large terms of both signs.
        let a = randomFloats(n * C, seed: 3).map { $0 + 0.5 }, g = randomFloats(n * OC, seed: 4)
        var expected = 0.0, biasPart = 0.0
        for o in 0..<OC {
            var sb = 0.0
            for t in 0..<n { sb += Double(g[t * OC + o]) }
            biasPart += sb * sb
            for c in 0..<C {
                var s = 0.0
                for t in 0..<n { s += Double(g[t * OC + o]) * Double(a[t * C + c]) }
                expected += s * s
            }
        }
        for method in [PerSampleNorm.Method.ghost, .materialised] {
            let got = PerSampleNorm.linear(dout: g, inp: a, rows: n, inFeatures: C, outFeatures: OC, bias: true, scratch: scratch, method: method)
            #expect(abs(got - expected - biasPart) <= 1e-5 * (expected + biasPart), "\(method): \(got) vs \(expected + biasPart)")
        }
    }

    /// Norms of a sequence do not change when it is batched with others of different lengths, and the naive
    /// reference is itself the norm of a full single-sequence gradient.
    @Test func normIsIndependentOfBatchmates() throws {
        let model = try tinyModel()
        let seqs = randomSequences(lengths: [8, 14, 3], vocab: 11, seed: 6)
        let runner = GPTRunner(model: model, threads: 1)
        let together = try runner.perSampleGradNorms(
            try TokenBatch.teacherForcing(sequences: seqs, lossStart: [3, 3, 1], normalization: .sequenceMean, pad: 0, contextLength: 16))
        for i in 0..<3 {
            let alone = try runner.perSampleGradNorms(
                try TokenBatch.teacherForcing(sequences: [seqs[i]], lossStart: [[3, 3, 1][i]], normalization: .sequenceMean, pad: 0, contextLength: 16))
            #expect(abs(together[i] - alone[0]) <= 1e-5 * alone[0])
        }
    }

    /// Both ways of computing a linear layer's norm (ghost norm from register-tiled Grams, materialised product)
    /// agree with the plain formula, for row counts that exercise the 6- and 4-row tiles, the 8×8 transposes of
    /// the packing (and its element-wise tails) and several 16-row panels.
    @Test(arguments: [(6, 5), (16, 24), (21, 19)])
    func linearNormMethodsAgree(inFeatures C: Int, outFeatures OC: Int) {
        for kernels in KernelPath.supported() { Self.checkLinearNorms(inFeatures: C, outFeatures: OC, kernels: kernels) }
    }

    static func checkLinearNorms(inFeatures C: Int, outFeatures OC: Int, kernels: KernelPath) {
        let scratch = PerSampleNormScratch(config: ModelConfig(vocabSize: 8, contextLength: 48, layers: 1, heads: 1, dModel: 24, mlpHidden: 24))
        for n in [1, 2, 7, 8, 17, 30, 48] {
            let a = randomFloats(n * C, seed: UInt64(n)), g = randomFloats(n * OC, seed: UInt64(100 + n))
            var expected = 0.0, biasPart = 0.0
            for o in 0..<OC {
                var sb = 0.0
                for c in 0..<C {
                    var s = 0.0
                    for t in 0..<n { s += Double(g[t * OC + o]) * Double(a[t * C + c]) }
                    expected += s * s
                }
                for t in 0..<n { sb += Double(g[t * OC + o]) }
                biasPart += sb * sb
            }
            for method in [PerSampleNorm.Method.ghost, .materialised, nil] {
                let got = PerSampleNorm.linear(dout: g, inp: a, rows: n, inFeatures: C, outFeatures: OC, bias: false,
                                               scratch: scratch, method: method, kernels: kernels)
                #expect(abs(got - expected) <= 1e-5 * expected, "\(kernels): n = \(n), \(String(describing: method))")
                let withBias = PerSampleNorm.linear(dout: g, inp: a, rows: n, inFeatures: C, outFeatures: OC, bias: true,
                                                    scratch: scratch, method: method, kernels: kernels)
                #expect(abs(withBias - expected - biasPart) <= 1e-5 * (expected + biasPart), "\(kernels): n = \(n) with bias, \(String(describing: method))")
            }
        }
    }

    @Test func subsetParsing() throws {
        #expect(try ParameterSubset(parsing: "all") == .all)
        #expect(try ParameterSubset(parsing: "lm_head") == .lmHead)
        #expect(try ParameterSubset(parsing: "last:3") == .lastBlocks(3))
        for bad in ["", "last:", "last:-1", "head", "last:x"] {
            #expect(throws: MiniLMError.self) { try ParameterSubset(parsing: bad) }
        }
    }
}
