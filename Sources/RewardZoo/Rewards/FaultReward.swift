/// `fault` — for testing failure isolation only: 0 for every completion before step `at_step` (0-based), then NaN
/// (`kind: nan`, which the trainer must report as a failed run with the step) or a thrown error (`kind: error`).
public struct FaultReward: IntrinsicReward {
    public static let name = "fault"
    public static let summary = "Testing only: 0, then NaN or an error from step at_step on (failure isolation)"
    public static let defaultShaping = Shaping.raw
    public static let options = [
        RewardOption("at_step", .int(0...1_000_000), default: .int(0), help: "first 0-based step that fails"),
        RewardOption("kind", .choice(["nan", "error"]), default: .string("nan"), help: "return NaN or throw"),
    ]
    let atStep: Int
    let throwsError: Bool
    public init(options: RewardOptions) throws {
        atStep = options.int("at_step")
        throwsError = options.string("kind") == "error"
    }
    public var needs: SignalNeeds { .none }
    public func score(_ group: CompletionGroup) throws -> [Double?] {
        guard group.step >= atStep else { return group.answers.map { _ in 0 } }
        if throwsError { throw RewardZooError.injectedFault(step: group.step) }
        return group.answers.map { _ in .nan }
    }
}
