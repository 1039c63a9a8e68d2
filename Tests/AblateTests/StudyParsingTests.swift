import Foundation
import Testing

@testable import Ablate

/// One broken study file and the message it must produce: `at` is `line:column`; the message contains each of
/// `says`, ignoring case (several fragments where the wording belongs to TrainConfig or RewardRegistry).
struct BrokenStudy: Sendable, CustomTestStringConvertible {
    let name: String
    let yaml: String
    let at: String
    let says: [String]
    var testDescription: String { name }

    init(name: String, yaml: String, at: String, says: String...) {
        self.name = name
        self.yaml = yaml
        self.at = at
        self.says = says
    }
}

let validHead = """
    description: "d"
    seeds: [1, 2]

    """

let brokenStudies: [BrokenStudy] = [
    BrokenStudy(name: "empty file", yaml: "", at: "1:1", says: "the study file is empty"),
    BrokenStudy(name: "not a mapping", yaml: "- a\n- b\n", at: "1:1", says: "the study: expected a mapping"),
    BrokenStudy(name: "bad YAML", yaml: "description: d\nseeds: [1, 2\n", at: "3:1", says: "not valid YAML"),
    BrokenStudy(name: "unknown top-level key", yaml: validHead + "varients: {}\n", at: "3:1",
                says: "the study: unknown key 'varients'; valid keys: 'analysis', 'base_model'"),
    BrokenStudy(name: "missing description", yaml: "seeds: [1]\nvariants: {a: {}}\n", at: "1:1", says: "missing key 'description'"),
    BrokenStudy(name: "description not a string", yaml: "description: [x]\nseeds: [1]\n", at: "1:14", says: "description: expected a string, got a list"),
    BrokenStudy(name: "unknown kind", yaml: "kind: sweep\n" + validHead, at: "1:7", says: "kind: unknown kind 'sweep'; please provide one of 'train' or 'analysis'"),
    BrokenStudy(name: "seed not an integer", yaml: "description: d\nseeds: [1, two]\nvariants: {a: {}}\n", at: "2:12", says: "seeds: expected an integer, got 'two'"),
    BrokenStudy(name: "duplicate seed", yaml: "description: d\nseeds: [1, 1]\nvariants: {a: {}}\n", at: "2:12", says: "seeds: 1 appears twice"),
    BrokenStudy(name: "no seeds", yaml: "description: d\nseeds: []\nvariants: {a: {}}\n", at: "2:8", says: "seeds: the list is empty"),
    BrokenStudy(name: "no variants", yaml: validHead, at: "1:1", says: "a train study needs at least one variant"),
    BrokenStudy(name: "unknown train key", yaml: validHead + "train:\n  max_step: 3\nvariants: {a: {}}\n", at: "4:3",
                says: "train: unknown key 'max_step'; valid keys: 'adam_beta1'"),
    BrokenStudy(name: "wrong type of a train key", yaml: validHead + "train:\n  max_steps: lots\nvariants: {a: {}}\n", at: "4:14",
                says: "train.max_steps: ", "max_steps", "expected", "int"),
    BrokenStudy(name: "quoted number is a string", yaml: validHead + "variants:\n  a: {temperature: \"0.9\"}\n", at: "4:20",
                says: "variants.a.temperature: ", "expected"),
    BrokenStudy(name: "runner key in a variant", yaml: validHead + "variants:\n  a: {seed: 3}\n", at: "4:7", says: "variants.a.seed: not set in a study: seeds come from `seeds:`"),
    BrokenStudy(name: "evaluation key in train", yaml: validHead + "train: {eval_n: 3}\nvariants: {a: {}}\n", at: "3:9", says: "set it as `evaluation: {n: ...}`"),
    BrokenStudy(name: "unknown reward", yaml: validHead + "variants:\n  a:\n    reward: {name: vigr}\n", at: "5:20",
                says: "variants.a.reward.name: ", "unknown reward 'vigr'", "'vigor'", "'self_certainty'"),
    BrokenStudy(name: "reward without a name", yaml: validHead + "variants:\n  a:\n    reward: {length_correction: sqrt}\n", at: "5:13",
                says: "variants.a.reward: ", "name", "'vigor'"),
    BrokenStudy(name: "reward not a mapping", yaml: validHead + "variants:\n  a:\n    reward: vigor\n", at: "5:13",
                says: "variants.a.reward: expected a mapping (key: value), got 'vigor'"),
    BrokenStudy(name: "reward option not a scalar", yaml: validHead + "variants:\n  a:\n    reward: {name: vigor, length_correction: [sqrt]}\n", at: "5:27",
                says: "variants.a.reward.length_correction: ", "length_correction"),
    BrokenStudy(name: "variant name with a slash", yaml: validHead + "variants:\n  a/b: {}\n", at: "4:3", says: "variants: name 'a/b' must be letters"),
    BrokenStudy(name: "duplicate variant", yaml: validHead + "variants:\n  a: {}\n  a: {}\n", at: "5:3", says: "variants: key 'a' appears twice"),
    BrokenStudy(name: "unknown suite", yaml: validHead + "evaluation: {suites: [arith, mbpp]}\nvariants: {a: {}}\n", at: "3:30",
                says: "evaluation.suites: unknown suite 'mbpp'; please provide one of 'arith', 'word' or 'trace'"),
    BrokenStudy(name: "evaluation n zero", yaml: validHead + "evaluation: {n: 0}\nvariants: {a: {}}\n", at: "3:17", says: "evaluation.n: 0 must be at least 1"),
    BrokenStudy(name: "unknown recipe key", yaml: validHead + "base_model: {stepz: 3}\nvariants: {a: {}}\n", at: "3:14",
                says: "base_model: unknown key 'stepz'; valid keys: 'batch_size'"),
    BrokenStudy(name: "recipe key in camelCase", yaml: validHead + "base_model: {dModel: 64}\nvariants: {a: {}}\n", at: "3:14",
                says: "base_model.dModel: spelled 'd_model' (study files use snake_case)"),
    BrokenStudy(name: "unknown family knob", yaml: validHead + "base_model: {family_overrides: {arith: {max_operand: 4}}}\nvariants: {a: {}}\n", at: "3:32",
                says: "family_overrides.arith.max_operand"),
    BrokenStudy(name: "invalid recipe value", yaml: validHead + "base_model: {steps: 0}\nvariants: {a: {}}\n", at: "3:21",
                says: "base_model.steps: invalid pre-training recipe: steps = 0: must be in 1...10000000"),
    BrokenStudy(name: "unknown control", yaml: validHead + "variants: {a: {}}\ncomparisons: {control: b}\n", at: "4:24",
                says: "comparisons.control: unknown variant 'b'; please provide one of 'a'"),
    BrokenStudy(name: "unknown metric", yaml: validHead + "variants: {a: {}}\ncomparisons: {control: a, metrics: [acc]}\n", at: "4:37",
                says: "comparisons.metrics: unknown metric 'acc'; please provide one of 'accuracy'"),
    BrokenStudy(name: "unknown correction", yaml: validHead + "variants: {a: {}}\ncomparisons: {control: a, correction: bonferroni}\n", at: "4:39",
                says: "comparisons.correction: unknown method 'bonferroni'; please provide one of 'holm' or 'bh'"),
    BrokenStudy(name: "paired not a bool", yaml: validHead + "variants: {a: {}}\ncomparisons: {control: a, paired: maybe}\n", at: "4:35",
                says: "comparisons.paired: expected true or false, got 'maybe'"),
    BrokenStudy(name: "unknown comparison key", yaml: validHead + "variants: {a: {}}\ncomparisons: {control: a, test: t}\n", at: "4:27",
                says: "comparisons: unknown key 'test'; valid keys: 'alpha', 'collapse', 'control'"),
    BrokenStudy(name: "analysis without analysis", yaml: "kind: analysis\n" + validHead, at: "1:1", says: "missing key 'analysis'"),
    BrokenStudy(name: "analysis with variants", yaml: "kind: analysis\n" + validHead + "variants: {a: {}}\n", at: "4:11", says: "an analysis study has no variants"),
    BrokenStudy(name: "analysis unknown suite", yaml: "kind: analysis\n" + validHead + "analysis:\n  prompts: {mbpp: 3}\n  rewards: {v: {name: vigor}}\n", at: "5:13",
                says: "analysis.prompts: unknown suite 'mbpp'"),
    BrokenStudy(name: "analysis G of 1", yaml: "kind: analysis\n" + validHead + "analysis:\n  prompts: {arith: 3}\n  num_generations: 1\n  rewards: {v: {name: vigor}}\n", at: "6:20",
                says: "analysis.num_generations: within-group AUROC needs groups of at least 2"),
    BrokenStudy(name: "analysis unknown reward", yaml: "kind: analysis\n" + validHead + "analysis:\n  prompts: {arith: 3}\n  rewards: {v: {name: entropy}}\n", at: "6:23",
                says: "analysis.rewards.v.name: unknown reward 'entropy'"),
    BrokenStudy(name: "analysis unknown key", yaml: "kind: analysis\n" + validHead + "analysis:\n  prompts: {arith: 3}\n  groups: 8\n  rewards: {v: {name: vigor}}\n", at: "6:3",
                says: "analysis: unknown key 'groups'; valid keys: 'alpha', 'along_training', 'beyond', 'checkpoint'"),
    BrokenStudy(name: "along_training without steps", yaml: "kind: analysis\n" + validHead + "analysis:\n  prompts: {arith: 3}\n  rewards: {v: {name: vigor}}\n  along_training: {study: headline, variant: vigor}\n", at: "7:19",
                says: "analysis.along_training: missing key 'steps'"),
    BrokenStudy(name: "along_training steps decrease", yaml: "kind: analysis\n" + validHead + "analysis:\n  prompts: {arith: 3}\n  rewards: {v: {name: vigor}}\n  along_training: {study: headline, variant: vigor, steps: [0, 300, 150]}\n", at: "7:69",
                says: "analysis.along_training.steps: must be increasing (150 after 300)"),
    BrokenStudy(name: "along_training study is a path", yaml: "kind: analysis\n" + validHead + "analysis:\n  prompts: {arith: 3}\n  rewards: {v: {name: vigor}}\n  along_training: {study: ../x, variant: vigor, steps: [0]}\n", at: "7:27",
                says: "analysis.along_training.study: '../x' is not a name"),
    BrokenStudy(name: "analysis hypothesis of an unknown reward", yaml: "kind: analysis\n" + validHead + "analysis:\n  prompts: {arith: 3}\n  rewards: {v: {name: vigor}}\n  hypotheses:\n    - {reward: w, suite: arith}\n", at: "8:16",
                says: "analysis.hypotheses[].reward: unknown reward label 'w'; please provide one of 'v'"),
    BrokenStudy(name: "analysis hypothesis on a suite not sampled", yaml: "kind: analysis\n" + validHead + "analysis:\n  prompts: {arith: 3}\n  rewards: {v: {name: vigor}}\n  hypotheses:\n    - {reward: v, suite: trace}\n", at: "8:26",
                says: "analysis.hypotheses[].suite: 'trace' is not among analysis.prompts"),
    BrokenStudy(name: "analysis with four hypotheses", yaml: "kind: analysis\n" + validHead + "analysis:\n  prompts: {arith: 3, word: 3}\n  rewards: {v: {name: vigor}, w: {name: random}}\n  hypotheses: [{reward: v, suite: arith}, {reward: w, suite: arith}, {reward: v, suite: word}, {reward: w, suite: word}]\n", at: "7:15",
                says: "analysis.hypotheses: declare one to three primary hypotheses"),
    BrokenStudy(name: "analysis smallest effect past 0.5", yaml: "kind: analysis\n" + validHead + "analysis:\n  prompts: {arith: 3}\n  rewards: {v: {name: vigor}}\n  smallest_effect: 0.6\n", at: "7:20",
                says: "analysis.smallest_effect: 0.6 must lie in (0, 0.5)"),
]

