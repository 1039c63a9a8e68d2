import Foundation
import MiniLM

/// `vigor` (VIGOR, ZJUSCL/VIGOR `src/open_r1/intuitor_trainer.py`, `_compute_gradient_kl_reward`): reward a
/// completion by how small the gradient of its own teacher-forced mean-token NLL is.
///
/// - Formula: r_i = −‖g_i‖₂ · c(T_i), g_i = ∇θ_S mean_t(−log p(y_t)) on raw logits over the subset S
///   (`params`), c = 1 (`none`), √T (`sqrt`, default: the mean of T token gradients shrinks like 1/√T, so
///   without it long completions win) or T (`linear`).
/// - Focal weighting, as VIGOR's trainer has it (`kl_entropy_weighting_enabled`, `kl_entropy_focal_lambda`,
///   `kl_entropy_focal_metric`, `kl_entropy_low_entropy_target`, `kl_entropy_pnorm_target`): with
///   `focal_lambda` λ ≠ 0, r_i · w_i^λ with
///   - `focal_metric: entropy` (default): w_i = max(H̄_i + 10⁻⁶, 10⁻⁶), H̄_i the mean token entropy; with
///     `focal_target` t > 0 only completions with w_i < t are weighted (w_i = 1 for the others);
///   - `focal_metric: p_norm`: w_i = max(1 − p̄_i, 10⁻⁶) for completions with p̄_i > t, else 1; p̄_i is the mean
///     token probability (the arithmetic mean of exp(log p_t), our log-probabilities at the sampling
///     temperature; VIGOR's at its logits' scale, equal at τ = 1). VIGOR's configs leave this target unset, which
///     turns the weighting off; here the default t = 0 weights every completion, and VIGOR's help text suggests 0.9.
///   r ≤ 0, so λ > 0 (VIGOR's script: 0.1) moves a low-entropy (or high-probability) completion towards 0, a
///   reward for confidence; λ < 0 (VIGOR's config default −0.5) pushes it away, a penalty on over-confidence.
/// - Invalid completions (truncated, or 0 tokens): (worst valid raw reward in the **group**) − 1e-3; −20 when no
///   completion of the group is valid. Their norms and entropies are never read (the trainer may leave them
///   NaN). VIGOR takes the *batch* minimum (docs/REFERENCE.md); we use the group because a reward sees one group. Under rank
///   shaping (VIGOR's default) both give identical ranks: invalid completions sit below every valid one either
///   way, and among themselves they tie and rank by index. Under zscore/raw the two differ.
/// - Sign and range: higher is better; raw ≤ 0 (−20 floor only for all-invalid groups); default shaping rank.
/// - Ties: none of its own; rank shaping breaks ties by index.
public struct GradientNormReward: IntrinsicReward {
    public static let name = "vigor"
    public static let summary = "VIGOR: −‖∇ mean-token NLL‖·√T (smaller own gradient = more confident); truncated/empty ranked last"
    public static let usesGold = false
    public static let defaultShaping = Shaping.rank
    public static let permutationEquivariant = true
    public static let options: [RewardOption] = [
        RewardOption("length_correction", .choice(["none", "sqrt", "linear"]), default: .string("sqrt"),
                     help: "multiply the norm by 1, √T or T (T = completion tokens incl. EOS)"),
        RewardOption("params", .subset, default: .string("all"),
                     help: "parameters whose gradient norm is taken: all, lm_head or last:K blocks"),
        RewardOption("focal_lambda", .double(-10...10), default: .double(0),
                     help: "focal weighting r·w^λ (w: focal_metric); 0 = off; VIGOR's script 0.1, its config default −0.5 (< 0 penalises over-confidence)"),
        RewardOption("focal_metric", .choice(["entropy", "p_norm"]), default: .string("entropy"),
                     help: "w of the focal weighting: mean token entropy, or 1 − mean token probability (p_norm)",
                     recordedAtDefault: false),
        RewardOption("focal_target", .double(0...1000), default: .double(0),
                     help: "weight only completions with entropy below it (entropy) or p_norm above it (p_norm); 0 = all",
                     recordedAtDefault: false),
    ]

    /// Penalty offset below the worst valid reward, and the fixed value when no completion is valid (VIGOR).
    public static let invalidOffset = 1e-3
    public static let allInvalidReward = -20.0

    public let lengthCorrection: String
    public let params: ParameterSubset
    public let focalLambda: Double
    public let focalMetric: String
    public let focalTarget: Double

    /// Floor of a focal base (VIGOR's `entropy_eps`), so a zero-entropy completion under λ < 0 stays finite.
    public static let focalEpsilon = 1e-6

    public init(options: RewardOptions) throws {
        lengthCorrection = try options.string("length_correction")
        params = try options.subset("params")
        focalLambda = try options.double("focal_lambda")
        focalMetric = try options.string("focal_metric")
        focalTarget = try options.double("focal_target")
    }

    /// The token signal the focal weighting reads, when it is on.
    private var focalSignal: Signal? {
        guard focalLambda != 0 else { return nil }
        return focalMetric == "p_norm" ? .tokenLogProbs : .tokenEntropies
    }

    public var needs: SignalNeeds {
        SignalNeeds(signals: Set([.gradNorm] + (focalSignal.map { [$0] } ?? [])), gradNormSubsets: [params])
    }

    /// The focal base w of one completion from its per-token values of `focalSignal` (see the type's comment).
    func focalBase(_ tokens: [Double]) -> Double {
        let eps = Self.focalEpsilon
        if focalMetric == "p_norm" {
            let p = tokens.isEmpty ? 0 : tokens.reduce(0) { $0 + exp($1) } / Double(tokens.count)
            return p > focalTarget ? max(1 - p, eps) : 1
        }
        let w = max(SignalMeans.mean(tokens) + eps, eps)
        return focalTarget > 0 && w >= focalTarget ? 1 : w
    }

    /// The length factor c(T).
    public func correction(_ tokens: Int) -> Double {
        switch lengthCorrection {
        case "none": return 1
        case "linear": return Double(tokens)
        default: return Double(tokens).squareRoot()
        }
    }

    public func score(_ group: CompletionGroup) throws -> [Double?] {
        try group.validate()  // it indexes truncated[i]: refuse a malformed group rather than trap
        let norms = try group.gradNorms(params, for: Self.name)
        let focal = try focalSignal.map { try group.tokenSignal($0, for: Self.name) }
        let valid = (0..<group.count).map { !group.truncated[$0] && group.tokenCounts[$0] > 0 }
        var raw = [Double](repeating: 0, count: group.count)
        for i in 0..<group.count where valid[i] {
            var r = -norms[i] * correction(group.tokenCounts[i])
            if let focal { r *= pow(focalBase(focal[i]), focalLambda) }
            raw[i] = r
        }
        let worst = (0..<group.count).filter { valid[$0] }.map { raw[$0] }.min()
        let penalty = worst.map { $0 - Self.invalidOffset } ?? Self.allInvalidReward
        return (0..<group.count).map { valid[$0] ? raw[$0] : penalty }
    }
}
