import Foundation
import Seeded
import Statistics

/// Does one reward rank a group's correct completions above its incorrect ones beyond what another reward already
/// does? The question a researcher choosing between VIGOR's gradient norm and the plain log-probability needs
/// answered (on the base model their within-group AUROCs are within 0.015 of each other), and one the paper does
/// not ask.
///
/// Over the groups with a correct and an incorrect completion where both rewards score every completion:
/// `WithinGroupPartial` of (reward, correct, given): the within-group rank correlation of each reward with
/// correctness, of the two rewards with each other, and the partial correlation of `reward` with correctness given
/// `given`, with a percentile bootstrap interval over groups (seeded). A partial near 0 with an interval around it
/// says `reward` adds nothing visible beyond `given`.
public struct PartialAssociation: Sendable {
    public var suite: String
    public var reward: String
    public var given: String
    public var groups: Int
    /// Within-group rank correlations (nil below 2 usable groups or when undefined).
    public var rewardCorrect: Double?
    public var givenCorrect: Double?
    public var rewardGiven: Double?
    public var partial: Double?
    public var low: Double?
    public var high: Double?

    init(suite: String, reward: String, given: String, rows: [RewardAnalysis.Row], resamples: Int, seed: UInt64) {
        self.suite = suite
        self.reward = reward
        self.given = given
        let byPrompt = Dictionary(grouping: rows, by: \.prompt).sorted { $0.key < $1.key }
        let groups: [[(x: Double, y: Double, z: Double)]] = byPrompt.compactMap { _, g in
            let members = g.compactMap { r -> (x: Double, y: Double, z: Double)? in
                guard let x = r.raw[reward] ?? nil, let z = r.raw[given] ?? nil, x.isFinite, z.isFinite else { return nil }
                return (x, r.correct ? 1 : 0, z)
            }
            // A group needs a correct and an incorrect completion scored by both rewards.
            return Set(members.map(\.y)).count == 2 ? members : nil
        }
        self.groups = groups.count
        guard groups.count >= 2, let r = try? WithinGroupPartial.correlation(groups) else { return }
        func finite(_ v: Double) -> Double? { v.isFinite ? v : nil }
        rewardCorrect = finite(r.xy)
        givenCorrect = finite(r.zy)
        rewardGiven = finite(r.xz)
        partial = finite(r.partial)
        guard partial != nil, resamples >= 2 else { return }
        // Percentile bootstrap over groups.
        var rng = SplitMix64(seed: StableHash.mix(seed ^ StableHash.hash("beyond-\(suite)-\(reward)-\(given)")))
        var draws: [Double] = []
        draws.reserveCapacity(resamples)
        for _ in 0..<resamples {
            let sample = (0..<groups.count).map { _ in groups[rng.int(in: 0...(groups.count - 1))] }
            if let d = try? WithinGroupPartial.correlation(sample).partial, d.isFinite { draws.append(d) }
        }
        guard draws.count >= 2 else { return }
        low = try? Descriptive.quantile(draws, 0.025)
        high = try? Descriptive.quantile(draws, 0.975)
    }
}
