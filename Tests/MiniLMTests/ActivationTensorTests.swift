import Testing
@testable import MiniLM

/// The table of activation tensors (`ActivationTensor`) is the one description of the activation layout: the
/// buffers of `Activations`, their per-sequence views and the rows the row step writes all follow it.
@Suite struct ActivationTensorTests {
    /// Each tensor appears once per layer (block tensors) or once, in the forward pass's order.
    @Test func instancesCoverTheTableInForwardOrder() {
        let L = 3
        let instances = ActivationTensor.instances(layers: L)
        let blockCount = ActivationTensor.allCases.filter { $0.stage == .block }.count
        #expect(instances.count == ActivationTensor.allCases.count + (L - 1) * blockCount)
        for t in ActivationTensor.allCases {
            #expect(instances.filter { $0.tensor == t }.map(\.layer) == Array(0..<t.copies(layers: L)), "\(t)")
        }
        #expect(instances.first?.tensor == .encoded && instances.last?.tensor == .losses)
        // Layers in order: block l's tensors all come before block l + 1's.
        let layers = instances.filter { $0.tensor.stage == .block }.map(\.layer)
        #expect(layers == layers.sorted())
        // The row step writes row by row every tensor but the attention probabilities and the loss.
        let rowWise = Set([ActivationTensor.Stage.embedding, .block, .head].flatMap { ActivationTensor.rows(of: $0) })
        #expect(rowWise == Set(ActivationTensor.allCases).subtracting([.probs, .losses]))
        #expect(ActivationTensor.rows(of: .loss).isEmpty)
    }

    /// Every buffer holds B·T rows of its tensor's width; sequence b's view of it starts at row b·T and holds T rows.
    @Test func buffersAndSequenceViewsFollowTheWidths() throws {
        let config = try tinyModel().config
        let B = 3, T = 5
        let acts = Activations(config: config, batch: B, time: T)
        let gradients = Activations(config: config, batch: 1, time: T)
        for b in 0..<B {
            let view = acts.sequence(b, time: T, gradients: gradients)
            for (t, l) in ActivationTensor.instances(layers: config.layers) {
                let width = t.width(config, time: T)
                #expect(acts.buffer(t, l).count == B * T * width, "\(t) of layer \(l)")
                #expect(view.buffer(t, l).count == T * width)
                #expect(view[t, l] == acts[t, l] + b * T * width, "\(t) of layer \(l), sequence \(b)")
            }
        }
        #expect(ActivationTensor.probs.width(config, time: T) == config.heads * T)
    }
}
