import Foundation
import Statistics

/// The declared hypotheses of a `kind: analysis` study, tested and planned.
///
/// A hypothesis names a reward and a suite: "this reward ranks a prompt's correct completions above its incorrect
/// ones", i.e. its mean within-group AUROC over the mixed groups (those with both kinds) differs from 0.5.
/// - **Test:** a one-sample t-test against 0.5, two-sided (scipy `ttest_1samp`), over **problems**: a problem's
///   value is the mean AUROC of its mixed groups over every sampling seed that drew it. Sampling seeds draw
///   overlapping sets of problems (a small split is mostly shared), so a problem, not a group, is the independent
///   unit; averaging its groups also averages away part of the sampling noise of one group of G.
/// - **Correction:** Holm over the study's hypotheses (statsmodels `multipletests(method='holm')`). The report
///   also tests each sampling seed alone (its groups as units), Holm-corrected on its own, as a replication.
///   An untestable hypothesis (fewer than 2 problems with a mixed group) enters Holm with p = 1, so it counts in m.
/// - **Equivalence to chance:** TOST within 0.5 ± δ (statsmodels `ttost_paired` against a constant 0.5),
///   Holm-corrected alike: "the reward carries less than δ of information" is a result too.
/// - **Interval:** the t interval at 1 − α/m (Holm's first level), the interval that matches the test of the
///   smallest p.
/// - **Power:** the one-sample t power (statsmodels `TTestPower`) at Holm's first level α/m, at δ, with the SD
///   of a unit's AUROC and the number of units. After a run both are the run's. Before it, a pilot analysis's
///   first sampling seed (its `group_auroc.csv` and `completions.csv`) gives the SD of one group's AUROC and the
///   share of mixed groups, or the study's `sd:` gives the SD; with the study's draws (`draws`) the plan counts
///   the problems its seeds will draw. One group's SD stands in for a problem's, which is an approximation either
///   way: averaging a problem's groups lowers it, but a problem mixed in only one draw keeps one group's extreme
///   value (on arith at the default knobs a problem's SD came out 0.301 against one group's 0.282).
public enum AnalysisHypotheses {
    public enum Verdict: String, Sendable, Equatable {
        case holds = "holds"
        case holdsBelowDelta = "holds, by less than δ"
        case reversed = "reversed"
        case chance = "no information: within ±δ of 0.5"
        case inconclusive = "inconclusive"
        case untestable = "too few mixed groups"
    }

    public struct Finding: Sendable, Equatable {
        public var reward: String
        public var suite: String
        /// The sampling seeds pooled.
        public var seeds: [UInt64]
        /// Mixed groups over every seed, and the distinct problems they belong to (the t-test's n).
        public var groups: Int
        public var units: Int
        /// Mean AUROC over the units, and the SD of one unit's AUROC.
        public var auroc: Double
        public var sd: Double
        /// The t interval of the mean at 1 − α/m.
        public var low: Double
        public var high: Double
        public var pvalue: Double
        public var holm: Double
        /// TOST p within 0.5 ± δ, Holm-corrected over the hypotheses.
        public var tostHolm: Double
        /// Power at δ with this run's SD and units, at α/m; nil without a spread.
        public var power: Double?
        public var verdict: Verdict
    }

    /// The units of one hypothesis: per distinct problem (its identity, or "seed/prompt" when a result carries no
    /// identities), the mean of its mixed groups' AUROCs over `results`, in a fixed order; and the groups counted.
    static func units(_ h: Study.AnalysisHypothesis, in results: [RewardAnalysis.Result]) -> (values: [Double], groups: Int) {
        var sums: [String: (sum: Double, count: Int)] = [:]
        var groups = 0
        for r in results {
            guard let sep = r.separations.first(where: { $0.suite == h.suite && $0.reward == h.reward }) else { continue }
            let identities = r.problems[h.suite] ?? []
            for (p, a) in sep.perGroup {
                let key = p < identities.count ? identities[p] : "seed-\(r.settings.seed)/\(p)"
                sums[key, default: (0, 0)].sum += a
                sums[key, default: (0, 0)].count += 1
                groups += 1
            }
        }
        return (sums.keys.sorted().compactMap { k in sums[k].map { $0.sum / Double($0.count) } }, groups)
    }

