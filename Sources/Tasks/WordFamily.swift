import Seeded
/// Knobs of `word`.
public struct WordConfig: TaskConfig {
    public static let scope = "word"

    /// Fewest scratchpad steps (operations). 1: single-step problems keep an easy end in the mix.
    public var minSteps = 1
    /// Most scratchpad steps. 3: with 4 the prompt alone often exceeds the 128-character context; raise
    /// `maxChars` together with it.
    public var maxSteps = 3
    /// Largest starting quantity (from 2). 20: two-digit numbers without large carries.
    public var maxStart = 20
    /// Largest amount added or removed in one step (from 1). 10.
    public var maxAmount = 10
    /// Largest pack count and pack size in "buys 3 packs of 4" (from 2). 5: small products.
    public var maxFactor = 5
    /// Largest value of any intermediate result. 99: two-digit arithmetic throughout.
    public var maxValue = 99
    /// Longest prompt + solution in characters. 120: the 128-token context minus BOS and EOS, minus slack.
    public var maxChars = 120

    public init() {}

    public func validate() throws {
        try require("minSteps", minSteps, in: 1...6)
        try require("maxSteps", maxSteps, in: 1...6)
        try requireOrdered("minSteps", minSteps, "maxSteps", maxSteps)
        try require("maxStart", maxStart, in: 2...10_000)
        try require("maxAmount", maxAmount, in: 1...10_000)
        try require("maxFactor", maxFactor, in: 2...100)
        try require("maxValue", maxValue, in: 10...1_000_000_000)
        try require("maxChars", maxChars, in: 40...10_000)
    }
}

/// `word`: templated multi-step word problems in the style of GSM8K.
///
/// A person starts with a quantity of objects; each sentence changes it (buys, loses, doubles, keeps half,
/// buys packs of ...), and the question may bring in a second person ("Bob has 4 more than her. How many do
/// they have together?"). Every step has several phrasings, names and objects vary, and the question varies,
/// so the model has to read the numbers rather than match one template. Solution:
/// `12-3=9. 9+4=13. 9+13=22. #### 22`. Identity: `word:` + the operations (`12-3;s0+4;s0+s1`, where `sK` is
/// the result of step K): the math, not the wording, so rephrasings of one problem share a split.
public struct WordFamily: TaskFamily {
    public static let familyName = "word"
    public let config: WordConfig

    public init(validated config: WordConfig) { self.config = config }

