import MiniLM
import Testing

@testable import RewardZoo

/// Properties every registered reward must have, run over `RewardRegistry.types` automatically: a new reward
/// gets these tests by its registry line alone.
@Suite struct ConformanceTests {
    /// Values for options without a default (only composites have them), by option name. A new required option
    /// without an entry here fails `requiredOptionsHaveExamples`.
    static let requiredExamples = ["components": "0.5:rank:vigor,0.5:raw:gold,0.25:zscore:vigor+params=lm_head+length_correction=linear,0.1:minmax:self_certainty"]

    /// One configuration per choice value, subset variant, range end and flipped bool, besides the defaults.
    static func configurations(_ type: any IntrinsicReward.Type) -> [[String: String]] {
        let required = Dictionary(uniqueKeysWithValues: type.options.filter { $0.defaultValue == nil }
            .map { ($0.name, requiredExamples[$0.name] ?? "") })
        var configs = [required]
        for option in type.options {
            var variants: [String] = []
            switch option.kind {
            case let .choice(c): variants = c
            case .subset: variants = ["lm_head", "last:1", "last:0"]
            case let .double(r): variants = [String(r.upperBound), String((r.lowerBound + r.upperBound) / 2)]
            case let .int(r): variants = [String(min(r.lowerBound + 3, r.upperBound))]
            case .bool: variants = ["true", "false"]
            case .components: variants = []
            }
            for v in variants { configs.append(required.merging([option.name: v]) { $1 }) }
        }
        return configs
    }

    /// The built-in rewards and the tests' `fault` (registered by `init`, so every test here sees it).
    static let typeNames = (RewardRegistry.builtIn + [FaultReward.self]).map { $0.name }

    init() { RewardRegistry.register(FaultReward.self) }

    @Test func namesAreUniqueAndSummariesOneLine() {
        #expect(Set(RewardRegistry.names).count == RewardRegistry.types.count)
        for t in RewardRegistry.types {
            #expect(!t.summary.isEmpty && !t.summary.contains("\n"), "\(t.name)")
            #expect(Set(t.options.map(\.name)).count == t.options.count, "\(t.name) has duplicate option names")
            for o in t.options {
                if let d = o.defaultValue { #expect((try? o.check(d, reward: t.name)) == d, "\(t.name).\(o.name) default") }
                #expect(!o.help.isEmpty, "\(t.name).\(o.name) has no help")
            }
        }
    }

    @Test func requiredOptionsHaveExamples() {
        for t in RewardRegistry.types {
            for o in t.options where o.defaultValue == nil {
                #expect(Self.requiredExamples[o.name] != nil, "\(t.name).\(o.name) is required but has no example here")
            }
        }
    }

    @Test(arguments: typeNames)
    func conformance(_ name: String) throws {
        try Self.check(RewardRegistry.type(named: name))
    }

    /// Every property, for every configuration of `type` (registered in `registry`).
    static func check(_ type: any IntrinsicReward.Type, registry: [any IntrinsicReward.Type] = RewardRegistry.types) throws {
        let name = type.name
        for config in configurations(type) {
            let spec = try RewardRegistry.spec(name: name, options: config, in: registry)
            let reward = try RewardRegistry.make(spec, in: registry)
            let needs = reward.needs
            let label = "\(spec)"
            #expect(needs.signals.contains(.gradNorm) == !needs.gradNormSubsets.isEmpty, "\(label): subsets iff grad_norm")
            #expect(needs.voteSamples >= 0)
            if type.usesGold { #expect(needs.usesGold, "\(label)") }
            let pipeline = try RewardPipeline(spec: spec, shaping: nil, registry: registry)
            #expect(pipeline.shaping == type.defaultShaping)
            let empty = CompletionGroup(tokenCounts: [], voteAnswers: ["1", "2", "3"], gold: "1",
                                        tokenSignals: Dictionary(uniqueKeysWithValues: Signal.tokenSignals.map { ($0, []) }),
                                        gradNorms: Dictionary(uniqueKeysWithValues: testSubsets.map { ($0, []) }))
            #expect(try reward.score(empty).isEmpty, "\(label): empty group")
            for g in [1, 2, 5, 8] {
                for seed in UInt64(1)...3 {
                    let group = randomGroup(size: g, seed: seed &* 1000 &+ UInt64(g))
                    let scores = try reward.score(group)
                    #expect(scores.count == g, "\(label): one score per completion")
                    #expect(scores.allSatisfy { $0?.isFinite ?? true }, "\(label): finite or nil, got \(scores)")
                    #expect(sameBits(try reward.score(group), scores), "\(label): deterministic")
                    let only = restricted(group, to: needs)
                    #expect(sameBits(try reward.score(only), scores), "\(label): reads only what its needs declare")
                    _ = try pipeline.score(only)
                    if type.permutationEquivariant {
                        for perm in [Array((0..<g).reversed()), (0..<g).map { ($0 + 1) % g }] {
                            let expected = perm.map { scores[$0] }
                            #expect(sameBits(try reward.score(permuted(group, perm)), expected), "\(label): permutation \(perm)")
                        }
                    }
                }
            }
        }
    }

    @Test func respecsRoundTripForEveryConfiguration() throws {
        for t in RewardRegistry.types {
            for config in Self.configurations(t) {
                let spec = try RewardRegistry.spec(name: t.name, options: config)
                #expect(try RewardSpec.decode(json: spec.json()) == spec, "\(spec)")
                // Every option resolved, except one added later (`recordedAtDefault == false`) left at its default.
                let always = Set(t.options.filter(\.recordedAtDefault).map(\.name))
                #expect(always.isSubset(of: spec.options.keys) && Set(spec.options.keys).isSubset(of: t.options.map(\.name)),
                        "\(t.name): every option resolved")
                for o in t.options where !o.recordedAtDefault {
                    #expect(spec.options[o.name] != o.defaultValue, "\(t.name).\(o.name) is recorded only away from its default")
                }
            }
        }
    }
}
