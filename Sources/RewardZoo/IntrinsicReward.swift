/// A reward: a type with a permanent string id, typed options, and a group scorer.
///
/// `score` returns one value per completion of the group, in sampling order: higher is better; nil = abstain
/// (that completion gets advantage 0 and is left out of its group's statistics). A non-finite value is a bug the
/// trainer reports as a failed run (`RewardPipeline` turns it into `RewardZooError.nonFinite`).
/// Adding a reward is one file with one conforming type and one line in `RewardRegistry.builtIn`.
public protocol IntrinsicReward: Sendable {
    /// Permanent id, e.g. "vigor" (results on disk refer to it).
    static var name: String { get }
    /// One line for `ablate rewards`.
    static var summary: String { get }
    /// Whether the reward reads gold answers (only `gold`; a composite holding it says so in `needs.usesGold`).
    static var usesGold: Bool { get }
    /// Typed options with defaults and choices.
    static var options: [RewardOption] { get }
    /// The shaping its source uses: vigor rank, self_certainty zscore, majority_vote raw, …
    static var defaultShaping: Shaping { get }
    /// Whether permuting the group's completions permutes the scores the same way (false for `random`, which
    /// draws by index, and `majority_vote`, whose ties go to the first answer).
    static var permutationEquivariant: Bool { get }
    /// Builds the reward from options already validated against `options` (every option present).
    init(options: RewardOptions) throws
    /// What the trainer must compute for this configuration.
    var needs: SignalNeeds { get }
    /// One score per completion; higher is better; nil abstains.
    func score(_ group: CompletionGroup) throws -> [Double?]
}
