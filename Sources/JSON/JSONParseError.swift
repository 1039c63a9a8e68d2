/// Text that `JSONValue.parse` could not read as JSON.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Foundation's message (it gives no position).
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    /// What went wrong and the usual culprit: Python's `json.dumps` writes NaN and infinities as bare
    /// NaN/Infinity tokens, which are not JSON.
    public var description: String {
        "the input is not valid JSON (\(reason)); NaN and infinities must be the strings \"nan\", \"inf\" and "
            + "\"-inf\", not bare NaN, Infinity or 1e999"
    }
}
