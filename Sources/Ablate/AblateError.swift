/// Errors of the Ablate layer (commands, input files, studies, pre-training, evaluation; statistics have their
/// own `StatsError`). Each says what is wrong, where, the offending value, the valid ones where there is a closed
/// set, and how to fix it.
public enum AblateError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A line of a JSONL input file that cannot be used.
    case badInputLine(path: String, line: Int, reason: String)
    /// An input file that cannot be read.
    case unreadableFile(path: String, reason: String)
    /// A command-line value outside its valid set.
    case invalidOption(name: String, value: String, valid: String)
    /// A suite or family name that is not registered.
    case unknownSuite(name: String, valid: [String])
    /// A `--mix` value that is not `name=weight,...`.
    case malformedMix(text: String, reason: String)
    /// A pre-training recipe field outside its valid range.
    case invalidRecipe(field: String, value: String, reason: String)
    /// An evaluation setting outside its valid range.
    case invalidEvaluation(field: String, value: String, reason: String)
    /// A training setting outside its valid range, or an unknown key.
    case invalidTrainConfig(field: String, value: String, reason: String)
    /// A checkpoint path that does not exist.
    case missingCheckpoint(path: String)
    /// A cached checkpoint that cannot be loaded or belongs to another recipe.
    case corruptCache(path: String, reason: String)
    /// A file that cannot be written.
    case io(path: String, reason: String)
    /// A study file that is not valid: where (1-based line and column) and what, with the valid choices.
    case study(path: String, line: Int, column: Int, message: String)
    /// A run that cannot go on as asked (a changed finished trial, a trial another runner holds, ...).
    case run(reason: String)
    /// A reward that failed on a group mid-run (a non-finite value, a missing signal, its own error): a bug in the
    /// reward or its options, not a divergence of training.
    case rewardFailed(step: Int, prompt: Int, reason: String)

    public var description: String {
        switch self {
        case let .badInputLine(path, line, reason): return "\(path):\(line): \(reason)"
        case let .unreadableFile(path, reason): return "\(path): \(reason)"
        case let .invalidOption(name, value, valid): return "invalid value '\(value)' for \(name); \(valid)"
        case let .unknownSuite(name, valid):
            return "unknown suite '\(name)'; please provide one of \(Self.list(valid))"
        case let .malformedMix(text, reason):
            return "malformed --mix '\(text)': \(reason); expected e.g. arith=0.45,word=0.45,trace=0.1"
        case let .invalidRecipe(field, value, reason):
            return "invalid pre-training recipe: \(field) = \(value): \(reason)"
        case let .invalidEvaluation(field, value, reason):
            return "invalid evaluation setting: \(field) = \(value): \(reason)"
        case let .invalidTrainConfig(field, value, reason):
            return "invalid training setting: \(field) = \(value): \(reason)"
        case let .missingCheckpoint(path):
            return "no checkpoint at '\(path)'; pass the path of a .safetensors file written by `ablate pretrain`"
        case let .corruptCache(path, reason):
            return "the cached base model \(path) is unusable (\(reason)); delete it and rerun `ablate pretrain` to rebuild it"
        case let .io(path, reason):
            return "\(path): \(reason)"
        case let .study(path, line, column, message):
            return "\(path):\(line):\(column): \(message)"
        case let .run(reason):
            return reason
        case let .rewardFailed(step, prompt, reason):
            return "the reward failed at step \(step) on prompt \(prompt): \(reason) (a bug in the reward or its options; the learning rate is not the cause)"
        }
    }

    /// `'a'`, `'a' or 'b'`, `'a', 'b' or 'c'`.
    static func list(_ names: [String]) -> String {
        switch names.count {
        case 0: return "(none)"
        case 1: return "'\(names[0])'"
        default: return names.dropLast().map { "'\($0)'" }.joined(separator: ", ") + " or '\(names[names.count - 1])'"
        }
    }
}
