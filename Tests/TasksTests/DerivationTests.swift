import Foundation
import Testing
@testable import Tasks

/// `arith` with `solutions: varied`: every derivation is a valid scratchpad of the same problem, problems have
/// several of them, and the knob leaves every existing configuration's JSON (and so every hash) unchanged.
@Suite struct DerivationTests {
    static let knobs = #"{"digits": 1, "maxValue": 99, "solutions": "varied"}"#

    /// Rewrites keep the value of random expressions (ones whose rewrite stays integral).
    @Test func rewritesKeepTheValue() throws {
        var rng = TaskRNG(seed: 11)
        let texts = ["3+8+5", "(3+8)*7", "7*(9-4)", "9-2-3", "9-2+5", "2*3*4+5", "(1+2)*(3+4)", "8*9-6*7", "5+(6-1)*2",
                     "((2+3)*4-5)*3+7-1"]
        for text in texts {
            let expr = try ExprParser.parse(text)
            var reference = Calculator(source: text)
            let value = try reference.evaluate(expr)
            var seen = Set<String>()
            for _ in 0..<200 {
                let varied = Derivation.vary(expr, rng: &rng)
                var calculator = Calculator(source: text)
                #expect(try calculator.evaluate(varied) == value, "\(text) → \(varied.rendered)")
                #expect(varied.operationCount >= expr.operationCount)
                seen.insert(calculator.steps.map(\.text).joined(separator: ". "))
            }
            // Only a lone subtraction has one derivation.
            #expect(seen.count >= 2, "\(text): \(seen)")
        }
    }

    @Test func variedSolutionsAreValidScratchpadsOfTheSameProblems() throws {
        let family = try TaskRegistry.family(named: "arith", overridesJSON: Self.knobs)
        let problems = try family.problems(count: 300, split: .train, seed: 3)
        var differs = 0
        for p in problems {
            #expect(AnswerParser.verify(p.solution, gold: p.answer), "\(p.text)")
            #expect(ScratchpadChecker.check(p.solution).steps.allSatisfy { $0.verdict == .correct }, "\(p.text)")
            #expect(p.text.count <= 120)
            // The canonical knobs give the same problem (prompt, identity, answer) with the canonical solution.
            let expr = try ExprParser.parse(String(p.prompt.dropLast(3)))
            var calculator = Calculator(source: p.prompt)
            #expect(try String(calculator.evaluate(expr)) == p.answer)
            #expect(p.identity == "arith:\(expr.commutativeForm)")
            let canonicalSolution = SolutionFormat.render(steps: calculator.steps.map(\.text), answer: p.answer)
            if canonicalSolution != p.solution { differs += 1 }
        }
        // Roughly half the draws differ from the canonical scratchpad (one-operation subtractions never do).
        #expect(differs > problems.count / 4, "\(differs) of \(problems.count)")
    }

    @Test func oneProblemHasSeveralDerivationsInTheCorpus() throws {
        let family = try TaskRegistry.family(named: "arith", overridesJSON: Self.knobs)
        var rng = TaskRNG(seed: 5)
        var byIdentity: [String: Set<String>] = [:]
        for _ in 0..<20_000 {
            if let p = family.draw(rng: &rng) { byIdentity[p.identity, default: []].insert(p.solution) }
        }
        let repeated = byIdentity.values.filter { $0.count > 1 }
        #expect(repeated.count > 100, "\(repeated.count) problems drawn with more than one derivation")
    }

    @Test func flawedVariedSolutionsSlipOnceAndPropagate() throws {
        let family = try TaskRegistry.family(named: "arith", overridesJSON: Self.knobs)
        var rng = TaskRNG(seed: 8)
        var flawed = 0
        for p in try family.problems(count: 200, split: .train, seed: 4) {
            guard let f = family.flawedSolution(for: p, rng: &rng) else { continue }
            flawed += 1
            #expect(!AnswerParser.verify(f.solution, gold: p.answer), "\(p.prompt) \(f.solution)")
            let wrong = ScratchpadChecker.check(f.solution).steps.enumerated().filter { $0.element.verdict == .wrong }
            #expect(wrong.map(\.offset) == [f.slippedStep], "\(p.prompt) \(f.solution)")
        }
        #expect(flawed > 150)
    }

    /// The knob is optional: the default knobs' JSON (which recipe hashes contain) has no trace of it, an
    /// explicit `canonical` draws exactly what the default draws, and a wrong value is refused by name.
    @Test func theKnobChangesNoExistingHash() throws {
        #expect(!ArithConfig().json.contains("solutions"))
        let plain = try TaskRegistry.family(named: "arith")
        let explicit = try TaskRegistry.family(named: "arith", overridesJSON: #"{"solutions": "canonical"}"#)
        #expect(try plain.problems(count: 100, split: .train, seed: 1) == explicit.problems(count: 100, split: .train, seed: 1))
        #expect(throws: TasksError.self) { try TaskRegistry.family(named: "arith", overridesJSON: #"{"solutions": "many"}"#) }
        do {
            _ = try TaskRegistry.family(named: "arith", overridesJSON: #"{"solution": "varied"}"#)
            Issue.record("an unknown knob was accepted")
        } catch {
            #expect("\(error)".contains("solutions"), "the valid keys list the optional knob: \(error)")
        }
    }
}
