import TestSupport
import Testing
@testable import Tasks

@Suite struct ExpressionTests {
    static let evaluations: [Named<String, [String]>] = [
        Named("precedence", "37+48*2", ["48*2=96", "37+96=133"]),
        Named("left associative", "10-3-2", ["10-3=7", "7-2=5"]),
        Named("parentheses", "(3+4)*5-2", ["3+4=7", "7*5=35", "35-2=33"]),
        Named("right parentheses", "10-(3-2)", ["3-2=1", "10-1=9"]),
        Named("division", "(8+4)/3", ["8+4=12", "12/3=4"]),
    ]

    @Test(arguments: evaluations)
    func evaluatesOneOperationPerStepInOrder(_ c: Named<String, [String]>) throws {
        var calculator = Calculator(source: c.input)
        let value = try calculator.evaluate(ExprParser.parse(c.input))
        #expect(calculator.steps.map(\.text) == c.expected)
        #expect(calculator.steps.last?.result == value)
    }

    @Test(arguments: ["37+48*2", "(3+4)*5-2", "10-(3-2)", "a+(b+c)", "(a*b)*c", "a*(b*c)", "(1+2)*(3-1)", "x*2+y"])
    func renderingRoundTrips(_ text: String) throws {
        let expr = try ExprParser.parse(text)
        #expect(expr.rendered == text.replacing("(a*b)*c", with: "a*b*c"))
        #expect(try ExprParser.parse(expr.rendered) == expr)
    }

    static let syntaxErrors = ["", "1+", "(1+2", "1+2)", "3 4", "#", String(repeating: "(", count: 100) + "1",
                               "1234567890123456789012"]

    @Test(arguments: syntaxErrors)
    func rejectsBadSyntax(_ text: String) {
        #expect(throws: TasksError.self) { try ExprParser.parse(text) }
    }

    /// A long flat chain parses iteratively into a tree as deep as it is long; evaluating (or freeing) that tree
    /// recursed once per operation and overflowed the stack at ~10k operations. The parser now refuses it.
    @Test func longExpressionIsASyntaxErrorNotAStackOverflow() throws {
        let chain = String(repeating: "1+", count: 100_000) + "1"
        #expect(throws: TasksError.self) { try ExprParser.parse(chain) }
        #expect(throws: TasksError.self) { try TraceInterpreter.run("print(\(chain))") }
        let hostile = Problem(family: "arith", identity: "arith:" + chain, prompt: "1+1=?\n", answer: "2",
                              solution: "1+1=2. #### 2")
        var rng = TaskRNG(seed: 1)
        #expect(ArithFamily().flawedSolution(for: hostile, rng: &rng) == nil)
        // The limit is far above anything a family generates.
        let longest = String(repeating: "1+", count: ExprParser.maxOperations) + "1"
        #expect(try TraceInterpreter.run("print(\(longest))").printed == [Int64(ExprParser.maxOperations + 1)])
        #expect(throws: TasksError.self) { try ExprParser.parse(longest + "+1") }
    }

    @Test func slipPropagates() throws {
        let expr = try ExprParser.parse("37+48*2")
        var calculator = Calculator(source: "", slip: Slip(index: 0, kind: .plusOne, digit: 0))
        let value = try calculator.evaluate(expr)
        #expect(calculator.steps.map(\.text) == ["48*2=97", "37+97=134"])
        #expect(value == 134)
        #expect(calculator.slipApplied)
    }

    static let slips: [Named<(Slip.Kind, Int, Int64), Int64?>] = [
        Named("plus one", (.plusOne, 0, 133), 134),
        Named("minus one at zero", (.minusOne, 0, 0), nil),
        Named("digit up, tens", (.digitUp, 1, 133), 143),
        Named("digit down, units", (.digitDown, 0, 130), nil),
        Named("digit down, leading digit to zero refused", (.digitDown, 2, 133), nil),
        Named("digit index wraps", (.digitUp, 3, 133), 134),
        Named("tens down", (.tensDown, 0, 25), 15),
        Named("tens down too small", (.tensDown, 0, 12), nil),
        Named("negative keeps sign", (.plusOne, 0, -5), -6),
    ]

    @Test(arguments: slips)
    func slipKinds(_ c: Named<(Slip.Kind, Int, Int64), Int64?>) {
        let (kind, digit, value) = c.input
        #expect(Slip(index: 0, kind: kind, digit: digit).apply(to: value) == c.expected)
    }
}
