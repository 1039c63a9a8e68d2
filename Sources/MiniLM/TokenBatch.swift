/// A right-padded batch for teacher forcing: B sequences of T positions, each position with an input token,
/// the target token it predicts, and a loss weight (0 on the prompt and on padding).
///
/// Padding is always on the right: with causal attention, positions after a sequence's end cannot affect the
/// positions before it, so every quantity of a sequence (loss, gradients, per-sample gradient norms) is exactly
/// what it is when the sequence runs alone.
public struct TokenBatch: Sendable {
    public let batchSize: Int
    public let time: Int
    /// [B·T] input token ids.
    public var inputs: [Int32]
    /// [B·T] target token ids (the next token).
    public var targets: [Int32]
    /// [B·T] per-position loss weights.
    public var weights: [Float]

    /// How the per-token losses of a batch are weighted.
    public enum Normalization: Sendable {
        /// w = 1/n_b for the n_b loss tokens of sequence b: the loss is the sum over sequences of each sequence's
        /// mean-token NLL, so ∂L/∂θ restricted to sequence b is exactly ∇θ of that sequence's mean NLL
        /// (what per-sample gradient norms need).
        case sequenceMean
        /// w = 1/Σ_b n_b: the mean over all loss tokens of the batch (SFT).
        case tokenMean
        /// w = 1: the plain sum.
        case sum
    }

    public init(batchSize: Int, time: Int, inputs: [Int32], targets: [Int32], weights: [Float]) throws {
        let n = batchSize * time
        guard batchSize > 0, time > 0, inputs.count == n, targets.count == n, weights.count == n else {
            throw MiniLMError.invalidBatch("expected \(batchSize)×\(time) inputs, targets and weights, got \(inputs.count), \(targets.count), \(weights.count)")
        }
        self.batchSize = batchSize
        self.time = time
        self.inputs = inputs
        self.targets = targets
        self.weights = weights
    }

    /// Builds a teacher-forcing batch from full token sequences (BOS, prompt, completion, EOS …).
    /// Sequence b predicts tokens `lossStart[b]..<count` of itself: pass the index of its first completion token
    /// (1 for "every token after BOS"). Inputs are `s[0..<n−1]`, targets `s[1..<n]`. The batch has the longest
    /// sequence's positions, or `minimumTime` if that is more (at most `contextLength`).
    public static func teacherForcing(
        sequences: [[Int32]], lossStart: [Int], normalization: Normalization, pad: Int32, contextLength: Int,
        minimumTime: Int = 1
    ) throws -> TokenBatch {
        guard minimumTime <= contextLength else {
            throw MiniLMError.invalidBatch("a minimum of \(minimumTime) positions exceeds the context of \(contextLength)")
        }
        guard !sequences.isEmpty else { throw MiniLMError.invalidBatch("no sequences") }
        guard lossStart.count == sequences.count else {
            throw MiniLMError.invalidBatch("\(sequences.count) sequences but \(lossStart.count) loss starts")
        }
        var T = max(1, minimumTime)
        for (i, s) in sequences.enumerated() {
            guard s.count >= 2 else { throw MiniLMError.emptySequence(index: i) }
            guard s.count - 1 <= contextLength else {
                throw MiniLMError.sequenceTooLong(index: i, length: s.count - 1, context: contextLength)
            }
            T = max(T, s.count - 1)
        }
        let B = sequences.count
        var inputs = [Int32](repeating: pad, count: B * T)
        var targets = [Int32](repeating: pad, count: B * T)
        var weights = [Float](repeating: 0, count: B * T)
        var counts = [Int](repeating: 0, count: B)
        for (b, s) in sequences.enumerated() {
            let start = max(1, lossStart[b])
            for t in 0..<(s.count - 1) {
                inputs[b * T + t] = s[t]
                targets[b * T + t] = s[t + 1]
                if t + 1 >= start { weights[b * T + t] = 1; counts[b] += 1 }
            }
        }
        let total = counts.reduce(0, +)
        for b in 0..<B {
            let w: Float
            switch normalization {
            case .sequenceMean: w = counts[b] > 0 ? 1 / Float(counts[b]) : 0
            case .tokenMean: w = total > 0 ? 1 / Float(total) : 0
            case .sum: w = 1
            }
            for t in 0..<T where weights[b * T + t] != 0 { weights[b * T + t] = w }
        }
        return try TokenBatch(batchSize: B, time: T, inputs: inputs, targets: targets, weights: weights)
    }

    /// The number of leading positions of sequence b whose gradients can be non-zero: one past its last
    /// weighted position (causal attention: later positions never influence earlier ones).
    public func effectiveLength(_ b: Int) -> Int {
        var t = time
        while t > 0 && weights[b * time + t - 1] == 0 { t -= 1 }
        return t
    }

    /// Checks token ids against a vocabulary.
    public func validate(vocabSize: Int) throws {
        for v in inputs where v < 0 || Int(v) >= vocabSize { throw MiniLMError.unknownTokenId(Int(v), vocabSize: vocabSize) }
        for v in targets where v < 0 || Int(v) >= vocabSize { throw MiniLMError.unknownTokenId(Int(v), vocabSize: vocabSize) }
        for w in weights where !w.isFinite { throw MiniLMError.invalidBatch("loss weights must be finite, got \(w)") }
    }
}
