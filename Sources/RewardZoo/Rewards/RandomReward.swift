import Seeded

/// `random` (ruixin31/Spurious_Rewards): r_i ~ Bernoulli(p), i.i.d. per completion, drawn from SplitMix64 seeded by
/// the group's seed, the option `seed` and the completion index, so it is deterministic and independent of batching.
/// The control for what GRPO's clipping alone does. Range {0, 1}; raw shaping.
public struct RandomReward: IntrinsicReward {
    public static let name = "random"
    public static let summary = "Control: Bernoulli(p) per completion, seeded (spurious rewards)"
    public static let defaultShaping = Shaping.raw
    public static let permutationEquivariant = false
    public static let options = [
        RewardOption("p", .double(0...1), default: .double(0.5), help: "probability of reward 1"),
        RewardOption("seed", .int(0...Int(Int32.max)), default: .int(0), help: "mixed into each group's seed"),
    ]
    let p: Double
    let seed: UInt64
    public init(options: RewardOptions) throws {
        p = options.double("p")
        seed = UInt64(options.int("seed"))
    }
    public var needs: SignalNeeds { .none }
    public func score(_ group: CompletionGroup) throws -> [Double?] {
        (0..<group.count).map { i in
            var rng = SplitMix64(seed: StableHash.mix(group.seed ^ StableHash.mix(seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(i + 1))))
            return rng.uniform() < p ? 1 : 0
        }
    }
}
