import Foundation
import JSON
import MiniLM
import RewardZoo
import Tasks

/// One completion to inspect: token ids of the prompt (BOS first) and of the completion (EOS last when it ended).
public struct InspectSample: Sendable {
    public var id: JSONValue
    public var promptIds: [Int32]
    public var completionIds: [Int32]
    /// The gold answer, when the line gives one (only the `gold` reward reads it).
    public var gold: String?
    public init(id: JSONValue, promptIds: [Int32], completionIds: [Int32], gold: String? = nil) {
        self.id = id
        self.promptIds = promptIds
        self.completionIds = completionIds
        self.gold = gold
    }
}

/// What `ablate inspect` prints for one completion: its signals under the current parameters as means over
/// completion tokens, EOS included (at the inspector's temperature, 1 for `ablate inspect`).
public struct SignalSummary: Sendable, Equatable {
    public var completionTokens: Int
    /// Mean over completion tokens of −log p(y_t | x, y_<t).
    public var nllMean: Double
    /// Mean token entropy H_t = logsumexp(z_t) − Σ_j p_t(j) z_t(j).
    public var entropyMean: Double
    /// Mean self-certainty logsumexp(z_t) − mean_j z_t(j) (INTUITOR; the constant −log|V| kept out).
    public var selfCertaintyMean: Double
    /// ‖∇θ nllMean‖₂ over the chosen parameter subset (VIGOR's signal before length correction); NaN when the
    /// signals hold no norm for it.
    public var gradNorm: Double

    /// The summary of one completion's runner signals, with the gradient norm of `subset`.
    public init(_ signals: GPTRunner.CompletionSignals, subset: ParameterSubset) {
        func mean(_ s: GPTRunner.TokenStatistic) -> Double { SignalMeans.mean((signals.statistics[s] ?? []).map(Double.init)) }
        completionTokens = signals.tokenCount
        nllMean = -mean(.logProb)
        entropyMean = mean(.entropy)
        selfCertaintyMean = mean(.selfCertainty)
        gradNorm = signals.gradNorms[subset] ?? .nan
    }

    /// The four numbers in the order `ablate inspect` prints them.
    public var values: [Double] { [nllMean, entropyMean, selfCertaintyMean, gradNorm] }
}

/// Computes the runner's per-completion signals (`GPTRunner.completionSignals`, the method training uses) for
/// given completions, in batches: one teacher-forced forward at `temperature` per batch, whose activations the
/// batched per-sample gradient-norm passes reuse.
public struct Inspector {
    public let runner: GPTRunner
    public var subset: ParameterSubset
    /// The temperature of the token statistics: 1 for `ablate inspect`, the sampling temperature for
    /// `ablate analyze` (as in training, where every per-token signal is at the sampling temperature).
    public var temperature: Float
    /// Completions per batched pass (bounds memory: activations grow with batch × length²).
    public var batchSize = 64

    public init(model: GPT, threads: Int, subset: ParameterSubset = .all, temperature: Float = 1) {
        runner = GPTRunner(model: model, threads: threads)
        self.subset = subset
        self.temperature = temperature
    }

    /// The summary of every sample (its gradient norm over `subset`).
    public func signals(_ samples: [InspectSample]) throws -> [SignalSummary] {
        try completionSignals(samples, subsets: [subset]).map { SignalSummary($0, subset: subset) }
    }

    /// The runner's signals of every sample: every token statistic of every completion token and
    /// ‖∇θ_S mean NLL‖₂ for each subset.
    public func completionSignals(_ samples: [InspectSample], subsets: [ParameterSubset]) throws -> [GPTRunner.CompletionSignals] {
        var out: [GPTRunner.CompletionSignals] = []
        out.reserveCapacity(samples.count)
        var start = 0
        while start < samples.count {
            let chunk = Array(samples[start..<min(start + max(1, batchSize), samples.count)])
            let batch = try TokenBatch.teacherForcing(
                sequences: chunk.map { $0.promptIds + $0.completionIds },
                lossStart: chunk.map { $0.promptIds.count }, normalization: .sequenceMean,
                pad: Tokenizer.pad, contextLength: runner.model.config.contextLength)
            out += try runner.completionSignals(try runner.forward(batch, temperature: temperature), gradNormSubsets: subsets)
            start += chunk.count
        }
        return out
    }

