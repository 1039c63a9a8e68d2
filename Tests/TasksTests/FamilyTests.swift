import Foundation
import Seeded
import TestSupport
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

    /// "The same list on every machine": pinned fingerprints of generated data. Base checkpoints are cached by
    /// recipe hash, which does not see the generator's code, so a change here (toolchain, stdlib, or an edit to
    /// a family) silently pairs old checkpoints with new data. Update the values only for an intended change,
    /// and bump PretrainRecipe's hash format with them.
    static let fingerprints: [Named<String, String>] = [
        Named("arith", "arith", "ce2a5a85b6ee62f3"),
        Named("word", "word", "d6788974ca020b16"),
        Named("trace", "trace", "3e556fa705f65de5"),
    ]

    @Test(arguments: fingerprints)
    func generatedDataIsPinned(_ c: Named<String, String>) throws {
        let problems = try TaskRegistry.family(named: c.input).problems(count: 200, split: .train, seed: 7)
        let text = problems.map { $0.identity + "|" + $0.text }.joined(separator: "\n")
        #expect(String(StableHash.fnv1a64(text.utf8), radix: 16) == c.expected)
    }

    @Test func corpusIsPinned() throws {
        let examples = try CorpusGenerator().examples(count: 200, seed: 7)
        let text = examples.map { $0.text + "|\($0.isFlawed)|\($0.slippedStep ?? -1)" }.joined(separator: "\n")
        #expect(String(StableHash.fnv1a64(text.utf8), radix: 16) == "ee0993061da346d2")
    }

    /// Train, validation and test never share a problem (by identity or by prompt), for every family and several
    /// seeds; each split's problems carry their split.
    @Test(arguments: TaskRegistry.names)
    func trainValidationAndTestAreDisjoint(family name: String) throws {
        let family = try TaskRegistry.family(named: name)
        for seed: UInt64 in [0, 1, 7, 12345] {
            var bySplit: [Split: [Problem]] = [:]
            for split in Split.allCases { bySplit[split] = try family.problems(count: 400, split: split, seed: seed) }
            for a in Split.allCases {
                let pa = bySplit[a] ?? []
                #expect(pa.allSatisfy { $0.split == a && Split.of(identity: $0.identity) == a })
                #expect(Set(pa.map(\.identity)).count == pa.count, "problems(count:) returns distinct problems")
                for b in Split.allCases where a.rawValue < b.rawValue {
                    let pb = bySplit[b] ?? []
                    #expect(Set(pa.map(\.identity)).isDisjoint(with: pb.map(\.identity)), "\(name) \(a) ∩ \(b), seed \(seed)")
                    #expect(Set(pa.map(\.prompt)).isDisjoint(with: pb.map(\.prompt)), "\(name) \(a) ∩ \(b) prompts, seed \(seed)")
                }
            }
        }
    }

    /// Evaluation draws 1000 distinct problems per suite from test and from validation: the space holds them.
    @Test(arguments: TaskRegistry.names)
    func aThousandDistinctTestAndValidationProblems(family name: String) throws {
        let family = try TaskRegistry.family(named: name)
        #expect(try family.problems(count: 1000, split: .test, seed: 0).count == 1000)
        #expect(try family.problems(count: 1000, split: .validation, seed: 0).count == 1000)
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

    /// A problem's identity is the math, not the wording: the commuted or re-associated twin of every arith
    /// problem (`5*87` / `87*5`, `a+(b+c)` / `a+b+c`) has the same identity, hence the same split, so no test
    /// problem has a rewritten copy in training.
    @Test func commutedArithTwinsShareTheIdentity() throws {
        func twin(_ e: Expr) -> Expr {
            guard case let .binary(op, l, r) = e else { return e }
            switch op {
            case .add, .mul:
                // Swap the operands, and rotate a chain of the same operator the other way round.
                if case let .binary(inner, a, b) = l, inner == op { return .binary(op, twin(a), .binary(op, twin(b), twin(r))) }
                return .binary(op, twin(r), twin(l))
            case .sub, .div: return .binary(op, twin(l), twin(r))
            }
        }
        var checked = 0
        for split in Split.allCases {
            for p in try Fixtures.problems("arith", split) {
                let expr = try ExprParser.parse(String(p.prompt.dropLast("=?\n".count)))
                let other = twin(expr)
                guard other.rendered != expr.rendered else { continue }
                #expect("arith:\(other.commutativeForm)" == p.identity, "\(p.prompt) vs \(other.rendered)")
                checked += 1
            }
        }
        #expect(checked > 300)
        // Different computations stay different.
        #expect(try ExprParser.parse("5-3").commutativeForm != ExprParser.parse("3-5").commutativeForm)
        #expect(try ExprParser.parse("2*3+4").commutativeForm != ExprParser.parse("2*(3+4)").commutativeForm)
        #expect(try ExprParser.parse("(1+2)+3").commutativeForm == ExprParser.parse("3+(2+1)").commutativeForm)
    }

    @Test func splitFractionsAreTenTenEighty() {
        let identities = (0..<20_000).map { "arith:\($0)+\($0 % 7)" }
        let test = identities.filter { Split.of(identity: $0) == .test }.count
        let validation = identities.filter { Split.of(identity: $0) == .validation }.count
        #expect((1700...2300).contains(test), "\(test) of 20000")
        #expect((1700...2300).contains(validation), "\(validation) of 20000")
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

/// Invariants of the generated problems checked against independent readings (not the generator's own code).
@Suite struct GoldInvariantTests {
    /// Reads a word problem's English back into arithmetic, without the generator's program, and returns the
    /// answer, or nil for a sentence it does not know. Also checks the question matches the story.
    static func readWordProblem(_ prompt: String) -> Int64? {
        let sentences = prompt.dropLast().split(separator: " ").reduce(into: [[String]]([[]])) { acc, word in
            acc[acc.count - 1].append(String(word))
            if word.hasSuffix(".") || word.hasSuffix("?") { acc.append([]) }
        }.filter { !$0.isEmpty }.map { $0.map { String($0.filter { $0 != "." && $0 != "?" }) } }
        guard let first = sentences.first, let start = first.lazy.compactMap({ Int64($0) }).first else { return nil }
        var v = start
        var together = false
        for s in sentences.dropFirst().dropLast() {
            let numbers = s.compactMap { Int64($0) }
            let text = s.joined(separator: " ")
            if together { return nil }  // "together" must be the last step
            if text.contains(" packs of ") || text.contains(" bags of ") || text.contains(" boxes of ") {
                v += numbers[0] * numbers[1]
            } else if text.contains(" more than ") {
                v = v + (v + numbers[0]); together = true
            } else if text.contains(" fewer than ") {
                v = v + (v - numbers[0]); together = true
            } else if text.hasSuffix("has twice as many") || text.contains("has 2 times as many as") {
                v = v + 2 * v; together = true
            } else if text.contains("twice as many") || text.hasSuffix("doubles them") || text.hasSuffix("doubles") {
                v *= 2
            } else if text.contains("3 times as many") || text.hasSuffix("triples them") || text.hasSuffix("triples") {
                v *= 3
            } else if text.contains("half") {
                guard v % 2 == 0 else { return nil }
                v /= 2
            } else if text.contains("third") {
                guard v % 3 == 0 else { return nil }
                v /= 3
            } else if s.last == "more", numbers.count == 1 {
                v += numbers[0]
            } else if numbers.count == 1, ["gives", "loses", "sells", "takes", "uses"].contains(where: s.contains) {
                v -= numbers[0]
            } else {
                return nil
            }
        }
        let question = sentences.last?.joined(separator: " ") ?? ""
        let asksTogether = question.hasSuffix("together") || question.hasSuffix("both have") || question.hasSuffix("in all")
        return asksTogether == together ? v : nil
    }

    @Test func wordGoldMatchesAnIndependentReadingOfTheEnglish() throws {
        let hard = try WordFamily(overridesJSON: #"{"minSteps": 3, "maxSteps": 6, "maxChars": 400, "maxValue": 1000}"#)
        let problems = try Fixtures.problems("word", .train) + Fixtures.problems("word", .test)
            + hard.problems(count: 500, split: .train, seed: 8)
        for p in problems {
            #expect(Self.readWordProblem(p.prompt).map(String.init) == p.answer, "\(p.prompt) \(p.solution)")
        }
    }

    /// The prompt is what the model sees; the identity is what splits and what `flawedSolution` re-solves.
    @Test func promptsAgreeWithTheirIdentities() throws {
        for p in try Fixtures.problems("arith", .train) + Fixtures.problems("arith", .test) {
            let expression = String(p.prompt.dropLast("=?\n".count))
            let parsed = try ExprParser.parse(expression)
            #expect(p.identity == "arith:" + parsed.commutativeForm)
            #expect(parsed.rendered == expression, "canonical rendering")
        }
        for p in try Fixtures.problems("trace", .train) + Fixtures.problems("trace", .test) {
            #expect(p.prompt == p.identity.dropFirst("trace:".count).replacing(";", with: "\n") + "\n")
            // Running the prompt as the model reads it gives the gold answer and the gold scratchpad.
            let run = try TraceInterpreter.run(p.prompt)
            #expect(run.printed.map(String.init) == [p.answer], "\(p.prompt)")
            #expect(run.steps.joined(separator: ". ") + ". #### \(p.answer)" == p.solution)
        }
    }

    /// Regenerating with other seeds (no deduplication) meets many identities twice: each identity must always
    /// come with the same answer and the same split, whatever the wording.
    @Test(arguments: TaskRegistry.names)
    func identityDeterminesAnswerAndSplit(family name: String) throws {
        let family = try TaskRegistry.family(named: name)
        var seen: [String: (answer: String, split: Split)] = [:]
        var repeats = 0
        for seed in UInt64(0)..<4 {
            var rng = TaskRNG(seed: seed)
            for _ in 0..<1500 {
                guard let p = family.draw(rng: &rng) else { continue }
                if let earlier = seen[p.identity] {
                    repeats += 1
                    #expect(earlier.answer == p.answer && earlier.split == p.split, "\(p.identity)")
                } else {
                    seen[p.identity] = (p.answer, p.split)
                }
            }
        }
        #expect(repeats > 0, "the check needs repeated identities")
    }

    /// Gold, flaws and lengths under harder knobs than the defaults the other tests use.
    static let hardKnobs: [(String, String)] = [
        ("arith", #"{"operators": "+-*/", "allowNegative": true, "depth": 3, "maxOperands": 6, "digits": 3, "maxChars": 300, "maxValue": 100000}"#),
        ("word", #"{"minSteps": 3, "maxSteps": 6, "maxChars": 300, "maxValue": 1000, "maxStart": 200, "maxAmount": 50}"#),
        ("trace", #"{"minStatements": 4, "maxStatements": 10, "variables": 6, "allowNegative": true, "maxChars": 300, "maxLoop": 6, "maxValue": 10000, "maxLiteral": 20}"#),
    ]

    @Test(arguments: 0..<hardKnobs.count)
    func flawsAndGoldHoldUnderHardKnobs(index: Int) throws {
        let (name, json) = Self.hardKnobs[index]
        let family = try TaskRegistry.family(named: name, overridesJSON: json)
        let maxChars = 300  // every hardKnobs entry
        var rng = TaskRNG(seed: 21)
        var flawed = 0
        let problems = try family.problems(count: 250, split: .train, seed: 4)
        for p in problems {
            #expect(p.text.count <= maxChars && Alphabet.covers(p.text), "\(p.text)")
            #expect(family.verify(p.solution, for: p) && family.checkScratchpad(p.solution).allStepsCorrect, "\(p.text)")
            guard let f = family.flawedSolution(for: p, rng: &rng) else { continue }
            flawed += 1
            #expect((p.prompt + f.solution).count <= maxChars && Alphabet.covers(f.solution))
            #expect(family.parseAnswer(f.solution) == f.answer && !family.verify(f.solution, for: p), "\(f.solution)")
            expectFlags(family.checkScratchpad(f.solution), wrong: [f.slippedStep], "\(p.text) -> \(f.solution)")
        }
        #expect(flawed >= problems.count * 8 / 10)
    }
}

/// What the verifier accepts around a gold answer: canonical variants yes, anything else no.
@Suite struct VerifierVariantTests {
    @Test(arguments: TaskRegistry.names)
    func formattingVariantsOfTheGoldAnswer(family name: String) throws {
        let family = try TaskRegistry.family(named: name)
        for p in try Fixtures.problems(name, .test).prefix(300) {
            let scratch = String(p.solution.dropLast(" #### \(p.answer)".count))
            let value = Int64(p.answer) ?? 0
            let sign = value < 0 ? "-" : ""
            let digits = String(value.magnitude)
            for accepted in [p.solution, p.solution + "\n", p.solution + "  \n\t", "\(scratch). ####\(p.answer)",
                             "\(scratch). ####   \(sign)00\(digits)", "#### \(p.answer)"] {
                #expect(family.verify(accepted, for: p), "\(accepted.debugDescription)")
            }
            for rejected in ["\(scratch). #### \(value + 1)", "\(scratch). #### \(value - 1)", p.solution + ".",
                             p.solution + " apples", p.solution + "\n#### \(p.answer)", "\(scratch). ### \(p.answer)",
                             "\(scratch). ##### \(p.answer)", "\(scratch). #### +\(p.answer)", "\(scratch). \(p.answer)",
                             "\(scratch). #### \(p.answer).0", "", String(p.solution.reversed())] {
                #expect(!family.verify(rejected, for: p), "\(rejected.debugDescription)")
            }
            if value == 0 { #expect(family.verify("#### -0", for: p)) }
        }
    }

    /// Completions from a sampler can hold anything: long runs, characters outside the alphabet, combining
    /// marks that merge with `#` or a digit into one Character, CRLF. The parser never traps, and whatever it
    /// accepts has exactly one `####` and an Int64 answer.
    @Test func parserAndCheckerSurviveAdversarialText() {
        var rng = TaskRNG(seed: 99)
        let pieces = ["#", "####", "-", "0", "7", "999999999", " ", "\n", "\r\n", "\t", "\u{301}", "\u{FE0F}\u{20E3}",
                      "٣", "７", "\u{0}", "é", "😀", "=", ".", "+", "*", "yes", "a", ">", "==", "\u{200B}"]
        for _ in 0..<3000 {
            let text = (0..<rng.int(in: 0...16)).map { _ in rng.pick(pieces) }.joined()
            if let answer = AnswerParser.parse(text) {
                #expect(Int64(answer) != nil && AnswerParser.canonical(answer) == answer, "\(text.debugDescription)")
                #expect(text.utf8.filter { $0 == UInt8(ascii: "#") }.count == 4, "\(text.debugDescription)")
            }
            _ = ScratchpadChecker.check(text)
            _ = try? TraceInterpreter.run(text)
        }
        let long = String(repeating: "1+1=2. ", count: 20_000) + "#### 2"
        #expect(AnswerParser.parse(long) == "2")
        #expect(ScratchpadChecker.check(long).allStepsCorrect)
        #expect(AnswerParser.parse("#### 7\u{301}") == nil, "a combining mark on the last digit is not whitespace")
        #expect(AnswerParser.parse("#\u{301}### 7") == nil)
    }
}
