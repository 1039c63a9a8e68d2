/// `fault`: test only — for testing failure isolation (a NaN or an error mid-run must mark the run failed with
/// the step, never crash or continue silently). Not in `RewardRegistry.builtIn`: tests register it
/// (`RewardRegistry.register(FaultReward.self)`), and `ablate` does when `REWARDZOO_TEST_REWARDS=1`.
///
/// - From step `at_step` on: `kind: nan` returns NaN for every completion, `kind: error` throws
///   `RewardZooError.injectedFault(step:)`; before it, 0 for every completion. Default `at_step` 1, so step 0
///   runs clean and the failure is reported mid-run.
/// - Range {0} (or NaN); default shaping raw; permutation-equivariant.
public struct FaultReward: IntrinsicReward {
    public static let name = "fault"
    public static let summary = "Test only, for testing failure isolation: 0, then NaN (kind nan) or an error (kind error) from at_step on"
    public static let usesGold = false
    public static let defaultShaping = Shaping.raw
    public static let permutationEquivariant = true
    public static let options: [RewardOption] = [
        RewardOption("kind", .choice(["nan", "error"]), default: .string("nan"), help: "return NaN or throw"),
        RewardOption("at_step", .int(0...Int.max), default: .int(1), help: "first failing step (0-based)"),
    ]

    public let kind: String
    public let atStep: Int

    public init(options: RewardOptions) throws {
        kind = try options.string("kind")
        atStep = try options.int("at_step")
    }

    public var needs: SignalNeeds { .none }

    public func score(_ group: CompletionGroup) throws -> [Double?] {
        guard group.step >= atStep else { return Array(repeating: 0, count: group.count) }
        if kind == "error" { throw RewardZooError.injectedFault(step: group.step) }
        return Array(repeating: Double.nan, count: group.count)
    }
}
