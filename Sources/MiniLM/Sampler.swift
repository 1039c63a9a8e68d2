import CBLAS
import Foundation
import Seeded

/// How to sample completions.
public struct SamplingOptions: Sendable {
    /// Softmax temperature; 0 means greedy (argmax, first index on ties).
    public var temperature: Float = 1
    /// Nucleus sampling: keep the smallest set of most likely tokens whose probability reaches `topP` (1 = off).
    public var topP: Float = 1
    /// Stop after this many new tokens (then `truncated` unless the last one is EOS).
    public var maxNewTokens: Int = 64
    /// The end-of-sequence token.
    public var eos: Int32 = Tokenizer.eos
    /// Seed of the draws; sequence i uses its own stream derived from (seed, i), so results do not depend on the
    /// batch composition or the number of threads.
    public var seed: UInt64 = 0
    /// Keep each step's logits (for tests and debugging).
    public var recordLogits = false

    public init(temperature: Float = 1, topP: Float = 1, maxNewTokens: Int = 64, eos: Int32 = Tokenizer.eos, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topP = topP
        self.maxNewTokens = maxNewTokens
        self.eos = eos
        self.seed = seed
    }
}

/// One sampled completion.
public struct Generation: Sendable, Equatable {
    /// New tokens, ending with EOS when `finished`.
    public var tokens: [Int32] = []
    /// log p of each new token under the sampling distribution softmax(z/τ) before top-p (raw logits if greedy).
    public var logProbs: [Float] = []
    /// Ended with EOS.
    public var finished = false
    /// Stopped by `maxNewTokens` or the context length before EOS.
    public var truncated = false
    /// Each step's logits when `recordLogits` is set.
    public var logits: [[Float]] = []
}

/// Batched autoregressive sampling with a KV cache. Prompts of different lengths are prefilled together with
/// one causal forward pass (right padding); each sequence then decodes at its own position.
/// Buffers are reused across calls, so one `Sampler` must not run two `generate` calls at the same time.
public final class Sampler: @unchecked Sendable {
    public let model: GPT
    public let threads: Int
    private let runner: GPTRunner
    private var workspaces: [Workspace?]

    /// Per-worker buffers kept across calls (a trainer samples every step): the KV cache, the prefill
    /// activations and the decode step's rows. Grown when a call needs more, never shrunk.
    final class Workspace {
        let sequences: Int, promptLength: Int
        /// Keys and values `[L][S][H][Tpad][hs]` (`KVCache`).
        let kCache, vCache: FloatBuffer
        let rowsPerSequence: Int
        let prefill: Activations
        let rows: DecodeRows
        /// One row's attention scores, H·Tpad floats.
        let scores: FloatBuffer

        init(config c: ModelConfig, sequences S: Int, promptLength P: Int) {
            sequences = S
            promptLength = P
            rowsPerSequence = KVCache.rowsPerHead(context: c.contextLength)
            kCache = FloatBuffer(count: KVCache.count(c, sequences: S, rowsPerHead: rowsPerSequence))
            vCache = FloatBuffer(count: KVCache.count(c, sequences: S, rowsPerHead: rowsPerSequence))
            prefill = Activations(config: c, batch: S, time: P)
            rows = DecodeRows(config: c, sequences: S)
            scores = FloatBuffer(count: c.heads * rowsPerSequence)
        }
    }

    /// The worker's workspace, with room for at least S sequences and prompts of length P.
    private func workspace(_ w: Int, sequences S: Int, promptLength P: Int) -> Workspace {
        if let ws = workspaces[w], ws.sequences >= S, ws.promptLength >= P { return ws }
        let ws = Workspace(config: model.config, sequences: max(S, workspaces[w]?.sequences ?? 0),
                           promptLength: max(P, workspaces[w]?.promptLength ?? 0))
        workspaces[w] = ws
        return ws
    }

