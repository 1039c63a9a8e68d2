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
    let logits: FloatBuffer                        // [N, V]
    let losses: FloatBuffer                        // [N]
    // Gradient scratch for the backward pass.
    let dres: FloatBuffer                          // [N, C] gradient of the residual stream
    let dln: FloatBuffer                           // [N, C]
    let datty: FloatBuffer                         // [N, C]
    let dqkv: FloatBuffer                          // [N, 3C]
    let dfch: FloatBuffer                          // [N, F] gradient of the MLP's pre-activation
    let dfchGelu: FloatBuffer                      // [N, F] gradient of the GELU output
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
        losses = FloatBuffer(count: N)
        dres = FloatBuffer(count: N * C)
        dln = FloatBuffer(count: N * C)
        datty = FloatBuffer(count: N * C)
        dqkv = FloatBuffer(count: N * 3 * C)
        dfch = FloatBuffer(count: N * F)
        dfchGelu = FloatBuffer(count: N * F)
        dlogits = FloatBuffer(count: N * V)
        dAttention = FloatBuffer(count: T * T)
    }

    func fits(batch B: Int, time T: Int) -> Bool { B <= capacityB && T <= capacityT }

    /// Sequence b of a forward over sequences of length T, as activations of a batch of one: views of this
    /// object's buffers, with the gradient scratch of `gradients` (sized for one sequence of T), so a backward
    /// pass over one sequence keeps its gradients in cache.
    func sequence(_ b: Int, time T: Int, gradients g: Activations) -> Activations {
        precondition(b < capacityB && g.fits(batch: 1, time: T))
        let C = config.dModel, F = config.mlpHidden, V = config.vocabSize, H = config.heads
        func view(_ buf: FloatBuffer, _ width: Int) -> FloatBuffer { FloatBuffer(viewing: buf, offset: b * T * width, count: T * width) }
        return Activations(
            config: config, encoded: view(encoded, C),
            layers: layers.map { l in
                Layer(ln1: view(l.ln1, C), ln1Mean: view(l.ln1Mean, 1), ln1Rstd: view(l.ln1Rstd, 1), qkv: view(l.qkv, 3 * C),
                      atty: view(l.atty, C), probs: view(l.probs, H * T), res2: view(l.res2, C), ln2: view(l.ln2, C),
                      ln2Mean: view(l.ln2Mean, 1), ln2Rstd: view(l.ln2Rstd, 1), fch: view(l.fch, F), fchGelu: view(l.fchGelu, F),
                      res3: view(l.res3, C))
            },
            lnf: view(lnf, C), lnfMean: view(lnfMean, 1), lnfRstd: view(lnfRstd, 1), logits: view(logits, V),
            losses: view(losses, 1), gradients: g, time: T)
    }

    private init(config: ModelConfig, encoded: FloatBuffer, layers: [Layer], lnf: FloatBuffer, lnfMean: FloatBuffer,
                 lnfRstd: FloatBuffer, logits: FloatBuffer, losses: FloatBuffer, gradients g: Activations,
                 time T: Int) {
        self.config = config
        capacityB = 1
        capacityT = T
        self.encoded = encoded
        self.layers = layers
        self.lnf = lnf
        self.lnfMean = lnfMean
        self.lnfRstd = lnfRstd
        self.logits = logits
        self.losses = losses
        dres = g.dres
        dln = g.dln
        datty = g.datty
        dqkv = g.dqkv
        dfch = g.dfch
        dfchGelu = g.dfchGelu
        dlogits = g.dlogits
        dAttention = g.dAttention
    }
}
