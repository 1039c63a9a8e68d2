import Dispatch
import Foundation

/// Runs a `GPT` on batches with `threads` workers: the batch is split into contiguous shards of sequences, each
/// worker runs forward/backward on its shard with its own activations and one OpenBLAS thread, and results are
/// combined in a fixed order. Same model, batch and thread count give bit-identical results.
///
/// Sharding the batch beats giving OpenBLAS two threads: the element-wise work (LayerNorm, GELU, softmax) runs in
/// parallel too, and the small per-head attention GEMMs do not scale with BLAS threads (docs/PLATFORM.md).
public final class GPTRunner: @unchecked Sendable {
    public let model: GPT
    public let threads: Int
    private var workers: [Worker]

    final class Worker {
        var acts: Activations?
        var grads: FloatBuffer?
        var normScratch: PerSampleNormScratch?
        /// Gradient scratch for a backward pass over one sequence.
        var sequenceGradients: Activations?

        func activations(config: ModelConfig, batch B: Int, time T: Int) -> Activations {
            if let a = acts, a.fits(batch: B, time: T) { return a }
            let a = Activations(config: config, batch: max(B, acts?.capacityB ?? 0), time: max(T, acts?.capacityT ?? 0))
            acts = a
            return a
        }
    }

    public init(model: GPT, threads: Int = 1) {
        self.model = model
        self.threads = max(1, threads)
        workers = (0..<max(1, threads)).map { _ in Worker() }
    }

    /// Contiguous shards of `0..<B`, at most `threads` of them.
    func shards(_ B: Int) -> [Range<Int>] {
        let k = min(threads, B)
        return (0..<k).map { i in (i * B / k)..<((i + 1) * B / k) }
    }

    /// Runs `body(worker index, shard)` on every shard in parallel with one BLAS thread each.
    func parallel(_ B: Int, _ body: (Int, Range<Int>) -> Void) {
        let parts = shards(B)
        BLAS.setThreads(1)
        parallelFor(parts.count) { i in body(i, parts[i]) }
    }

    /// One worker's slice of a batch: sequences `range` of `batch`, as pointers into its token and weight arrays.
    struct Shard {
        let index: Int
        let range: Range<Int>
        let time: Int
        let inputs: UnsafePointer<Int32>, targets: UnsafePointer<Int32>, weights: UnsafePointer<Float>
        var count: Int { range.count }
        /// Offset of the shard's first row in [B·T] arrays.
        var rowOffset: Int { range.lowerBound * time }
    }

    /// Runs `body` on every shard of `batch` in parallel, each with its worker's activations sized for the shard.
    func forEachShard(_ batch: TokenBatch, _ body: (Shard, Worker, Activations) -> Void) {
        let T = batch.time
        batch.inputs.withUnsafeBufferPointer { inp in
            batch.targets.withUnsafeBufferPointer { tgt in
                batch.weights.withUnsafeBufferPointer { w in
                    parallel(batch.batchSize) { i, range in
                        let worker = workers[i]
                        let acts = worker.activations(config: model.config, batch: range.count, time: T)
                        let o = range.lowerBound * T
                        body(Shard(index: i, range: range, time: T, inputs: inp.baseAddress! + o,
                                   targets: tgt.baseAddress! + o, weights: w.baseAddress! + o), worker, acts)
                    }
                }
            }
        }
    }

    // MARK: - One forward, then the backward passes over it

    /// A teacher-forced forward over a batch whose activations the runner keeps, so the backward passes of an RL
    /// step (the policy-gradient backward and the per-sample gradient norms) reuse it. A later `forward` on the
    /// same runner overwrites the activations; a backward over a stale pass is refused.
    public struct ForwardPass: Sendable {
        public let batch: TokenBatch
        /// Σ w·NLL on raw logits with the batch's weights.
        public let loss: Double
        /// Statistics at `temperature` for the weighted positions ([B·T] each); empty arrays when not asked for.
        public let statistics: TokenStatistics
        public let temperature: Float
        let generation: Int
    }

    private var generation = 0

    /// Runs the model on `batch` and keeps every activation. With `statistics`, also the per-position log p,
    /// entropy and self-certainty at temperature τ (docs/REFERENCE.md conventions) of every weighted position.
    public func forward(_ batch: TokenBatch, temperature: Float = 1, statistics: Bool = true) throws -> ForwardPass {
        try batch.validate(vocabSize: model.config.vocabSize)
        try checkLength(batch)
        guard temperature > 0, temperature.isFinite else {
            throw MiniLMError.invalidBatch("temperature must be positive and finite, got \(temperature)")
        }
        generation += 1
        return makePass(batch, temperature: temperature, statistics: statistics) { shard, acts in
            model.forward(acts, inputs: shard.inputs, targets: shard.targets, weights: shard.weights, batch: shard.count, time: shard.time)
        }
    }

