/// `majority_vote` (TTRL, PRIME-RL/TTRL): the label is the most frequent extracted answer among the group's
/// completions and its vote-only completions (`vote_samples` extra per prompt, the vote budget kept apart from the
/// training budget); r_i = 1 if answer_i equals the label, else 0. Completions without an answer never vote and get
/// 0 (TTRL's code lets an empty answer win and reward every non-answer). Ties go to the answer that appears first
/// in sampling order, trained completions before vote-only ones. Range {0, 1}; raw shaping (the group advantage
/// centres it).
public struct MajorityVoteReward: IntrinsicReward {
    public static let name = "majority_vote"
    public static let summary = "TTRL: 1 if the completion's answer is the group's majority answer, else 0"
    public static let defaultShaping = Shaping.raw
    public static let permutationEquivariant = false  // first-answer tie-break
    public static let options = [
        RewardOption("vote_samples", .int(0...256), default: .int(0),
                     help: "extra completions per prompt sampled only to vote (TTRL: 64 votes, 32 trained)"),
    ]
    let voteSamples: Int
    public init(options: RewardOptions) throws { voteSamples = options.int("vote_samples") }
    public var needs: SignalNeeds { SignalNeeds(signals: [.answers], voteSamples: voteSamples) }
    public func score(_ group: CompletionGroup) throws -> [Double?] {
        guard let label = MajorityVote.label(group.answers + group.voteAnswers) else { return group.answers.map { _ in 0 } }
        return group.answers.map { $0 == label ? 1 : 0 }
    }
}
