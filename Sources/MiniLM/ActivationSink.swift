/// Where the row step (`GPT.step`) sends each stage's rows once they are final, beside the storage it computes
/// them in: the forward's counterpart of the backward's `GradientSink`. A teacher-forced forward computes in
/// the `Activations` themselves and needs nothing more (`DiscardingSink`); the sampler's decode step computes one
/// row per sequence in scratch that the next block reuses, and an `ActivationCapture.Sink` copies each row to its
/// sequence's position in the activations of the RL step's forward.
protocol ActivationSink {
    /// Rows 0..<n of every tensor of `stage` (`ActivationTensor.rows(of:)`; of block `layer`) are final in `storage`.
    func computed(_ stage: ActivationTensor.Stage, layer: Int, rows n: Int, storage: some RowStorage)

    /// The attention probabilities of row r for head h in block `layer`, over positions 0...t of the row's
    /// sequence (t + 1 values), where the attention kernel leaves them (it reuses the memory for the next row).
    func attention(layer: Int, row r: Int, head h: Int, _ probs: UnsafePointer<Float>)
}

/// The sink of a pass that computes in the activations it keeps: nothing to do.
struct DiscardingSink: ActivationSink {
    @inline(__always)
    func computed(_ stage: ActivationTensor.Stage, layer: Int, rows n: Int, storage: some RowStorage) {}
    @inline(__always)
    func attention(layer: Int, row r: Int, head h: Int, _ probs: UnsafePointer<Float>) {}
}
