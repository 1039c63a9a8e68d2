import Foundation
import JSON
import MiniLM
import RewardZoo
import Testing

@testable import Ablate

/// `checkpoint_steps` saves the policy during training without touching the hash of configs that do not set it,
/// and `analysis.along_training` scores those policies: every complete trial's at each step, read through the
/// store's verified links.
@Suite struct AlongTrainingTests {
    func tinyConfig(base: String, seed: UInt64 = 1) throws -> TrainConfig {
        var c = try TrainRunTests().config(base: base, reward: "random")
        c.seed = seed
        c.learningRate = 0.05  // a tiny model moves visibly in 3 steps
        c.threads = 1
        return c
    }

    @Test func checkpointStepsAreValidatedAndAbsentLeavesTheHash() throws {
        var c = TrainConfig(base: "b.safetensors")
        c.maxSteps = 300
        let before = c.hash
        c.checkpointSteps = nil
        #expect(c.hash == before)
        #expect(!(try c.json()).contains("checkpoint_steps"))
        c.checkpointSteps = [150]
        #expect(c.hash != before)
        try c.validate()
        for bad in [[0], [300], [200, 100], [100, 100]] {
            c.checkpointSteps = bad
            #expect(throws: AblateError.self, "\(bad)") { try c.validate() }
            do { try c.validate() } catch let AblateError.invalidTrainConfig(field, _, _) { #expect(field == "checkpoint_steps") } catch {
                Issue.record("\(error)")
            }
        }
        let decoded = try TrainConfig.decode(json: Data(#"{"base": "b.safetensors", "max_steps": 300, "checkpoint_steps": [100, 200]}"#.utf8), source: "test")
        #expect(decoded.checkpointSteps == [100, 200])
        #expect(TrainConfig.settingsTable().contains("checkpoint_steps"))
    }

    /// The policy at each listed step is saved with its step in the metadata; it is the policy of that step (it
    /// differs from the final one); a restart of the unfinished trial removes step checkpoints of the attempt before.
    @Test func trainingSavesThePolicyAtTheListedSteps() throws {
        let (dir, base) = try TrainRunTests().tinyBase()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var c = try tinyConfig(base: base)
        c.checkpointSteps = [1, 2]
        let out = (dir as NSString).appendingPathComponent("trial")
        var trial = TrainRun(config: c, directory: out)
        trial.evaluationCache = nil
        guard case .complete = try trial.run() else { Issue.record("not complete"); return }
        let names = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(names.filter(TrialFile.isStepModel).sorted() == ["model-step-1.safetensors", "model-step-2.safetensors"])
        let step1 = try Checkpoint.load(path: out + "/model-step-1.safetensors")
        let final = try Checkpoint.load(path: out + "/model.safetensors")
        #expect(step1.metadata["step"] == "1" && final.metadata["step"] == "3")
        #expect(step1.metadata["train_hash"] == c.hash)
        let a = step1.model.params.array, b = final.model.params.array
        #expect(a.count == b.count && a != b, "the step-1 policy is not the final one")

        // An unfinished attempt's leftovers: a step checkpoint this config never saves is removed on restart.
        try TrialStatus(status: .interrupted, step: 2, hash: c.hash).write(to: TrialFile.status.path(in: out))
        #expect(FileManager.default.createFile(atPath: out + "/model-step-9.safetensors", contents: Data("stale".utf8)))
        guard case .complete = try trial.run() else { Issue.record("restart not complete"); return }
        let again = try FileManager.default.contentsOfDirectory(atPath: out).filter(TrialFile.isStepModel).sorted()
        #expect(again == ["model-step-1.safetensors", "model-step-2.safetensors"])
        let step1Again = try Checkpoint.load(path: out + "/model-step-1.safetensors")
        #expect(step1Again.model.params.array == a, "same seed, same bits")
    }

    /// `eval_k_splits: [test]`: the test evaluations draw the k samples, the validation ones are greedy only; the
    /// key absent leaves the hash as it was.
    @Test func evalKSplitsLimitsTheSamplesToTheNamedSplits() throws {
        let (dir, base) = try TrainRunTests().tinyBase()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var c = try tinyConfig(base: base)
        let before = c.hash
        c.evalKSplits = nil
        #expect(c.hash == before)
        c.evalK = 2
        c.evalKSplits = ["test"]
        try c.validate()
        for bad in [[], ["train"], ["test", "test"]] {
            var d = c
            d.evalKSplits = bad
            do { try d.validate(); Issue.record("\(bad) accepted") } catch let AblateError.invalidTrainConfig(field, _, _) { #expect(field == "eval_k_splits") }
        }
        let out = (dir as NSString).appendingPathComponent("trial")
        var trial = TrainRun(config: c, directory: out)
        trial.evaluationCache = nil
        guard case .complete = try trial.run() else { Issue.record("not complete"); return }
        let text = try String(contentsOfFile: TrialFile.metrics.path(in: out), encoding: .utf8)
        let evals = try text.split(separator: "\n").map { try JSONValue.parse(Data($0.utf8)) }.filter { $0["kind"] == .string("eval") }
        let sampled = evals.map { ($0["split"], $0["suites"]?["arith"]?["avg_at_k"] != nil) }
        #expect(sampled.count == 4)
        for (split, hasSamples) in sampled { #expect(hasSamples == (split == .string("test")), "\(String(describing: split))") }
    }

    /// Two trials of a study in a store: the policies at 0, 2 and 3 are their base, step checkpoint and final
    /// model; a step they did not save is an error naming the file and the key; the report section gives each step.
    @Test func policiesOfAStudysTrialsAreScoredAlongTraining() throws {
        let (dir, base) = try TrainRunTests().tinyBase()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = RunStore(root: (dir as NSString).appendingPathComponent("runs"))
        for seed in [1, 2] {
            var c = try tinyConfig(base: base, seed: UInt64(seed))
            c.checkpointSteps = [2]
            let trial = TrialSpec(variant: "vigor", seed: seed, config: c, hash: c.hash)
            try store.link(study: "demo", trial: trial)
            var run = TrainRun(config: c, directory: store.trialDirectory(hash: c.hash))
            run.createParents = true
            run.evaluationCache = nil
            guard case .complete = try run.run() else { Issue.record("seed \(seed) not complete"); return }
        }
        let spec = Study.AlongTrainingSpec(study: "demo", variant: "vigor", steps: [0, 2, 3])
        let policies = try AlongTraining.policies(spec, store: store)
        #expect(policies.map(\.seed) == [1, 1, 1, 2, 2, 2] && policies.map(\.step) == [0, 2, 3, 0, 2, 3])
        #expect(policies[0].path == base && policies[1].path.hasSuffix("model-step-2.safetensors") && policies[2].path.hasSuffix("/model.safetensors"))

        do {
            _ = try AlongTraining.policies(Study.AlongTrainingSpec(study: "demo", variant: "vigor", steps: [1]), store: store)
            Issue.record("a step no trial saved was accepted")
        } catch let AblateError.run(reason) {
            #expect(reason.contains("model-step-1.safetensors") && reason.contains("checkpoint_steps"), "\(reason)")
        }
        #expect(throws: AblateError.self) { try AlongTraining.policies(Study.AlongTrainingSpec(study: "demo", variant: "gold", steps: [0]), store: store) }

        var settings = RewardAnalysis.Settings()
        settings.suites = ["arith"]
        settings.prompts = 4
        settings.groupSize = 4
        settings.maxNewTokens = 8
        settings.threads = 1
        settings.resamples = 50
        settings.rewards = [("gold", try RewardRegistry.spec(name: "gold", options: [:])),
                            ("neg_entropy", try RewardRegistry.spec(name: "neg_entropy", options: [:]))]
        var notes: [String] = []
        let result = try AlongTraining.run(spec, store: store, settings: settings, progress: { notes.append($0) })
        // The base is sampled once for both seeds.
        #expect(notes.filter { $0.hasPrefix("along training:") }.count == 5, "\(notes)")
        #expect(result.seeds == [1, 2] && result.cells.count == 2 * 3)
        for cell in result.cells where cell.step == 0 {
            #expect(cell.low == nil, "the shared base has no between-seed interval")
            if cell.perSeed.count == 2 { #expect(cell.perSeed[0].auroc.isNaN || cell.perSeed[0].auroc == cell.perSeed[1].auroc) }
        }
        let md = AlongTraining.markdown(result, settings: settings)
        #expect(md.contains("| suite | reward | step 0 | step 2 | step 3 |"))
        #expect(md.contains { $0.hasPrefix("| arith | neg_entropy | ") })
        let figures = AlongTraining.figures(result, settings: settings)
        #expect(figures.map(\.name) == ["along-training-arith"] && figures[0].svg.hasPrefix("<svg"))
        // Step 0 has no band, and the caption and the legend say why.
        #expect(figures[0].caption.contains("step 0 is the base model all trials share") && figures[0].svg.contains("step 0: the shared base model"))
        #expect(AlongTraining.csv(result).hasPrefix("suite,reward,step,seed,auroc,mixed_groups\n"))
    }

    /// The summary's arithmetic: mean over trial seeds and the t interval (scipy: t.interval(0.95, 2, loc=0.7,
    /// scale=std([0.6, 0.7, 0.8], ddof=1)/sqrt(3)) = (0.45159, 0.94841)).
    @Test func summaryMeanAndInterval() throws {
        var settings = RewardAnalysis.Settings()
        settings.suites = ["arith"]
        settings.rewards = [("r", try RewardRegistry.spec(name: "gold", options: [:]))]
        func result(_ auroc: Double) -> RewardAnalysis.Result {
            let sep = RewardAnalysis.Separation(suite: "arith", reward: "r", mixedGroups: 10, auroc: auroc, aurocLow: 0, aurocHigh: 1,
                                                lengthRho: 0, lengthP: 1, withinGroupLengthRho: 0, withinGroupLengthRhoLow: 0,
                                                withinGroupLengthRhoHigh: 0, withinGroupLengthGroups: 0, perGroup: [:])
            return RewardAnalysis.Result(settings: settings, rows: [], separations: [sep], spreads: [], comparisons: [], seconds: 0)
        }
        let spec = Study.AlongTrainingSpec(study: "s", variant: "v", steps: [10])
        let r = AlongTraining.summarize(spec, scored: [(1, 10, result(0.6)), (2, 10, result(0.7)), (3, 10, result(0.8))], settings: settings)
        let cell = try #require(r.cells.first)
        #expect(abs(cell.mean - 0.7) < 1e-12)
        #expect(abs((cell.low ?? 0) - 0.45159) < 1e-4 && abs((cell.high ?? 0) - 0.94841) < 1e-4)
    }
}