    /// Tests `hypotheses` on the units pooled over `results` (every sampling seed). Findings are in declaration order.
    public static func test(_ hypotheses: [Study.AnalysisHypothesis], on results: [RewardAnalysis.Result], delta: Double,
                            alpha: Double) throws -> [Finding] {
        guard !hypotheses.isEmpty else { return [] }
        let m = hypotheses.count, level = alpha / Double(m)
        var partial: [(Finding, tost: Double)] = []
        for h in hypotheses {
            let (values, groups) = units(h, in: results)
            var f = Finding(reward: h.reward, suite: h.suite, seeds: results.map(\.settings.seed), groups: groups, units: values.count,
                            auroc: .nan, sd: .nan, low: .nan, high: .nan, pvalue: 1, holm: 1, tostHolm: 1, power: nil, verdict: .untestable)
            var tost = 1.0
            if values.count >= 2 {
                let t = try TTest.oneSample(values, popmean: 0.5)
                f.auroc = 0.5 + t.estimate
                f.sd = try Descriptive.sd(values)
                let ci = try t.confidenceInterval(level: 1 - level)
                (f.low, f.high) = (0.5 + ci.low, 0.5 + ci.high)
                f.pvalue = t.pvalue.isNaN ? 1 : t.pvalue
                let e = try Equivalence.paired(values, Array(repeating: 0.5, count: values.count), low: -delta, high: delta)
                tost = e.pvalue.isNaN ? 1 : e.pvalue
                if f.sd > 0 { f.power = try Power.power(effectSize: delta / f.sd, nobs: Double(values.count), alpha: level, design: .paired) }
            }
            partial.append((f, tost))
        }
        let holm = try MultipleComparisons.holm(partial.map(\.0.pvalue), alpha: alpha).adjusted
        let tostHolm = try MultipleComparisons.holm(partial.map(\.tost), alpha: alpha).adjusted
        return partial.enumerated().map { i, item in
            var f = item.0
            f.holm = holm[i]
            f.tostHolm = tostHolm[i]
            if f.units >= 2 {
                if f.holm <= alpha {
                    f.verdict = f.auroc < 0.5 ? .reversed : (f.tostHolm <= alpha ? .holdsBelowDelta : .holds)
                } else {
                    f.verdict = f.tostHolm <= alpha ? .chance : .inconclusive
                }
            }
            return f
        }
    }

    /// A hypothesis's plan before the run: power at the expected number of mixed groups, and the mixed groups that
    /// reach 80%, at Holm's first level α/m and δ.
    public struct Planned: Sendable, Equatable {
        public var reward: String
        public var suite: String
        public var sd: Double
        /// Expected units: with the study's problem draws, Σ over its distinct problems of the chance that at least
        /// one of a problem's groups is mixed, 1 − (1 − share)^draws; without them, one seed's expected mixed groups
        /// (share × prompts). Nil when only a declared SD is known (the share of mixed groups is not).
        public var expectedGroups: Int?
        /// Distinct problems over the study's sampling seeds, when the draws were given.
        public var distinctProblems: Int?
        public var power: Double?
        public var groupsFor80: Int?
        /// Where the SD and the share come from.
        public var source: String
    }

    /// What a pilot analysis measured for one reward and suite: the SD of a group's AUROC and the share of its
    /// groups that were mixed.
    public struct PilotSpread: Sendable, Equatable {
        public var sd: Double
        public var mixedShare: Double
        public var groups: Int
    }

    /// How many times each distinct test problem is drawn over `seeds`, per suite, in the order found: the draws
    /// `RewardAnalysis` makes (`problems(count:split:seed:allowFewer:)` per seed), without sampling anything.
    public static func draws(prompts: [(suite: String, count: Int)], seeds: [Int], overrides: [String: String]) throws -> [String: [Int]] {
        let families = try PretrainRecipe.families(overrides: overrides)
        var out: [String: [Int]] = [:]
        for (suite, count) in prompts {
            guard let family = families.first(where: { $0.name == suite }) else { continue }
            var order: [String] = [], counts: [String: Int] = [:]
            for seed in seeds {
                for problem in try family.problems(count: count, split: .test, seed: UInt64(max(0, seed)), allowFewer: true) {
                    if counts[problem.identity] == nil { order.append(problem.identity) }
                    counts[problem.identity, default: 0] += 1
                }
            }
            out[suite] = order.map { counts[$0] ?? 0 }
        }
        return out
    }

