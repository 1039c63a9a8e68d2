import Foundation

/// The activations of sampled sequences, written by the sampler while it decodes them, in the layout of a
/// teacher-forced forward over the same sequences (`GPT.forward` on a right-padded batch of `time` positions).
///
/// Sampling with the KV cache already computes every activation a backward pass reads: the prefill is a causal
/// forward over the prompts (copied in by `Target.copyPrefill`), and each decode step runs the same row step
/// (`GPT.step`) on the new token's row, whose `Sink` copies every finished row here. Keeping those rows makes the
/// RL step's teacher-forced forward unnecessary; the sampled sequences' log-probs, statistics, the
/// per-sample gradient norms and the update's backward then all read what the sampling computed. The values
/// are the forward's up to floating-point rounding (the decode step's products sum in another order), and the
/// log-probs the loss treats as "old" are those same values, so the first iteration's ratio is exactly 1.
///
/// Positions a sequence never reaches (right padding) are zeros, which carry no gradient; `finish()` writes
/// them, once the sampling is done and the longest sequence known. Which buffers are copied, moved and zeroed is
/// the `ActivationTensor` table's.
final class ActivationCapture: @unchecked Sendable {
    let config: ModelConfig
    /// Positions per sequence (the stride of every buffer): room for the longest possible sequence while
    /// sampling, then `compact(to:)` the longest actual one.
    private(set) var time: Int
    let batchSize: Int
    /// The runner's worker shards: their sequences and the activations the runner will use for them.
    let shards: [(range: Range<Int>, acts: Activations)]
    /// Sampler job → captured sequence (nil: not captured, e.g. a vote-only completion).
    let sequenceOfJob: [Int?]
    /// The runner's pass generation the capture belongs to.
    let generation: Int
    /// Per captured sequence, the positions the sampler ran through the model (set as each one finishes, by
    /// the sampler's workers: raw memory, as a Swift array's exclusivity check would trap on their parallel writes).
    private let reachedStorage: UnsafeMutablePointer<Int>
    var reached: [Int] { Array(UnsafeBufferPointer(start: reachedStorage, count: batchSize)) }
    private(set) var finished = false

    init(config: ModelConfig, time: Int, shards: [(range: Range<Int>, acts: Activations)], sequenceOfJob: [Int?],
         generation: Int) {
        self.config = config
        self.time = time
        self.shards = shards
        self.sequenceOfJob = sequenceOfJob
        self.generation = generation
        batchSize = shards.last?.range.upperBound ?? 0
        reachedStorage = .allocate(capacity: max(1, batchSize))
        reachedStorage.initialize(repeating: 0, count: max(1, batchSize))
    }

    deinit { reachedStorage.deallocate() }

    /// Records that job j's sequence reached `positions` positions. Jobs are disjoint, so the workers' writes are
    /// to different elements; the array is allocated once, up front.
    func record(job j: Int, positions: Int) {
        guard j < sequenceOfJob.count, let i = sequenceOfJob[j] else { return }
        reachedStorage[i] = positions
    }

    /// After sampling: compacts to the longest sequence (`compact(to:)`) and zeroes each sequence's padding.
    /// Returns the new time.
    @discardableResult
    func finish() -> Int {
        precondition(!finished, "a capture is finished once")
        finished = true
        let reached = self.reached
        compact(to: max(1, reached.max() ?? 1))
        for (range, acts) in shards {
            for i in range {
                Target(acts: acts, sequence: i - range.lowerBound, time: time, config: config).zeroPadding(from: reached[i])
            }
        }
        return time
    }

    /// Re-lays the captured sequences out with `newTime` ≤ `time` positions each (in place, front to back: every
    /// row moves to a lower address), so the passes over them do not run over positions no sequence reached.
    private func compact(to newTime: Int) {
        precondition(newTime >= 1 && newTime <= time)
        guard newTime < time else { return }
        let T = time, T2 = newTime, H = config.heads, floats = MemoryLayout<Float>.stride
        for (range, acts) in shards {
            let B = range.count
            for (tensor, layer) in ActivationTensor.instances(layers: config.layers) where tensor.isComputedByStep {
                let p = acts[tensor, layer]
                switch tensor.layout {
                case .rows:
                    // Sequence b's T2 rows, contiguous: from b·T rows to b·T2 rows.
                    let width = tensor.width(config, time: T)
                    for b in 1..<max(1, B) { memmove(p + b * T2 * width, p + b * T * width, T2 * width * floats) }
                case .attention:
                    // Row t of head h of sequence b, T2 of its T entries: from ((b·H + h)·T + t)·T to ((b·H + h)·T2 + t)·T2.
                    for bh in 0..<(B * H) {
                        for t in 0..<T2 where bh > 0 || t > 0 { memmove(p + (bh * T2 + t) * T2, p + (bh * T + t) * T, T2 * floats) }
                    }
                }
            }
        }
        time = T2
    }

