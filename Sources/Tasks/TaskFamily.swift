import Foundation
import JSON
import Seeded

/// A family of generated problems with exact verification.
///
/// A conforming type implements generation (`draw`) and slips (`flawedSolution`); splitting, uniqueness,
/// parsing, verification and scratchpad checking come from the extension and are the same for every family.
public protocol TaskFamily: Sendable {
    /// The registry name (`"arith"`, `"word"`, `"trace"`); permanent, since results on disk refer to it.
    static var familyName: String { get }

    /// The family's knobs.
    associatedtype Config: TaskConfig

    /// The knobs in effect.
    var config: Config { get }

    /// The family with knobs that have passed `validate()` (the other initialisers check, then call this).
    init(validated config: Config)

    /// The family with default knobs.
    init()

    /// The family with the default knobs overridden by the keys of the JSON object `overridesJSON`, e.g.
    /// `{"digits": 1}`. An unknown key, a wrong type or an invalid value is a `TasksError`.
    init(overridesJSON: String) throws

    /// The knobs in effect as a JSON object with sorted keys (stable: usable in recipes and cache keys).
    var configJSON: String { get }

    /// Every knob's name as its JSON (and `init(overridesJSON:)`) spells it, sorted.
    static var knobNames: [String] { get }

    /// One candidate from the whole problem space (either split), or nil when the draw breaks a knob (a value
    /// out of range, a text too long). Callers use `problem(split:rng:)` or `problems(count:split:seed:)`.
    func draw(rng: inout TaskRNG) -> Problem?

    /// A solution of `problem` with one slip in one computational step, propagated consistently to a wrong
    /// final answer; nil when the problem is not from this family or no tried slip changes the answer.
    func flawedSolution(for problem: Problem, rng: inout TaskRNG) -> FlawedSolution?
}

extension TaskFamily {
    public init() { self.init(validated: Config()) }

    /// Throws `TasksError.invalidConfig` on a bad knob.
    public init(config: Config) throws {
        try config.validate()
        self.init(validated: config)
    }

    public init(overridesJSON: String) throws { self.init(validated: try Config.decoding(overridesJSON: overridesJSON)) }

    public var configJSON: String { config.json }

    public static var knobNames: [String] { (Overrides.keys(of: Config()) + Config.optionalKeys).sorted() }

    /// `Self.familyName`.
    public var name: String { Self.familyName }

    /// Most draws tried for one problem before giving up (a knob setting with no valid problem must not hang).
    static var maxAttemptsPerProblem: Int { 10_000 }

    /// One problem of `split` drawn from `rng` (repeats across calls are possible: use it for corpora).
    public func problem(split: Split, rng: inout TaskRNG) throws -> Problem {
        for _ in 0..<Self.maxAttemptsPerProblem {
            if let p = draw(rng: &rng), p.split == split { return p }
        }
        throw TasksError.generationExhausted(family: name, split: split, wanted: 1, found: 0,
                                             attempts: Self.maxAttemptsPerProblem)
    }

    /// `count` distinct problems (by identity) of `split`, deterministic for `seed` (and the knobs): the same
    /// call returns the same list, in the same order, on every machine.
    /// Throws `TasksError.countTooLarge` above `TaskRegistry.maxCount`.
    public func problems(count: Int, split: Split, seed: UInt64) throws -> [Problem] {
        try problems(count: count, split: split, seed: seed, allowFewer: false)
    }

    /// As `problems(count:split:seed:)`; with `allowFewer`, a split with fewer than `count` distinct problems at
    /// these knobs is returned whole (every problem the draw budget found, in the order found; at least one)
    /// instead of throwing. Evaluation uses it: a small problem space is evaluated entirely, and says its n.
    public func problems(count: Int, split: Split, seed: UInt64, allowFewer: Bool) throws -> [Problem] {
        guard count <= TaskRegistry.maxCount else {
            throw TasksError.countTooLarge(count: count, limit: TaskRegistry.maxCount)
        }
        var rng = TaskRNG(seed: seed ^ StableHash.hash(name))
        var seen = Set<String>()
        var out: [Problem] = []
        out.reserveCapacity(max(0, count))
        let budget = max(Self.maxAttemptsPerProblem, count * 100)
        var attempts = 0
        while out.count < count {
            guard attempts < budget else {
                if allowFewer && !out.isEmpty { return out }
                throw TasksError.generationExhausted(family: name, split: split, wanted: count, found: out.count,
                                                     attempts: attempts)
            }
            attempts += 1
            guard let p = draw(rng: &rng), p.split == split, seen.insert(p.identity).inserted else { continue }
            out.append(p)
        }
        return out
    }

    /// The canonical final answer of `completion`, or nil if malformed (`AnswerParser.parse`).
    public func parseAnswer(_ completion: String) -> String? { AnswerParser.parse(completion) }

    /// Exact verifier: the completion's parsed answer equals the problem's gold answer.
    public func verify(_ completion: String, for problem: Problem) -> Bool {
        AnswerParser.verify(completion, gold: problem.answer)
    }

    /// Step-by-step check of the completion's scratchpad (`ScratchpadChecker.check`).
    public func checkScratchpad(_ completion: String) -> ScratchpadReport { ScratchpadChecker.check(completion) }
}