    /// The pass whose activations `run` leaves in each shard's activations (returning the shard's Σ w·NLL), with
    /// the statistics at τ of every weighted position read from its logits.
    private func makePass(_ batch: TokenBatch, temperature: Float, statistics: Bool,
                          _ run: (Shard, Activations) -> Double) -> ForwardPass {
        let T = batch.time, V = model.config.vocabSize, n = statistics ? batch.batchSize * T : 0
        // Statistic-major: statistic k of position i at k·n + i.
        var values = [Float](repeating: 0, count: TokenStatistic.allCases.count * n)
        var losses = [Double](repeating: 0, count: threads)
        let invTau = 1 / temperature
        losses.withUnsafeMutableBufferPointer { lossOut in
        values.withUnsafeMutableBufferPointer { out in
            forEachShard(batch) { shard, _, acts in
                lossOut[shard.index] = run(shard, acts)
                guard statistics else { return }
                let o = shard.rowOffset
                for r in 0..<(shard.count * T) where shard.weights[r] != 0 {
                    TokenStatistics.write(acts.logits.base + r * V, vocab: V, invTemperature: invTau, target: Int(shard.targets[r]),
                                          to: out.baseAddress! + o + r, stride: n)
                }
            }
        }}
        return ForwardPass(batch: batch, loss: losses.reduce(0, +), statistics: TokenStatistics(flat: values, positions: n),
                           temperature: temperature, generation: generation)
    }

    // MARK: - A forward captured while sampling

    /// Readies the workers' activations for `batchSize` sequences of `time` positions, for a sampler to write
    /// while it generates them (`Sampler.generate(prompts:options:capture:)`; job j becomes sequence
    /// `sequenceOfJob[j]`). Passes over earlier activations become stale.
    func beginCapture(batchSize B: Int, time T: Int, sequenceOfJob: [Int?]) throws -> ActivationCapture {
        guard B > 0, T > 0, T <= model.config.contextLength else {
            throw MiniLMError.invalidBatch("a capture needs 1 ≤ time ≤ \(model.config.contextLength) and at least one sequence, got \(B)×\(T)")
        }
        guard sequenceOfJob.allSatisfy({ $0.map { (0..<B).contains($0) } ?? true }) else {
            throw MiniLMError.invalidBatch("a capture's jobs must map into its \(B) sequences")
        }
        generation += 1
        let parts = shards(B).enumerated().map { i, r in
            (range: r, acts: workers[i].activations(config: model.config, batch: r.count, time: T))
        }
        return ActivationCapture(config: model.config, time: T, shards: parts, sequenceOfJob: sequenceOfJob, generation: generation)
    }

    /// The forward pass a finished capture stands for. `batch` is the captured sequences as teacher forcing
    /// (their inputs are the positions the sampler ran), with the capture's time; the loss and statistics are
    /// read from the captured logits.
    func pass(from capture: ActivationCapture, batch: TokenBatch, temperature: Float = 1, statistics: Bool = true) throws -> ForwardPass {
        try batch.validate(vocabSize: model.config.vocabSize)
        guard capture.generation == generation else {
            throw MiniLMError.invalidBatch("a capture whose activations a later forward on this runner has overwritten")
        }
        guard capture.finished else { throw MiniLMError.invalidBatch("a capture read before finish(): call it once the sampling is done") }
        guard batch.batchSize == capture.batchSize, batch.time == capture.time else {
            throw MiniLMError.invalidBatch("a \(batch.batchSize)×\(batch.time) batch over a capture of \(capture.batchSize)×\(capture.time)")
        }
        // Each sequence's loss positions end where its sampling did (inputs are every token but the last).
        let reached = capture.reached
        if let b = (0..<batch.batchSize).first(where: { batch.effectiveLength($0) > reached[$0] }) {
            throw MiniLMError.invalidBatch("sequence \(b) of the batch runs to position \(batch.effectiveLength(b)) but its capture to \(reached[b])")
        }
        guard temperature > 0, temperature.isFinite else {
            throw MiniLMError.invalidBatch("temperature must be positive and finite, got \(temperature)")
        }
        let V = model.config.vocabSize
        return makePass(batch, temperature: temperature, statistics: statistics) { shard, acts in
            CrossEntropy.forward(losses: acts.losses.base, logits: acts.logits.base, targets: shard.targets, weights: shard.weights,
                                 rows: shard.count * shard.time, vocab: V)
        }
    }

