/// Majority vote by exact answer string (TTRL, PRIME-RL/TTRL), the one implementation shared by the
/// `majority_vote` reward, the evaluator's maj@k and `ablate inspect`.
public enum MajorityVote {
    /// Most frequent non-nil answer; ties go to the answer that appears first in `answers`; nil when no
    /// completion answered. Completions without an answer never vote (docs/REFERENCE.md: in TTRL's code an empty
    /// answer can win and reward every non-answer; ours cannot).
    public static func label(_ answers: [String?]) -> String? { tally(answers).label }

    /// The label, its vote count and the number of voters (non-nil answers); majority ratio = votes / voters.
    public static func tally(_ answers: [String?]) -> (label: String?, votes: Int, voters: Int) {
        var counts: [String: Int] = [:]
        var order: [String] = []  // first appearance, so the tie-break never depends on dictionary order
        var voters = 0
        for case let a? in answers {
            voters += 1
            if counts[a] == nil { order.append(a) }
            counts[a, default: 0] += 1
        }
        var best: String?
        var bestCount = 0
        for a in order {
            let c = counts[a] ?? 0
            if c > bestCount { best = a; bestCount = c }  // strictly more: an earlier answer keeps a tie
        }
        return (best, bestCount, voters)
    }
}
