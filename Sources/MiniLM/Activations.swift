/// Caller-owned buffers for one forward/backward over up to `capacityB` sequences of up to `capacityT` positions:
/// one buffer per instance of the `ActivationTensor` table, and the backward's gradient scratch. Strides use the
/// actual T of each call, so a buffer serves any (B, T) with B·T ≤ capacity (and `probs`, B·H·T² ≤ its capacity).
final class Activations: RowStorage {
    let config: ModelConfig
    let capacityB: Int, capacityT: Int
    /// `buffers[tensor.rawValue][layer]` (layer 0 for a tensor outside the blocks).
    private let buffers: [[FloatBuffer]]
    /// Gradient scratch for the backward pass (shared by a sequence's view with the activations it was given).
    let gradients: GradientScratch

    init(config: ModelConfig, batch B: Int, time T: Int) {
        self.config = config
        capacityB = B
        capacityT = T
        // Allocated in the table's forward order; stored by tensor, then layer.
        var buffers = ActivationTensor.allCases.map { t in [FloatBuffer?](repeating: nil, count: t.copies(layers: config.layers)) }
        for (t, l) in ActivationTensor.instances(layers: config.layers) {
            buffers[t.rawValue][l] = FloatBuffer(count: B * T * t.width(config, time: T))
        }
        self.buffers = buffers.map { $0.compactMap { $0 } }
        gradients = GradientScratch(config: config, rows: B * T, time: T)
    }

    private init(config: ModelConfig, buffers: [[FloatBuffer]], gradients: GradientScratch, time T: Int) {
        self.config = config
        capacityB = 1
        capacityT = T
        self.buffers = buffers
        self.gradients = gradients
    }

    func fits(batch B: Int, time T: Int) -> Bool { B <= capacityB && T <= capacityT }

    /// The buffer of a tensor (of block `layer`; 0 outside the blocks).
    @inline(__always)
    func buffer(_ tensor: ActivationTensor, _ layer: Int = 0) -> FloatBuffer {
        buffers[tensor.rawValue][tensor.stage == .block ? layer : 0]
    }

    /// The first row of a tensor (of block `layer`).
    @inline(__always)
    subscript(_ tensor: ActivationTensor, _ layer: Int = 0) -> UnsafeMutablePointer<Float> { buffer(tensor, layer).base }

    func rows(_ tensor: ActivationTensor, layer: Int) -> UnsafeMutablePointer<Float> { self[tensor, layer] }

    var encoded: FloatBuffer { buffer(.encoded) }
    var logits: FloatBuffer { buffer(.logits) }
    var losses: FloatBuffer { buffer(.losses) }

    /// Sequence b of a forward over sequences of length T, as activations of a batch of one: views of this
    /// object's buffers, with the gradient scratch of `gradients` (sized for one sequence of T), so a backward
    /// pass over one sequence keeps its gradients in cache.
    func sequence(_ b: Int, time T: Int, gradients g: Activations) -> Activations {
        precondition(b < capacityB && g.fits(batch: 1, time: T))
        let views = zip(ActivationTensor.allCases, buffers).map { t, copies in
            let width = t.width(config, time: T)
            return copies.map { FloatBuffer(viewing: $0, offset: b * T * width, count: T * width) }
        }
        return Activations(config: config, buffers: views, gradients: g.gradients, time: T)
    }
}

/// The backward pass's per-layer gradient scratch, reused by every layer (`GPT.backward`).
final class GradientScratch {
    let dres: FloatBuffer                          // [N, C] gradient of the residual stream
    let dln: FloatBuffer                           // [N, C]
    let datty: FloatBuffer                         // [N, C]
    let dqkv: FloatBuffer                          // [N, 3C]
    let dfch: FloatBuffer                          // [N, F] gradient of the MLP's pre-activation
    let dfchGelu: FloatBuffer                      // [N, F] gradient of the GELU output
    let dlogits: FloatBuffer                       // [N, V]
    let dAttention: FloatBuffer                    // [T, T]

    init(config: ModelConfig, rows N: Int, time T: Int) {
        let C = config.dModel, F = config.mlpHidden, V = config.vocabSize
        dres = FloatBuffer(count: N * C)
        dln = FloatBuffer(count: N * C)
        datty = FloatBuffer(count: N * C)
        dqkv = FloatBuffer(count: N * 3 * C)
        dfch = FloatBuffer(count: N * F)
        dfchGelu = FloatBuffer(count: N * F)
        dlogits = FloatBuffer(count: N * V)
        dAttention = FloatBuffer(count: T * T)
    }
}