    /// Adds ∇θ Σ_{b,t} w[b,t]·(−log softmax(z[b,t]/τ)[target]) to `grads` (layout of `model.layout`), over the
    /// activations of `pass`. `weights` ([B·T]) are signed per-token coefficients, e.g. a policy-gradient loss's
    /// ∂loss/∂log p per token; nil uses the batch's own weights. Parameters below `subset` get nothing.
    public func backward(_ pass: ForwardPass, weights: [Float]? = nil, temperature: Float = 1, subset: ParameterSubset = .all,
                         grads: FloatBuffer) throws {
        try checkCurrent(pass)
        precondition(grads.count == model.parameterCount, "gradient buffer has the wrong size")
        let batch = pass.batch
        if let weights {
            guard weights.count == batch.weights.count else {
                throw MiniLMError.invalidBatch("\(weights.count) token weights for a batch of \(batch.weights.count) positions")
            }
            guard weights.allSatisfy(\.isFinite) else { throw MiniLMError.invalidBatch("token weights must be finite") }
        }
        guard temperature > 0, temperature.isFinite else {
            throw MiniLMError.invalidBatch("temperature must be positive and finite, got \(temperature)")
        }
        let start = model.layout.range(of: subset).lowerBound
        let w = weights ?? batch.weights
        let parameters = UnsafePointer(model.params.base)
        w.withUnsafeBufferPointer { wp in
            forEachShard(batch) { shard, worker, acts in
                let g: FloatBuffer
                if shard.index == 0 { g = grads } else {
                    if worker.grads == nil { worker.grads = FloatBuffer(count: model.parameterCount) }
                    g = worker.grads!
                    g.zero()
                }
                model.backward(acts, inputs: shard.inputs, targets: shard.targets, weights: wp.baseAddress! + shard.rowOffset,
                               batch: shard.count, time: shard.time, temperature: temperature,
                               sink: GradientAccumulator(grads: g.base, parameters: parameters, subsetStart: start))
            }
        }
        for i in 1..<min(threads, batch.batchSize) where workers[i].grads != nil {
            let src = workers[i].grads!.base, dst = grads.base
            for j in 0..<grads.count { dst[j] += src[j] }
        }
    }

    /// For every sequence b of `pass`'s batch, ‖∇θ_S L_b‖₂ where L_b = Σ_t w[b,t]·NLL[b,t] on raw logits with the
    /// batch's weights (with `.sequenceMean` weights: the sequence's mean-token NLL) and S the parameter subset.
    /// A backward per sequence over the activations of `pass` that forms no weight gradient (ghost norms or
    /// closed forms per layer); equal to running each sequence alone.
    public func perSampleGradNorms(_ pass: ForwardPass, subset: ParameterSubset = .all) throws -> [Double] {
        try checkCurrent(pass)
        let batch = pass.batch
        let start = model.layout.range(of: subset).lowerBound
        var sq = [Double](repeating: 0, count: batch.batchSize)
        // Input gradients are needed only when the subset reaches below the LM head.
        let transposed = start < model.layout.lmHead ? PackedModel(model, transposed: true) : nil
        sq.withUnsafeMutableBufferPointer { out in
            forEachShard(batch) { shard, worker, acts in
                if worker.normScratch == nil { worker.normScratch = PerSampleNormScratch(config: model.config) }
                // No gradient is summed over sequences, so the backward pass runs one sequence at a time: its
                // gradients then stay in cache from the layer that produces them to the Grams that read them.
                let T = shard.time
                if worker.sequenceGradients.map({ !$0.fits(batch: 1, time: T) }) ?? true {
                    worker.sequenceGradients = Activations(config: model.config, batch: 1, time: T)
                }
                for b in 0..<shard.count {
                    let o = b * T
                    model.backward(acts.sequence(b, time: T, gradients: worker.sequenceGradients!), inputs: shard.inputs + o,
                                   targets: shard.targets + o, weights: shard.weights + o, batch: 1, time: T,
                                   sink: SquaredNormAccumulator(subsetStart: start, out: out.baseAddress! + shard.range.lowerBound + b,
                                                                scratch: worker.normScratch!),
                                   transposed: transposed)
                }
            }
        }
        return sq.map { $0.squareRoot() }
    }

