import Dispatch
import Foundation
import JSON
import MiniLM
import RewardZoo
import Seeded
import Statistics
import Tasks

/// One RL run (a trial) from a resolved `TrainConfig` into a trial directory (the trial contract):
/// `config.json`, `status.json`, `metrics.jsonl` (a train line per step, an eval line per evaluation),
/// `rollouts.jsonl`, `eval.json` (the final evaluation, the format of `ablate eval --json`) and
/// `model.safetensors`. A non-finite loss, gradient, parameter or reward ends the run as failed with the step
/// and the quantity; a stop request (SIGINT/SIGTERM) as interrupted.
public struct TrainRun {
    public let config: TrainConfig
    public let directory: String
    /// Polled between steps: true stops the run as interrupted.
    public var shouldStop: () -> Bool = { false }
    /// Receives one progress line per step and a line per evaluation.
    public var progress: (String) -> Void = { _ in }
    /// Create missing parents of `directory` (the default `runs/train/...` of `ablate train`); otherwise only the
    /// directory itself is created and its parent must exist.
    public var createParents = false
    /// Where the base model's evaluations are shared between trials (`EvaluationCache`); nil evaluates every time.
    public var evaluationCache: String? = EvaluationCache.defaultDirectory
    /// The code version, machine and BLAS core recorded in config.json (and keying the evaluation cache).
    public var runInfo = RunInfo.current()

    public init(config: TrainConfig, directory: String) {
        self.config = config
        self.directory = directory
    }

    public enum Outcome: Equatable, Sendable {
        case complete(EvaluationReport)
        case failed(step: Int, reason: String)
        case interrupted(step: Int)
    }

    /// The settings of a trial's evaluations (the split aside): the config's suites, n, k, sample temperature
    /// and sampled suites at the family knobs of the base checkpoint's recipe. Validated.
    public static func evaluationSettings(_ config: TrainConfig, checkpoint contents: Checkpoint.Contents) throws -> EvaluationSettings {
        var s = try EvaluationSettings(checkpoint: contents, path: config.base)
        s.suites = config.evalSuites
        s.problemsPerSuite = config.evalN
        s.k = config.evalK
        if let t = config.evalTemperature { s.temperature = Float(t) }
        s.sampledSuites = config.evalKSuites
        try s.validate()
        return s
    }