    /// Bytes of key/value cache that all workers together may stream through on each decode step. Every step
    /// reads each sequence's whole cache, so once the caches outgrow the last-level cache every read misses;
    /// a worker therefore decodes its sequences in groups whose caches fit (but at least `minimumGroup` at a
    /// time, so the decode GEMMs keep enough rows). Grouping changes speed, not tokens: only the prefill GEMMs see
    /// other shapes, which can move logits by rounding.
    public var cacheBudgetBytes = 8 << 20
    public var minimumGroup = 4

    /// The groups worker sequences `shard` are decoded in: consecutive, of near-equal size.
    func groups(_ shard: Range<Int>, workers: Int, contextRows: Int) -> [Range<Int>] {
        let perSequence = model.config.layers * contextRows * model.config.dModel * 2 * MemoryLayout<Float>.stride
        let size = max(1, minimumGroup, cacheBudgetBytes / max(1, workers * perSequence))
        let count = (shard.count + size - 1) / size
        guard count > 1 else { return [shard] }
        return (0..<count).map { i in (shard.lowerBound + i * shard.count / count)..<(shard.lowerBound + (i + 1) * shard.count / count) }
    }

    public init(model: GPT, threads: Int = 1) {
        self.model = model
        self.threads = max(1, threads)
        runner = GPTRunner(model: model, threads: threads)
        workspaces = Array(repeating: nil, count: max(1, threads))
    }

    public func generate(prompts: [[Int32]], options: SamplingOptions) throws -> [Generation] {
        try generate(prompts: prompts, options: options, capture: nil)
    }

    /// `generate`, writing the activations of the jobs `capture` maps into its activations as they are computed.
    func generate(prompts: [[Int32]], options: SamplingOptions, capture: ActivationCapture?) throws -> [Generation] {
        let cfg = model.config
        guard options.temperature >= 0, options.temperature.isFinite else {
            throw MiniLMError.invalidBatch("temperature must be ≥ 0 and finite, got \(options.temperature)")
        }
        guard options.topP > 0, options.topP <= 1 else { throw MiniLMError.invalidBatch("top_p must be in (0, 1], got \(options.topP)") }
        guard options.maxNewTokens >= 0 else { throw MiniLMError.invalidBatch("max new tokens must be ≥ 0") }
        for (i, p) in prompts.enumerated() {
            guard !p.isEmpty else { throw MiniLMError.emptySequence(index: i) }
            guard p.count <= cfg.contextLength else { throw MiniLMError.sequenceTooLong(index: i, length: p.count, context: cfg.contextLength) }
            // The positions a sequence runs through the model: its prompt, then every new token but the last.
            if let capture, capture.target(job: i) != nil,
               max(p.count, min(cfg.contextLength, p.count + min(options.maxNewTokens, cfg.contextLength) - 1)) > capture.time {
                throw MiniLMError.invalidBatch("a capture of \(capture.time) positions cannot hold a prompt of \(p.count) tokens and \(options.maxNewTokens) new ones")
            }
            for t in p where t < 0 || Int(t) >= cfg.vocabSize { throw MiniLMError.unknownTokenId(Int(t), vocabSize: cfg.vocabSize) }
        }
        guard !prompts.isEmpty else { return [] }
        var results = [Generation](repeating: Generation(), count: prompts.count)
        let shards = runner.shards(prompts.count)
        let packed = PackedModel(model)
        BLAS.setThreads(1)
        results.withUnsafeMutableBufferPointer { out in
            let longest = prompts.map(\.count).max() ?? 1
            // maxNewTokens may be anything up to Int.max ("until EOS or the context"): clamp before adding.
            let contextRows = min(cfg.contextLength, longest + min(options.maxNewTokens, cfg.contextLength))
            let plan = shards.map { groups($0, workers: shards.count, contextRows: contextRows) }
            // Each worker's workspace, sized for its largest group, is fetched (grown) here, before the workers
            // start: `workspaces` is a Swift array, and assigning to it from several threads at once is a data race.
            let spaces = plan.enumerated().map { w, groups in
                workspace(w, sequences: groups.map(\.count).max() ?? 1,
                          promptLength: groups.flatMap { prompts[$0].map(\.count) }.max() ?? 1)
            }
            parallelFor(shards.count) { w in
                for group in plan[w] {
                    let gens = decodeGroup(Array(prompts[group]), firstIndex: group.lowerBound, workspace: spaces[w], packed: packed,
                                           options: options, capture: capture)
                    for (k, g) in gens.enumerated() { out[group.lowerBound + k] = g }
                }
            }
        }
        return results
    }

