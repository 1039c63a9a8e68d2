import Foundation
import MiniLM
import RewardZoo
import Seeded
import Tasks

/// The MiniLM performance benchmark (issue "MiniLM"): training step, per-sample gradient norms and KV-cache
/// sampling on the benchmark model, with the machine's own sgemm throughput measured in the same run.
/// All times are medians over repetitions after one warm-up run.
public struct Benchmark {
    public struct Workload: Sendable {
        public var vocab = 64, context = 128, dModel = 128, layers = 4, heads = 4, mlp = 512
        public var batch = 64, time = 128
        /// Masked prompt positions of each sequence in the norm benchmark (the rest are completion).
        public var promptTokens = 32
        /// Sampling: new tokens per sequence after a `promptTokens`-long prompt.
        public var newTokens = 96
        public var threads = 2
        public var repetitions = 9
        public var naiveRepetitions = 2
        /// RL step: prompts × completions per prompt, each exactly `rlNewTokens` new tokens (EOS disabled).
        public var rlPrompts = 16, rlGroup = 8, rlNewTokens = 64
        /// Rewards whose RL step is timed.
        public var rlRewards = ["gold", "self_certainty", "vigor"]
        /// Which figures to measure (all by default).
        public var parts: Set<Part> = Set(Part.allCases)
        public init() {}
    }

    public enum Part: String, CaseIterable, Sendable {
        case train, norms, sampling
        case rlStep = "rl_step"
    }

    public struct Results: Codable, Sendable {
        public struct Train: Codable, Sendable {
            public var tokens_per_s: Double
            public var gflops: Double
            public var sgemm_gflops: Double
            public var step_s: Double
        }
        public struct GradNorms: Codable, Sendable {
            public var batched_s: Double
            public var naive_s: Double
            public var fwd_bwd_s: Double
            /// Median over repetitions of batched / fwd_bwd, the two timed back to back in each repetition.
            public var batched_over_fwd_bwd: Double
            public var max_rel_diff: Double
        }
        public struct Sampling: Codable, Sendable {
            public var tokens_per_s: Double
            public var seconds: Double
        }
        public struct RLStep: Codable, Sendable {
            /// Median wall seconds of one GRPO step (sampling, signals, norms, scoring, update).
            public var step_s: Double
            /// Median seconds per phase.
            public var phases: [String: Double]
            /// Median step time over the gold step's (measured in the same run).
            public var over_gold: Double?
        }
        public var train: Train?
        public var rl_step: [String: RLStep]?
        public var grad_norms: GradNorms?
        public var sampling: Sampling?
        public var threads: Int
        /// The OpenBLAS core running (the same as `blas_core`).
        public var openblas_core: String
        /// The core OpenBLAS detected (absent when the user's `OPENBLAS_CORETYPE` replaced detection), the core
        /// running, and how it was chosen: openblas, chosen (ablate replaced a generic core), user or fallback: why.
        public var blas_core_detected: String?
        public var blas_core: String
        public var blas_core_choice: String
        /// MiniLM's own kernels (`KernelPath`): avx2, avx512 or portable.
        public var kernel_path: String
        public var parameters: Int
    }

