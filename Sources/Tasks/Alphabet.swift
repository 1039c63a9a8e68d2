/// The characters any prompt or solution of any family can contain: the character-level tokenizer's
/// vocabulary (it adds PAD, BOS and EOS itself). A test checks every family's output against it, so a new
/// template word with a new capital letter fails loudly instead of silently mapping to an unknown token.
///
/// Changing this list changes the vocabulary of every checkpoint: append-only changes would still shift ids,
/// because the list is sorted. Treat it as permanent.
public enum Alphabet {
    /// Newline, space, `#'()*+-./`, digits, `:<=>?`, the capitals used by names and sentence starts, and all
    /// lowercase letters; sorted by Unicode scalar value, no duplicates.
    public static let characters: [Character] = {
        let punctuation = "\n #'()*+-./:<=>?"
        let digits = "0123456789"
        let capitals = "ABCDEFGHIKLMNPSTZ"
        let lowercase = "abcdefghijklmnopqrstuvwxyz"
        return Array(Set(punctuation + digits + capitals + lowercase))
            .sorted { ($0.unicodeScalars.first?.value ?? 0) < ($1.unicodeScalars.first?.value ?? 0) }
    }()

    /// `characters` as one string.
    public static let string = String(characters)

    private static let set = Set(characters)

    /// True when every character of `text` is in the alphabet.
    public static func covers(_ text: String) -> Bool { text.allSatisfy(set.contains) }

    /// The characters of `text` outside the alphabet, in order of first appearance.
    public static func foreignCharacters(in text: String) -> [Character] {
        var seen = Set<Character>()
        return text.filter { !set.contains($0) && seen.insert($0).inserted }.map { $0 }
    }
}