    public func draw(rng: inout TaskRNG) -> Problem? {
        let person = rng.pick(Self.people)
        var other = rng.pick(Self.people)
        while other.name == person.name { other = rng.pick(Self.people) }
        let object = rng.pick(Self.objects)
        let fill: (String) -> String = { template in
            template.replacing("{N}", with: person.name).replacing("{M}", with: other.name)
                .replacing("{P}", with: person.subject.capitalizedFirst).replacing("{p}", with: person.subject)
                .replacing("{o}", with: person.object).replacing("{obj}", with: object)
        }

        let start = Int64(rng.int(in: 2...config.maxStart))
        var program = StepProgram()
        var current = StepProgram.Operand.literal(start)
        var value = start
        var sentences = [fill(rng.pick(Self.starts)).replacing("{a}", with: String(start))]
        let target = rng.int(in: config.minSteps...config.maxSteps)
        var lastKind = Kind.add
        var together = false

        var tries = 0
        while program.ops.count < target {
            tries += 1
            if tries > 100 { return nil }  // every kind drawn was invalid for the current value: redraw
            let remaining = target - program.ops.count
            var kinds: [Kind] = [.add, .add, .sub, .sub, .mul, .div]
            if remaining >= 2 { kinds += [.packs, .packs] }
            if remaining == 2 { kinds += [.together, .together, .together] }
            let kind = rng.pick(kinds)
            var sentence: String
            switch kind {
            case .add, .sub:
                let b = Int64(rng.int(in: 1...config.maxAmount))
                if kind == .sub && b >= value { continue }
                value = kind == .add ? value + b : value - b
                current = program.append(kind == .add ? .add : .sub, current, .literal(b))
                sentence = rng.pick(kind == .add ? Self.adds : Self.subs).replacing("{b}", with: String(b))
            case .mul:
                let k = Int64(rng.int(in: 2...3))
                value *= k
                current = program.append(.mul, current, .literal(k))
                sentence = rng.pick(k == 2 ? Self.doubles : Self.triples)
            case .div:
                let k = Int64(rng.int(in: 2...3))
                if value % k != 0 { continue }
                value /= k
                current = program.append(.div, current, .literal(k))
                sentence = rng.pick(k == 2 ? Self.halves : Self.thirds)
            case .packs:
                let g = Int64(rng.int(in: 2...config.maxFactor)), b = Int64(rng.int(in: 2...config.maxFactor))
                let packs = program.append(.mul, .literal(g), .literal(b))
                value += g * b
                current = program.append(.add, current, packs)
                sentence = rng.pick(Self.packs).replacing("{g}", with: String(g)).replacing("{b}", with: String(b))
            case .together:
                let mine = current
                let relation = rng.int(in: 0...2)
                let b = Int64(rng.int(in: 1...config.maxAmount))
                let theirs: StepProgram.Operand
                switch relation {
                case 0: theirs = program.append(.add, mine, .literal(b)); sentence = rng.pick(Self.moreThan)
                case 1:
                    if b >= value { continue }
                    theirs = program.append(.sub, mine, .literal(b)); sentence = rng.pick(Self.fewerThan)
                default: theirs = program.append(.mul, mine, .literal(2)); sentence = rng.pick(Self.twiceAs)
                }
                current = program.append(.add, mine, theirs)
                sentence = sentence.replacing("{b}", with: String(b))
                together = true
            }
            sentences.append(fill(sentence))
            lastKind = kind
            guard let v = program.run(slip: nil)?.value, v <= config.maxValue else { return nil }
            value = v
        }

        let questions = together ? Self.togetherQuestions
            : Self.questions + (lastKind == .sub || lastKind == .div ? Self.leftQuestions : [])
        sentences.append(fill(rng.pick(questions)))
        guard let (steps, answer) = program.run(slip: nil),
              steps.allSatisfy({ $0.result >= 0 && $0.result <= config.maxValue }) else { return nil }
        let problem = Problem(family: name, identity: "\(name):\(program.serialized)",
                              prompt: sentences.joined(separator: " ") + "\n", answer: String(answer),
                              solution: SolutionFormat.render(steps: steps.map(\.text), answer: String(answer)))
        return problem.text.count <= config.maxChars ? problem : nil
    }

    public func flawedSolution(for problem: Problem, rng: inout TaskRNG) -> FlawedSolution? {
        let prefix = "\(name):"
        guard problem.family == name, problem.identity.hasPrefix(prefix),
              let program = StepProgram(serialized: String(problem.identity.dropFirst(prefix.count))) else { return nil }
        return Self.firstFlaw(operations: program.ops.count, gold: problem.answer,
                              maxSolutionChars: config.maxChars - problem.prompt.count, rng: &rng) { slip in
            guard let (steps, answer) = program.run(slip: slip) else { return nil }
            return (SolutionFormat.render(steps: steps.map(\.text), answer: String(answer)), String(answer), slip.index)
        }
    }

    private enum Kind { case add, sub, mul, div, packs, together }

    // MARK: Vocabulary (every character here must be in `Alphabet`; a test checks it)

    struct Person { let name: String; let subject: String; let object: String }

