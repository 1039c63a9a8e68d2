import Ablate
import ArgumentParser
import Foundation
import RewardZoo

/// Set by SIGINT/SIGTERM; the run polls it between steps and stops as interrupted.
nonisolated(unsafe) private var stopRequested: sig_atomic_t = 0

/// Progress and results on standard output, unbuffered so they keep their order in a log file; a failed write
/// is remembered and ends the command with an error once the run's own outcome is recorded.
nonisolated(unsafe) private var outputFailure: Error? = nil
private func say(_ line: String) {
    do { try StandardStreams.emit(line) } catch { if outputFailure == nil { outputFailure = error } }
}

/// `ablate train`: one GRPO run of a reward from a base checkpoint into a trial directory.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "GRPO post-training of a base checkpoint with one reward; writes a trial directory.",
        discussion: """
        Writes to --out: config.json (the resolved config with the code version and machine), status.json, \
        metrics.jsonl (a line per step and per evaluation), rollouts.jsonl, eval.json (the final evaluation, the \
        format of `ablate eval --json`) and model.safetensors. `ablate train --config DIR/config.json --out DIR2` \
        repeats a run exactly (same threads, same numbers). Exit status: 0 complete, 1 failed (status.json says \
        at which step and why), 130 interrupted. Every setting of `ablate train --config` can be given with \
        --set key=value (JSON values), e.g. --set beta=0 --set loss_type=dr_grpo; `--set help` lists the keys.

        Examples:
          ablate train --base runs/cache/base-<hash>.safetensors --reward gold --steps 100 --out runs/train/gold
          ablate train --base B --reward vigor --reward-opt length_correction=none --shaping rank --out runs/train/vigor-none
          ablate train --config runs/train/gold/config.json --out runs/train/gold-again
        """)

    @Option(help: "Base checkpoint (.safetensors), e.g. the path `ablate pretrain --print-path` prints.")
    var base: String?

    @Option(help: "Reward name (`ablate rewards` lists them).")
    var reward: String?

    @Option(name: .customLong("reward-opt"), help: "A reward option as key=value (repeatable).")
    var rewardOptions: [String] = []

    @Option(help: "Within-group shaping: rank, zscore, minmax or raw (default: the reward's own).")
    var shaping: String?

    @Option(help: "RL steps (max_steps).")
    var steps: Int?

    @Option(help: "Seed of prompts, sampling and stochastic rewards.")
    var seed: UInt64?

    @Option(name: .customLong("set"), help: "Any training setting as key=value with a JSON value (repeatable).")
    var settings: [String] = []

    @Option(help: "A config.json written by an earlier run (or a JSON object of settings) to start from.")
    var config: String?

    @Option(help: "Worker threads (each one BLAS thread).")
    var threads: Int?

    @Option(help: "Trial directory (default runs/train/<reward>-<config hash>).")
    var out: String?

    func run() throws {
        try reportingErrors("train") {
            if settings.contains("help") {
                try StandardStreams.emit(TrainConfig.settingsTable())
                return
            }
            var trainConfig = try loadConfig()
            if let base { trainConfig.base = base }
            if let reward {
                trainConfig.reward = try RewardRegistry.spec(name: reward, assignments: rewardOptions)
            } else if !rewardOptions.isEmpty {
                throw AblateError.invalidOption(name: "--reward-opt", value: rewardOptions.joined(separator: " "), valid: "name the reward with --reward")
            }
            if let shaping {
                guard let s = Shaping(rawValue: shaping) else {
                    throw AblateError.invalidOption(name: "--shaping", value: shaping, valid: "please provide one of \(Shaping.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))")
                }
                trainConfig.shaping = s
            }
            if let steps { trainConfig.maxSteps = steps }
            if let seed { trainConfig.seed = seed }
            if let threads { trainConfig.threads = threads }
            try trainConfig.validate()
            let resolved = trainConfig.resolved()
            let directory = out ?? "runs/train/\(resolved.reward.name)-\(resolved.hash)"
            guard FileManager.default.fileExists(atPath: resolved.base) else { throw AblateError.missingCheckpoint(path: resolved.base) }

            signal(SIGINT) { _ in stopRequested = 1 }
            signal(SIGTERM) { _ in stopRequested = 1 }
            var run = TrainRun(config: resolved, directory: directory)
            run.createParents = out == nil  // --out never creates directories beyond the trial's own
            try TrainRun.checkOutput(directory: directory, hash: resolved.hash, createParents: run.createParents)
            run.shouldStop = { stopRequested != 0 }
            run.progress = say
            say("training \(resolved.reward.name) from \(resolved.base) for \(resolved.maxSteps) steps into \(directory)")
            let outcome = try run.run()
            if let outputFailure { throw outputFailure }
            switch outcome {
            case let .complete(report):
                say(report.table())
                say("wrote \(directory)")
            case let .failed(step, reason):
                StandardStreams.warn("ablate train: error: the run failed at step \(step): \(reason) (see \(directory)/status.json)")
                throw ExitCode(CommandFailure.failed)
            case let .interrupted(step):
                StandardStreams.warn("ablate train: interrupted after step \(step); \(directory)/status.json says so")
                throw ExitCode(130)
            }
        }
    }

    /// The starting config: --config's file (a trial's config.json or a bare settings object), then --set.
    func loadConfig() throws -> TrainConfig {
        var object: [String: Any] = [:]
        if let config {
            guard let data = FileManager.default.contents(atPath: config) else {
                throw AblateError.unreadableFile(path: config, reason: "cannot be read (does it exist?)")
            }
            guard let parsed = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw AblateError.unreadableFile(path: config, reason: "not a JSON object")
            }
            object = (parsed["config"] as? [String: Any]) ?? parsed
        }
        for item in settings {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw AblateError.invalidOption(name: "--set", value: item, valid: "write key=value, e.g. beta=0 or train_suites=[\"arith\",\"word\"]")
            }
            let key = String(item[..<eq]), text = String(item[item.index(after: eq)...])
            // A JSON value, or else the text as a string (so --set loss_type=dr_grpo needs no quotes).
            let value = (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
            try TrainConfig.checkSetting(key: key, value: value, text: text)  // names the key and the valid range
            object[key] = value
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return try TrainConfig.decode(json: data, source: config ?? "--set")
    }
}