    public var workload: Workload
    public init(workload: Workload = Workload()) { self.workload = workload }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
    }

    static func time(_ reps: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()  // warm-up
        var ts: [Double] = []
        for _ in 0..<max(1, reps) { ts.append(try seconds(body)) }
        return median(ts)
    }

    /// Times `a` and `b` back to back in each repetition (after one warm-up of each), so both see the same machine
    /// state, and returns the median time of each and the median of the per-repetition ratios a/b.
    static func paired(_ reps: Int, _ a: () throws -> Void, _ b: () throws -> Void) rethrows -> (a: Double, b: Double, ratio: Double) {
        try a(); try b()
        var ta: [Double] = [], tb: [Double] = []
        for _ in 0..<max(1, reps) {
            ta.append(try seconds(a))
            tb.append(try seconds(b))
        }
        return (median(ta), median(tb), median(zip(ta, tb).map { $0 / $1 }))
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    /// sgemm GFLOP/s on the training step's largest GEMM shape (B·T × F × C) with `threads` BLAS threads.
    public static func sgemmGFLOPs(m: Int, n: Int, k: Int, threads: Int, repetitions: Int = 20) -> Double {
        let a = FloatBuffer(count: m * k), b = FloatBuffer(count: n * k), c = FloatBuffer(count: m * n)
        for i in 0..<a.count { a[i] = Float(i % 7) * 0.01 }
        for i in 0..<b.count { b[i] = Float(i % 5) * 0.02 }
        BLAS.setThreads(threads)
        defer { BLAS.setThreads(1) }
        let t = time(repetitions) {
            BLAS.sgemm(transA: false, transB: true, m: m, n: n, k: k, a: a.base, b: b.base, c: c.base)
        }
        return 2 * Double(m) * Double(n) * Double(k) / t / 1e9
    }

    public func run() throws -> Results {
        let w = workload
        let config = ModelConfig(vocabSize: w.vocab, contextLength: w.context, layers: w.layers, heads: w.heads,
                                 dModel: w.dModel, mlpHidden: w.mlp)
        let model = try GPT(config: config, seed: 1)
        var rng = SplitMix64(seed: 2)
        func randomTokens(_ n: Int) -> [Int32] { (0..<n).map { _ in Int32(3 + Int(rng.next() % UInt64(w.vocab - 3))) } }
        let sequences = (0..<w.batch).map { _ in randomTokens(w.time + 1) }

        let core = BLASCore.current
        var results = Results(train: nil, rl_step: nil, grad_norms: nil, sampling: nil, threads: w.threads,
                              openblas_core: core.core, blas_core_detected: core.detected, blas_core: core.core,
                              blas_core_choice: core.choice, kernel_path: KernelPath.active.rawValue,
                              parameters: model.parameterCount)
        let runner = GPTRunner(model: model, threads: w.threads)
        let grads = FloatBuffer(count: model.parameterCount)

        // 1. Training step.
        if w.parts.contains(.train) {
        let trainBatch = try TokenBatch.teacherForcing(sequences: sequences, lossStart: Array(repeating: 1, count: w.batch),
                                                       normalization: .tokenMean, pad: Tokenizer.pad, contextLength: w.context)
        let opt = AdamW(layout: model.layout)
        let step = try Benchmark.time(w.repetitions) {
            _ = try runner.lossAndGradients(trainBatch, grads: grads)
            clipGlobalNorm(grads, maxNorm: 1)
            opt.update(params: model.params, grads: grads, lr: 1e-4)
        }
        let tokens = Double(w.batch * w.time)
        let linearWeights = model.layout.entries.filter { $0.shape.count == 2 && !$0.name.contains("wte") && !$0.name.contains("wpe") }
            .reduce(0) { $0 + $1.count }
        let flops = 6 * Double(linearWeights) * tokens + 12 * Double(w.layers * w.batch * w.time * w.time * w.dModel)
        let sgemm = Benchmark.sgemmGFLOPs(m: w.batch * w.time, n: w.mlp, k: w.dModel, threads: w.threads)
        results.train = .init(tokens_per_s: tokens / step, gflops: flops / step / 1e9, sgemm_gflops: sgemm, step_s: step)
        }

        // 2. Per-sample gradient norms of each sequence's mean completion NLL.
        if w.parts.contains(.norms) {
        let normBatch = try TokenBatch.teacherForcing(sequences: sequences, lossStart: Array(repeating: w.promptTokens + 1, count: w.batch),
                                                      normalization: .sequenceMean, pad: Tokenizer.pad, contextLength: w.context)
        var batched: [Double] = [], naive: [Double] = []
        // Batched norms and the plain forward+backward alternate, so a change in machine load hits both alike.
        let (batchedS, fwdBwdS, ratio) = try Benchmark.paired(w.repetitions,
            { batched = try runner.perSampleGradNorms(normBatch) },
            { _ = try runner.lossAndGradients(normBatch, grads: grads) })
        let naiveS = try Benchmark.time(w.naiveRepetitions) { naive = try runner.perSampleGradNormsNaive(normBatch) }
        let maxRel = zip(batched, naive).map { abs($0 - $1) / max($1, 1e-30) }.max() ?? .nan
        results.grad_norms = .init(batched_s: batchedS, naive_s: naiveS, fwd_bwd_s: fwdBwdS, batched_over_fwd_bwd: ratio,
                                   max_rel_diff: maxRel)
        }

        // 3. KV-cache sampling; EOS is disabled so every sequence generates exactly `newTokens`.
        if w.parts.contains(.sampling) {
        let prompts = (0..<w.batch).map { _ in [Tokenizer.bos] + randomTokens(w.promptTokens - 1) }
        let sampler = Sampler(model: model, threads: w.threads)
        let options = SamplingOptions(temperature: 1, maxNewTokens: w.newTokens, eos: -1, seed: 3)
        var generated = 0
        let sampleS = try Benchmark.time(w.repetitions) {
            generated = try sampler.generate(prompts: prompts, options: options).reduce(0) { $0 + $1.tokens.count }
        }

        results.sampling = .init(tokens_per_s: Double(generated) / sampleS, seconds: sampleS)
        }

        // 4. One GRPO step per reward on the benchmark model with the task vocabulary, over arith prompts.
        if w.parts.contains(.rlStep) { results.rl_step = try rlSteps() }
        return results
    }

    /// Times GRPO steps of `rlPrompts` × `rlGroup` completions of exactly `rlNewTokens` tokens for each reward: the
    /// same model, prompts and seeds for every reward, so the times differ by what the reward asks for.
    func rlSteps() throws -> [String: Results.RLStep] {
        let w = workload
        let tokenizer = try TaskVocabulary.tokenizer()
        let config = ModelConfig(vocabSize: tokenizer.vocabSize, contextLength: w.context, layers: w.layers, heads: w.heads,
                                 dModel: w.dModel, mlpHidden: w.mlp)
        let family = try TaskRegistry.family(named: "arith")
        let problems = try family.problems(count: w.rlPrompts, split: .train, seed: 7)
        let prompts = try problems.map { [Tokenizer.bos] + (try tokenizer.encode($0.prompt)) }
        // One trainer per reward from the same initial model; the steps are taken round-robin (after a warm-up
        // step each), so a change in machine load hits every reward alike.
        // Plus gold with a teacher-forced forward of the rollouts instead of the sampling's own activations
        // (`gold_teacher_forced`): what reusing them saves, measured in the same rounds.
        var runs: [(name: String, trainer: GRPOTrainer, scorer: RewardScorer)] = []
        let entries = w.rlRewards.map { ($0, $0, true) } + (w.rlRewards.contains("gold") ? [("gold_teacher_forced", "gold", false)] : [])
        for (label, name, reuse) in entries {
            var grpo = GRPOConfig()
            grpo.reuseSamplingActivations = reuse
            grpo.groupSize = w.rlGroup
            grpo.maxNewTokens = w.rlNewTokens
            grpo.eos = -1
            grpo.adam.learningRate = 1e-5
            grpo.schedule = LearningRateSchedule(peak: 1e-5, warmupSteps: 0, totalSteps: 1_000)
            let trainer = try GRPOTrainer(model: try GPT(config: config, seed: 1), config: grpo, threads: w.threads)
            let scorer = RewardScorer(pipeline: try RewardPipeline(spec: try RewardRegistry.spec(name: name, options: [:]), shaping: nil),
                                      scaling: .group, tokenizer: tokenizer, seed: 1)
            scorer.gold = problems.map(\.answer)
            _ = try trainer.step(prompts: prompts, scorer: scorer)  // warm-up
            runs.append((label, trainer, scorer))
        }
        var reports = [[GRPOStepReport]](repeating: [], count: runs.count)
        for _ in 0..<max(1, w.repetitions) {
            for (i, r) in runs.enumerated() { reports[i].append(try r.trainer.step(prompts: prompts, scorer: r.scorer)) }
        }
        var out: [String: Results.RLStep] = [:]
        let goldIndex = runs.firstIndex { $0.name == "gold" }
        for (i, r) in runs.enumerated() {
            let phases: [String: Double] = [
                "sampling": Self.median(reports[i].map(\.sampling)), "signals": Self.median(reports[i].map(\.signals)),
                "norms": Self.median(reports[i].map(\.norms)), "scoring": Self.median(reports[i].map(\.scoring)),
                "update": Self.median(reports[i].map(\.update)),
            ]
            // The median of per-repetition ratios to the gold step taken in the same round.
            let ratio = goldIndex.map { g in Self.median(zip(reports[i], reports[g]).map { $0.total / $1.total }) }
            out[r.name] = .init(step_s: Self.median(reports[i].map(\.total)), phases: phases, over_gold: ratio)
        }
        return out
    }
}
