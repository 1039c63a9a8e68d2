/// Within-group shaping of raw scores, before the advantage (REFERENCE.md). Computed over the non-nil scores of
/// one group; nil (abstention) stays nil.
public enum Shaping: String, CaseIterable, Codable, Sendable {
    /// VIGOR: the stable ascending rank mapped to [−1, 1], r̃ = 2·rank/(n−1) − 1 with rank 0 for the smallest;
    /// tied scores are ranked in sampling order (a stable sort), so they get distinct values. n = 1 gives 0.
    case rank
    /// (r − mean) / (std + ε), std unbiased (Bessel), ε = `Advantages.epsilon`; n = 1 or all equal gives 0.
    case zscore
    /// 2·(r − min)/(max − min) − 1, to [−1, 1]; all equal gives 0.
    case minmax
    /// The raw scores.
    case raw

    public func apply(_ scores: [Double?]) -> [Double?] {
        let present = scores.indices.filter { scores[$0] != nil }
        let values = present.map { scores[$0] ?? 0 }
        let n = values.count
        var out = [Double?](repeating: nil, count: scores.count)
        guard n > 0 else { return out }
        switch self {
        case .raw:
            return scores
        case .rank:
            // Stable ascending order: by value, ties by position.
            let order = values.indices.sorted { values[$0] != values[$1] ? values[$0] < values[$1] : $0 < $1 }
            for (rank, k) in order.enumerated() { out[present[k]] = n == 1 ? 0 : 2 * Double(rank) / Double(n - 1) - 1 }
        case .zscore:
            let mean = values.reduce(0, +) / Double(n)
            let sd = n > 1 ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot() : 0
            for (k, i) in present.enumerated() { out[i] = sd == 0 ? 0 : (values[k] - mean) / (sd + Advantages.epsilon) }
        case .minmax:
            let lo = values.min() ?? 0, hi = values.max() ?? 0
            for (k, i) in present.enumerated() { out[i] = hi > lo ? 2 * (values[k] - lo) / (hi - lo) - 1 : 0 }
        }
        return out
    }
}

/// How advantages are scaled after centring within the group (TRL `scale_rewards`).
public enum AdvantageScaling: String, CaseIterable, Codable, Sendable {
    /// ÷ (group std + ε): GRPO.
    case group
    /// ÷ (std of all the batch's shaped rewards + ε).
    case batch
    /// Centring only (Dr. GRPO).
    case none
}

/// GRPO advantages from shaped group scores: the one place the convention is pinned (TRL and verl differ).
public enum Advantages {
    /// TRL's ε (verl uses 1e-6).
    public static let epsilon = 1e-4

    /// A_i = (r_i − mean_g) / (s + ε) with s the unbiased (Bessel) std of the group (`group`), of every non-nil
    /// score of the batch (`batch`), or no division (`none`). nil → 0, left out of the means and stds. A singleton
    /// group has std 0 here (not NaN), so it gets advantage 0, as does a group of equal scores.
    public static func compute(_ groups: [[Double?]], scaling: AdvantageScaling, epsilon: Double = epsilon) -> [[Double]] {
        func std(_ xs: [Double]) -> Double {
            guard xs.count > 1 else { return 0 }
            let m = xs.reduce(0, +) / Double(xs.count)
            return (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)).squareRoot()
        }
        let batchStd = std(groups.flatMap { $0.compactMap { $0 } })
        return groups.map { g in
            let values = g.compactMap { $0 }
            guard !values.isEmpty else { return g.map { _ in 0 } }
            let mean = values.reduce(0, +) / Double(values.count)
            let groupStd = std(values)
            return g.map { r in
                guard let r else { return 0 }
                let centred = r - mean
                // Exactly 0 where the group carries no preference (also keeps ε from inflating rounding noise).
                if values.count == 1 || groupStd == 0 { return 0 }
                switch scaling {
                case .group: return centred / (groupStd + epsilon)
                case .batch: return centred / (batchStd + epsilon)
                case .none: return centred
                }
            }
        }
    }
}

/// A configured reward with its shaping: what the trainer holds.
public struct RewardPipeline: Sendable {
    public let spec: RewardSpec
    public let shaping: Shaping
    let reward: any IntrinsicReward

    /// nil shaping: the reward's default.
    public init(spec: RewardSpec, shaping: Shaping?) throws {
        self.spec = spec
        reward = try RewardRegistry.make(spec)
        let type = try RewardRegistry.type(named: spec.name)
        self.shaping = shaping ?? type.defaultShaping
    }

    public var needs: SignalNeeds { reward.needs }

    /// Raw and shaped scores of one group. Throws `RewardZooError.nonFinite` on NaN or ±inf, and whatever the
    /// reward throws.
    public func score(_ group: CompletionGroup) throws -> (raw: [Double?], shaped: [Double?]) {
        let raw = try reward.score(group)
        guard raw.count == group.count else {
            throw RewardZooError.malformedSpec("the reward '\(spec.name)' returned \(raw.count) scores for \(group.count) completions")
        }
        for (i, r) in raw.enumerated() { if let r, !r.isFinite { throw RewardZooError.nonFinite(reward: spec.name, index: i, value: r) } }
        return (raw, shaping.apply(raw))
    }
}
