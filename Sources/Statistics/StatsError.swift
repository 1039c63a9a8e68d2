/// Every way the statistics layer refuses input. Each message names the offending value and says how to fix it.
///
/// Validation happens once, at the public functions; degenerate-but-valid input (constant samples, NaN values)
/// is not an error and yields NaN or p = 1 exactly where scipy does.
public enum StatsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A sample that must hold values is empty.
    case emptyInput(argument: String, test: String)
    /// A sample has fewer observations than the statistic needs.
    case tooFewObservations(argument: String, test: String, count: Int, minimum: Int)
    /// Paired samples of different lengths.
    case lengthMismatch(test: String, xCount: Int, yCount: Int)
    /// A string option outside its closed set.
    case invalidOption(name: String, value: String, valid: [String])
    /// A numeric parameter outside its range.
    case invalidParameter(name: String, value: String, expected: String)
    /// A value the test cannot use (NaN or infinite where the method needs finite data).
    case nonFiniteInput(argument: String, test: String)
    /// A runs × tasks matrix whose rows differ in length, or with no rows or columns.
    case raggedMatrix(argument: String, detail: String)
    /// The exact method was requested on data it cannot handle exactly.
    case exactUnavailable(test: String, reason: String)
    /// A request whose work exceeds a stated cost limit (refused up front rather than running for minutes or
    /// exhausting memory).
    case tooExpensive(test: String, detail: String, limit: String, fix: String)
    /// A numerical routine did not converge.
    case numericalFailure(routine: String, detail: String)
    /// A JSON request that cannot be understood.
    case badRequest(String)
    /// A request names a test that does not exist.
    case unknownTest(name: String, valid: [String])
    /// A request passes a parameter the test does not take, or one of the wrong type.
    case unknownParameter(name: String, test: String, valid: [String])
    case wrongParameterType(name: String, expected: String)

    public var description: String {
        switch self {
        case let .emptyInput(argument, test):
            return "\(test): `\(argument)` is empty; pass at least one value."
        case let .tooFewObservations(argument, test, count, minimum):
            return "\(test): `\(argument)` has \(count) value(s) but needs at least \(minimum); add observations (seeds)."
        case let .lengthMismatch(test, xCount, yCount):
            return "\(test): paired samples must have equal lengths, but `x` has \(xCount) and `y` has \(yCount); "
                + "pair each x with its y (same seed), or use the independent-samples test."
        case let .invalidOption(name, value, valid):
            return "`\(name)` is '\(value)'; please provide one of " + Self.list(valid) + "."
        case let .invalidParameter(name, value, expected):
            return "`\(name)` is \(value); it must be \(expected)."
        case let .nonFiniteInput(argument, test):
            return "\(test): `\(argument)` contains NaN or infinite values; remove or impute them first."
        case let .raggedMatrix(argument, detail):
            return "`\(argument)` must be a non-empty runs × tasks matrix (x[run][task]) with equal-length rows: \(detail)."
        case let .exactUnavailable(test, reason):
            return "\(test): method 'exact' is unavailable because \(reason); use method 'auto' or 'asymptotic'."
        case let .tooExpensive(test, detail, limit, fix):
            return "\(test): \(detail) exceeds the limit of \(limit); \(fix)."
        case let .numericalFailure(routine, detail):
            return "\(routine) failed: \(detail)."
        case let .badRequest(detail):
            return "bad request: \(detail)."
        case let .unknownTest(name, valid):
            return "unknown test '\(name)'; please provide one of " + Self.list(valid) + "."
        case let .unknownParameter(name, test, valid):
            return "\(test) takes no parameter '\(name)'; valid parameters are "
                + (valid.isEmpty ? "none" : Self.list(valid)) + "."
        case let .wrongParameterType(name, expected):
            return "parameter '\(name)' must be \(expected)."
        }
    }

    private static func list(_ items: [String]) -> String {
        let quoted = items.map { "'\($0)'" }
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return quoted.dropLast().joined(separator: ", ") + " or " + (quoted.last ?? "")
    }
}
