/// Final-answer extraction in the GSM8K convention, shared by every family.
///
/// A completion is well formed when it contains exactly one `####` marker (exactly four `#` in the whole
/// completion, contiguous), followed by optional spaces, an optional `-`, 1 to `maxDigits` decimal digits that
/// fit in Int64, and nothing else but trailing whitespace. Anything else — empty text, no marker, two markers,
/// `#####`, `+5`, `1,000`, `3.5`, `12 apples`, a 40-digit number — yields nil. Never traps.
public enum AnswerParser {
    /// The answer marker.
    public static let marker = "####"
    /// Longest accepted digit string. 18 digits always fit in Int64, so no legal answer is rejected for size
    /// while absurdly long outputs are refused before any conversion.
    public static let maxDigits = 18

    /// The canonical answer (`"133"`, `"-4"`, `"0"` for `-0`, leading zeros dropped), or nil if malformed.
    public static func parse(_ completion: String) -> String? {
        let bytes = Array(completion.utf8)
        let hash = UInt8(ascii: "#")
        guard let first = bytes.firstIndex(of: hash) else { return nil }
        var i = first
        while i < bytes.count, bytes[i] == hash { i += 1 }
        guard i - first == 4, !bytes[i...].contains(hash) else { return nil }
        while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
        var end = bytes.count
        while end > i, isWhitespace(bytes[end - 1]) { end -= 1 }
        return canonical(bytes[i..<end])
    }

    /// Canonical form of an integer string (same grammar as after the marker, no surrounding spaces), or nil.
    public static func canonical(_ integer: String) -> String? {
        canonical(Array(integer.utf8)[...])
    }

    /// True when `completion` parses and its answer equals the canonical form of `gold`. Exact match only.
    public static func verify(_ completion: String, gold: String) -> Bool {
        guard let answer = parse(completion), let expected = canonical(gold) else { return false }
        return answer == expected
    }

    private static func canonical(_ bytes: ArraySlice<UInt8>) -> String? {
        var i = bytes.startIndex
        var negative = false
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        let digits = bytes[i...]
        guard !digits.isEmpty, digits.count <= maxDigits,
              digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        var value: Int64 = 0
        for d in digits { value = value * 10 + Int64(d - UInt8(ascii: "0")) }  // < 10^18: cannot overflow
        return String(negative ? -value : value)
    }

    private static func isWhitespace(_ b: UInt8) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r")
    }
}
