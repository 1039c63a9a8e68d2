import Testing
@testable import Ablate

/// The within-group ρ(raw reward, length) of the training metric `length_rho` and of the reward analysis.
struct LengthCorrelationTests {
    /// scipy.stats.spearmanr([0.5, -1, 2, 0.1], [3, 5, 8, 8]).statistic = 0.21081851067789195 (ties averaged); the
    /// unscored completion (nil reward, length 9) is left out.
    @Test func matchesScipyOverTheScoredCompletions() throws {
        let rho = try #require(LengthCorrelation.withinGroup(rewards: [0.5, nil, -1, 2, 0.1], lengths: [3, 9, 5, 8, 8]))
        #expect(abs(rho - 0.21081851067789195) < 1e-12)
        let reversed = try #require(LengthCorrelation.withinGroup(rewards: [3, 1, 2], lengths: [10, 20, 30]))
        #expect(abs(reversed + 0.5) < 1e-12)  // scipy: -0.5
    }

    /// A group says nothing about length when its lengths or its rewards are all equal, or fewer than three
    /// completions are scored.
    @Test func uninformativeGroupsGiveNil() {
        #expect(LengthCorrelation.withinGroup(rewards: [1, 2, 3], lengths: [5, 5, 5]) == nil)
        #expect(LengthCorrelation.withinGroup(rewards: [1, 1, 1], lengths: [4, 5, 6]) == nil)
        #expect(LengthCorrelation.withinGroup(rewards: [1, nil, 2, nil], lengths: [4, 5, 6, 7]) == nil)
    }
}