    static let people: [Person] =
        ["Ann", "Amy", "Eve", "Fay", "Ivy", "Kim", "Mia", "Pam", "Sue", "Zoe"].map { Person(name: $0, subject: "she", object: "her") }
        + ["Bob", "Ben", "Cal", "Dan", "Eli", "Gus", "Leo", "Max", "Ned", "Tom"].map { Person(name: $0, subject: "he", object: "him") }
    static let objects = ["apples", "pens", "cards", "coins", "eggs", "books", "shells", "beads", "rocks",
                          "stamps", "plums", "cups", "nuts"]
    static let starts = ["{N} has {a} {obj}.", "{N} had {a} {obj}.", "{N} owns {a} {obj}.",
                         "{N} starts with {a} {obj}.", "{N}'s box holds {a} {obj}."]
    static let adds = ["{P} buys {b} more.", "{P} finds {b} more.", "{P} gets {b} more.", "{M} gives {o} {b} more.",
                       "Then {p} wins {b} more."]
    static let subs = ["{P} gives {b} to {M}.", "{P} loses {b}.", "{P} sells {b}.", "{M} takes {b}.",
                       "Then {p} uses {b}."]
    static let doubles = ["{P} doubles them.", "Then the pile doubles.", "{P} ends with twice as many."]
    static let triples = ["{P} triples them.", "Then the pile triples.", "{P} ends with 3 times as many."]
    static let halves = ["{P} keeps half.", "{P} gives away half.", "{P} loses half of them."]
    static let thirds = ["{P} keeps a third.", "{P} keeps one third of them."]
    static let packs = ["{P} buys {g} packs of {b}.", "{P} gets {g} bags of {b}.", "{M} gives {o} {g} boxes of {b}."]
    static let moreThan = ["{M} has {b} more than {o}.", "{M} owns {b} more than {N}."]
    static let fewerThan = ["{M} has {b} fewer than {o}.", "{M} owns {b} fewer than {N}."]
    static let twiceAs = ["{M} has twice as many.", "{M} has 2 times as many as {N}."]
    static let questions = ["How many {obj} does {p} have?", "How many {obj} now?", "How many does {p} have now?"]
    static let leftQuestions = ["How many are left?", "How many {obj} are left?"]
    static let togetherQuestions = ["How many do they have together?", "How many {obj} in all?",
                                    "How many do both have?"]
}

/// A straight-line computation where each operation's operands are numbers or earlier results (`sK`): the
/// shape of a word problem, where one result may be used twice ("more than her ... together").
struct StepProgram: Sendable, Hashable {
    enum Operand: Sendable, Hashable {
        case literal(Int64)
        case step(Int)

        var serialized: String {
            switch self {
            case let .literal(v): return String(v)
            case let .step(k): return "s\(k)"
            }
        }

        init?(_ text: Substring, before index: Int) {
            if text.first == "s" {
                guard let k = Int(text.dropFirst()), k >= 0, k < index else { return nil }
                self = .step(k)
            } else {
                guard text.count <= 18, text.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int64(text) else { return nil }
                self = .literal(v)
            }
        }
    }

    struct Op: Sendable, Hashable {
        let op: BinaryOp
        let lhs: Operand
        let rhs: Operand
    }

    private(set) var ops: [Op] = []

    init() {}

    /// Parses `serialized` (e.g. `12-3;s0+4;s0+s1`); nil if malformed.
    init?(serialized: String) {
        for (index, part) in serialized.split(separator: ";", omittingEmptySubsequences: false).enumerated() {
            guard let opIndex = part.dropFirst().firstIndex(where: { BinaryOp(rawValue: $0) != nil }),
                  let op = BinaryOp(rawValue: part[opIndex]),
                  let lhs = Operand(part[..<opIndex], before: index),
                  let rhs = Operand(part[part.index(after: opIndex)...], before: index) else { return nil }
            ops.append(Op(op: op, lhs: lhs, rhs: rhs))
        }
        if ops.isEmpty { return nil }
    }

    var serialized: String {
        ops.map { "\($0.lhs.serialized)\($0.op.rawValue)\($0.rhs.serialized)" }.joined(separator: ";")
    }

    /// Appends an operation and returns the operand that refers to its result.
    mutating func append(_ op: BinaryOp, _ lhs: Operand, _ rhs: Operand) -> Operand {
        ops.append(Op(op: op, lhs: lhs, rhs: rhs))
        return .step(ops.count - 1)
    }

    /// Steps as written and the last step's value; with a slip, the slipped value is used by every later step.
    /// Nil on overflow, inexact division, or a slip that does not apply.
    func run(slip: Slip?) -> (steps: [ArithStep], value: Int64)? {
        var results: [Int64] = []
        var steps: [ArithStep] = []
        func value(_ o: Operand) -> Int64 {
            switch o {
            case let .literal(v): return v
            case let .step(k): return results[k]
            }
        }
        for (i, op) in ops.enumerated() {
            let a = value(op.lhs), b = value(op.rhs)
            guard var r = op.op.apply(a, b) else { return nil }
            if let slip, slip.index == i {
                guard let slipped = slip.apply(to: r) else { return nil }
                r = slipped
            }
            results.append(r)
            steps.append(ArithStep(lhs: a, op: op.op, rhs: b, result: r))
        }
        guard let last = results.last else { return nil }
        return (steps, last)
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
