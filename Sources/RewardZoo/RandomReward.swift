import Seeded

/// `random` (Spurious Rewards, ruixin31/Spurious_Rewards): r_i ~ Bernoulli(p) i.i.d., the control every study
/// runs (spurious rewards gained on Qwen2.5-Math through GRPO's clipping bias).
///
/// - Draw: u_i = SplitMix64(seed: mix(mix(group.seed ^ mix(option seed)) &+ i)).uniform(); r_i = 1 if u_i < p
///   else 0. Deterministic given (group seed, option seed, completion index), independent of batching and of the
///   other completions; not permutation-equivariant (it draws by index).
/// - Sign and range: {0, 1}; default shaping raw. Ties: n/a.
public struct RandomReward: IntrinsicReward {
    public static let name = "random"
    public static let summary = "Spurious-rewards control: Bernoulli(p) per completion, seeded from the group seed"
    public static let usesGold = false
    public static let defaultShaping = Shaping.raw
    public static let permutationEquivariant = false
    public static let options: [RewardOption] = [
        RewardOption("p", .double(0...1), default: .double(0.5), help: "probability of reward 1"),
        RewardOption("seed", .int(0...Int.max), default: .int(0), help: "mixed with the group seed (vary to redraw)"),
    ]

    public let p: Double
    public let seed: UInt64

    public init(options: RewardOptions) throws {
        p = try options.double("p")
        seed = UInt64(max(try options.int("seed"), 0))
    }

    public var needs: SignalNeeds { .none }

    public func score(_ group: CompletionGroup) throws -> [Double?] {
        let base = StableHash.mix(group.seed ^ StableHash.mix(seed ^ 0x5241_4E44_4F4D))  // "RANDOM": a stream apart
        return (0..<group.count).map { i in
            var rng = SplitMix64(seed: StableHash.mix(base &+ UInt64(i)))
            return rng.uniform() < p ? 1 : 0
        }
    }
}
