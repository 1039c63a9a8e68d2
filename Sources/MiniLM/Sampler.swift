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
    /// activations and the decode-step rows. Grown when a call needs more, never shrunk.
    final class Workspace {
        let sequences: Int, promptLength: Int
        let kCache, vCache: FloatBuffer                       // [L][S][Tmax][C]
        let prefill: Activations
        let x, ln, qkv, atty, fch, fchGelu, mean, rstd, logits, scores: FloatBuffer

        init(config c: ModelConfig, sequences S: Int, promptLength P: Int) {
            sequences = S
            promptLength = P
            let C = c.dModel, F = c.mlpHidden
            kCache = FloatBuffer(count: c.layers * S * c.contextLength * C)
            vCache = FloatBuffer(count: c.layers * S * c.contextLength * C)
            prefill = Activations(config: c, batch: S, time: P)
            x = FloatBuffer(count: S * C); ln = FloatBuffer(count: S * C); qkv = FloatBuffer(count: S * 3 * C)
            atty = FloatBuffer(count: S * C); fch = FloatBuffer(count: S * F); fchGelu = FloatBuffer(count: S * F)
            mean = FloatBuffer(count: S); rstd = FloatBuffer(count: S); logits = FloatBuffer(count: S * c.vocabSize)
            scores = FloatBuffer(count: c.heads * c.contextLength)
        }
    }

    /// The worker's workspace, with room for S sequences and prompts of length P. The KV cache layout depends on
    /// S, so a call with a different S gets a new workspace.
    private func workspace(_ w: Int, sequences S: Int, promptLength P: Int) -> Workspace {
        if let ws = workspaces[w], ws.sequences == S, ws.promptLength >= P { return ws }
        let ws = Workspace(config: model.config, sequences: S, promptLength: max(P, workspaces[w]?.promptLength ?? 0))
        workspaces[w] = ws
        return ws
    }

    public init(model: GPT, threads: Int = 1) {
        self.model = model
        self.threads = max(1, threads)
        runner = GPTRunner(model: model, threads: threads)
        workspaces = Array(repeating: nil, count: max(1, threads))
    }

    public func generate(prompts: [[Int32]], options: SamplingOptions) throws -> [Generation] {
        let cfg = model.config
        guard options.temperature >= 0, options.temperature.isFinite else {
            throw MiniLMError.invalidBatch("temperature must be ≥ 0 and finite, got \(options.temperature)")
        }
        guard options.topP > 0, options.topP <= 1 else { throw MiniLMError.invalidBatch("top_p must be in (0, 1], got \(options.topP)") }
        guard options.maxNewTokens >= 0 else { throw MiniLMError.invalidBatch("max new tokens must be ≥ 0") }
        for (i, p) in prompts.enumerated() {
            guard !p.isEmpty else { throw MiniLMError.emptySequence(index: i) }
            guard p.count <= cfg.contextLength else { throw MiniLMError.sequenceTooLong(index: i, length: p.count, context: cfg.contextLength) }
            for t in p where t < 0 || Int(t) >= cfg.vocabSize { throw MiniLMError.unknownTokenId(Int(t), vocabSize: cfg.vocabSize) }
        }
        guard !prompts.isEmpty else { return [] }
        var results = [Generation](repeating: Generation(), count: prompts.count)
        let shards = runner.shards(prompts.count)
        BLAS.setThreads(1)
        results.withUnsafeMutableBufferPointer { out in
            parallelFor(shards.count) { w in
                let shard = shards[w]
                let gens = decodeShard(Array(prompts[shard]), firstIndex: shard.lowerBound, worker: w, options: options)
                for (k, g) in gens.enumerated() { out[shard.lowerBound + k] = g }
            }
        }
        return results
    }

    /// Prefill and decode one shard of sequences on the calling thread.
    private func decodeShard(_ prompts: [[Int32]], firstIndex: Int, worker: Int, options: SamplingOptions) -> [Generation] {
        let cfg = model.config
        let S = prompts.count, L = cfg.layers, C = cfg.dModel, F = cfg.mlpHidden, V = cfg.vocabSize, H = cfg.heads
        let Tmax = cfg.contextLength
        let p = UnsafePointer(model.params.base), layout = model.layout
        var gens = [Generation](repeating: Generation(), count: S)
        var rngs = (0..<S).map { SplitMix64(seed: options.seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(firstIndex + $0 + 1)) }
        // KV cache: [L][S][Tmax][C] for keys and for values.
        let ws = workspace(worker, sequences: S, promptLength: prompts.map(\.count).max() ?? 1)
        let kCache = ws.kCache, vCache = ws.vCache
        func cacheRow(_ buf: FloatBuffer, _ l: Int, _ s: Int, _ t: Int) -> UnsafeMutablePointer<Float> {
            buf.base + ((l * S + s) * Tmax + t) * C
        }

        // Prefill: one causal forward over the right-padded prompts.
        let T = prompts.map(\.count).max() ?? 1
        var inputs = [Int32](repeating: Tokenizer.pad, count: S * T)
        for (s, pr) in prompts.enumerated() { for (t, tok) in pr.enumerated() { inputs[s * T + t] = tok } }
        let zeros = [Float](repeating: 0, count: S * T)
        let acts = ws.prefill
        _ = model.forward(acts, inputs: inputs, targets: inputs, weights: zeros, batch: S, time: T)
        for l in 0..<L {
            let qkv = acts.layers[l].qkv.base
            for s in 0..<S {
                for t in 0..<prompts[s].count {
                    let row = qkv + (s * T + t) * 3 * C
                    cacheRow(kCache, l, s, t).update(from: row + C, count: C)
                    cacheRow(vCache, l, s, t).update(from: row + 2 * C, count: C)
                }
            }
        }
        var lengths = prompts.map(\.count)
        var logitRows = [[Float]](repeating: [], count: S)
        for s in 0..<S {
            let r = acts.logits.base + (s * T + lengths[s] - 1) * V
            logitRows[s] = Array(UnsafeBufferPointer(start: r, count: V))
        }

        // Decode buffers for up to S rows.
        let x = ws.x, ln = ws.ln, qkv = ws.qkv, atty = ws.atty, fch = ws.fch, fchGelu = ws.fchGelu
        let mean = ws.mean, rstd = ws.rstd, logits = ws.logits, scores = ws.scores
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
            // One decode step for the m active rows.
            for (r, s) in active.enumerated() {
                let pos = lengths[s] - 1
                let e = p + layout.wte + Int(tokens[r]) * C, pe = p + layout.wpe + pos * C, xr = x.base + r * C
                for i in 0..<C { xr[i] = e[i] + pe[i] }
            }
            for l in 0..<L {
                let o = layout.blocks[l]
                LayerNorm.forward(out: ln.base, mean: mean.base, rstd: rstd.base, inp: x.base, weight: p + o.ln1Weight,
                                  bias: p + o.ln1Bias, rows: m, channels: C)
                Linear.forward(out: qkv.base, inp: ln.base, weight: p + o.qkvWeight, bias: p + o.qkvBias,
                               rows: m, inFeatures: C, outFeatures: 3 * C)
                for (r, s) in active.enumerated() {
                    let pos = lengths[s] - 1
                    let row = qkv.base + r * 3 * C
                    cacheRow(kCache, l, s, pos).update(from: row + C, count: C)
                    cacheRow(vCache, l, s, pos).update(from: row + 2 * C, count: C)
                    Sampler.attendOne(q: row, keys: cacheRow(kCache, l, s, 0), values: cacheRow(vCache, l, s, 0), count: pos + 1,
                                      out: atty.base + r * C, scores: scores.base, channels: C, heads: H)
                }
                Linear.forward(out: x.base, inp: atty.base, weight: p + o.attnProjWeight, bias: p + o.attnProjBias,
                               rows: m, inFeatures: C, outFeatures: C, accumulate: true)
                LayerNorm.forward(out: ln.base, mean: mean.base, rstd: rstd.base, inp: x.base, weight: p + o.ln2Weight,
                                  bias: p + o.ln2Bias, rows: m, channels: C)
                Linear.forward(out: fch.base, inp: ln.base, weight: p + o.fcWeight, bias: p + o.fcBias,
                               rows: m, inFeatures: C, outFeatures: F)
                GELU.forward(out: fchGelu.base, inp: fch.base, count: m * F)  // out of place: in place would not vectorise
                Linear.forward(out: x.base, inp: fchGelu.base, weight: p + o.fcProjWeight, bias: p + o.fcProjBias,
                               rows: m, inFeatures: F, outFeatures: C, accumulate: true)
            }
            LayerNorm.forward(out: ln.base, mean: mean.base, rstd: rstd.base, inp: x.base, weight: p + layout.lnfWeight,
                              bias: p + layout.lnfBias, rows: m, channels: C)
            Linear.forward(out: logits.base, inp: ln.base, weight: p + layout.lmHead, bias: nil, rows: m, inFeatures: C, outFeatures: V)
            for (r, s) in active.enumerated() {
                logitRows[s] = Array(UnsafeBufferPointer(start: logits.base + r * V, count: V))
            }
        }
        return gens
    }

    /// Attention of one query row (all heads) over `count` cached key/value rows of stride C. Rows are read
    /// in memory order, every head at once, so the cache streams through once per step.
    /// `scores` holds H·count floats.
    static func attendOne(q: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, count n: Int,
                          out: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>, channels C: Int, heads H: Int) {
        let hs = C / H
        let scale = 1 / Float(hs).squareRoot()
        for j in 0..<n {
            let k = keys + j * C
            for h in 0..<H { scores[h * n + j] = Vector.dot(q + h * hs, k + h * hs, hs) * scale }
        }
        for h in 0..<H {
            let sr = scores + h * n
            let inv = 1 / Vector.expShiftedSum(sr, Vector.max(sr, n), n)
            Vector.scale(sr, inv, n)
        }
        guard hs % 8 == 0, C % 32 == 0 else {
            out.update(repeating: 0, count: C)
            for j in 0..<n {
                let v = values + j * C
                for h in 0..<H { Vector.axpy(scores[h * n + j], v + h * hs, out + h * hs, hs) }
            }
            return
        }
        // out = Σ_j p[h(c)][j] · v_j[c], 32 channels at a time in four SIMD8 accumulators kept in registers over
        // the whole sum (each 8-channel chunk lies in one head because hs is a multiple of 8).
        var c0 = 0
        while c0 < C {
            let p0 = scores + (c0 / hs) * n, p1 = scores + ((c0 + 8) / hs) * n
            let p2 = scores + ((c0 + 16) / hs) * n, p3 = scores + ((c0 + 24) / hs) * n
            var a0 = Vector.V(), a1 = Vector.V(), a2 = Vector.V(), a3 = Vector.V()
            var v = values + c0
            for j in 0..<n {
                a0 += Vector.V(repeating: p0[j]) * Vector.load(v)
                a1 += Vector.V(repeating: p1[j]) * Vector.load(v + 8)
                a2 += Vector.V(repeating: p2[j]) * Vector.load(v + 16)
                a3 += Vector.V(repeating: p3[j]) * Vector.load(v + 24)
                v += C
            }
            Vector.store(a0, out + c0)
            Vector.store(a1, out + c0 + 8)
            Vector.store(a2, out + c0 + 16)
            Vector.store(a3, out + c0 + 24)
            c0 += 32
        }
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
