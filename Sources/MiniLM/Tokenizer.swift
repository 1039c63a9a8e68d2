/// Character-level tokenizer over a fixed vocabulary: ids 0, 1, 2 are PAD, BOS, EOS, then one id per character
/// in the order given. Encoding a character outside the vocabulary is an error that names it.
public struct Tokenizer: Equatable, Sendable {
    public static let pad: Int32 = 0
    public static let bos: Int32 = 1
    public static let eos: Int32 = 2
    public static let specialTokens = ["<pad>", "<bos>", "<eos>"]

    /// Token strings in id order (the checkpoint's `vocab`).
    public let tokens: [String]
    private let ids: [Character: Int32]

    /// A tokenizer over the given characters (duplicates are an error; order fixes the ids).
    public init(characters: [Character]) throws {
        var ids: [Character: Int32] = [:]
        for (i, c) in characters.enumerated() {
            if ids[c] != nil { throw MiniLMError.invalidConfig(field: "vocab", reason: "lists the character \(String(reflecting: String(c))) twice") }
            ids[c] = Int32(i + Tokenizer.specialTokens.count)
        }
        self.ids = ids
        tokens = Tokenizer.specialTokens + characters.map { String($0) }
    }

    /// Rebuilds a tokenizer from a checkpoint's token list (specials first, then one character each).
    public init(tokens: [String]) throws {
        guard tokens.count >= 3, Array(tokens.prefix(3)) == Tokenizer.specialTokens else {
            throw MiniLMError.invalidConfig(field: "vocab", reason: "must start with \(Tokenizer.specialTokens)")
        }
        var chars: [Character] = []
        for t in tokens.dropFirst(3) {
            guard t.count == 1, let c = t.first else {
                throw MiniLMError.invalidConfig(field: "vocab", reason: "entry \(String(reflecting: t)) is not a single character")
            }
            chars.append(c)
        }
        try self.init(characters: chars)
    }

    public var vocabSize: Int { tokens.count }

    /// The ids of `text`'s characters (no BOS/EOS added).
    public func encode(_ text: String) throws -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(text.count)
        var unknown: [Character] = []
        for c in text {
            if let id = ids[c] { out.append(id) } else if !unknown.contains(c) { unknown.append(c) }
        }
        if !unknown.isEmpty {
            throw MiniLMError.unknownCharacters(unknown.map { String(reflecting: String($0)) }.joined(separator: ", "), text: text)
        }
        return out
    }

    /// The text of token ids; special tokens are skipped, unknown ids are an error.
    public func decode(_ ids: [Int32]) throws -> String {
        var s = ""
        for id in ids {
            guard id >= 0, Int(id) < tokens.count else { throw MiniLMError.unknownTokenId(Int(id), vocabSize: tokens.count) }
            if id >= 3 { s += tokens[Int(id)] }
        }
        return s
    }
}
