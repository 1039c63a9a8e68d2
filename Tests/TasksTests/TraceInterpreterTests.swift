import TestSupport
import Testing
@testable import Tasks

/// Programs checked by hand and with CPython 3 (same printed values).
@Suite struct TraceInterpreterTests {
    struct Expected: Sendable {
        let printed: [Int64]
        let steps: [String]
    }

    static let programs: [Named<String, Expected>] = [
        Named("if taken", "a=3\nb=a*2\nif b>5:b=b-1\nprint(b)",
              Expected(printed: [5], steps: ["a=3", "b=3*2=6", "6>5 yes", "b=6-1=5"])),
        Named("loop over range", "s=0\nfor i in range(4):s=s+i\nprint(s)",
              Expected(printed: [6], steps: ["s=0", "s=0+0=0", "s=0+1=1", "s=1+2=3", "s=3+3=6"])),
        Named("nested expression, print of an expression", "a=2\nb=a+3*(a-1)\nprint(b*2)",
              Expected(printed: [10], steps: ["a=2", "2-1=1", "3*1=3", "b=2+3=5", "5*2=10"])),
        Named("equality taken, then not", "x=7\nif x==7:x=x*3\nif x<10:x=0\nprint(x)",
              Expected(printed: [21], steps: ["x=7", "7==7 yes", "x=7*3=21", "21<10 no"])),
        Named("empty range", "a=5\nfor i in range(0):a=a+1\nprint(a)",
              Expected(printed: [5], steps: ["a=5"])),
        Named("two prints", "a=1\nb=2\nprint(a)\nprint(b-a)",
              Expected(printed: [1, 1], steps: ["a=1", "b=2", "2-1=1"])),
        Named("loop variable survives the loop", "a=4\nfor i in range(3):a=a*2\nif a>=32:a=a-32\nprint(a+i)",
              Expected(printed: [2], steps: ["a=4", "a=4*2=8", "a=8*2=16", "a=16*2=32", "32>=32 yes", "a=32-32=0", "0+2=2"])),
        Named("blank lines and trailing spaces", "a=1  \n\nprint(a)\n",
              Expected(printed: [1], steps: ["a=1"])),
        // Swift reads "\r\n" as one Character, so splitting at "\n" kept the whole program on one line.
        Named("CRLF line endings", "a=1 \r\nb=a+2\r\nprint(b)\r\n",
              Expected(printed: [3], steps: ["a=1", "b=1+2=3"])),
    ]

    @Test(arguments: programs)
    func runsHandCheckedPrograms(_ c: Named<String, Expected>) throws {
        let run = try TraceInterpreter.run(c.input)
        #expect(run.printed == c.expected.printed)
        #expect(run.steps == c.expected.steps)
        #expect(ScratchpadChecker.check(run.steps.joined(separator: ". ") + ". #### 0").allStepsCorrect)
    }

    static let syntaxErrors: [Named<String, String>] = [
        Named("indentation", " a=1", "indentation"),
        Named("bare expression", "a+1", "NAME=expression"),
        Named("keyword as variable", "if=3", "not a variable name"),
        Named("comparison as statement", "a==3", "'==' is not an assignment"),
        Named("if without colon", "a=1\nif a>0 a=2", "expected ':'"),
        Named("if without comparison", "a=1\nif a:a=2", "comparison"),
        Named("for without range", "for i in [1,2]:a=1", "range"),
        Named("division", "a=4/2", "'/' is not supported"),
        Named("unclosed print", "print(a", "')'"),
        Named("unknown character", "a=3$", "'$'"),
        // CPython rejects these; the interpreter promises that every program it accepts is valid Python.
        Named("Python keyword as a variable", "def=3\nprint(def)", "not a variable name"),
        Named("Python keyword in an expression", "a=1\nprint(a+lambda)", "keyword"),
        Named("leading zero", "a=07\nprint(a)", "leading zero"),
    ]

    @Test(arguments: syntaxErrors)
    func rejectsBadSyntax(_ c: Named<String, String>) {
        do {
            _ = try TraceInterpreter.run(c.input)
            Issue.record("expected a syntax error")
        } catch let error as TasksError {
            guard case .syntax = error else { Issue.record("expected .syntax, got \(error)"); return }
            #expect(error.description.contains(c.expected), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    static let runtimeErrors: [Named<String, String>] = [
        Named("undefined variable", "print(z)", "'z' is not defined"),
        Named("loop too long", "s=0\nfor i in range(1000000):s=s+1", "exceeds 100 iterations"),
        Named("overflow", "a=900000000000000000\nb=a*20", "overflow"),
    ]

    @Test(arguments: runtimeErrors)
    func reportsRuntimeErrors(_ c: Named<String, String>) {
        do {
            _ = try TraceInterpreter.run(c.input)
            Issue.record("expected a runtime error")
        } catch let error as TasksError {
            guard case .runtime = error else { Issue.record("expected .runtime, got \(error)"); return }
            #expect(error.description.contains(c.expected), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func tooManyLinesIsAnError() {
        let program = Array(repeating: "a=1", count: TraceInterpreter.maxLines + 5).joined(separator: "\n")
        #expect(throws: TasksError.self) { try TraceInterpreter.run(program) }
    }

    @Test func slipIsTracedToItsStep() throws {
        let program = "a=3\nb=a*2\nif b>5:b=b-1\nprint(b)"
        let r = try TraceInterpreter.execute(program, slip: Slip(index: 1, kind: .plusOne, digit: 0))
        #expect(r.run.steps == ["a=3", "b=3*2=6", "6>5 yes", "b=6-1=6"])
        #expect(r.slippedStep == 3)
        #expect(r.operations == 2)
        // A slip in the first operation changes the branch consistently.
        let s = try TraceInterpreter.execute(program, slip: Slip(index: 0, kind: .minusOne, digit: 0))
        #expect(s.run.steps == ["a=3", "b=3*2=5", "5>5 no"])
        #expect(s.run.printed == [5])
    }
}
