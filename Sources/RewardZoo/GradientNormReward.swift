import Foundation
import MiniLM

/// `vigor` (VIGOR, ZJUSCL/VIGOR `src/open_r1/intuitor_trainer.py`, `_compute_gradient_kl_reward`): reward a
/// completion by how small the gradient of its own teacher-forced mean-token NLL is.
///
/// - Formula: r_i = −‖g_i‖₂ · c(T_i), g_i = ∇θ_S mean_t(−log p(y_t)) on raw logits over the subset S
///   (`params`), c = 1 (`none`), √T (`sqrt`, default: the mean of T token gradients shrinks like 1/√T, so
///   without it long completions win) or T (`linear`). With `focal_lambda` λ > 0: r_i · (H̄_i)^λ, H̄_i the mean
///   token entropy (then it also needs `token_entropy`); r ≤ 0, so a low-entropy completion moves towards 0.
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
        RewardOption("focal_lambda", .double(0...10), default: .double(0),
                     help: "focal weighting r·(mean token entropy)^λ; 0 = off (VIGOR's optional value: 0.1)"),
    ]

    /// Penalty offset below the worst valid reward, and the fixed value when no completion is valid (VIGOR).
    public static let invalidOffset = 1e-3
    public static let allInvalidReward = -20.0

    public let lengthCorrection: String
    public let params: ParameterSubset
    public let focalLambda: Double

    public init(options: RewardOptions) throws {
        lengthCorrection = try options.string("length_correction")
        params = try options.subset("params")
        focalLambda = try options.double("focal_lambda")
    }

    public var needs: SignalNeeds {
        SignalNeeds(signals: focalLambda > 0 ? [.gradNorm, .tokenEntropies] : [.gradNorm], gradNormSubsets: [params])
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
        let entropies = focalLambda > 0 ? try group.tokenSignal(.tokenEntropies, for: Self.name) : nil
        let valid = (0..<group.count).map { !group.truncated[$0] && group.tokenCounts[$0] > 0 }
        var raw = [Double](repeating: 0, count: group.count)
        for i in 0..<group.count where valid[i] {
            var r = -norms[i] * correction(group.tokenCounts[i])
            if let entropies { r *= pow(SignalMeans.mean(entropies[i]), focalLambda) }
            raw[i] = r
        }
        let worst = (0..<group.count).filter { valid[$0] }.map { raw[$0] }.min()
        let penalty = worst.map { $0 - Self.invalidOffset } ?? Self.allInvalidReward
        return (0..<group.count).map { valid[$0] ? raw[$0] : penalty }
    }
}
