import Foundation
import MiniLM
import Tasks

/// One completion of a prompt.
public struct Completion: Sendable, Equatable {
    public var text: String
    /// Generated tokens, EOS included when the completion finished.
    public var tokenCount: Int
    /// Stopped by the length limit or the context before EOS.
    public var truncated: Bool

    public init(text: String, tokenCount: Int, truncated: Bool) {
        self.text = text
        self.tokenCount = tokenCount
        self.truncated = truncated
    }
}

/// Something that completes prompts: the model through the KV-cache sampler, or a scripted stand-in in tests.
public protocol CompletionGenerator {
    /// `samples` completions of each prompt (result[i][j]: prompt i, sample j) at `temperature` (0 = greedy);
    /// deterministic for `seed`.
    func complete(prompts: [String], samples: Int, temperature: Float, seed: UInt64) throws -> [[Completion]]
}

/// A MiniLM model completing prompts with `Sampler`: prompts are `BOS + prompt`, at most `context − prompt`
/// new tokens each, in batches of `batchSize` sequences sharded over `threads` workers.
public struct ModelCompletionGenerator: CompletionGenerator {
    public let model: GPT
    public let tokenizer: Tokenizer
    public var threads: Int
    /// Sequences per sampler call: bounds the KV cache (L·B·T·C floats twice) at a few hundred MB at most.
    public var batchSize = 256
    /// Nucleus threshold for sampled completions (1 = off).
    public var topP: Float = 1

    public init(model: GPT, tokenizer: Tokenizer, threads: Int = 2) {
        self.model = model
        self.tokenizer = tokenizer
        self.threads = threads
    }

    public func complete(prompts: [String], samples: Int, temperature: Float, seed: UInt64) throws -> [[Completion]] {
        let context = model.config.contextLength
        let encoded = try prompts.map { [Tokenizer.bos] + (try tokenizer.encode($0)) }
        // Every prompt repeated `samples` times, adjacent; sequence i of a call draws from stream (seed', i).
        let jobs = encoded.flatMap { Array(repeating: $0, count: samples) }
        let shortest = encoded.map(\.count).min() ?? 1
        let sampler = Sampler(model: model, threads: threads)
        var flat: [Completion] = []
        flat.reserveCapacity(jobs.count)
        var start = 0, call: UInt64 = 0
        while start < jobs.count {
            let chunk = Array(jobs[start..<min(start + batchSize, jobs.count)])
            // The sampler also stops each sequence at the context; this bound only sizes the longest run.
            let options = SamplingOptions(temperature: temperature, topP: topP, maxNewTokens: max(1, context - shortest),
                                          eos: Tokenizer.eos, seed: seed &+ call &* 0x9E37_79B9_7F4A_7C15)
            for g in try sampler.generate(prompts: chunk, options: options) {
                flat.append(Completion(text: try tokenizer.decode(g.tokens), tokenCount: g.tokens.count, truncated: g.truncated))
            }
            start += chunk.count
            call += 1
        }
        return (0..<prompts.count).map { i in Array(flat[(i * samples)..<((i + 1) * samples)]) }
    }
}