    /// Plans every hypothesis of `a` from `pilot` (keyed "suite/reward") when it has that pair, else from `a.sd`.
    /// With `draws` (per suite, how often each distinct problem is drawn over the study's seeds) the expected units
    /// count every seed; the SD stays one group's (an approximation of a problem's: see the type's comment).
    public static func plan(_ a: Study.Analysis, pilot: [String: PilotSpread] = [:], pilotName: String? = nil,
                            draws: [String: [Int]] = [:]) throws -> [Planned] {
        let m = a.hypotheses.count, level = a.alpha / Double(max(m, 1))
        return try a.hypotheses.map { h in
            let prompts = a.prompts.first { $0.suite == h.suite }?.count ?? 0
            var p = Planned(reward: h.reward, suite: h.suite, sd: .nan, expectedGroups: nil, distinctProblems: nil, power: nil,
                            groupsFor80: nil, source: "")
            if let spread = pilot["\(h.suite)/\(h.reward)"], spread.sd > 0 {
                p.sd = spread.sd
                if let d = draws[h.suite], !d.isEmpty {
                    p.distinctProblems = d.count
                    p.expectedGroups = Int(d.reduce(0.0) { $0 + 1 - pow(1 - spread.mixedShare, Double($1)) }.rounded(.down))
                } else {
                    p.expectedGroups = Int((spread.mixedShare * Double(prompts)).rounded(.down))
                }
                p.source = "pilot \(pilotName ?? "?"): SD of a group's AUROC over its \(spread.groups) mixed groups, \(String(format: "%.0f", 100 * spread.mixedShare))% of its groups mixed"
            } else if let sd = a.sd {
                p.sd = sd
                p.source = "declared sd"
            } else {
                p.source = "no SD: give --pilot ANALYSIS or `sd:` under analysis"
                return p
            }
            let d = a.smallestEffect / p.sd
            if let n = p.expectedGroups, n >= 2 { p.power = try Power.power(effectSize: d, nobs: Double(n), alpha: level, design: .paired) }
            p.groupsFor80 = try Power.seedsPerArm(effectSize: d, power: 0.8, alpha: level, design: .paired).seedsPerArm
            return p
        }
    }

    /// A pilot analysis's spreads from its report folder (`<notebooks>/<name>/group_auroc.csv` for the per-group
    /// AUROCs, `completions.csv` for how many groups each suite had), keyed "suite/reward".
    public static func pilotSpreads(folder: String) throws -> [String: PilotSpread] {
        func read(_ file: String) throws -> [[Substring]] {
            let path = "\(folder)/\(file)"
            // A report's CSVs are a few MB (every completion of an analysis); anything past this is not one.
            let limit = 256 << 20
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > limit {
                throw AblateError.io(path: path, reason: "has \(size) bytes; a pilot analysis's \(file) may have at most \(limit) (256 MiB)")
            }
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw AblateError.io(path: path, reason: "cannot read the pilot analysis's \(file) (run that analysis study first)")
            }
            return text.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        }
        var groupsPerSuite: [String: Set<Substring>] = [:]
        for row in try read("completions.csv") where row.count >= 2 { groupsPerSuite[String(row[0]), default: []].insert(row[1]) }
        var values: [String: [Double]] = [:]
        for row in try read("group_auroc.csv") {
            guard row.count == 4, let v = Double(row[3]), v.isFinite else {
                throw AblateError.io(path: "\(folder)/group_auroc.csv", reason: "a row is not suite,reward,prompt,auroc: \(row.joined(separator: ","))")
            }
            values["\(row[0])/\(row[1])", default: []].append(v)
        }
        var out: [String: PilotSpread] = [:]
        for (key, v) in values where v.count >= 2 {
            let suite = String(key.split(separator: "/").first ?? "")
            let total = max(groupsPerSuite[suite]?.count ?? v.count, v.count)
            out[key] = PilotSpread(sd: try Descriptive.sd(v), mixedShare: Double(v.count) / Double(total), groups: v.count)
        }
        return out
    }
}
