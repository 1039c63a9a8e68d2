// What the sampler's decode step runs the row step (`GPT.step`) with: one row per active sequence, each at its
// own position; the linear layers packed for few rows (`PackedModel`); attention of each row against its
// sequence's KV cache (`DecodeAttention.attendOne`); and the rows computed in `DecodeRows`, scratch that every
// block reuses.

/// Keys and values of a group of S sequences, per layer, sequence and head: `[L][S][H][Tpad][hs]`, so each head's
/// keys and values are one contiguous stream. Tpad (`rowsPerHead`) is the context rounded up to whole blocks of 8
/// keys, so the score kernel may read a few rows past the last cached one without leaving the buffer.
struct KVCache {
    let keys: UnsafeMutablePointer<Float>, values: UnsafeMutablePointer<Float>
    let sequences: Int, rowsPerHead: Int
    let channels: Int, heads: Int

    /// Floats per buffer: L·S·Tpad·C.
    static func count(_ c: ModelConfig, sequences S: Int, rowsPerHead Tpad: Int) -> Int { c.layers * S * Tpad * c.dModel }

    /// Rows per head for a context of `context` positions: rounded up to a multiple of 8.
    static func rowsPerHead(context: Int) -> Int { (context + 7) / 8 * 8 }

    func keys(_ l: Int, _ s: Int) -> UnsafeMutablePointer<Float> { keys + (l * sequences + s) * rowsPerHead * channels }
    func values(_ l: Int, _ s: Int) -> UnsafeMutablePointer<Float> { values + (l * sequences + s) * rowsPerHead * channels }

    /// Caches the key and value at position t of sequence s in layer l from a qkv row (q | k | v), head by head.
    func store(layer l: Int, sequence s: Int, position t: Int, qkv row: UnsafePointer<Float>) {
        let C = channels, hs = C / heads, k = keys(l, s), v = values(l, s)
        for h in 0..<heads {
            (k + (h * rowsPerHead + t) * hs).update(from: row + C + h * hs, count: hs)
            (v + (h * rowsPerHead + t) * hs).update(from: row + 2 * C + h * hs, count: hs)
        }
    }
}

/// The decode step's rows: every tensor of the `ActivationTensor` table for S sequences of one position, shared
/// by every block (a sink copies a block's rows out before the next block overwrites them). The row step writes
/// all but `probs` (the attention kernel keeps one row's scores apart) and `losses`, whose few floats stay unused.
final class DecodeRows: RowStorage {
    private let buffers: [FloatBuffer]

    init(config: ModelConfig, sequences S: Int) {
        buffers = ActivationTensor.allCases.map { FloatBuffer(count: S * $0.width(config, time: 1)) }
    }

    @inline(__always)
    func rows(_ tensor: ActivationTensor, layer: Int) -> UnsafeMutablePointer<Float> { buffers[tensor.rawValue].base }
}

/// The decode step's kernels: row r is sequence `sequences[r]` of the group, at position `positions[r]`.
struct DecodeKernels: RowKernels {
    let packed: PackedModel
    let cache: KVCache
    let sequences: [Int], positions: [Int]
    /// H·Tpad floats: one row's attention scores, then probabilities, per head.
    let scores: UnsafeMutablePointer<Float>

    @inline(__always)
    func position(ofRow r: Int) -> Int { positions[r] }

    func linear(_ layer: LinearLayer, out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows n: Int, accumulate: Bool) {
        let weights: PackedLinear
        switch layer {
        case .qkv(let l): weights = packed.blocks[l].qkv
        case .attnProj(let l): weights = packed.blocks[l].attnProj
        case .fc(let l): weights = packed.blocks[l].fc
        case .fcProj(let l): weights = packed.blocks[l].fcProj
        case .lmHead: weights = packed.lmHead
        }
        weights.forward(out: out, inp: inp, rows: n, accumulate: accumulate)
    }

    /// Caches each row's key and value at its position, then attends it over its sequence's positions 0...t.
    func attention(block l: Int, out: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>, rows n: Int, sink: some ActivationSink) {
        let C = cache.channels, H = cache.heads, Tpad = cache.rowsPerHead
        for r in 0..<n {
            let s = sequences[r], t = positions[r], row = qkv + r * 3 * C
            cache.store(layer: l, sequence: s, position: t, qkv: row)
            DecodeAttention.attendOne(q: row, keys: cache.keys(l, s), values: cache.values(l, s), rowsPerHead: Tpad, count: t + 1,
                                      out: out + r * C, scores: scores, headSize: C / H, heads: H,
                                      nextKeys: r + 1 < n ? UnsafePointer(cache.keys(l, sequences[r + 1])) : nil)
            for h in 0..<H { sink.attention(layer: l, row: r, head: h, scores + h * Tpad) }
        }
    }
}
