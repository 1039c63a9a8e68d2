/// The activations of a forward pass, one case per tensor with its width per row: the one table of the
/// activation layout (llm.c's `ActivationTensors` and its size table, karpathy/llm.c train_gpt2.c). The allocation
/// of `Activations` and its per-sequence views, the sampler's decode rows, and the capture's copies, compaction
/// and zero padding all iterate over it; the equations that fill it are `GPT.step` (RowStep.swift). An
/// architecture change edits those two places.
///
/// Every tensor is a row-major [B·T, width] buffer, one row per position, sequences one after another, except
/// `probs` (`layout == .attention`): per sequence [H, T, T], head h's row t holding the attention of position t
/// over positions 0...t and zeros after. A block's tensors exist once per layer (`stage == .block`).
enum ActivationTensor: Int, CaseIterable, Sendable {
    /// wte[token] + wpe[position]: the residual stream entering block 0. Width C.
    case encoded
    /// ln_1(x) of a block's input x, and its row mean and 1/σ. Widths C, 1, 1.
    case ln1, ln1Mean, ln1Rstd
    /// ln_1(x)·Wᵀ + b of the fused attention projection: q | k | v. Width 3C.
    case qkv
    /// The heads' attention outputs, concatenated, before c_proj. Width C.
    case atty
    /// The attention probabilities (layout `.attention`). Width H·T.
    case probs
    /// x + attn(ln_1(x)): the residual after attention. Width C.
    case res2
    /// ln_2 of the residual, its mean and 1/σ. Widths C, 1, 1.
    case ln2, ln2Mean, ln2Rstd
    /// The MLP's hidden layer before and after GELU. Width F each.
    case fch, fchGelu
    /// res2 + mlp(ln_2(res2)): the block's output. Width C.
    case res3
    /// ln_f of the last block's output, its mean and 1/σ. Widths C, 1, 1.
    case lnf, lnfMean, lnfRstd
    /// The LM head's output. Width V.
    case logits
    /// w · NLL of each position (`CrossEntropy`). Width 1.
    case losses

    /// Which part of the model computes the tensor: the row step's stages (`GPT.step` hands each finished
    /// stage to its `ActivationSink`), or the loss, which the step does not compute (it needs targets) and a
    /// capture therefore does not keep (`GPTRunner.pass(from:)` computes it from the captured logits).
    enum Stage: Sendable { case embedding, block, head, loss }

    /// How a sequence's rows are laid out (see the type's comment).
    enum Layout: Sendable { case rows, attention }

    var stage: Stage {
        switch self {
        case .encoded: .embedding
        case .ln1, .ln1Mean, .ln1Rstd, .qkv, .atty, .probs, .res2, .ln2, .ln2Mean, .ln2Rstd, .fch, .fchGelu, .res3: .block
        case .lnf, .lnfMean, .lnfRstd, .logits: .head
        case .losses: .loss
        }
    }

    var layout: Layout { self == .probs ? .attention : .rows }

    /// Floats per position in a pass over sequences of T positions (only `probs` depends on T).
    func width(_ c: ModelConfig, time T: Int) -> Int {
        switch self {
        case .encoded, .ln1, .atty, .res2, .ln2, .res3, .lnf: c.dModel
        case .ln1Mean, .ln1Rstd, .ln2Mean, .ln2Rstd, .lnfMean, .lnfRstd, .losses: 1
        case .qkv: 3 * c.dModel
        case .fch, .fchGelu: c.mlpHidden
        case .logits: c.vocabSize
        case .probs: c.heads * T
        }
    }

    /// Instances of the tensor in a model of L layers: one per block, or one.
    func copies(layers L: Int) -> Int { stage == .block ? L : 1 }

    /// Every instance (tensor, layer) in the order of the forward pass: the embedding, block 0's tensors, …,
    /// block L−1's, the head's, the loss. Allocation follows this order.
    static func instances(layers L: Int) -> [(tensor: ActivationTensor, layer: Int)] {
        let single = { (stage: Stage) in allCases.filter { $0.stage == stage }.map { (tensor: $0, layer: 0) } }
        let blocks = (0..<L).flatMap { l in allCases.filter { $0.stage == .block }.map { (tensor: $0, layer: l) } }
        return single(.embedding) + blocks + single(.head) + single(.loss)
    }

    /// The tensors of a stage that the row step writes row by row (and a capture copies row by row): the stage's
    /// tensors of layout `.rows`. The attention probabilities go through `ActivationSink.attention` instead.
    static func rows(of stage: Stage) -> [ActivationTensor] {
        switch stage {
        case .embedding: embeddingRows
        case .block: blockRows
        case .head: headRows
        case .loss: []
        }
    }
    private static let embeddingRows = allCases.filter { $0.stage == .embedding && $0.layout == .rows }
    private static let blockRows = allCases.filter { $0.stage == .block && $0.layout == .rows }
    private static let headRows = allCases.filter { $0.stage == .head && $0.layout == .rows }

    /// Whether the row step computes the tensor (and so a capture keeps it): every stage but the loss.
    var isComputedByStep: Bool { stage != .loss }
}
