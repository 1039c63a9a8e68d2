import Foundation

/// The registry: an explicit list of reward types. Adding a reward = one line in `builtIn`.
public enum RewardRegistry {
    /// The rewards that ship, in the order `ablate rewards` lists them.
    public static let builtIn: [any IntrinsicReward.Type] = [
        GradientNormReward.self,
        SelfCertaintyReward.self,
        NegativeEntropyReward.self,
        TrajectoryLogProbReward.self,
        MajorityVoteReward.self,
        SemanticClusterReward.self,
        RandomReward.self,
        GoldReward.self,
        WeightedReward.self,
    ]

    /// Every reward: the built-in ones, then those registered at run time (`register`).
    public static var types: [any IntrinsicReward.Type] { builtIn + registered.withLock { $0 } }

    /// Adds a reward that does not ship, e.g. the tests' `FaultReward` (the `ablate` command registers it when
    /// the environment sets `REWARDZOO_TEST_REWARDS=1`, for tests that run it as a subprocess). Registering a
    /// name twice is a no-op; a built-in name cannot be replaced.
    public static func register(_ type: any IntrinsicReward.Type) {
        registered.withLock { list in
            guard !builtIn.contains(where: { $0.name == type.name }), !list.contains(where: { $0.name == type.name }) else { return }
            list.append(type)
        }
    }

    private static let registered = Locked<[any IntrinsicReward.Type]>([])

    /// The permanent ids, in registry order.
    public static var names: [String] { types.map { $0.name } }

    /// The type registered under `name`, or an error listing the valid names.
    public static func type(named name: String, in registry: [any IntrinsicReward.Type] = types) throws -> any IntrinsicReward.Type {
        guard let t = registry.first(where: { $0.name == name }) else {
            throw RewardZooError.unknownReward(name: name, valid: registry.map { $0.name })
        }
        return t
    }

    /// A resolved spec from the CLI form: `--reward NAME --reward-opt key=value ...`.
    public static func spec(name: String, options: [String: String],
                            in registry: [any IntrinsicReward.Type] = types) throws -> RewardSpec {
        let type = try type(named: name, in: registry)
        let valid = type.options.map(\.name)
        var given: [String: RewardOptionValue] = [:]
        for key in options.keys.sorted() {
            guard let option = type.options.first(where: { $0.name == key }) else {
                throw RewardZooError.unknownOption(reward: name, option: key, valid: valid)
            }
            given[key] = try option.parse(options[key] ?? "", reward: name)
        }
        return try RewardSpec(name: name, options: given, registry: registry)
    }

    /// The same from `key=value` strings as the CLI receives them (`--reward-opt k=v` repeated); a string
    /// without `=` or a key given twice is an error naming it.
    public static func spec(name: String, assignments: [String],
                            in registry: [any IntrinsicReward.Type] = types) throws -> RewardSpec {
        var options: [String: String] = [:]
        for a in assignments {
            let pair = a.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard pair.count == 2, !pair[0].isEmpty else {
                throw RewardZooError.malformedSpec("expected a reward option as key=value, got '\(a)'")
            }
            guard options[pair[0]] == nil else {
                throw RewardZooError.malformedSpec("reward option '\(pair[0])' given twice")
            }
            options[pair[0]] = pair[1]
        }
        return try spec(name: name, options: options, in: registry)
    }

    /// Builds the reward a spec describes.
    public static func make(_ spec: RewardSpec, in registry: [any IntrinsicReward.Type] = types) throws -> any IntrinsicReward {
        let type = try type(named: spec.name, in: registry)
        return try type.init(options: RewardOptions(reward: spec.name, options: type.options, given: spec.options))
    }
}

/// A value behind a lock (the registry's run-time additions).
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
