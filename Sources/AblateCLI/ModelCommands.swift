import Ablate
import ArgumentParser
import Foundation
import JSON
import MiniLM
import RewardZoo

/// `ablate init`: a freshly initialised model checkpoint.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a freshly initialised MiniLM checkpoint (safetensors).",
        discussion: "Example: ablate init --preset small --seed 1 --out runs/init.safetensors")

    @Option(help: "Model preset: \(ModelConfig.presetNames.joined(separator: ", ")).")
    var preset = "small"

    @Option(parsing: .unconditional, help: "Initialisation seed.")
    var seed: UInt64 = 0

    @Option(help: "Output checkpoint path.")
    var out: String

    func run() throws {
        try reportingErrors("init") {
            try Checkpoint.checkWritable(path: out)
            let tokenizer = try TaskVocabulary.tokenizer()
            let config = try ModelConfig.preset(preset, vocabSize: tokenizer.vocabSize)
            let model = try GPT(config: config, seed: seed)
            try Checkpoint.save(model: model, tokenizer: tokenizer,
                                metadata: RunInfo.current().metadata(extra: ["init_seed": "\(seed)", "preset": preset]), to: out)
            try StandardStreams.emit("wrote \(out): preset \(preset), \(model.parameterCount) parameters, vocab \(tokenizer.vocabSize), seed \(seed)")
        }
    }
}

/// `ablate inspect`: teacher-forced signals of given completions, one JSON line each.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Signals of given completions under a checkpoint: NLL, entropy, self-certainty, gradient norm.",
        discussion: """
        Input: one JSON object per line, with text (BOS is prepended; EOS is appended to the completion unless --no-eos):
        {"id": 1, "prompt": "4*20-51=?\\n", "completion": "4*20=80. 80-51=29. #### 29"}
        or token ids, used as given:
        {"id": 2, "prompt_ids": [1, 20, 14], "completion_ids": [25, 2]}

        Output: one JSON line per sample with id, completion_tokens, nll_mean, entropy_mean, self_certainty_mean (means over completion tokens, EOS included, no temperature) and grad_norm (the L2 norm of the gradient of nll_mean over --params; no length correction).

        With --rewards all|NAME,...: samples with identical prompts form a group, and each line also holds "rewards": {name: {"raw": r, "shaped": s}} per reward (default options and shaping; a completion is truncated when it does not end with EOS; a "gold" field on a line is the gold answer the gold reward compares against).

        Example: ablate inspect --checkpoint runs/init.safetensors --input samples.jsonl --params last:1
                 ablate inspect --checkpoint base.safetensors --input groups.jsonl --rewards vigor,self_certainty,majority_vote
        """)

    @Option(help: "Checkpoint (safetensors) to evaluate under.")
    var checkpoint: String

    @Option(help: "JSONL file of samples ('-' for standard input).")
    var input: String

    @Option(help: "Parameters of the gradient norm: all, lm_head, or last:K (the last K blocks, ln_f and lm_head).")
    var params = "all"

    @Flag(name: .customLong("no-eos"), help: "Do not append EOS to text completions (e.g. truncated ones).")
    var noEOS = false

    @Option(help: "Rewards to score each prompt's group with: all, or names (`ablate rewards` lists them).")
    var rewards: String?

    @Option(parsing: .unconditional, help: "Worker threads.")
    var threads = 2

    func run() throws {
        try reportingErrors("inspect") {
            try checkThreads(threads)
            let subset = try ParameterSubset(parsing: params)
            let contents = try Checkpoint.load(path: checkpoint)
            if case let .lastBlocks(k) = subset, k > contents.model.config.layers {
                let layers = contents.model.config.layers
                throw AblateError.invalidOption(name: "--params", value: params,
                                                valid: "the model has \(layers) blocks; use last:0 ... last:\(layers), lm_head or all")
            }
            let text: String
            if input == "-" {
                text = String(decoding: try StandardStreams.readInput(), as: UTF8.self)
            } else {
                guard let data = FileManager.default.contents(atPath: input) else {
                    throw AblateError.unreadableFile(path: input, reason: "cannot be read (does it exist?)")
                }
                text = String(decoding: data, as: UTF8.self)
            }
            let samples = try Inspector.parseSamples(jsonl: text, path: input == "-" ? "<stdin>" : input,
                                                     tokenizer: contents.tokenizer,
                                                     contextLength: contents.model.config.contextLength, appendEOS: !noEOS)
            let inspector = Inspector(model: contents.model, threads: threads, subset: subset)
            let scored = try rewards.map { try RewardInspection(names: $0) }
            let subsets = [subset] + (scored?.gradNormSubsets ?? [])
            let signals = try inspector.completionSignals(samples, subsets: subsets)
            let rewardValues = try scored?.score(samples: samples, signals: signals, tokenizer: contents.tokenizer)
            var nonFinite: [String] = []
            for (i, (s, r)) in zip(samples, signals).enumerated() {
                let summary = SignalSummary(r, subset: subset)
                if !summary.values.allSatisfy(\.isFinite) { nonFinite.append(s.id.serialized) }
                var pairs: [(key: String, value: JSONValue)] = [
                    ("id", s.id), ("completion_tokens", .number(Double(summary.completionTokens))),
                    ("nll_mean", .double(summary.nllMean)), ("entropy_mean", .double(summary.entropyMean)),
                    ("self_certainty_mean", .double(summary.selfCertaintyMean)), ("grad_norm", .double(summary.gradNorm)),
                ]
                if let rewardValues { pairs.append(("rewards", rewardValues[i])) }
                try StandardStreams.emit(JSONValue.object(pairs).serialized)
            }
            if !nonFinite.isEmpty {
                // Every line is still written; the exit code and this message say some are unusable.
                throw AblateError.invalidOption(
                    name: "--checkpoint", value: checkpoint,
                    valid: "\(nonFinite.count) of \(samples.count) samples gave NaN or infinite signals (ids "
                        + nonFinite.prefix(5).joined(separator: ", ") + (nonFinite.count > 5 ? ", …" : "")
                        + "): the weights overflow float32 arithmetic; check the checkpoint")
            }
        }
    }
}

/// The most worker threads a command accepts (each holds its own scratch buffers and one OpenBLAS thread).
let maximumThreads = 256

/// `--threads` in 1...maximumThreads.
func checkThreads(_ threads: Int) throws {
    guard (1...maximumThreads).contains(threads) else {
        throw ValidationError("--threads must be in 1...\(maximumThreads), got \(threads)")
    }
}