    /// Prefill and decode one group of sequences on the calling thread. Both run the row step (`GPT.step`): the
    /// prefill as the teacher-forced forward over the right-padded prompts (each distinct one once outside training),
    /// each decode step over one row per active sequence with the KV cache (`DecodeKernels`).
    private func decodeGroup(_ prompts: [[Int32]], firstIndex: Int, workspace ws: Workspace, packed: PackedModel,
                             options: SamplingOptions, capture: ActivationCapture?) -> [Generation] {
        let cfg = model.config
        let S = prompts.count, L = cfg.layers, C = cfg.dModel, V = cfg.vocabSize
        let Tmax = cfg.contextLength
        var gens = [Generation](repeating: Generation(), count: S)
        var rngs = (0..<S).map { SplitMix64(seed: options.seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(firstIndex + $0 + 1)) }
        precondition(ws.sequences >= S && ws.promptLength >= (prompts.map(\.count).max() ?? 1))
        let cache = KVCache(keys: ws.kCache.base, values: ws.vCache.base, sequences: S, rowsPerHead: ws.rowsPerSequence,
                            channels: C, heads: cfg.heads)

        // Prefill: one causal forward over the right-padded prompts, whose keys and values seed the caches. Without
        // a capture, a group's samples of one prompt share its row (`row[s]`: sequence s's row); with one, every
        // sequence keeps its own row, because the captured rows are the RL step's forward and OpenBLAS rounds a row
        // by its place in the GEMM's row tiling: sharing would move the training's bits by rounding (its prompts
        // are short, so it would save little there).
        let (distinct, row) = capture == nil ? Sampler.distinctPrompts(prompts) : (prompts, Array(0..<S))
        let T = distinct.map(\.count).max() ?? 1, D = distinct.count
        var inputs = [Int32](repeating: Tokenizer.pad, count: D * T)
        for (d, pr) in distinct.enumerated() { for (t, tok) in pr.enumerated() { inputs[d * T + t] = tok } }
        let zeros = [Float](repeating: 0, count: D * T)
        let acts = ws.prefill
        _ = model.forward(acts, inputs: inputs, targets: inputs, weights: zeros, batch: D, time: T)
        for l in 0..<L {
            let qkv = acts[.qkv, l]
            for s in 0..<S {
                for t in 0..<prompts[s].count { cache.store(layer: l, sequence: s, position: t, qkv: qkv + (row[s] * T + t) * 3 * C) }
            }
        }
        var lengths = prompts.map(\.count)
        // Captured sequences: their targets, and the positions each has run through the model so far.
        let targets = (0..<S).map { capture?.target(job: firstIndex + $0) }
        var processed = lengths
        for s in 0..<S { targets[s]?.copyPrefill(from: acts, sequence: row[s], sourceTime: T, positions: lengths[s]) }
        var logitRows = [[Float]](repeating: [], count: S)
        for s in 0..<S {
            let r = acts[.logits] + (row[s] * T + lengths[s] - 1) * V
            logitRows[s] = Array(UnsafeBufferPointer(start: r, count: V))
        }
        let logits = ws.rows.rows(.logits, layer: 0)
        var probs = [Double](repeating: 0, count: V)

        var active = Array(0..<S)
        while true {
            // Sample the next token of every active sequence from its logits; decide who continues.
            var next: [Int] = []
            var tokens: [Int32] = []
            for s in active {
                if options.maxNewTokens == 0 { gens[s].truncated = true; continue }
                let row = logitRows[s]
                if options.recordLogits { gens[s].logits.append(row) }
                let (tok, lp) = Sampler.draw(row, options: options, rng: &rngs[s], probs: &probs)
                gens[s].tokens.append(tok)
                gens[s].logProbs.append(lp)
                lengths[s] += 1
                if tok == options.eos { gens[s].finished = true; continue }
                // The new token must be processed at position lengths−1, which needs a learned position.
                if gens[s].tokens.count >= options.maxNewTokens || lengths[s] > Tmax { gens[s].truncated = true; continue }
                next.append(s)
                tokens.append(tok)
            }
            active = next
            let m = active.count
            if m == 0 { break }
            // One decode step for the m active rows: the new token of each at its position.
            let kernels = DecodeKernels(packed: packed, cache: cache, sequences: active, positions: active.map { lengths[$0] - 1 },
                                        scores: ws.scores.base)
            tokens.withUnsafeBufferPointer { tk in
                guard let tk = tk.baseAddress else { return }
                if capture == nil {
                    model.step(rows: m, tokens: tk, storage: ws.rows, kernels: kernels, sink: DiscardingSink())
                } else {
                    let sink = ActivationCapture.Sink(config: cfg, rows: active.map { s in targets[s].map { (target: $0, position: processed[s]) } })
                    model.step(rows: m, tokens: tk, storage: ws.rows, kernels: kernels, sink: sink)
                }
            }
            for (r, s) in active.enumerated() {
                logitRows[s] = Array(UnsafeBufferPointer(start: logits + r * V, count: V))
                processed[s] += 1
            }
        }
        // The capture's rows were written with non-temporal stores: order them before the runner may read them.
        if capture != nil { Vector.storeFence() }
        for s in 0..<S where targets[s] != nil { capture?.record(job: firstIndex + s, positions: processed[s]) }
        return gens
    }

