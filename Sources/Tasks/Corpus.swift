import Seeded
/// Knobs of the pre-training corpus.
public struct CorpusConfig: TaskConfig {
    public static let scope = "corpus"

    /// Relative weight of each family, by registry name (normalised; a missing family gets 0).
    /// arith 0.45, word 0.45, trace 0.10: trace is under-represented so that transfer from math training to
    /// code is measurable, yet present so the base model knows its format.
    public var weights: [String: Double] = ["arith": 0.45, "word": 0.45, "trace": 0.10]
    /// Probability that an example's solution carries one slip propagated to a wrong answer. 0.1: the base
    /// model learns the format and is usually right, but not reliably, so RL has room to move.
    public var flawedFraction = 0.1

    public init() {}

    public func validate() throws {
        for (name, weight) in weights.sorted(by: { $0.key < $1.key }) {
            guard TaskRegistry.names.contains(name) else {
                throw TasksError.unknownFamily(name: name, valid: TaskRegistry.names)
            }
            guard weight.isFinite, weight >= 0 else {
                throw TasksError.invalidConfig(scope: Self.scope, key: "weights.\(name)", value: String(weight),
                                               reason: "must be a finite non-negative number")
            }
        }
        let total = weights.sorted(by: { $0.key < $1.key }).reduce(0) { $0 + $1.value }
        guard total > 0 else {
            throw TasksError.invalidConfig(scope: Self.scope, key: "weights", value: "\(weights.sorted(by: { $0.key < $1.key }))",
                                           reason: "at least one family needs a positive weight")
        }
        // Finite weights can still sum to +inf, and then every draw lands on the last family.
        guard total.isFinite else {
            throw TasksError.invalidConfig(scope: Self.scope, key: "weights", value: "\(weights.sorted(by: { $0.key < $1.key }))",
                                           reason: "the weights must have a finite sum; scale them down")
        }
        guard flawedFraction.isFinite, (0...1).contains(flawedFraction) else {
            throw TasksError.invalidConfig(scope: Self.scope, key: "flawedFraction", value: String(flawedFraction),
                                           reason: "must be in 0...1")
        }
    }
}

/// One pre-training example: a problem and the solution the corpus shows for it (gold, or flawed).
public struct CorpusExample: Sendable, Hashable {
    public let problem: Problem
    /// The gold solution, or a flawed one when `isFlawed`.
    public let solution: String
    /// True when `solution` carries a slip (and so a wrong final answer).
    public let isFlawed: Bool
    /// Index of the slipped scratchpad step when `isFlawed`.
    public let slippedStep: Int?

    public var family: String { problem.family }
    public var prompt: String { problem.prompt }
    /// `prompt + solution`: the example's text between BOS and EOS.
    public var text: String { prompt + solution }
}

/// Mixes families by weight into a deterministic stream of examples, a fraction of them with flawed solutions.
///
/// Each example: pick a family with probability proportional to its weight (families in the order given,
/// never dictionary order), draw a problem of the requested split, and with probability `flawedFraction`
/// replace its solution with `flawedSolution(for:)`. When a problem admits no answer-changing slip, another
/// problem of the same family is drawn (up to `flawAttempts`, then the gold solution is kept), so the realised
/// fraction matches `flawedFraction` in every family. Problems may repeat, as in any sampled corpus.
public struct CorpusGenerator: Sendable {
    public let config: CorpusConfig
    public let families: [any TaskFamily]
    private let weights: [Double]

    /// Throws when the config is invalid or weighs a family that `families` does not contain.
    public init(config: CorpusConfig = CorpusConfig(),
                families: [any TaskFamily] = TaskRegistry.defaultFamilies()) throws {
        try config.validate()
        let names = families.map(\.name)
        for name in config.weights.keys.sorted() where !names.contains(name) {
            throw TasksError.unknownFamily(name: name, valid: names)
        }
        let weights = families.map { config.weights[$0.name] ?? 0 }
        guard weights.reduce(0, +) > 0 else {
            throw TasksError.invalidConfig(scope: CorpusConfig.scope, key: "weights", value: "\(names)",
                                           reason: "no family given has a positive weight")
        }
        self.config = config
        self.families = families
        self.weights = weights
    }

    /// `count` examples, deterministic for `seed`. Pre-training uses `.train`; `.test` gives held-out text
    /// for a validation loss (never train on it: evaluation draws from the same test split).
    /// Throws `TasksError.countTooLarge` above `TaskRegistry.maxCount`.
    public func examples(count: Int, seed: UInt64, split: Split = .train) throws -> [CorpusExample] {
        guard count <= TaskRegistry.maxCount else {
            throw TasksError.countTooLarge(count: count, limit: TaskRegistry.maxCount)
        }
        var stream = self.stream(seed: seed, split: split)
        return try (0..<max(0, count)).map { _ in try stream.next() }
    }

    /// An endless stream of examples, deterministic for `seed`.
    public func stream(seed: UInt64, split: Split = .train) -> CorpusStream {
        CorpusStream(generator: self, rng: TaskRNG(seed: seed ^ 0xC0_4B05), split: split)
    }

    /// Problems tried for one flawed example before settling for a gold one.
    static let flawAttempts = 8

    fileprivate func example(rng: inout TaskRNG, split: Split) throws -> CorpusExample {
        let family = families[rng.weightedIndex(weights)]
        var problem = try family.problem(split: split, rng: &rng)
        guard rng.chance(config.flawedFraction) else {
            return CorpusExample(problem: problem, solution: problem.solution, isFlawed: false, slippedStep: nil)
        }
        // Some problems admit no answer-changing slip (a trace whose operations do not reach the print):
        // draw another problem of the same family, so the flawed fraction holds per family.
        for _ in 0..<Self.flawAttempts {
            if let flawed = family.flawedSolution(for: problem, rng: &rng) {
                return CorpusExample(problem: problem, solution: flawed.solution, isFlawed: true,
                                     slippedStep: flawed.slippedStep)
            }
            problem = try family.problem(split: split, rng: &rng)
        }
        return CorpusExample(problem: problem, solution: problem.solution, isFlawed: false, slippedStep: nil)
    }
}

/// See `CorpusGenerator.stream(seed:split:)`.
public struct CorpusStream: Sendable {
    let generator: CorpusGenerator
    var rng: TaskRNG
    let split: Split

    /// The next example; throws only when a family's knobs admit no problem of the split.
    public mutating func next() throws -> CorpusExample {
        try generator.example(rng: &rng, split: split)
    }
}
