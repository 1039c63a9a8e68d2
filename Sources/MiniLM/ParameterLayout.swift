/// Offsets of every named tensor in the flat parameter buffer. Gradients, AdamW moments and checkpoints use the
/// same layout. Order: `wte`, `wpe`, blocks 0..<L (each contiguous), `ln_f`, `lm_head`, so "the last K blocks and
/// everything above them" is a contiguous suffix. Linear weights are `[out, in]` (PyTorch `nn.Linear`).
public struct ParameterLayout: Sendable {
    public struct Entry: Sendable, Equatable {
        /// nanoGPT tensor name, e.g. `transformer.h.0.attn.c_attn.weight`.
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
        public var range: Range<Int> { offset..<(offset + count) }
        /// nanoGPT's AdamW decays every tensor with 2+ dimensions (matmul weights, embeddings), never biases or LayerNorm.
        public var decays: Bool { shape.count >= 2 }
    }

    /// Offsets of one transformer block's tensors.
    public struct Block: Sendable {
        public let ln1Weight, ln1Bias: Int
        public let qkvWeight, qkvBias: Int
        public let attnProjWeight, attnProjBias: Int
        public let ln2Weight, ln2Bias: Int
        public let fcWeight, fcBias: Int
        public let fcProjWeight, fcProjBias: Int
        /// The block's range in the flat buffer.
        public let range: Range<Int>
    }

    public let config: ModelConfig
    public let entries: [Entry]
    public let count: Int
    public let wte: Int, wpe: Int
    public let blocks: [Block]
    public let lnfWeight: Int, lnfBias: Int
    public let lmHead: Int

    public init(config: ModelConfig) {
        self.config = config
        let V = config.vocabSize, C = config.dModel, F = config.mlpHidden, Tmax = config.contextLength
        var entries: [Entry] = []
        var offset = 0
        @discardableResult
        func add(_ name: String, _ shape: [Int]) -> Int {
            let e = Entry(name: name, shape: shape, offset: offset)
            entries.append(e)
            offset += e.count
            return e.offset
        }
        wte = add("transformer.wte.weight", [V, C])
        wpe = add("transformer.wpe.weight", [Tmax, C])
        var blocks: [Block] = []
        for l in 0..<config.layers {
            let p = "transformer.h.\(l)."
            let start = offset
            let ln1w = add(p + "ln_1.weight", [C]), ln1b = add(p + "ln_1.bias", [C])
            let qkvw = add(p + "attn.c_attn.weight", [3 * C, C]), qkvb = add(p + "attn.c_attn.bias", [3 * C])
            let apw = add(p + "attn.c_proj.weight", [C, C]), apb = add(p + "attn.c_proj.bias", [C])
            let ln2w = add(p + "ln_2.weight", [C]), ln2b = add(p + "ln_2.bias", [C])
            let fcw = add(p + "mlp.c_fc.weight", [F, C]), fcb = add(p + "mlp.c_fc.bias", [F])
            let fpw = add(p + "mlp.c_proj.weight", [C, F]), fpb = add(p + "mlp.c_proj.bias", [C])
            blocks.append(Block(ln1Weight: ln1w, ln1Bias: ln1b, qkvWeight: qkvw, qkvBias: qkvb,
                                attnProjWeight: apw, attnProjBias: apb, ln2Weight: ln2w, ln2Bias: ln2b,
                                fcWeight: fcw, fcBias: fcb, fcProjWeight: fpw, fcProjBias: fpb,
                                range: start..<offset))
        }
        self.blocks = blocks
        lnfWeight = add("transformer.ln_f.weight", [C])
        lnfBias = add("transformer.ln_f.bias", [C])
        lmHead = add("lm_head.weight", [V, C])
        self.entries = entries
        self.count = offset
    }

    public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// The contiguous range of the flat buffer a subset covers.
    public func range(of subset: ParameterSubset) -> Range<Int> {
        switch subset {
        case .all: return 0..<count
        case .lmHead: return lmHead..<count
        case let .lastBlocks(k):
            let k = min(max(k, 0), config.layers)
            return (k == 0 ? lnfWeight : blocks[config.layers - k].range.lowerBound)..<count
        }
    }
}

/// Which parameters a per-sample gradient norm (or a trainable set) covers.
public enum ParameterSubset: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Every parameter.
    case all
    /// The LM head weight only (`lm_head.weight`).
    case lmHead
    /// The last K transformer blocks and everything above them (`ln_f`, `lm_head`); K = 0 is `ln_f` + `lm_head`.
    case lastBlocks(Int)

    /// Parses `all`, `lm_head` or `last:K`.
    public init(parsing s: String) throws {
        switch s {
        case "all": self = .all
        case "lm_head": self = .lmHead
        default:
            if s.hasPrefix("last:"), let k = Int(s.dropFirst(5)), k >= 0 { self = .lastBlocks(k) }
            else { throw MiniLMError.unknownParameterSubset(s) }
        }
    }

    public var description: String {
        switch self {
        case .all: return "all"
        case .lmHead: return "lm_head"
        case let .lastBlocks(k): return "last:\(k)"
        }
    }
}
