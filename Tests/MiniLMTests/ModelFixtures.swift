import Seeded

@testable import MiniLM

// MiniLM fixtures: seeded data, finite differences and a tiny model. The shared helpers (`expectRelativeError`,
// `Named`) are in Tests/TestSupport.

/// Seeded uniform values in [−scale, scale].
func randomFloats(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var rng = SplitMix64(seed: seed)
    return (0..<n).map { _ in Float(rng.uniform() * 2 - 1) * scale }
}

/// Central finite differences of a scalar function of a float buffer, at the given coordinates.
/// The function is evaluated in the model's float32 arithmetic; with h ~ 1e-2 the truncation error is O(h²)
/// and the rounding error ~1e-7/h, so a correct gradient agrees to ~1e-4 relative and a wrong one does not.
func finiteDifferences(_ x: UnsafeMutablePointer<Float>, indices: [Int], h: Float = 1e-2, _ f: () -> Double) -> [Double] {
    indices.map { i in
        let old = x[i]
        x[i] = old + h
        let up = f()
        x[i] = old - h
        let down = f()
        x[i] = old
        return (up - down) / Double(2 * h)
    }
}

/// A tiny model for checks: vocabulary 11, context 16, 2 layers, 2 heads, d 8, MLP 32 by default.
func tinyModel(seed: UInt64 = 7, vocab: Int = 11, context: Int = 16, dModel: Int = 8, heads: Int = 2,
               mlpHidden: Int = 32) throws -> GPT {
    var config = try ModelConfig.preset("tiny", vocabSize: vocab)
    config.contextLength = context
    config.dModel = dModel
    config.heads = heads
    config.mlpHidden = mlpHidden
    let model = try GPT(config: config, seed: seed)
    // Larger weights than the 0.02 init so every path carries a gradient well above rounding noise.
    var rng = SplitMix64(seed: seed ^ 0xABCD)
    for i in 0..<model.params.count { model.params[i] += Float(rng.gaussian() * 0.3) }
    return model
}

/// Random token sequences of the given lengths (token 0 is PAD and is never drawn).
func randomSequences(lengths: [Int], vocab: Int, seed: UInt64) -> [[Int32]] {
    var rng = SplitMix64(seed: seed)
    return lengths.map { n in (0..<n).map { _ in Int32(1 + Int(rng.next() % UInt64(vocab - 1))) } }
}
