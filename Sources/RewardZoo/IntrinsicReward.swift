/// A reward: a type with a permanent string id, typed options and a group scorer (STYLE.md: adding a reward is
/// one file, one type, one registry line).
///
/// `score` returns one value per completion of the group: higher is better; nil abstains (that completion gets
/// advantage 0 and is left out of its group's statistics). A non-finite value is a bug that the trainer reports
/// as a failed run.
public protocol IntrinsicReward: Sendable {
    /// Permanent id (results on disk refer to it), e.g. "vigor".
    static var name: String { get }
    /// One line for `ablate rewards`.
    static var summary: String { get }
    /// True only for rewards that read the gold answer (the `gold` control).
    static var usesGold: Bool { get }
    static var options: [RewardOption] { get }
    /// The shaping the reward's paper uses.
    static var defaultShaping: Shaping { get }
    /// Whether permuting a group's completions permutes the scores the same way (false for random draws and
    /// first-answer tie-breaks).
    static var permutationEquivariant: Bool { get }
    /// Options already validated against `options`, every one present.
    init(options: RewardOptions) throws
    var needs: SignalNeeds { get }
    func score(_ group: CompletionGroup) throws -> [Double?]
}

extension IntrinsicReward {
    public static var usesGold: Bool { false }
    public static var options: [RewardOption] { [] }
    public static var defaultShaping: Shaping { .zscore }
    public static var permutationEquivariant: Bool { true }
}