    /// Paths inside the trial directory.
    public static func path(_ directory: String, _ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// Runs the trial. Setup errors (a bad config, a missing base checkpoint, an unwritable directory) throw
    /// before anything is written; once running, every outcome is recorded in status.json and returned.
    public func run() throws -> Outcome {
        try config.validate()
        let config = self.config.resolved()
        let hash = config.hash
        try Self.checkOutput(directory: directory, hash: hash, createParents: createParents)
        guard FileManager.default.fileExists(atPath: config.base) else { throw AblateError.missingCheckpoint(path: config.base) }
        let contents = try Checkpoint.load(path: config.base)
        let evalSettings = try Self.evaluationSettings(config, checkpoint: contents)
        let families = try PretrainRecipe.families(overrides: evalSettings.familyOverrides)
            .filter { config.trainSuites.contains($0.name) }
        let pipeline = try RewardPipeline(spec: config.reward, shaping: config.shaping)

        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: createParents) } catch {
            var isDir: ObjCBool = false
            if !(FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) && isDir.boolValue) {
                throw AblateError.io(path: directory, reason: "cannot create the trial directory (\(error.localizedDescription))")
            }
        }
        // A restart of this same unfinished trial (checkOutput allowed it) begins from nothing.
        let stepModels = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter(TrialFile.isStepModel)
        for name in [TrialFile.evaluation, .model].map(\.rawValue) + stepModels {
            let p = Self.path(directory, name)
            if FileManager.default.fileExists(atPath: p) {
                do { try FileManager.default.removeItem(atPath: p) } catch {
                    throw AblateError.io(path: p, reason: "cannot remove the output of an unfinished earlier attempt (\(error.localizedDescription))")
                }
            }
        }
        let statusPath = TrialFile.status.path(in: directory)
        let info = runInfo
        try TrialConfigFile(config: config, hash: hash, runInfo: TrialConfigFile.RunRecord(info)).write(to: directory)
        try TrialStatus(status: .running, step: 0, hash: hash).write(to: statusPath)
        let metrics = try LineLog(path: TrialFile.metrics.path(in: directory))
        let rolloutLog = try LineLog(path: TrialFile.rollouts.path(in: directory))

        let model = contents.model, tokenizer = contents.tokenizer
        let trainer = try GRPOTrainer(model: model, config: config.grpoConfig(), threads: config.threads)
        let scorer = RewardScorer(pipeline: pipeline, scaling: config.scaleRewards, tokenizer: tokenizer, seed: config.seed)
        var step = 0
        // The base model and the final model are evaluated on test (reported results) and validation (choices made
        // on data); the periodic evaluations in between on validation only, so nothing is chosen on test.
        // The base model's evaluations (step 0) are shared by every trial that starts from the same checkpoint with
        // the same evaluation settings (`EvaluationCache`); the bits are the same either way.
        let baseBytes = FileManager.default.contents(atPath: config.base)
        func checkpointMetadata(step: Int) throws -> [String: String] {
            var metadata = RunInfo.current().metadata(extra: ["train_config": try config.json(), "train_hash": hash,
                                                              "base": config.base, "step": "\(step)"])
            if let recipe = contents.metadata["recipe"] { metadata["recipe"] = recipe }
            return metadata
        }
        func evaluate(_ split: Split = .validation) throws -> EvaluationReport {
            var settings = evalSettings
            settings.split = split
            if let splits = config.evalKSplits, !splits.contains(split.rawValue) { settings.k = 1 }
            let key = step == 0 && evaluationCache != nil ? baseBytes.flatMap { EvaluationCache.key(checkpoint: $0, settings: settings, threads: config.threads, info: info) } : nil
            let report = try EvaluationCache.evaluation(key: key, directory: evaluationCache ?? EvaluationCache.defaultDirectory, note: progress) {
                try Evaluator.evaluate(model: model, tokenizer: tokenizer, settings: settings, threads: config.threads, checkpoint: nil)
            }
            // With pass@k − pass@1 per suite when sampled (a reward that only sharpens the distribution shrinks it).
            try metrics.append(try MetricsLine.eval(EvalMetrics(step: step, split: split, report: report)).json())
            progress("eval (\(split.rawValue)) at step \(step): " + report.order.map { String(format: "%@ %.1f%%", $0, 100 * (report.suites[$0]?.accuracy ?? .nan)) }
                .joined(separator: "  "))
            return report
        }

        do {
            _ = try evaluate(.test)
            _ = try evaluate(.validation)
            var rng = SplitMix64(seed: config.seed ^ StableHash.hash("train-prompts"))
            let start = DispatchTime.now().uptimeNanoseconds
            var sampledTokens = 0
            while step < config.maxSteps {
                if shouldStop() {
                    try TrialStatus(status: .interrupted, step: step, reason: "stopped by a signal", hash: hash).write(to: statusPath)
                    return .interrupted(step: step)
                }
                // Prompts: the train split of the chosen families, uniformly over families, repeats allowed.
                var problems: [Problem] = []
                for _ in 0..<config.promptsPerStep {
                    let family = families[Int(rng.next() % UInt64(families.count))]
                    var taskRNG = TaskRNG(seed: rng.next())
                    problems.append(try family.problem(split: .train, rng: &taskRNG))
                }
                let prompts = try problems.map { [Tokenizer.bos] + (try tokenizer.encode($0.prompt)) }
                scorer.gold = problems.map(\.answer)
                let report = try trainer.step(prompts: prompts, scorer: scorer)
                step += 1
                sampledTokens += report.sampledTokens
                guard let scores = scorer.last else { break }
                let line = Self.metricsLine(step: step, report: report, scores: scores, groupSize: config.numGenerations,
                                            gold: scorer.gold)
                try metrics.append(try MetricsLine.train(line).json())
                let total = problems.count * config.numGenerations, logged = min(config.logRollouts, total)
                for k in 0..<logged {
                    let c = k * total / logged  // spread over the step's completions
                    try rolloutLog.append(.object([
                        ("step", .number(Double(step))), ("prompt", .string(problems[c / config.numGenerations].prompt)),
                        ("completion", .string(scores.texts[c])), ("answer", scores.answers[c].map(JSONValue.string) ?? .null),
                        ("gold", .string(scorer.gold[c / config.numGenerations])), ("correct", .bool(scores.correct[c])),
                        ("reward_raw", scores.raw[c].map(JSONValue.double) ?? .null),
                        ("reward_shaped", scores.shaped[c].map(JSONValue.double) ?? .null), ("advantage", .double(scores.advantages[c])),
                    ]))
                }
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let eta = elapsed / Double(step) * Double(config.maxSteps - step)
                // A line every ~1% of the run (and the first and last steps).
                let every = max(1, config.maxSteps / 100)
                if step == 1 || step % every == 0 || step == config.maxSteps {
                progress(String(format: "step %d/%d  reward %.3f  rollout acc %.1f%%  len %.1f  %.1fk tok/s  ETA %@",
                                step, config.maxSteps, Self.mean(scores.raw.compactMap { $0 }),
                                100 * Self.mean(scores.correct.map { $0 ? 1 : 0 }), report.meanCompletionLength,
                                Double(sampledTokens) / elapsed / 1000, PretrainProgress.clock(eta)))
                }
                if config.checkpointSteps?.contains(step) == true {
                    try Checkpoint.save(model: model, tokenizer: tokenizer, metadata: try checkpointMetadata(step: step),
                                        to: Self.path(directory, TrialFile.stepModel(step)))
                }
                try TrialStatus(status: .running, step: step, hash: hash).write(to: statusPath)
                if config.evalInterval > 0, step % config.evalInterval == 0, step < config.maxSteps { _ = try evaluate(.validation) }
            }
            _ = try evaluate(.validation)
            let final = try evaluate(.test)
            try RunStore.writeAtomically(text: try final.json() + "\n", to: TrialFile.evaluation.path(in: directory))
            try Checkpoint.save(model: model, tokenizer: tokenizer, metadata: try checkpointMetadata(step: step),
                                to: TrialFile.model.path(in: directory))
            try TrialStatus(status: .complete, step: step, hash: hash).write(to: statusPath)
            return .complete(final)
        } catch let e where Self.failsTheRun(e) {
            // Divergence (MiniLMError) and reward failures (AblateError.rewardFailed): the run is failed with the step
            // and the reason; nothing crashes.
            let reason = "\(e)"
            try TrialStatus(status: .failed, step: step, reason: reason, hash: hash).write(to: statusPath)
            return .failed(step: step + 1, reason: reason)
        } catch {
            try? TrialStatus(status: .failed, step: step, reason: "\(error)", hash: hash).write(to: statusPath)
            throw error
        }
    }

    /// Errors that end a running trial as failed (recorded, the study goes on): training diverged (`MiniLMError`)
    /// or the reward failed (`AblateError.rewardFailed`). Anything else is a setup or I/O error and is thrown.
    static func failsTheRun(_ error: Error) -> Bool {
        if error is MiniLMError { return true }
        if case .rewardFailed? = error as? AblateError { return true }
        return false
    }

    static func mean(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count) }

    static func std(_ xs: [Double]) -> Double {
        guard xs.count > 1 else { return .nan }
        let m = mean(xs)
        return (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)).squareRoot()
    }

    /// The train line of metrics.jsonl after `step` (`TrainMetrics` names every field and fixes their order).
    static func metricsLine(step: Int, report r: GRPOStepReport, scores s: RewardScorer.StepScores, groupSize G: Int,
                            gold: [String]) -> TrainMetrics {
        let raw = s.raw.compactMap { $0 }, shaped = s.shaped.compactMap { $0 }
        // Per group: the AUROC of the raw reward for correct vs incorrect completions (the mixed groups), and the
        // raw reward's rank correlation with length (the groups where both vary).
        var aurocs: [Double] = [], lengthRhos: [Double] = []
        for p in 0..<(s.raw.count / G) {
            let group = (p * G)..<((p + 1) * G)
            if let rho = LengthCorrelation.withinGroup(rewards: Array(s.raw[group]), lengths: Array(s.lengths[group])) {
                lengthRhos.append(rho)
            }
            var right: [Double] = [], wrong: [Double] = []
            for i in (p * G)..<((p + 1) * G) {
                guard let v = s.raw[i] else { continue }
                if s.correct[i] { right.append(v) } else { wrong.append(v) }
            }
            if !right.isEmpty, !wrong.isEmpty, let a = try? MannWhitney.commonLanguageEffect(right, wrong) { aurocs.append(a) }
        }
        var line = TrainMetrics(step: step)
        line.lr = r.learningRate
        line.rewardRawMean = mean(raw)
        line.rewardRawStd = std(raw)
        line.rewardShapedMean = mean(shaped)
        line.rewardShapedStd = std(shaped)
        line.rolloutAccuracy = mean(s.correct.map { $0 ? 1 : 0 })
        line.auroc = aurocs.isEmpty ? nil : mean(aurocs)
        line.aurocGroups = aurocs.count
        line.lengthRho = lengthRhos.isEmpty ? nil : mean(lengthRhos)
        // The group's majority answer as a pseudo-label (TTRL's), from the answers signal, whatever the reward: how
        // often consensus would be right is a diagnostic of every run, and majority_vote's own reward accuracy.
        // Label accuracy: the majority label is the gold answer. Reward accuracy: the pseudo-reward (agrees with
        // the label) equals the true reward (agrees with gold). Majority ratio: share agreeing with the label.
        var labelRight = 0.0, rewardRight = 0.0, agree = 0.0
        for p in 0..<s.labels.count {
            let label = s.labels[p]
            if label != nil && label == gold[p] { labelRight += 1 }
            for i in (p * G)..<((p + 1) * G) {
                let pseudo = label != nil && s.answers[i] == label
                if pseudo == s.correct[i] { rewardRight += 1 }
                if pseudo { agree += 1 }
            }
        }
        let n = Double(max(s.labels.count, 1)), m = Double(max(s.answers.count, 1))
        line.labelAccuracy = labelRight / n
        line.rewardAccuracy = rewardRight / m
        line.majorityRatio = agree / m
        line.completionLength = r.meanCompletionLength
        line.truncationRate = r.truncationRate
        line.repetition3gram = r.repetition3gram
        line.entropy = r.entropy
        line.kl = r.meanKL
        line.clipFraction = r.clipFraction
        line.gradNorm = r.gradNorm
        line.loss = r.loss
        line.tokensPerSecond = Double(r.sampledTokens) / max(r.total, 1e-9)
        line.timeSampling = r.sampling
        line.timeSignals = r.signals
        line.timeNorms = r.norms
        line.timeScoring = r.scoring
        line.timeUpdate = r.update
        line.timeStep = r.total
        return line
    }
}
