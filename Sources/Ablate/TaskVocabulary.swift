import MiniLM
import Tasks

/// The tokenizer every RewardZoo model uses: PAD, BOS, EOS, then the characters the task families can emit
/// (`Tasks.Alphabet`). MiniLM and Tasks know nothing of each other; Ablate joins them here.
public enum TaskVocabulary {
    public static func tokenizer() throws -> Tokenizer {
        try Tokenizer(characters: Alphabet.characters)
    }
}