    /// Parses `ablate inspect` input: one JSON object per line with an `id` and either `prompt` + `completion`
    /// (text; BOS is prepended, EOS appended to the completion unless `appendEOS` is false) or `prompt_ids` +
    /// `completion_ids` (used as given), never both. Lines end in LF or CRLF. Blank lines are skipped; any other bad
    /// line is an error naming it.
    public static func parseSamples(jsonl text: String, path: String, tokenizer: Tokenizer, contextLength: Int,
                                     appendEOS: Bool = true) throws -> [InspectSample] {
        var samples: [InspectSample] = []
        // Split the bytes, not the Characters: Swift treats "\r\n" as one Character, which is not "\n".
        for (index, rawBytes) in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            func bad(_ reason: String) -> AblateError { .badInputLine(path: path, line: lineNumber, reason: reason) }
            let bytes = rawBytes.last == 0x0D ? rawBytes.dropLast() : rawBytes[...]
            let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard let value = try? JSONValue.parse(Data(line.utf8)), case let .object(pairs) = value else {
                throw bad("not a JSON object")
            }
            let known: Set<String> = ["id", "prompt", "completion", "prompt_ids", "completion_ids", "gold"]
            if let unknown = pairs.map(\.key).first(where: { !known.contains($0) }) {
                throw bad("unknown field \"\(unknown)\"; valid fields: \(known.sorted().joined(separator: ", "))")
            }
            let id = value["id"] ?? .number(Double(lineNumber))
            func ids(_ field: String) throws -> [Int32]? {
                guard let v = value[field] else { return nil }
                guard case let .array(items) = v else { throw bad("\(field) must be a list of token ids") }
                return try items.map { item in
                    if case let .number(d) = item, abs(d) >= 9_007_199_254_740_992 {
                        throw bad("\(field) holds a number of magnitude ≥ 2^53 (not exactly representable), not a token id in 0..<\(tokenizer.vocabSize)")
                    }
                    guard case let .number(d) = item, d == d.rounded(), d >= 0, d < Double(tokenizer.vocabSize) else {
                        throw bad("\(field) holds \(item.serialized), not a token id in 0..<\(tokenizer.vocabSize)")
                    }
                    return Int32(d)
                }
            }
            var prompt: [Int32], completion: [Int32]
            let hasText = value["prompt"] != nil || value["completion"] != nil
            let hasIds = value["prompt_ids"] != nil || value["completion_ids"] != nil
            if hasText && hasIds {
                throw bad("has both text (prompt/completion) and token ids (prompt_ids/completion_ids); give one form")
            }
            if case let .string(p)? = value["prompt"], case let .string(c)? = value["completion"] {
                do {
                    prompt = [Tokenizer.bos] + (try tokenizer.encode(p))
                    completion = try tokenizer.encode(c) + (appendEOS ? [Tokenizer.eos] : [])
                } catch { throw bad("\(error)") }
            } else if let p = try ids("prompt_ids"), let c = try ids("completion_ids") {
                prompt = p
                completion = c
            } else {
                throw bad("needs \"prompt\" and \"completion\" (strings) or \"prompt_ids\" and \"completion_ids\" (token id lists)")
            }
            guard !prompt.isEmpty else { throw bad("the prompt is empty; it needs at least BOS") }
            guard !completion.isEmpty else { throw bad("the completion is empty") }
            let length = prompt.count + completion.count - 1
            guard length <= contextLength else {
                throw bad("prompt + completion need \(length) positions but the model's context is \(contextLength)")
            }
            var gold: String? = nil
            switch value["gold"] {
            case nil, .null?: break
            case let .string(g)?: gold = AnswerParser.canonical(g) ?? g
            case let .number(d)? where d == d.rounded() && abs(d) < 1e15: gold = String(Int64(d))
            default: throw bad("gold must be the answer as a string or an integer")
            }
            samples.append(InspectSample(id: id, promptIds: prompt, completionIds: completion, gold: gold))
        }
        return samples
    }
}