@Suite struct StudyParsingTests {
    @Test(arguments: brokenStudies)
    func brokenFileNamesLineAndColumn(_ c: BrokenStudy) {
        do {
            _ = try Study.parse(yaml: c.yaml, path: "studies/broken.yaml")
            Issue.record("\(c.name): parsed, but should fail at \(c.at) with '\(c.says)'")
        } catch {
            let text = "\(error)"
            #expect(text.hasPrefix("studies/broken.yaml:\(c.at): "), "\(c.name): \(text)")
            for fragment in c.says {
                #expect(text.lowercased().contains(fragment.lowercased()), "\(c.name): '\(fragment)' missing in \(text)")
            }
        }
    }

    @Test func aStudyCannotTakeTheStoresOwnNames() {
        #expect(throws: AblateError.self) { try Study.parse(yaml: "description: d\nseeds: [1]\nvariants: {a: {}}\n", path: "studies/trials.yaml") }
    }

    @Test func shippedStudiesValidate() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let quick = try Study.load(path: root.appendingPathComponent("studies/quick.yaml").path)
        #expect(quick.kind == .train)
        #expect(quick.variants.map(\.name) == ["vigor", "majority_vote", "random"])
        // The demo declares its hypotheses and plans at least 80% power for each from its declared SD.
        #expect(quick.comparison?.hypotheses.count == 2)
        #expect(StudyFindings.plan(study: quick, sds: []).allSatisfy { ($0.power ?? 0) >= 0.8 })
        // Every shipped train study declares its hypotheses, and every one validates.
        for name in ["learning-rate", "sharpening"] {
            let s = try Study.load(path: root.appendingPathComponent("studies/\(name).yaml").path)
            #expect(s.comparison?.hypotheses.isEmpty == false, "\(name) declares no hypotheses")
        }
        let rc = try Study.load(path: root.appendingPathComponent("studies/reward-correctness.yaml").path)
        #expect(rc.kind == .analysis)
        let plan = rc.analysisPlan
        // Three sampling seeds × three suites; arith's test split at the base knobs holds about 330 problems.
        #expect(plan.map(\.suite) == Array(repeating: ["arith", "word", "trace"], count: 3).flatMap { $0 })
        #expect(plan.allSatisfy { $0.prompts >= 250 && $0.completions == $0.prompts * 8 })
    }

    @Test func gridExpandsVariantsTimesSeeds() throws {
        let yaml = """
            description: grid
            train: {max_steps: 7, temperature: 0.9}
            evaluation: {suites: [arith], n: 50}
            seeds: [3, 1]
            variants:
              vigor: {reward: {name: vigor, length_correction: sqrt}, max_steps: 9}
              twin: {reward: {length_correction: sqrt, name: vigor}, max_steps: 9}
              random: {reward: {name: random}}
            """
        let s = try Study.parse(yaml: yaml, path: "studies/grid.yaml")
        let trials = try s.trials(basePath: "runs/cache/base.safetensors")
        #expect(trials.map(\.label) == ["vigor/seed-3", "vigor/seed-1", "twin/seed-3", "twin/seed-1",
                                        "random/seed-3", "random/seed-1"])
        let first = trials[0].config
        #expect(first.maxSteps == 9 && first.temperature == 0.9 && first.seed == 3 && first.evalN == 50)
        #expect(first.evalSuites == ["arith"] && first.base == "runs/cache/base.safetensors")
        #expect(trials[4].config.maxSteps == 7)
        // Key order inside the reward does not change the trial: twin shares vigor's trials (and its directory).
        #expect(trials[0].hash == trials[2].hash && trials[1].hash == trials[3].hash)
        #expect(Set(trials.map(\.hash)).count == 4)
        #expect(trials.allSatisfy { $0.hash.count == 16 })
    }
}
