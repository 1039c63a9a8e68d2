import Dispatch
import Foundation
import MiniLM
import Tasks

/// Pre-trains a MiniLM model from scratch on the recipe's corpus (next-token prediction of the solution given
/// the prompt, the SFT convention: prompts carry no loss because their numbers are random and unpredictable).
///
/// Each step draws `batchSize` train-split examples `BOS + prompt + solution + EOS` from the corpus stream,
/// minimises the token-mean NLL of solution and EOS tokens with AdamW (warm-up + cosine schedule, global-norm
/// clipping). Batches come from pools of `bucketBatches` batches sorted by length, in shuffled order, so right
/// padding wastes little. Deterministic for a recipe and thread count.
public final class Pretrainer {
    public let recipe: PretrainRecipe
    public let threads: Int
    public let tokenizer: Tokenizer

    /// Validates the recipe (an `AblateError` names the first bad field).
    public init(recipe: PretrainRecipe, threads: Int = 2) throws {
        try recipe.validate()
        guard threads >= 1 else {
            throw AblateError.invalidRecipe(field: "threads", value: String(threads), reason: "must be at least 1")
        }
        self.recipe = recipe
        self.threads = threads
        tokenizer = try TaskVocabulary.tokenizer()
    }

    /// What a finished run returns.
    public struct Result {
        public let model: GPT
        public let tokenizer: Tokenizer
        /// Progress reports in order (the first at step 0, before any update).
        public let history: [PretrainProgress]
        /// Wall seconds of the whole run, and real tokens trained on.
        public let seconds: Double
        public let tokens: Int
    }

    /// Runs the recipe; `progress` sees every report, `logPath` (if any) receives them as JSON lines.
    public func run(logPath: String? = nil, progress: (PretrainProgress) -> Void = { _ in }) throws -> Result {
        let r = recipe
        let config = try r.modelConfig(vocabSize: tokenizer.vocabSize)
        let model = try GPT(config: config, seed: r.seed)
        let runner = GPTRunner(model: model, threads: threads)
        var adamConfig = AdamW.Config()
        adamConfig.learningRate = r.learningRate
        adamConfig.weightDecay = r.weightDecay
        let optimizer = Optimizer(layout: model.layout, adam: adamConfig,
                                  schedule: LearningRateSchedule(peak: r.learningRate, warmupSteps: r.warmupSteps,
                                                                 totalSteps: r.steps, minRatio: r.minLRRatio),
                                  maxGradNorm: r.gradClip)
        let grads = FloatBuffer(count: model.parameterCount)
        let corpus = try r.corpus()
        var batches = BatchStream(corpus: corpus, tokenizer: tokenizer, recipe: r, contextLength: config.contextLength)
        let heldOut = try corpus.examples(count: r.heldOutExamples, seed: r.seed &+ 0x5EED, split: .test)
            .map { try Self.encode($0, tokenizer: tokenizer, contextLength: config.contextLength) }

        let log = try logPath.map { try JSONLWriter(path: $0) }
        var history: [PretrainProgress] = []
        let start = DispatchTime.now().uptimeNanoseconds
        func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        var trainSeconds = 0.0, tokens = 0, intervalLoss = 0.0, intervalSteps = 0, lr = 0.0

        func report(step: Int) throws {
            let held = try Self.heldOutLoss(heldOut, runner: runner, contextLength: config.contextLength)
            let elapsed = now()
            let perStep = step > 0 ? elapsed / Double(step) : .nan
            let p = PretrainProgress(step: step, totalSteps: r.steps,
                                     loss: intervalSteps > 0 ? intervalLoss / Double(intervalSteps) : .nan,
                                     heldOutLoss: held, learningRate: lr,
                                     tokensPerSecond: trainSeconds > 0 ? Double(tokens) / trainSeconds : 0,
                                     elapsed: elapsed, eta: step > 0 ? perStep * Double(r.steps - step) : .nan)
            intervalLoss = 0
            intervalSteps = 0
            history.append(p)
            try log?.append(p)
            progress(p)
        }

        try report(step: 0)
        for step in 0..<r.steps {
            let batch = try batches.next()
            let t0 = DispatchTime.now().uptimeNanoseconds
            let loss = try runner.lossAndGradients(batch.tokens, grads: grads)
            // Stop before a non-finite update reaches the weights.
            do {
                guard loss.isFinite else { throw MiniLMError.diverged(step: step + 1, quantity: "loss", value: loss) }
                lr = try optimizer.step(params: model.params, grads: grads).learningRate
            } catch let e as MiniLMError {
                throw AblateError.invalidRecipe(field: "learningRate", value: String(r.learningRate), reason: "\(e)")
            }
            trainSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            tokens += batch.realTokens
            intervalLoss += loss
            intervalSteps += 1
            if (step + 1) % r.evalInterval == 0 || step + 1 == r.steps { try report(step: step + 1) }
        }
        return Result(model: model, tokenizer: tokenizer, history: history, seconds: now(), tokens: tokens)
    }

    // MARK: Data

    /// `BOS + prompt + solution + EOS` and the index of the first solution token (the first that carries loss).
    static func encode(_ e: CorpusExample, tokenizer: Tokenizer, contextLength: Int) throws -> (tokens: [Int32], lossStart: Int) {
        let prompt = try tokenizer.encode(e.prompt), solution = try tokenizer.encode(e.solution)
        let tokens = [Tokenizer.bos] + prompt + solution + [Tokenizer.eos]
        guard tokens.count - 1 <= contextLength else {
            throw AblateError.invalidRecipe(field: "familyOverrides.\(e.family)", value: "maxChars",
                                            reason: "an example has \(tokens.count) tokens with BOS and EOS but the model's context is \(contextLength); lower the family's maxChars")
        }
        return (tokens, 1 + prompt.count)
    }

    /// Token-mean NLL of the solution tokens of `examples`, forward passes only, in length-sorted chunks of
    /// `chunkSize` (small chunks: a forward pass's activations grow with B·T, and page-faulting fresh buffers
    /// costs more than the arithmetic).
    static func heldOutLoss(_ examples: [(tokens: [Int32], lossStart: Int)], runner: GPTRunner, contextLength: Int,
                            chunkSize: Int = 64) throws -> Double {
        let sorted = examples.sorted { $0.tokens.count < $1.tokens.count }
        var nll = 0.0, count = 0
        var i = 0
        while i < sorted.count {
            let chunk = sorted[i..<min(i + chunkSize, sorted.count)]
            i += chunk.count
            let batch = try TokenBatch.teacherForcing(sequences: chunk.map(\.tokens), lossStart: chunk.map(\.lossStart),
                                                      normalization: .sum, pad: Tokenizer.pad, contextLength: contextLength)
            let stats = try runner.tokenStatistics(batch)
            for j in 0..<batch.weights.count where batch.weights[j] != 0 {
                nll -= Double(stats.logProbs[j])
                count += 1
            }
        }
        return count > 0 ? nll / Double(count) : .nan
    }
}
