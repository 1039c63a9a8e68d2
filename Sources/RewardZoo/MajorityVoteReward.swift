/// `majority_vote` (TTRL, PRIME-RL/TTRL): the group's most frequent answer is the pseudo-label.
///
/// - Formula: label = `MajorityVote.label(answers + voteAnswers.prefix(vote_samples))` (trained completions
///   first, then the vote-only ones, in sampling order); r_i = 1 if answer_i == label else 0.
/// - Completions without an answer never vote and get 0 (TTRL's code lets an empty answer win and reward
///   every non-answer; ours cannot). No answer anywhere → all 0.
/// - Ties: the answer that appears first in that order wins, so the reward is not permutation-equivariant.
/// - Vote budget: `vote_samples` extra completions per prompt are sampled only to vote (TTRL: 64 votes, 32
///   trained); the group must carry at least that many `voteAnswers` (only the first `vote_samples` are used).
/// - Sign and range: {0, 1}; default shaping raw.
public struct MajorityVoteReward: IntrinsicReward {
    public static let name = "majority_vote"
    public static let summary = "TTRL: 1 if the answer equals the group's majority answer, else 0 (no answer: no vote, 0)"
    public static let usesGold = false
    public static let defaultShaping = Shaping.raw
    public static let permutationEquivariant = false
    public static let options: [RewardOption] = [
        RewardOption("vote_samples", .int(0...4096), default: .int(0),
                     help: "extra completions per prompt sampled only to vote (not trained on)"),
    ]

    public let voteSamples: Int

    public init(options: RewardOptions) throws { voteSamples = try options.int("vote_samples") }

    public var needs: SignalNeeds { SignalNeeds(signals: [.answers], voteSamples: voteSamples) }

    public func score(_ group: CompletionGroup) throws -> [Double?] {
        guard group.voteAnswers.count >= voteSamples else {
            throw RewardZooError.missingSignal(reward: Self.name,
                                               signal: "answers of \(voteSamples) vote samples (the group has \(group.voteAnswers.count))")
        }
        let label = MajorityVote.label(group.answers + group.voteAnswers.prefix(voteSamples))
        return group.answers.map { a in a != nil && a == label ? 1 : 0 }
    }
}
