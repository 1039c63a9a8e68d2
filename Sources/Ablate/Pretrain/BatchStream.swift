import MiniLM
import Tasks
import Seeded

/// Training batches bucketed by length: draws `bucketBatches · batchSize` examples, sorts them by length, cuts
/// them into batches and hands those out in a seeded random order.
struct BatchStream {
    struct Batch {
        let tokens: TokenBatch
        /// Non-padding input positions.
        let realTokens: Int
    }

    var stream: CorpusStream
    let tokenizer: Tokenizer
    let batchSize: Int
    let pool: Int
    let contextLength: Int
    var order: TaskRNG
    var ready: [Batch] = []

    init(corpus: CorpusGenerator, tokenizer: Tokenizer, recipe: PretrainRecipe, contextLength: Int) {
        stream = corpus.stream(seed: recipe.seed, split: .train)
        self.tokenizer = tokenizer
        batchSize = recipe.batchSize
        pool = recipe.bucketBatches
        self.contextLength = contextLength
        order = TaskRNG(seed: recipe.seed ^ 0xBA7C_4E5)
    }

    mutating func next() throws -> Batch {
        if ready.isEmpty { try refill() }
        return ready.removeLast()
    }

    private mutating func refill() throws {
        // `PretrainRecipe.validate` bounds both; checked again here because the product sizes an allocation.
        let (total, overflow) = batchSize.multipliedReportingOverflow(by: pool)
        guard batchSize >= 1, pool >= 1, !overflow, total <= PretrainRecipe.limits.pooledExamples else {
            throw AblateError.invalidRecipe(field: "bucketBatches", value: "\(pool)",
                                            reason: "batchSize · bucketBatches must be at most \(PretrainRecipe.limits.pooledExamples) (batchSize \(batchSize))")
        }
        var examples: [(tokens: [Int32], lossStart: Int)] = []
        examples.reserveCapacity(total)
        for _ in 0..<total {
            examples.append(try Pretrainer.encode(try stream.next(), tokenizer: tokenizer, contextLength: contextLength))
        }
        // Stable sort by length, so the batches (and the run) are deterministic.
        let sorted = examples.enumerated().sorted { ($0.element.tokens.count, $0.offset) < ($1.element.tokens.count, $1.offset) }
            .map(\.element)
        var batches: [Batch] = []
        for b in 0..<pool {
            let chunk = sorted[(b * batchSize)..<((b + 1) * batchSize)]
            let tokens = try TokenBatch.teacherForcing(sequences: chunk.map(\.tokens), lossStart: chunk.map(\.lossStart),
                                                       normalization: .tokenMean, pad: Tokenizer.pad,
                                                       contextLength: contextLength)
            batches.append(Batch(tokens: tokens, realTokens: chunk.reduce(0) { $0 + $1.tokens.count - 1 }))
        }
        batches.shuffle(using: &order)
        ready = batches
    }
}
