/// Every error the `Tasks` module throws. Messages name the offending value and say how to fix it.
public enum TasksError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A family name that is not registered.
    case unknownFamily(name: String, valid: [String])
    /// A config override names a key the family's config does not have.
    case unknownConfigKey(scope: String, key: String, valid: [String])
    /// A config (or override document) that cannot be decoded.
    case malformedConfig(scope: String, reason: String)
    /// A knob outside its valid range.
    case invalidConfig(scope: String, key: String, value: String, reason: String)
    /// The generator could not find enough distinct problems that satisfy the knobs and the split.
    case generationExhausted(family: String, split: Split, wanted: Int, found: Int, attempts: Int)
    /// A request for more problems or examples than one call may make (`TaskRegistry.maxCount`).
    case countTooLarge(count: Int, limit: Int)
    /// An expression or program that does not parse.
    case syntax(text: String, position: Int, message: String)
    /// A program that parses but cannot run (undefined variable, overflow, loop too long, inexact division).
    case runtime(text: String, message: String)
    /// A problem handed to a family that did not generate it.
    case wrongFamily(expected: String, got: String)

    public var description: String {
        switch self {
        case let .unknownFamily(name, valid):
            return "unknown task family '\(name)'; valid families: \(Self.list(valid))"
        case let .unknownConfigKey(scope, key, valid):
            return "unknown key '\(key)' in \(scope) config; valid keys: \(Self.list(valid))"
        case let .malformedConfig(scope, reason):
            return "malformed \(scope) config: \(reason)"
        case let .invalidConfig(scope, key, value, reason):
            return "invalid \(scope) config: \(key) = \(value): \(reason)"
        case let .generationExhausted(family, split, wanted, found, attempts):
            return "\(family): found only \(found) of \(wanted) distinct \(split.rawValue) problems in \(attempts) "
                + "draws; relax the knobs (more operands, digits or maxChars) or ask for fewer problems"
        case let .countTooLarge(count, limit):
            return "cannot generate \(count) problems in one call; ask for at most \(limit)"
        case let .syntax(text, position, message):
            return "syntax error at character \(position) of '\(Self.oneLine(text))': \(message)"
        case let .runtime(text, message):
            return "cannot run '\(Self.oneLine(text))': \(message)"
        case let .wrongFamily(expected, got):
            return "problem of family '\(got)' given to family '\(expected)'"
        }
    }

    private static func list(_ names: [String]) -> String {
        names.map { "'\($0)'" }.joined(separator: ", ")
    }

    private static func oneLine(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\\n")
    }
}
