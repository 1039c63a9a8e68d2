import Foundation
import Testing
@testable import Tasks

/// Properties every registered family must have, run over the registry (a new family is covered by adding
/// it to `TaskRegistry.types`).
@Suite struct FamilyTests {
    @Test(arguments: TaskRegistry.names)
    func deterministicPerSeed(family name: String) throws {
        let family = try TaskRegistry.family(named: name)
        let a = try family.problems(count: 50, split: .train, seed: 1)
        let b = try family.problems(count: 50, split: .train, seed: 1)
        let c = try family.problems(count: 50, split: .train, seed: 2)
        #expect(a == b)
        #expect(a != c)
        var r1 = TaskRNG(seed: 9), r2 = TaskRNG(seed: 9)
        #expect(try family.problem(split: .test, rng: &r1) == family.problem(split: .test, rng: &r2))
    }

    @Test(arguments: TaskRegistry.names)
    func trainAndTestAreDisjoint(family name: String) throws {
        let train = try Fixtures.problems(name, .train)
        let test = try Fixtures.problems(name, .test)
        #expect(Set(train.map(\.identity)).isDisjoint(with: test.map(\.identity)))
        #expect(Set(train.map(\.prompt)).isDisjoint(with: test.map(\.prompt)))
        #expect(train.allSatisfy { $0.split == .train && Split.of(identity: $0.identity) == .train })
        #expect(test.allSatisfy { $0.split == .test && Split.of(identity: $0.identity) == .test })
        #expect(Set(test.map(\.identity)).count == test.count, "problems(count:) returns distinct problems")
    }

    /// The split is a function of the identity; a decoded problem (e.g. a cached suite) must not carry another.
    @Test func decodingCannotRelabelTheSplit() throws {
        let p = try Fixtures.problems("arith", .test)[0]
        let data = try JSONEncoder().encode(p)
        #expect(try JSONDecoder().decode(Problem.self, from: data) == p)
        let tampered = String(decoding: data, as: UTF8.self).replacing(#""split":"test""#, with: #""split":"train""#)
        #expect(tampered != String(decoding: data, as: UTF8.self))
        let decoded = try? JSONDecoder().decode(Problem.self, from: Data(tampered.utf8))
        #expect(decoded == nil, "a test problem decoded as \(decoded?.split.rawValue ?? "-")")
    }

    @Test func splitFractionIsAboutTwentyPercent() {
        let identities = (0..<20_000).map { "arith:\($0)+\($0 % 7)" }
        let test = identities.filter { Split.of(identity: $0) == .test }.count
        #expect((3600...4400).contains(test), "\(test) of 20000")
    }

    @Test(arguments: TaskRegistry.names, Split.allCases)
    func everyGoldSolutionVerifies(family name: String, split: Split) throws {
        let family = try TaskRegistry.family(named: name)
        for p in try Fixtures.problems(name, split) {
            #expect(p.family == name)
            #expect(p.identity.hasPrefix("\(name):"))
            #expect(family.parseAnswer(p.solution) == p.answer, "\(p.solution)")
            #expect(family.verify(p.solution, for: p), "\(p.text)")
            #expect(AnswerParser.canonical(p.answer) == p.answer, "canonical gold \(p.answer)")
            #expect(p.solution.hasSuffix(" #### \(p.answer)"))
            #expect(p.prompt.hasSuffix("\n") && !p.solution.contains("\n"))
            let report = family.checkScratchpad(p.solution)
            #expect(report.allStepsCorrect, "\(p.solution)")
            #expect(report.steps.contains { $0.verdict == .correct }, "at least one checked step: \(p.solution)")
        }
    }

    @Test(arguments: TaskRegistry.names)
    func textsUseOnlyTheAlphabet(family name: String) throws {
        for p in try Fixtures.problems(name, .train) + Fixtures.problems(name, .test) {
            #expect(Alphabet.foreignCharacters(in: p.text).isEmpty, "\(p.text)")
        }
    }

    /// The model's context is 128 tokens including BOS and EOS.
    @Test(arguments: TaskRegistry.names)
    func fitsTheContextAtDefaultKnobs(family name: String) throws {
        let problems = try Fixtures.problems(name, .train) + Fixtures.problems(name, .test)
        let longest = problems.map { $0.text.count }.max() ?? 0
        #expect(longest + 2 <= 128)
        #expect(longest <= 120)
    }

    @Test(arguments: TaskRegistry.names)
    func flawedSolutionFailsTheVerifierAndTheCheckerFlagsTheSlip(family name: String) throws {
        let family = try TaskRegistry.family(named: name)
        var rng = TaskRNG(seed: 5)
        var flawedCount = 0
        let problems = try Fixtures.problems(name, .train).prefix(400)
        for p in problems {
            guard let flawed = family.flawedSolution(for: p, rng: &rng) else { continue }
            flawedCount += 1
            #expect(family.parseAnswer(flawed.solution) == flawed.answer, "format still parses: \(flawed.solution)")
            #expect(flawed.answer != p.answer)
            #expect(!family.verify(flawed.solution, for: p), "\(flawed.solution)")
            let report = family.checkScratchpad(flawed.solution)
            expectFlags(report, wrong: [flawed.slippedStep], "\(p.solution) -> \(flawed.solution)")
            // Same number of steps as the gold scratchpad unless a slip changed a branch.
            if name != "trace" {
                #expect(report.steps.count == family.checkScratchpad(p.solution).steps.count)
            }
            #expect(Alphabet.covers(flawed.solution))
        }
        #expect(flawedCount >= problems.count * 9 / 10, "\(flawedCount) of \(problems.count) admit a slip")
    }

    @Test(arguments: TaskRegistry.names)
    func flawedSolutionRefusesAnotherFamilysProblem(family name: String) throws {
        let family = try TaskRegistry.family(named: name)
        let other = TaskRegistry.names.first { $0 != name } ?? name
        var rng = TaskRNG(seed: 1)
        let p = try Fixtures.problems(other, .train)[0]
        #expect(family.flawedSolution(for: p, rng: &rng) == nil)
    }

    @Test func arithSamplesAreExactlyAsSpecified() throws {
        let p = Problem(family: "arith", identity: "arith:37+48*2", prompt: "37+48*2=?\n", answer: "133",
                        solution: "48*2=96. 37+96=133. #### 133")
        let family = ArithFamily()
        #expect(family.verify(p.solution, for: p))
        #expect(!family.verify("48*2=96. 37+96=134. #### 134", for: p))
        #expect(family.verify("whatever #### 133", for: p), "the verifier checks the answer only")
    }
}

/// Difficulty knobs move the problems in the stated direction.
@Suite struct KnobTests {
    static func steps(_ family: any TaskFamily, seed: UInt64 = 3) throws -> Double {
        let ps = try family.problems(count: 100, split: .train, seed: seed)
        return Double(ps.map { ScratchpadChecker.check($0.solution).steps.count }.reduce(0, +)) / Double(ps.count)
    }

