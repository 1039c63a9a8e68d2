import Foundation
import MiniLM
import TestSupport
import Testing

@testable import RewardZoo

@Suite struct RegistryTests {
    init() { RewardRegistry.register(FaultReward.self) }

    /// The rewards that ship, in `ablate rewards` order; one added later goes after these (the test pins the
    /// prefix, so adding a reward as the README says keeps it passing).
    @Test func registryOrderAndNames() {
        let shipped = ["vigor", "self_certainty", "neg_entropy", "trajectory_logprob", "majority_vote",
                       "semantic_cluster", "random", "gold", "weighted"]
        #expect(Array(RewardRegistry.builtIn.map { $0.name }.prefix(shipped.count)) == shipped)
        #expect(Set(RewardRegistry.names).count == RewardRegistry.names.count)
    }

    /// `fault` is for tests: never built in, resolvable once registered, and registering twice adds it once.
    @Test func faultIsRegisteredByTestsOnly() throws {
        #expect(!RewardRegistry.builtIn.contains { $0.name == "fault" })
        RewardRegistry.register(FaultReward.self)
        #expect(RewardRegistry.names.filter { $0 == "fault" } == ["fault"])
        #expect(try RewardRegistry.spec(name: "fault", options: [:]).name == "fault")
    }

    @Test func unknownRewardListsTheValidOnes() {
        #expect(throws: RewardZooError.unknownReward(name: "vigr", valid: RewardRegistry.names)) {
            try RewardRegistry.spec(name: "vigr", options: [:])
        }
        let message = RewardZooError.unknownReward(name: "vigr", valid: RewardRegistry.names).description
        #expect(message.hasPrefix("unknown reward 'vigr'; valid rewards: 'vigor', 'self_certainty', 'neg_entropy'"))
    }

    @Test func unknownOptionListsTheRewardsOptions() {
        #expect(throws: RewardZooError.unknownOption(reward: "vigor", option: "length", valid: ["length_correction", "params", "focal_lambda", "focal_metric", "focal_target"])) {
            try RewardRegistry.spec(name: "vigor", options: ["length": "sqrt"])
        }
        #expect(throws: RewardZooError.unknownOption(reward: "gold", option: "p", valid: [])) {
            try RewardRegistry.spec(name: "gold", options: ["p": "1"])
        }
    }

    static let badValues: [Named<(String, String, String), String>] = [
        Named("choice", ("vigor", "length_correction", "cube"),
              "bad value 'cube' for option 'length_correction' of reward 'vigor': expected one of 'none', 'sqrt', 'linear'"),
        Named("below range", ("vigor", "focal_lambda", "-11"), "bad value '-11' for option 'focal_lambda' of reward 'vigor': expected a number in -10.0...10.0"),
        Named("not a number", ("vigor", "focal_lambda", "high"), "bad value 'high' for option 'focal_lambda'"),
        Named("NaN", ("random", "p", "nan"), "bad value 'nan' for option 'p' of reward 'random': expected a number in 0.0...1.0"),
        Named("above range", ("random", "p", "2"), "expected a number in 0.0...1.0"),
        Named("subset", ("vigor", "params", "last:x"), "bad value 'last:x' for option 'params' of reward 'vigor': expected 'all', 'lm_head' or 'last:K'"),
        Named("not an integer", ("majority_vote", "vote_samples", "1.5"), "bad value '1.5' for option 'vote_samples' of reward 'majority_vote': expected an integer in 0...4096"),
        Named("negative integer", ("fault", "at_step", "-1"), "expected an integer in 0..."),
        Named("component shaping", ("weighted", "components", "0.5:rnk:vigor"), "bad value 'rnk' for option 'components shaping' of reward 'weighted': expected one of 'rank', 'zscore', 'minmax', 'raw'"),
        Named("component form", ("weighted", "components", "half:rank:vigor"), "bad value 'half:rank:vigor' for option 'components'"),
        Named("component reward", ("weighted", "components", "1:raw:vigr"), "unknown reward 'vigr'"),
        Named("component option", ("weighted", "components", "1:raw:vigor+params=some"), "bad value 'some' for option 'params' of reward 'vigor'"),
    ]

    @Test(arguments: badValues)
    func badValuesNameOptionValueAndExpectation(_ c: Named<(String, String, String), String>) {
        do {
            _ = try RewardRegistry.spec(name: c.input.0, options: [c.input.1: c.input.2])
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains(c.expected), "\(error)")
        }
    }

    @Test func cliAssignments() throws {
        #expect(try RewardRegistry.spec(name: "vigor", assignments: ["params=last:1", "length_correction=none"])
                == (try RewardRegistry.spec(name: "vigor", options: ["params": "last:1", "length_correction": "none"])))
        #expect(throws: RewardZooError.malformedSpec("expected a reward option as key=value, got 'params'")) {
            try RewardRegistry.spec(name: "vigor", assignments: ["params"])
        }
        #expect(throws: RewardZooError.malformedSpec("reward option 'params' given twice")) {
            try RewardRegistry.spec(name: "vigor", assignments: ["params=all", "params=lm_head"])
        }
    }

    @Test func requiredOptionIsNamed() {
        #expect(throws: RewardZooError.missingOption(reward: "weighted", option: "components")) {
            try RewardRegistry.spec(name: "weighted", options: [:])
        }
    }

    @Test func jsonRoundTripFillsInDefaults() throws {
        let spec = try RewardSpec.decode(json: #"{"name": "vigor"}"#)
        #expect(try spec.json() == #"{"focal_lambda":0,"length_correction":"sqrt","name":"vigor","params":"all"}"#)
        #expect(spec == (try RewardRegistry.spec(name: "vigor", options: [:])))
        #expect(try RewardSpec.decode(json: spec.json()) == spec)
        let custom = try RewardSpec.decode(json: #"{"name": "vigor", "params": "last:02", "focal_lambda": 0.1, "length_correction": "linear"}"#)
        #expect(custom.options == ["params": .string("last:2"), "focal_lambda": .double(0.1), "length_correction": .string("linear")])
        #expect(try RewardSpec.decode(json: custom.json()) == custom)
        #expect(spec.description == "vigor(focal_lambda=0.0, length_correction=sqrt, params=all)")
        // Study files may give every value as a string; an integral JSON number is fine for a double or an int.
        #expect(try RewardSpec.decode(json: #"{"name": "random", "p": "0.25", "seed": 3}"#)
                == (try RewardRegistry.spec(name: "random", options: ["p": "0.25", "seed": "3"])))
        #expect(try RewardSpec.decode(json: #"{"name": "random", "p": 1}"#).options["p"] == .double(1))
    }

    static let badJSON: [Named<String, String>] = [
        Named("unknown name", #"{"name": "entropy"}"#, "unknown reward 'entropy'; valid rewards: 'vigor'"),
        Named("unknown option", #"{"name": "neg_entropy", "agg": "sum"}"#, "reward 'neg_entropy' has no option 'agg'; valid options: 'aggregate'"),
        Named("wrong type", #"{"name": "vigor", "length_correction": 3}"#, "bad value '3.0' for option 'length_correction' of reward 'vigor': expected one of"),
        Named("bad string", #"{"name": "vigor", "focal_lambda": "high"}"#, "bad value 'high' for option 'focal_lambda'"),
        Named("array value", #"{"name": "random", "p": [1]}"#, "bad value '(a JSON array, object or null)' for option 'p'"),
        Named("no name", #"{"length_correction": "sqrt"}"#, "a reward spec needs a string \"name\""),
        Named("not an object", #"["vigor"]"#, "expected a JSON object"),
        Named("not JSON", #"{"name": vigor}"#, "not valid JSON"),
        Named("component without weight", #"{"name": "weighted", "components": [{"reward": {"name": "gold"}}]}"#, "needs a finite number \"weight\""),
        Named("component unknown key", #"{"name": "weighted", "components": [{"weight": 1, "reward": {"name": "gold"}, "scale": 2}]}"#, "no option 'scale'"),
        Named("empty components", #"{"name": "weighted", "components": []}"#, "bad value '' for option 'components'"),
        Named("nested unknown option", #"{"name": "weighted", "components": [{"weight": 1, "reward": {"name": "gold", "x": 1}}]}"#, "reward 'gold' has no option 'x'"),
    ]

    @Test(arguments: badJSON)
    func badJSONIsATypedError(_ c: Named<String, String>) {
        do {
            _ = try RewardSpec.decode(json: c.input)
            Issue.record("expected an error")
        } catch let error as RewardZooError {
            #expect(error.description.contains(c.expected), "\(error)")
        } catch {
            Issue.record("untyped error \(error)")
        }
    }

    @Test func specsAreHashableByContent() throws {
        let a = try RewardRegistry.spec(name: "vigor", options: ["params": "all"])
        let b = try RewardRegistry.spec(name: "vigor", options: [:])
        #expect(Set([a, b]).count == 1)
    }

    @Test func descriptionsCoverEveryReward() throws {
        let d = RewardRegistry.descriptions()
        #expect(d.map(\.name) == RewardRegistry.names)
        let vigor = try #require(d.first)
        #expect(vigor.signals == ["grad_norm"] && vigor.defaultShaping == "rank" && !vigor.usesGold)
        #expect(vigor.options.map(\.name) == ["length_correction", "params", "focal_lambda", "focal_metric", "focal_target"])
        #expect(vigor.options[0].defaultValue == "sqrt" && vigor.options[0].expected == "one of 'none', 'sqrt', 'linear'")
        #expect(d.first { $0.name == "gold" }?.usesGold == true)
        #expect(d.first { $0.name == "weighted" }?.options.first?.defaultValue == nil)
    }
}
