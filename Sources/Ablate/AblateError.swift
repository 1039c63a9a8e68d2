/// Errors of the Ablate layer (commands, input files, studies). Each says what is wrong, where, and how to fix it.
public enum AblateError: Error, CustomStringConvertible, Equatable {
    /// A line of a JSONL input file that cannot be used.
    case badInputLine(path: String, line: Int, reason: String)
    /// An input file that cannot be read.
    case unreadableFile(path: String, reason: String)
    /// A command-line value outside its valid set.
    case invalidOption(name: String, value: String, valid: String)

    public var description: String {
        switch self {
        case let .badInputLine(path, line, reason): return "\(path):\(line): \(reason)"
        case let .unreadableFile(path, reason): return "\(path): \(reason)"
        case let .invalidOption(name, value, valid): return "invalid value '\(value)' for \(name); \(valid)"
        }
    }
}