// MARK: - Knobs

/// A family's knobs: Codable with defaults, validated once at the boundary.
public protocol TaskConfig: Codable, Sendable, Equatable {
    /// Name used in error messages (the family name).
    static var scope: String { get }
    /// Optional knobs: left out of the JSON while nil (so adding one changes no existing hash), yet accepted as
    /// overrides.
    static var optionalKeys: [String] { get }
    init()
    /// Throws `TasksError.invalidConfig` naming the first bad knob.
    func validate() throws
}

extension TaskConfig {
    public static var optionalKeys: [String] { [] }

    /// Defaults overridden by the keys of a JSON object (`Overrides`); unknown keys and wrong types are errors.
    public static func decoding(overridesJSON: String) throws -> Self {
        let config: Self
        do { config = try Overrides.apply(try Overrides.object(json: overridesJSON), to: Self(), optionalKeys: optionalKeys) } catch let failure as Overrides.Failure {
            switch failure {
            case .notAnObject:
                throw TasksError.malformedConfig(scope: scope, reason: "expected a JSON object such as {\"key\": 1}, got '\(overridesJSON)'")
            case let .unknownKey(key, valid):
                throw TasksError.unknownConfigKey(scope: scope, key: key, valid: valid)
            case let .renamed(key, spelling):
                throw TasksError.unknownConfigKey(scope: scope, key: key, valid: [spelling])
            case let .wrongType(key, expected, _):
                throw TasksError.malformedConfig(scope: scope, reason: "wrong type in \(overridesJSON): '\(key)' expects \(expected)")
            }
        }
        try config.validate()
        return config
    }

    /// The knobs as a JSON object with sorted keys.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Throws unless `range` is non-empty and inside `bounds`.
    func require(_ key: String, _ value: Int, in bounds: ClosedRange<Int>) throws {
        guard bounds.contains(value) else {
            throw TasksError.invalidConfig(scope: Self.scope, key: key, value: String(value),
                                           reason: "must be in \(bounds.lowerBound)...\(bounds.upperBound)")
        }
    }

    /// Throws unless `low <= high`.
    func requireOrdered(_ lowKey: String, _ low: Int, _ highKey: String, _ high: Int) throws {
        guard low <= high else {
            throw TasksError.invalidConfig(scope: Self.scope, key: highKey, value: String(high),
                                           reason: "must be at least \(lowKey) = \(low)")
        }
    }
}

// MARK: - Registry

/// The registered families, in a fixed order (the order corpora and reports iterate in).
public enum TaskRegistry {
    /// Every family type; adding a family is one line here.
    public static let types: [any TaskFamily.Type] = [ArithFamily.self, WordFamily.self, TraceFamily.self]

    /// Most problems (or corpus examples) one call may ask for. Far above any suite or held-out set; it keeps a
    /// mistyped count a clear error instead of a failed allocation or an overflowing attempt budget.
    public static let maxCount = 1_000_000

    /// `["arith", "word", "trace"]`.
    public static var names: [String] { types.map { $0.familyName } }

    /// The family called `name` with default knobs, or `TasksError.unknownFamily` listing the valid names.
    public static func family(named name: String) throws -> any TaskFamily {
        try type(named: name).init()
    }

    /// The family called `name` with knobs overridden by a JSON object (see `TaskFamily.init(overridesJSON:)`).
    public static func family(named name: String, overridesJSON: String) throws -> any TaskFamily {
        try type(named: name).init(overridesJSON: overridesJSON)
    }

    /// The knob names of the family called `name` (`TaskFamily.knobNames`).
    public static func knobNames(family name: String) throws -> [String] { try type(named: name).knobNames }

    /// Every family with default knobs, in registry order.
    public static func defaultFamilies() -> [any TaskFamily] { types.map { $0.init() } }

    static func type(named name: String) throws -> any TaskFamily.Type {
        guard let t = types.first(where: { $0.familyName == name }) else {
            throw TasksError.unknownFamily(name: name, valid: names)
        }
        return t
    }
}

// MARK: - Slips shared by the families

extension TaskFamily {
    /// Tries up to 12 random slips on a computation with `operations` slippable operations; `run` re-solves the
    /// problem with the slip and returns the solution, its answer and the scratchpad index of the slipped step
    /// (nil when the slip could not be applied or the run failed). Keeps the first whose answer differs from
    /// `gold` and whose solution still fits the length budget (a slip may add a digit or, in `trace`, a branch).
    static func firstFlaw(operations: Int, gold: String, maxSolutionChars: Int, rng: inout TaskRNG,
                          run: (Slip) -> (solution: String, answer: String, slippedStep: Int)?) -> FlawedSolution? {
        guard operations > 0 else { return nil }
        for _ in 0..<12 {
            let slip = Slip(index: rng.int(in: 0...(operations - 1)), kind: rng.pick(Slip.Kind.allCases),
                            digit: rng.int(in: 0...3))
            if let r = run(slip), r.answer != gold, r.solution.count <= maxSolutionChars {
                return FlawedSolution(solution: r.solution, answer: r.answer, slippedStep: r.slippedStep)
            }
        }
        return nil
    }
}
