import Dispatch
import Foundation
import Seeded

/// What a scorer asks the trainer to compute for each step's rollouts, beyond the token statistics (log p,
/// entropy and self-certainty at the sampling temperature), which the step's one forward always yields.
public struct RolloutSignalRequest: Sendable, Equatable {
    /// Parameter subsets whose exact per-sample gradient norms of the completion's mean-token NLL (raw logits)
    /// are wanted, each one batched backward over the step's forward.
    public var gradNormSubsets: [ParameterSubset] = []
    /// Extra completions per prompt sampled only for the scorer (a vote budget); they are never trained on.
    public var extraSamples = 0
    public init(gradNormSubsets: [ParameterSubset] = [], extraSamples: Int = 0) {
        self.gradNormSubsets = gradNormSubsets
        self.extraSamples = extraSamples
    }
}

/// One step's rollouts as the scorer sees them. Completion c of prompt p is index p·groupSize + c.
public struct Rollouts: Sendable {
    /// 0-based step.
    public let step: Int
    public let prompts: [[Int32]]
    public let groupSize: Int
    /// P·G trained completions, prompt-major.
    public let completions: [Generation]
    /// P·extraSamples vote-only completions, prompt-major (empty without a vote budget).
    public let extra: [Generation]
    /// Per trained completion, in the order of `completions`: every token statistic at the sampling temperature
    /// under the current (pre-update) policy, per completion token, and ‖∇θ_S mean-token NLL‖₂ on raw logits for
    /// each subset the scorer requested (`GPTRunner.completionSignals`).
    public let signals: [GPTRunner.CompletionSignals]
}

/// Turns rollouts into one advantage per trained completion. The trainer knows rewards only through this.
public protocol RolloutScorer: AnyObject {
    var request: RolloutSignalRequest { get }
    /// P·G advantages, prompt-major; a thrown error stops the run (a non-finite reward, for instance).
    func advantages(for rollouts: Rollouts) throws -> [Double]
}

/// GRPO's settings (docs/REFERENCE.md; TRL's names where they have one).
public struct GRPOConfig: Codable, Equatable, Sendable {
    /// G, completions per prompt (TRL `num_generations`).
    public var groupSize = 8
    /// Sampling temperature τ; log-probs, entropy and self-certainty are computed on logits ÷ τ.
    public var temperature: Float = 1
    public var topP: Float = 1
    /// New tokens per completion before it is truncated.
    public var maxNewTokens = 96
    public var loss = GRPOLoss()
    /// Truncated completions carry no loss (their rewards still count in the group statistics).
    public var maskTruncatedCompletions = false
    /// Updates per batch of rollouts; the first reuses the step's forward, later ones run their own.
    public var numIterations = 1
    public var adam = AdamW.Config()
    public var schedule = LearningRateSchedule(peak: 1e-3, warmupSteps: 0, totalSteps: 1)
    public var maxGradNorm = 1.0
    /// Seed of the sampling draws (each step draws from its own stream).
    public var seed: UInt64 = 0
    /// The end-of-sequence token (−1 never ends a completion early: the benchmark's fixed-length rollouts).
    public var eos: Int32 = Tokenizer.eos
    /// Keep the activations the sampler computes as the step's forward (`ActivationCapture`) instead of running
    /// a teacher-forced forward over the rollouts; false runs that forward (the same values up to rounding).
    public var reuseSamplingActivations = true
    public init() {}
}

/// What one step did: the quantities of the per-step metrics (docs/ARCHITECTURE.md) that the trainer owns.
public struct GRPOStepReport: Sendable {
    public var step: Int
    public var loss: Double
    public var meanKL: Double
    public var clipFraction: Double
    public var meanRatio: Double
    public var gradNorm: Double
    public var learningRate: Double
    /// Mean token entropy of the trained completions at τ (policy entropy).
    public var entropy: Double
    public var meanCompletionLength: Double
    public var truncationRate: Double
    /// Fraction of completion 3-grams that repeat an earlier 3-gram of the same completion.
    public var repetition3gram: Double
    /// Completion tokens sampled this step (trained and vote-only).
    public var sampledTokens: Int
    /// Wall seconds per phase.
    public var sampling = 0.0, signals = 0.0, norms = 0.0, scoring = 0.0, update = 0.0, total = 0.0
}

/// The GRPO trainer: sampling with the KV cache, one teacher-forced forward that serves every signal of the step
/// (and the first update's backward), the scorer, the clipped-ratio loss with a k3 KL to a frozen reference,
/// and AdamW with clipping and a warm-up + cosine schedule. It knows rewards only through `RolloutScorer` and
/// tasks not at all: prompts arrive as token ids.
public final class GRPOTrainer {
    public let model: GPT
    public let config: GRPOConfig
    public let threads: Int
    public let optimizer: Optimizer
    private let runner: GPTRunner
    private let sampler: Sampler
    private let reference: GPTRunner?
    private let grads: FloatBuffer
    public private(set) var steps = 0

