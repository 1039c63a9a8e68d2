import Ablate
import ArgumentParser
import Foundation
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

    @Option(help: "Initialisation seed.")
    var seed: UInt64 = 0

    @Option(help: "Output checkpoint path.")
    var out: String

    func run() throws {
        try cli {
            let tokenizer = try TaskVocabulary.tokenizer()
            let config = try ModelConfig.preset(preset, vocabSize: tokenizer.vocabSize)
            let model = try GPT(config: config, seed: seed)
            try Checkpoint.save(model: model, tokenizer: tokenizer,
                                metadata: RunInfo.current().metadata(extra: ["init_seed": "\(seed)", "preset": preset]), to: out)
            print("wrote \(out): preset \(preset), \(model.parameterCount) parameters, vocab \(tokenizer.vocabSize), seed \(seed)")
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

    @Option(help: "Worker threads.")
    var threads = 2

    func run() throws {
        try cli {
            guard threads >= 1 else { throw AblateError.invalidOption(name: "--threads", value: "\(threads)", valid: "use 1 or more") }
            let subset = try ParameterSubset(parsing: params)
            let contents = try Checkpoint.load(path: checkpoint)
            let text: String
            if input == "-" {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
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
            let signals = try inspector.tokenSignals(samples, subsets: subsets)
            let rewardValues = try scored?.score(samples: samples, signals: signals, tokenizer: contents.tokenizer)
            for (i, (s, r)) in zip(samples, signals).enumerated() {
                var pairs: [(key: String, value: JSONValue)] = [
                    ("id", s.id), ("completion_tokens", .number(Double(r.completionTokens))),
                    ("nll_mean", .double(-SignalMeans.mean(r.logProbs))), ("entropy_mean", .double(SignalMeans.mean(r.entropies))),
                    ("self_certainty_mean", .double(SignalMeans.mean(r.selfCertainties))), ("grad_norm", .double(r.gradNorms[subset] ?? .nan)),
                ]
                if let rewardValues { pairs.append(("rewards", rewardValues[i])) }
                print(JSONValue.object(pairs).serialized)
            }
        }
    }
}

/// Runs a command body; errors from the libraries become one clear line on stderr and exit code 1.
func cli(_ body: () throws -> Void) throws {
    do { try body() } catch let e as ValidationError { throw e } catch let e as ExitCode { throw e } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(1)
    }
}
