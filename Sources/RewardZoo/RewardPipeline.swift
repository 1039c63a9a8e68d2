/// A configured reward with its shaping: what the trainer holds. Checks what comes back from the reward, so a
/// bug surfaces as a typed error naming the reward and the completion, never as a NaN advantage.
public struct RewardPipeline: Sendable {
    public let spec: RewardSpec
    public let shaping: Shaping
    public let reward: any IntrinsicReward

    /// nil shaping → the reward's defaultShaping. `registry` is for tests of rewards not (yet) registered.
    public init(spec: RewardSpec, shaping: Shaping?, registry: [any IntrinsicReward.Type] = RewardRegistry.types) throws {
        let type = try RewardRegistry.type(named: spec.name, in: registry)
        self.spec = spec
        self.shaping = shaping ?? type.defaultShaping
        self.reward = try RewardRegistry.make(spec, in: registry)
    }

    public var needs: SignalNeeds { reward.needs }

    /// Raw and shaped scores of one group; throws `RewardZooError.nonFinite(reward, index, value)` on NaN/inf,
    /// `wrongScoreCount` when the reward returns the wrong number, `malformedGroup` for inconsistent input.
    public func score(_ group: CompletionGroup) throws -> (raw: [Double?], shaped: [Double?]) {
        try group.validate()
        let raw = try reward.score(group)
        guard raw.count == group.count else {
            throw RewardZooError.wrongScoreCount(reward: spec.name, expected: group.count, got: raw.count)
        }
        for (i, r) in raw.enumerated() {
            if let r, !r.isFinite { throw RewardZooError.nonFinite(reward: spec.name, index: i, value: r) }
        }
        return (raw, shaping.apply(raw))
    }
}
