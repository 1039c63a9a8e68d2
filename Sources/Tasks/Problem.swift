import Seeded
/// Which split a problem falls on: train (pre-training and RL prompts), validation (every choice made on data:
/// learning rate, step budget, checkpoint), or test (reported results only).
///
/// The split is a pure function of the problem's identity string (`Split.of(identity:)`), so a problem can never
/// be on two sides, whatever the seed, the knobs or the order of generation. With h = `StableHash.hash(identity)
/// % 100`: test h < 10, validation 10 ≤ h < 20, train h ≥ 20. Until the validation split existed the test split
/// was h < 20; the train split (h ≥ 20) did not change, so neither did pre-training data or any base model.
public enum Split: String, Codable, Sendable, CaseIterable {
    case train, validation, test

    /// Percentage of the identity space in the test split. 10%: over a thousand distinct test problems per
    /// family at default knobs (evaluation uses 1000). Very easy knobs shrink the space:
    /// `problems(count:split:seed:)` then throws rather than repeat.
    public static let testPercent: UInt64 = 10
    /// Percentage in the validation split (after the test split's).
    public static let validationPercent: UInt64 = 10

    public static func of(identity: String) -> Split {
        let h = StableHash.hash(identity) % 100
        if h < testPercent { return .test }
        return h < testPercent + validationPercent ? .validation : .train
    }
}

/// One generated problem: a prompt, its canonical answer and a gold solution.
///
/// The training text is `prompt + solution` (the trainer adds BOS before and EOS after). The prompt ends with a
/// newline; the solution is a short scratchpad of steps ending with `" #### <answer>"`.
public struct Problem: Codable, Sendable, Hashable {
    /// Family name, e.g. `"arith"`.
    public let family: String
    /// Stable identity of the underlying problem (the math, not the wording), `"<family>:<canonical form>"`.
    /// The train/test split hashes it; two problems with the same identity are the same problem.
    public let identity: String
    /// `Split.of(identity: identity)`.
    public let split: Split
    /// The prompt text, ending with `"\n"`.
    public let prompt: String
    /// The gold answer in canonical integer form (`"133"`, `"-4"`; no sign for positives, no leading zeros).
    public let answer: String
    /// The gold completion: scratchpad steps then `" #### <answer>"` (no EOS).
    public let solution: String

    public init(family: String, identity: String, prompt: String, answer: String, solution: String) {
        self.family = family
        self.identity = identity
        self.split = Split.of(identity: identity)
        self.prompt = prompt
        self.answer = answer
        self.solution = solution
    }

    /// `prompt + solution`: what a pre-training example contains between BOS and EOS.
    public var text: String { prompt + solution }

    private enum CodingKeys: String, CodingKey { case family, identity, split, prompt, answer, solution }

    /// Decodes and recomputes the split from the identity; a stored split that disagrees (stale or edited data)
    /// is an error, since trusting it would let a test problem into training.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(family: try c.decode(String.self, forKey: .family), identity: try c.decode(String.self, forKey: .identity),
                  prompt: try c.decode(String.self, forKey: .prompt), answer: try c.decode(String.self, forKey: .answer),
                  solution: try c.decode(String.self, forKey: .solution))
        if let stored = try c.decodeIfPresent(Split.self, forKey: .split), stored != split {
            throw DecodingError.dataCorruptedError(forKey: .split, in: c, debugDescription:
                "stored split '\(stored.rawValue)' but identity '\(identity)' belongs to '\(split.rawValue)'")
        }
    }
}

/// A solution with one realistic slip (off by one, a digit slip) in one computational step, propagated
/// consistently through every later step to the final answer. Its format is well formed; its answer is wrong.
public struct FlawedSolution: Sendable, Hashable {
    /// The full completion, `"... #### <wrong answer>"`.
    public let solution: String
    /// The (wrong) final answer the solution ends with; never equal to the gold answer.
    public let answer: String
    /// Index of the slipped step among the scratchpad's steps (as `ScratchpadReport.steps` numbers them).
    public let slippedStep: Int
}

/// The one solution format every family writes: `"step. step. #### answer"`.
enum SolutionFormat {
    static func render(steps: [String], answer: String) -> String {
        steps.isEmpty ? "#### \(answer)" : steps.joined(separator: ". ") + ". #### \(answer)"
    }
}