    @Test func arithOperandsDigitsAndDepth() throws {
        let easy = try ArithFamily(overridesJSON: #"{"maxOperands": 2, "digits": 1}"#)
        let hard = try ArithFamily(overridesJSON: #"{"minOperands": 4, "maxOperands": 4, "depth": 2, "maxChars": 200}"#)
        #expect(try Self.steps(easy) == 1)
        #expect(try Self.steps(hard) == 3)
        for p in try easy.problems(count: 100, split: .train, seed: 1) {
            #expect(p.prompt.count <= 6, "\(p.prompt)")  // d?d=?\n
        }
        let flat = try ArithFamily(overridesJSON: #"{"depth": 0, "maxOperands": 4}"#)
        #expect(try flat.problems(count: 100, split: .train, seed: 1).allSatisfy { !$0.prompt.contains("(") })
        let nested = try hard.problems(count: 300, split: .train, seed: 1)
        #expect(nested.contains { $0.prompt.contains("((") || $0.prompt.contains("))") })
    }

    @Test func wordSteps() throws {
        let one = try WordFamily(overridesJSON: #"{"maxSteps": 1}"#)
        let four = try WordFamily(overridesJSON: #"{"minSteps": 4, "maxSteps": 4, "maxChars": 200}"#)
        #expect(try Self.steps(one) == 1)
        #expect(try Self.steps(four) == 4)
    }

    @Test func traceStatementsAndFeatures() throws {
        let plain = try TraceFamily(overridesJSON: #"{"allowIf": false, "allowFor": false}"#)
        for p in try plain.problems(count: 100, split: .train, seed: 1) {
            #expect(!p.prompt.contains("if ") && !p.prompt.contains("for "), "\(p.prompt)")
        }
        let small = try TraceFamily(overridesJSON: #"{"minStatements": 2, "maxStatements": 2}"#)
        #expect(try small.problems(count: 50, split: .train, seed: 1).allSatisfy {
            $0.prompt.split(separator: "\n").count == 3
        })
        #expect(throws: TasksError.self) { try TraceFamily(overridesJSON: #"{"minStatements": 1}"#) }
        let defaults = try Fixtures.problems("trace", .train)
        #expect(defaults.contains { $0.prompt.contains("for i in range(") })
        #expect(defaults.contains { $0.prompt.contains("if ") && $0.solution.contains(" yes") })
        #expect(defaults.contains { $0.prompt.contains("if ") && $0.solution.contains(" no") })
    }

    /// `ablate eval -n` reaches `problems(count:)` unchecked; a huge count trapped in `reserveCapacity` (and
    /// `count * 100` overflowed) instead of throwing.
    @Test func absurdCountsThrowInsteadOfTrapping() throws {
        #expect(throws: TasksError.self) { try ArithFamily().problems(count: Int.max / 10, split: .test, seed: 1) }
        #expect(throws: TasksError.self) { try ArithFamily().problems(count: Int.max, split: .test, seed: 1) }
        #expect(throws: TasksError.self) { try CorpusGenerator().examples(count: Int.max / 10, seed: 1) }
        #expect(try ArithFamily().problems(count: 0, split: .test, seed: 1).isEmpty)
        #expect(try ArithFamily().problems(count: -3, split: .test, seed: 1).isEmpty)
    }

    @Test func impossibleKnobsThrowInsteadOfHanging() throws {
        let tight = try ArithFamily(overridesJSON: #"{"minOperands": 8, "maxOperands": 8, "maxChars": 16}"#)
        #expect(throws: TasksError.self) { try tight.problems(count: 5, split: .test, seed: 1) }
        let tiny = try ArithFamily(overridesJSON: #"{"maxOperands": 2, "digits": 1, "operators": "+"}"#)
        #expect(throws: TasksError.self) { try tiny.problems(count: 100, split: .test, seed: 1) }
    }
}