    /// Where job `j` goes: the activations and the sequence within them.
    func target(job j: Int) -> Target? {
        guard j < sequenceOfJob.count, let i = sequenceOfJob[j],
              let shard = shards.first(where: { $0.range.contains(i) }) else { return nil }
        return Target(acts: shard.acts, sequence: i - shard.range.lowerBound, time: time, config: config)
    }

    /// One captured sequence: row pointers into its activations.
    struct Target {
        let acts: Activations
        let sequence: Int
        let time: Int
        let config: ModelConfig

        /// Row t of a [B·T, width] buffer.
        @inline(__always)
        func row(_ buffer: FloatBuffer, _ width: Int, _ t: Int) -> UnsafeMutablePointer<Float> {
            buffer.base + (sequence * time + t) * width
        }

        /// Row t of head h of a layer's [B, H, T, T] attention probabilities.
        @inline(__always)
        func probs(_ layer: Int, head h: Int, _ t: Int) -> UnsafeMutablePointer<Float> {
            acts[.probs, layer] + ((sequence * config.heads + h) * time + t) * time
        }

        /// Writes position t's attention probabilities of one head (t + 1 values) and zeroes the rest of the row.
        func storeProbs(_ layer: Int, head h: Int, _ t: Int, _ values: UnsafePointer<Float>) {
            let r = probs(layer, head: h, t)
            r.update(from: values, count: t + 1)
            if t + 1 < time { (r + t + 1).update(repeating: 0, count: time - t - 1) }
        }

        /// Every row-layout buffer the row step computes, with its row width, in the table's order
        /// (`ActivationTensor.instances`; the attention probabilities and the losses excluded): what a test
        /// compares with a teacher-forced forward.
        func buffers() -> [(FloatBuffer, Int)] {
            ActivationTensor.instances(layers: config.layers).compactMap { tensor, layer in
                tensor.layout == .rows && tensor.isComputedByStep ? (acts.buffer(tensor, layer), tensor.width(config, time: time)) : nil
            }
        }

        /// Copies positions 0 ..< n of sequence s of a prefill forward (`source`, `sourceTime` positions per
        /// sequence) into this sequence: every tensor the row step computes.
        func copyPrefill(from source: Activations, sequence s: Int, sourceTime Tp: Int, positions n: Int) {
            let src = ActivationCapture.Target(acts: source, sequence: s, time: Tp, config: config)
            for (tensor, layer) in ActivationTensor.instances(layers: config.layers) where tensor.isComputedByStep {
                switch tensor.layout {
                case .rows:
                    let width = tensor.width(config, time: time)
                    row(acts.buffer(tensor, layer), width, 0).update(from: src.row(source.buffer(tensor, layer), width, 0), count: n * width)
                case .attention:
                    for h in 0..<config.heads {
                        for t in 0..<n { storeProbs(layer, head: h, t, src.probs(layer, head: h, t)) }
                    }
                }
            }
        }

        /// Zeroes positions n ..< time (never reached by the sequence) of every tensor the row step computes.
        func zeroPadding(from n: Int) {
            guard n < time else { return }
            for (tensor, layer) in ActivationTensor.instances(layers: config.layers) where tensor.isComputedByStep {
                switch tensor.layout {
                case .rows:
                    let width = tensor.width(config, time: time)
                    row(acts.buffer(tensor, layer), width, n).update(repeating: 0, count: (time - n) * width)
                case .attention:
                    for h in 0..<config.heads { probs(layer, head: h, n).update(repeating: 0, count: (time - n) * time) }
                }
            }
        }
    }

    /// The decode step's sink: copies each finished row of the step's scratch (one row per active sequence) to
    /// its captured sequence's position, and each row's attention probabilities (`storeProbs`).
    ///
    /// The rows go out with non-temporal stores (`Vector.streamCopy`): the capture of an RL step is hundreds of
    /// MB, written once and read only by the passes after the sampling, so storing through the caches made every
    /// copied line be read from memory first and pushed the KV cache and weights out. The sampler's worker calls
    /// `Vector.storeFence` when its sequences are done, before the runner's threads read them.
    struct Sink: ActivationSink {
        let config: ModelConfig
        /// Per decode row: its captured sequence and the position the row is at, or nil (not captured).
        let rows: [(target: Target, position: Int)?]

        func computed(_ stage: ActivationTensor.Stage, layer: Int, rows n: Int, storage: some RowStorage) {
            for tensor in ActivationTensor.rows(of: stage) {
                let src = storage.rows(tensor, layer: layer), width = tensor.width(config, time: 1)
                for (r, row) in rows.prefix(n).enumerated() {
                    guard let row else { continue }
                    Vector.streamCopy(row.target.row(row.target.acts.buffer(tensor, layer), width, row.position), src + r * width, width)
                }
            }
        }

        func attention(layer: Int, row r: Int, head h: Int, _ probs: UnsafePointer<Float>) {
            guard r < rows.count, let row = rows[r] else { return }
            row.target.storeProbs(layer, head: h, row.position, probs)
        }
    }
}