    /// The distinct prompts of a group in order of first appearance, and for each prompt the index of its twin
    /// among them.
    static func distinctPrompts(_ prompts: [[Int32]]) -> (distinct: [[Int32]], row: [Int]) {
        var index: [[Int32]: Int] = [:]
        var distinct: [[Int32]] = []
        let row = prompts.map { p in
            if let d = index[p] { return d }
            index[p] = distinct.count
            distinct.append(p)
            return distinct.count - 1
        }
        return (distinct, row)
    }

    /// Draws one token from a row of logits; returns it with its log-probability under softmax(z/τ)
    /// (softmax(z) when greedy).
    static func draw(_ z: [Float], options: SamplingOptions, rng: inout SplitMix64, probs: inout [Double]) -> (Int32, Float) {
        let V = z.count
        let greedy = options.temperature == 0
        let k = greedy ? 1.0 : 1 / Double(options.temperature)
        var m = -Double.infinity
        for j in 0..<V { m = max(m, Double(z[j]) * k) }
        var sum = 0.0
        for j in 0..<V { let e = Foundation.exp(Double(z[j]) * k - m); probs[j] = e; sum += e }
        let logSum = m + Foundation.log(sum)
        var choice = 0
        if greedy {
            for j in 1..<V where z[j] > z[choice] { choice = j }
        } else if options.topP < 1 {
            // Nucleus: most likely first (ties by index), keep until the mass reaches topP, renormalise, draw.
            let order = (0..<V).sorted { probs[$0] != probs[$1] ? probs[$0] > probs[$1] : $0 < $1 }
            var kept = 0, mass = 0.0
            let target = Double(options.topP) * sum
            while kept < V { mass += probs[order[kept]]; kept += 1; if mass >= target { break } }
            var u = rng.uniform() * mass
            choice = order[kept - 1]
            for i in 0..<kept { u -= probs[order[i]]; if u < 0 { choice = order[i]; break } }
        } else {
            var u = rng.uniform() * sum
            choice = V - 1
            for j in 0..<V { u -= probs[j]; if u < 0 { choice = j; break } }
        }
        return (Int32(choice), Float(Double(z[choice]) * k - logSum))
    }
}