    func checkCurrent(_ pass: ForwardPass) throws {
        guard pass.generation == generation else {
            throw MiniLMError.invalidBatch("a backward pass over a forward whose activations a later forward on this runner has overwritten")
        }
    }

    // MARK: - One-call conveniences

    /// Σ w·NLL of the batch and its gradient, written to `grads` (zeroed first; layout of `model.layout`).
    public func lossAndGradients(_ batch: TokenBatch, grads: FloatBuffer) throws -> Double {
        let pass = try forward(batch, statistics: false)
        grads.zero()
        try backward(pass, grads: grads)
        return pass.loss
    }

    /// `perSampleGradNorms` of a fresh forward over `batch`.
    public func perSampleGradNorms(_ batch: TokenBatch, subset: ParameterSubset = .all) throws -> [Double] {
        try perSampleGradNorms(try forward(batch, statistics: false), subset: subset)
    }

    /// The reference implementation: each sequence alone, its full gradient materialised, the norm over the
    /// subset's slice of the flat gradient. Kept as the oracle for tests and the benchmark. Sequences are
    /// spread over the workers (each runs its share one by one on one thread); each norm depends only on its
    /// own sequence, so the result does not depend on the thread count.
    public func perSampleGradNormsNaive(_ batch: TokenBatch, subset: ParameterSubset = .all) throws -> [Double] {
        try batch.validate(vocabSize: model.config.vocabSize)
        let range = model.layout.range(of: subset)
        let T = batch.time
        let singles = try (0..<batch.batchSize).map { b in
            let slice = (b * T)..<((b + 1) * T)
            return try TokenBatch(batchSize: 1, time: T, inputs: Array(batch.inputs[slice]),
                                  targets: Array(batch.targets[slice]), weights: Array(batch.weights[slice]))
        }
        if naiveRunners.isEmpty { naiveRunners = (0..<threads).map { _ in GPTRunner(model: model, threads: 1) } }
        var norms = [Double](repeating: 0, count: batch.batchSize)
        let parts = shards(batch.batchSize)
        var failures = [Error?](repeating: nil, count: parts.count)
        BLAS.setThreads(1)
        norms.withUnsafeMutableBufferPointer { out in
        failures.withUnsafeMutableBufferPointer { failed in
            parallelFor(parts.count) { w in
                let runner = naiveRunners[w]
                let grads = FloatBuffer(count: model.parameterCount)
                for b in parts[w] {
                    do { _ = try runner.lossAndGradients(singles[b], grads: grads) } catch {
                        failed[w] = error  // not expected: the batch was validated above
                        return
                    }
                    var sum = 0.0
                    for j in range { sum += Double(grads[j]) * Double(grads[j]) }
                    out[b] = sum.squareRoot()
                }
            }
        }}
        if let failure = failures.compactMap({ $0 }).first { throw failure }
        return norms
    }
    private var naiveRunners: [GPTRunner] = []

    // MARK: - Teacher-forced statistics

    /// A per-token statistic of a teacher-forced pass, read from the logits z of each weighted position at
    /// temperature τ (docs/REFERENCE.md conventions). The one list of what the runner computes per token: a new
    /// statistic is a case here and its formula in `TokenStatistics.write`; RewardZoo's `Signal` names the
    /// statistic each per-token signal is.
    public enum TokenStatistic: Int, CaseIterable, Sendable, Comparable {
        /// log p(target) = z_target/τ − logsumexp(z/τ).
        case logProb
        /// H = logsumexp(z/τ) − Σ_j p_j z_j/τ.
        case entropy
        /// logsumexp(z/τ) − mean_j z_j/τ (INTUITOR's self-certainty without the constant −log V).
        case selfCertainty

        public static func < (a: TokenStatistic, b: TokenStatistic) -> Bool { a.rawValue < b.rawValue }
    }

    /// Every `TokenStatistic` of every position of a teacher-forced pass, for the positions with non-zero weight;
    /// each array is [B·T] and unweighted positions hold 0. Empty when the pass was run without statistics.
    public struct TokenStatistics: Sendable {
        /// values[statistic.rawValue] is that statistic's [B·T] array.
        private let values: [[Float]]

        /// From the statistic-major buffer `makePass` fills: statistic k of position i at k·positions + i.
        init(flat: [Float], positions n: Int) {
            values = TokenStatistic.allCases.map { Array(flat[($0.rawValue * n)..<(($0.rawValue + 1) * n)]) }
        }

