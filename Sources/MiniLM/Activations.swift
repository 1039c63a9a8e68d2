/// Caller-owned buffers for one forward/backward over up to `capacityB` sequences of up to `capacityT` positions.
/// Strides use the actual T of each call, so a buffer serves any (B, T) with B·T ≤ capacity.
final class Activations {
    struct Layer {
        let ln1, ln1Mean, ln1Rstd: FloatBuffer     // [N, C], [N], [N]
        let qkv: FloatBuffer                       // [N, 3C]
        let atty: FloatBuffer                      // [N, C] attention output before c_proj
        let probs: FloatBuffer                     // [B, H, T, T]
        let res2: FloatBuffer                      // [N, C] residual after attention
        let ln2, ln2Mean, ln2Rstd: FloatBuffer
        let fch, fchGelu: FloatBuffer              // [N, F]
        let res3: FloatBuffer                      // [N, C] residual after the MLP (the block's output)
    }

    let config: ModelConfig
    let capacityB: Int, capacityT: Int
    let encoded: FloatBuffer                       // [N, C]
    let layers: [Layer]
    let lnf, lnfMean, lnfRstd: FloatBuffer
    let logits, probs: FloatBuffer                 // [N, V]
    let losses: FloatBuffer                        // [N]
    // Gradient scratch for the backward pass.
    let dres: FloatBuffer                          // [N, C] gradient of the residual stream
    let dln: FloatBuffer                           // [N, C]
    let datty: FloatBuffer                         // [N, C]
    let dqkv: FloatBuffer                          // [N, 3C]
    let dfch: FloatBuffer                          // [N, F]
    let dlogits: FloatBuffer                       // [N, V]
    let dAttention: FloatBuffer                    // [T, T]

    init(config: ModelConfig, batch B: Int, time T: Int) {
        self.config = config
        capacityB = B
        capacityT = T
        let N = B * T, C = config.dModel, F = config.mlpHidden, V = config.vocabSize, H = config.heads
        encoded = FloatBuffer(count: N * C)
        layers = (0..<config.layers).map { _ in
            Layer(ln1: FloatBuffer(count: N * C), ln1Mean: FloatBuffer(count: N), ln1Rstd: FloatBuffer(count: N),
                  qkv: FloatBuffer(count: N * 3 * C), atty: FloatBuffer(count: N * C),
                  probs: FloatBuffer(count: B * H * T * T), res2: FloatBuffer(count: N * C),
                  ln2: FloatBuffer(count: N * C), ln2Mean: FloatBuffer(count: N), ln2Rstd: FloatBuffer(count: N),
                  fch: FloatBuffer(count: N * F), fchGelu: FloatBuffer(count: N * F), res3: FloatBuffer(count: N * C))
        }
        lnf = FloatBuffer(count: N * C)
        lnfMean = FloatBuffer(count: N)
        lnfRstd = FloatBuffer(count: N)
        logits = FloatBuffer(count: N * V)
        probs = FloatBuffer(count: N * V)
        losses = FloatBuffer(count: N)
        dres = FloatBuffer(count: N * C)
        dln = FloatBuffer(count: N * C)
        datty = FloatBuffer(count: N * C)
        dqkv = FloatBuffer(count: N * 3 * C)
        dfch = FloatBuffer(count: N * F)
        dlogits = FloatBuffer(count: N * V)
        dAttention = FloatBuffer(count: T * T)
    }

    func fits(batch B: Int, time T: Int) -> Bool { B <= capacityB && T <= capacityT }
}
