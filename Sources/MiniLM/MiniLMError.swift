import Foundation

/// Every error MiniLM reports to a caller. Messages say what is wrong, the offending value, and how to fix it.
public enum MiniLMError: Error, CustomStringConvertible, Equatable {
    case unknownPreset(String, valid: [String])
    case invalidConfig(field: String, reason: String)
    case unknownCharacters(String, text: String)
    case unknownTokenId(Int, vocabSize: Int)
    case sequenceTooLong(index: Int, length: Int, context: Int)
    case emptySequence(index: Int)
    case invalidBatch(String)
    case unknownParameterSubset(String)
    case checkpoint(path: String, reason: String)
    case io(path: String, reason: String)
    /// Training produced a non-finite quantity (loss, gradient norm, parameter, reward) at a 1-based step.
    case diverged(step: Int, quantity: String, value: Double)

    public var description: String {
        switch self {
        case let .unknownPreset(name, valid):
            return "unknown model preset '\(name)'; valid presets: \(valid.map { "'\($0)'" }.joined(separator: ", "))"
        case let .invalidConfig(field, reason):
            return "invalid model config: \(field) \(reason)"
        case let .unknownCharacters(chars, text):
            let shown = text.count > 60 ? String(text.prefix(60)) + "…" : text
            return "the tokenizer has no token for the character(s) \(chars) in \"\(shown)\"; use only the tokenizer's characters or extend its vocabulary"
        case let .unknownTokenId(id, vocabSize):
            return "token id \(id) is outside the vocabulary 0..<\(vocabSize)"
        case let .sequenceTooLong(index, length, context):
            return "sequence \(index) has \(length) tokens but the model's context is \(context); shorten it or use a model with a longer block_size"
        case let .emptySequence(index):
            return "sequence \(index) is empty; every sequence needs at least BOS and one token to predict"
        case let .invalidBatch(reason):
            return "invalid batch: \(reason)"
        case let .unknownParameterSubset(s):
            return "unknown parameter subset '\(s)'; use 'all', 'lm_head' or 'last:K' (K = number of final blocks)"
        case let .checkpoint(path, reason):
            return "cannot load checkpoint \(path): \(reason)"
        case let .io(path, reason):
            return "\(path): \(reason)"
        case let .diverged(step, quantity, value):
            return "training diverged at step \(step): \(quantity) is \(value); lower the learning rate or tighten the gradient clip"
        }
    }
}