        /// One statistic's [B·T] array.
        public subscript(_ statistic: TokenStatistic) -> [Float] { values[statistic.rawValue] }
        /// The log-probs the GRPO loss reads (and, with the other two, what tests and the pre-trainer name).
        public var logProbs: [Float] { self[.logProb] }
        public var entropies: [Float] { self[.entropy] }
        public var selfCertainties: [Float] { self[.selfCertainty] }
        /// True for a pass run without statistics.
        public var isEmpty: Bool { values.allSatisfy(\.isEmpty) }
    }

    /// The statistics of a fresh forward over `batch`.
    public func tokenStatistics(_ batch: TokenBatch, temperature: Float = 1) throws -> TokenStatistics {
        try forward(batch, temperature: temperature).statistics
    }

    // MARK: - Per-completion signals

    /// What the runner computes for one completion (a sequence's weighted positions, in order): every token
    /// statistic at the pass's temperature, and the per-sample gradient norm for each requested parameter subset.
    /// Training (`GRPOTrainer`), `ablate inspect` and `ablate analyze` all take their signals from
    /// `completionSignals`, so a completion gets the same numbers whichever of them scores it.
    public struct CompletionSignals: Sendable, Equatable {
        /// Per statistic, one value per completion token (EOS included when the completion has it).
        public var statistics: [TokenStatistic: [Float]]
        /// ‖∇θ_S L_b‖₂ of the completion's mean-token NLL on raw logits, per requested subset S.
        public var gradNorms: [ParameterSubset: Double]

        public init(statistics: [TokenStatistic: [Float]], gradNorms: [ParameterSubset: Double] = [:]) {
            self.statistics = statistics
            self.gradNorms = gradNorms
        }

        /// The completion's length in tokens (the positions that carry a loss weight).
        public var tokenCount: Int { statistics.values.first?.count ?? 0 }
    }

    /// The per-completion signals of every sequence of `pass` (run with statistics): each statistic at the
    /// sequence's weighted positions, in order, and for each subset in `gradNormSubsets` the per-sample gradient
    /// norm (`perSampleGradNorms`, one batched backward per subset over the pass's activations). The one place the
    /// flat [B·T] statistics are split into completions.
    public func completionSignals(_ pass: ForwardPass, gradNormSubsets: [ParameterSubset] = []) throws -> [CompletionSignals] {
        try checkCurrent(pass)
        let batch = pass.batch, stats = pass.statistics, T = batch.time
        guard !stats.isEmpty || batch.batchSize == 0 else {
            throw MiniLMError.invalidBatch("per-completion signals of a forward run without statistics")
        }
        var norms: [ParameterSubset: [Double]] = [:]
        for subset in gradNormSubsets where norms[subset] == nil { norms[subset] = try perSampleGradNorms(pass, subset: subset) }
        let all = TokenStatistic.allCases.map { stats[$0] }
        return (0..<batch.batchSize).map { b in
            let rows = (b * T)..<((b + 1) * T)
            let weighted = rows.filter { batch.weights[$0] != 0 }
            var perStatistic: [TokenStatistic: [Float]] = [:]
            for s in TokenStatistic.allCases { perStatistic[s] = weighted.map { all[s.rawValue][$0] } }
            return CompletionSignals(statistics: perStatistic, gradNorms: norms.mapValues { $0[b] })
        }
    }

    func checkLength(_ batch: TokenBatch) throws {
        if batch.time > model.config.contextLength {
            throw MiniLMError.sequenceTooLong(index: 0, length: batch.time, context: model.config.contextLength)
        }
    }
}

extension GPTRunner.TokenStatistics {
    /// Every `TokenStatistic` of one row of logits z at 1/τ = `invTemperature`, computed in Double: statistic k is
    /// written to `out[k · stride]`.
    static func write(_ z: UnsafePointer<Float>, vocab V: Int, invTemperature: Float, target: Int,
                      to out: UnsafeMutablePointer<Float>, stride: Int) {
        let k = Double(invTemperature)
        var m = -Double.infinity
        for j in 0..<V { m = max(m, Double(z[j]) * k) }
        var s = 0.0, sz = 0.0, mean = 0.0
        for j in 0..<V {
            let y = Double(z[j]) * k
            let e = Foundation.exp(y - m)
            s += e; sz += e * y; mean += y
        }
        let lse = m + Foundation.log(s)
        for statistic in GPTRunner.TokenStatistic.allCases {
            let value: Double
            switch statistic {
            case .logProb: value = Double(z[target]) * k - lse
            case .entropy: value = lse - sz / s
            case .selfCertainty: value = lse - mean / Double(V)
            }
            out[statistic.rawValue * stride] = Float(value)
        }
    }
}