    public init(model: GPT, config: GRPOConfig, threads: Int = 1) throws {
        guard config.groupSize >= 1 else { throw MiniLMError.invalidConfig(field: "num_generations", reason: "must be at least 1, got \(config.groupSize)") }
        guard config.maxNewTokens >= 1 else { throw MiniLMError.invalidConfig(field: "max_completion_length", reason: "must be at least 1, got \(config.maxNewTokens)") }
        guard config.numIterations >= 1 else { throw MiniLMError.invalidConfig(field: "num_iterations", reason: "must be at least 1, got \(config.numIterations)") }
        guard config.temperature > 0, config.temperature.isFinite else {
            throw MiniLMError.invalidConfig(field: "temperature", reason: "must be positive (GRPO samples), got \(config.temperature)")
        }
        self.model = model
        self.config = config
        self.threads = max(1, threads)
        optimizer = Optimizer(layout: model.layout, adam: config.adam, schedule: config.schedule, maxGradNorm: config.maxGradNorm)
        runner = GPTRunner(model: model, threads: threads)
        sampler = Sampler(model: model, threads: threads)
        reference = config.loss.beta != 0 ? GPTRunner(model: model.copy(), threads: threads) : nil
        grads = FloatBuffer(count: model.parameterCount)
    }

    /// One GRPO step on `prompts` (token ids, BOS first). Throws `MiniLMError.diverged` (with the step and the
    /// quantity) on a non-finite loss, gradient or parameter, and whatever the scorer throws.
    public func step(prompts: [[Int32]], scorer: RolloutScorer) throws -> GRPOStepReport {
        let clock = DispatchTime.now().uptimeNanoseconds
        func seconds(since t: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9 }
        let G = config.groupSize, P = prompts.count, request = scorer.request
        let extraPer = max(0, request.extraSamples), perPrompt = G + extraPer
        guard P > 0 else { throw MiniLMError.invalidBatch("a GRPO step needs at least one prompt") }

        // 1. Rollouts: every prompt G (+ vote-only) times, adjacent; step s draws from its own stream.
        var t0 = DispatchTime.now().uptimeNanoseconds
        var options = SamplingOptions(temperature: config.temperature, topP: config.topP, maxNewTokens: config.maxNewTokens,
                                      eos: config.eos, seed: config.seed ^ StableHash.hash("grpo-step-\(steps)"))
        options.recordLogits = false
        let jobs = prompts.flatMap { Array(repeating: $0, count: perPrompt) }
        // Trained completion c of prompt p is sequence p·G + c of the step's forward; vote-only ones are not in it.
        let longest = prompts.map(\.count).max() ?? 1
        let time = min(model.config.contextLength, longest + min(config.maxNewTokens, model.config.contextLength) - 1)
        let capture = config.reuseSamplingActivations
            ? try runner.beginCapture(batchSize: P * G, time: time,
                                      sequenceOfJob: (0..<jobs.count).map { j in j % perPrompt < G ? j / perPrompt * G + j % perPrompt : nil })
            : nil
        let generated = try sampler.generate(prompts: jobs, options: options, capture: capture)
        var completions: [Generation] = [], extra: [Generation] = []
        completions.reserveCapacity(P * G)
        for p in 0..<P {
            completions.append(contentsOf: generated[(p * perPrompt)..<(p * perPrompt + G)])
            extra.append(contentsOf: generated[(p * perPrompt + G)..<((p + 1) * perPrompt)])
        }
        var report = GRPOStepReport(step: steps + 1, loss: 0, meanKL: 0, clipFraction: 0, meanRatio: 1, gradNorm: 0,
                                    learningRate: 0, entropy: 0, meanCompletionLength: 0, truncationRate: 0, repetition3gram: 0,
                                    sampledTokens: generated.reduce(0) { $0 + $1.tokens.count })
        report.sampling = seconds(since: t0)

        // 2. The step's forward of the rollouts under the current policy (the sampling's own activations, or a
        //    teacher-forced forward): old log-probs and the token statistics at τ; its activations serve the
        //    norms and the first update.
        t0 = DispatchTime.now().uptimeNanoseconds
        let sequences = (0..<(P * G)).map { i in prompts[i / G] + completions[i].tokens }
        // The capture had room for the longest possible rollout; the pass runs over the longest actual one.
        capture?.finish()
        let batch = try TokenBatch.teacherForcing(sequences: sequences, lossStart: (0..<(P * G)).map { prompts[$0 / G].count },
                                                  normalization: .sequenceMean, pad: Tokenizer.pad,
                                                  contextLength: model.config.contextLength, minimumTime: capture?.time ?? 1)
        let T = batch.time
        var pass = try capture.map { try runner.pass(from: $0, batch: batch, temperature: config.temperature) }
            ?? runner.forward(batch, temperature: config.temperature)
        let old = pass.statistics.logProbs
        let ref = try reference?.forward(batch, temperature: config.temperature).statistics.logProbs ?? []
        report.signals = seconds(since: t0)

        // 3. Per-completion signals over the same activations: the statistics split by completion, and the
        //    per-sample gradient norms for the subsets the scorer asks for.
        t0 = DispatchTime.now().uptimeNanoseconds
        let signals = try runner.completionSignals(pass, gradNormSubsets: request.gradNormSubsets)
        report.norms = seconds(since: t0)

        // 4. Scores → advantages.
        t0 = DispatchTime.now().uptimeNanoseconds
        let rollouts = Rollouts(step: steps, prompts: prompts, groupSize: G, completions: completions, extra: extra,
                                signals: signals)
        let advantages = try scorer.advantages(for: rollouts)
        guard advantages.count == P * G else {
            throw MiniLMError.invalidBatch("the scorer returned \(advantages.count) advantages for \(P * G) completions")
        }
        if let bad = advantages.firstIndex(where: { !$0.isFinite }) {
            throw MiniLMError.diverged(step: steps + 1, quantity: "advantage of completion \(bad)", value: advantages[bad])
        }
        report.scoring = seconds(since: t0)

        // 5. Updates: the clipped-ratio loss with KL, backward, AdamW.
        t0 = DispatchTime.now().uptimeNanoseconds
        var mask = batch.weights.map { $0 != 0 ? Float(1) : 0 }
        if config.maskTruncatedCompletions {
            for b in 0..<(P * G) where completions[b].truncated { for t in 0..<T { mask[b * T + t] = 0 } }
        }
        var loss = config.loss
        loss.maxCompletionLength = config.maxNewTokens
        for iteration in 0..<config.numIterations {
            if iteration > 0 { pass = try runner.forward(batch, temperature: config.temperature) }
            let result = loss.evaluate(logProbs: pass.statistics.logProbs, oldLogProbs: old, refLogProbs: ref, mask: mask,
                                       advantages: advantages, time: T)
            guard result.loss.isFinite else { throw MiniLMError.diverged(step: steps + 1, quantity: "loss", value: result.loss) }
            grads.zero()
            try runner.backward(pass, weights: result.dLossDLogProb.map { Float(-$0) }, temperature: config.temperature, grads: grads)
            let s = try optimizer.step(params: model.params, grads: grads)
            if iteration == 0 {
                report.loss = result.loss
                report.meanKL = result.meanKL
                report.gradNorm = s.gradNorm
                report.learningRate = s.learningRate
            }
            report.clipFraction = result.clipFraction  // the last iteration's: the first is 0 by construction
            report.meanRatio = result.meanRatio
        }
        report.update = seconds(since: t0)

        // Rollout metrics.
        var entropySum = 0.0, tokenCount = 0, repeated = 0, grams = 0
        for (c, signal) in zip(completions, signals) {
            let entropies = signal.statistics[.entropy] ?? []
            for e in entropies { entropySum += Double(e) }
            tokenCount += entropies.count
            let r = Self.repeated3grams(c.tokens)
            repeated += r.repeated
            grams += r.total
        }
        report.entropy = tokenCount > 0 ? entropySum / Double(tokenCount) : 0
        report.meanCompletionLength = Double(completions.reduce(0) { $0 + $1.tokens.count }) / Double(P * G)
        report.truncationRate = Double(completions.filter(\.truncated).count) / Double(P * G)
        report.repetition3gram = grams > 0 ? Double(repeated) / Double(grams) : 0
        steps += 1
        report.total = seconds(since: clock)
        return report
    }

    /// The 3-grams of `tokens` and how many of them repeat an earlier 3-gram of the same sequence.
    static func repeated3grams(_ tokens: [Int32]) -> (repeated: Int, total: Int) {
        guard tokens.count >= 3 else { return (0, 0) }
        var seen = Set<[Int32]>(), repeated = 0
        for i in 0...(tokens.count - 3) where !seen.insert(Array(tokens[i..<(i + 3)])).inserted { repeated += 1 }
        return (repeated, tokens.count - 2)
    }
}
