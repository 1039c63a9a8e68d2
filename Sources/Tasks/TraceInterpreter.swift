/// An interpreter for the `trace` family's tiny language: a subset of Python on integers, one statement per
/// line, that computes the gold answer and writes the scratchpad.
///
/// Grammar (no indentation; blank lines are ignored):
/// ```
/// line   := NAME '=' expr
///         | 'if ' expr CMP expr ':' NAME '=' expr          CMP: == >= <= > <
///         | 'for ' NAME ' in range(' expr '):' NAME '=' expr
///         | 'print(' expr ')'
/// expr   := integer expression over + - * and parentheses (no '/': Python's '/' yields a float)
/// ```
/// Every program in this grammar is valid Python and prints the same numbers under CPython, except that values
/// beyond Int64 are an error here. Limits keep hostile input from hanging: at most `maxLines` lines and
/// `maxIterations` iterations per loop.
///
/// Scratchpad, one step per event: `a=3` (assignment without arithmetic), `b=3*2=6` (an assignment's last
/// operation; earlier ones as `3*2=6`), `6>5 yes` / `4>5 no` (an `if` condition), one body step per loop
/// iteration with the loop variable's value substituted (`s=1+2=3`). `print` contributes its operations only.
public enum TraceInterpreter {
    public static let maxLines = 64
    public static let maxIterations = 100

    /// The outcome of running a program.
    public struct Run: Sendable, Equatable {
        /// Values printed, in order.
        public let printed: [Int64]
        /// Scratchpad steps, without their trailing `.`.
        public let steps: [String]
        /// Final values of the variables.
        public let variables: [String: Int64]
    }

    /// Runs `program`; throws `TasksError.syntax` or `TasksError.runtime`.
    public static func run(_ program: String) throws -> Run {
        try execute(program, slip: nil).run
    }

    /// Runs with an optional slip; also returns the scratchpad index of the slipped step (nil if the slip was
    /// not applied) and the number of operations (slippable steps).
    static func execute(_ program: String, slip: Slip?) throws -> (run: Run, slippedStep: Int?, operations: Int) {
        let statements = try parse(program)
        var calculator = Calculator(source: program, slip: slip)
        var env: [String: Int64] = [:]
        var steps: [String] = []
        var printed: [Int64] = []
        var slippedStep: Int?

        /// Evaluates `expr`, writing all but (if `target` is given) the last operation as plain steps.
        func evaluate(_ expr: Expr, target: String?) throws -> Int64 {
            let before = calculator.steps.count
            let wasSlipped = calculator.slipApplied
            let v = try calculator.evaluate(expr, env: env)
            let new = calculator.steps[before...]
            for (offset, step) in new.enumerated() {
                let isLast = offset == new.count - 1
                if let target, isLast { steps.append("\(target)=\(step.text)") } else { steps.append(step.text) }
                if !wasSlipped, calculator.slipApplied, slip?.index == before + offset { slippedStep = steps.count - 1 }
            }
            if let target, new.isEmpty { steps.append("\(target)=\(v)") }
            return v
        }
        func assign(_ name: String, _ expr: Expr) throws {
            env[name] = try evaluate(expr, target: name)
        }

        for statement in statements {
            switch statement {
            case let .assign(name, expr):
                try assign(name, expr)
            case let .ifThen(lhs, cmp, rhs, name, expr):
                let a = try evaluate(lhs, target: nil), b = try evaluate(rhs, target: nil)
                let holds = Comparison.holds(cmp, a, b)
                steps.append("\(a)\(cmp)\(b) \(holds ? "yes" : "no")")
                if holds { try assign(name, expr) }
            case let .forRange(loopVariable, count, name, expr):
                let n = try evaluate(count, target: nil)
                guard n <= Int64(maxIterations) else {
                    throw TasksError.runtime(text: program, message: "range(\(n)) exceeds \(maxIterations) iterations")
                }
                if n > 0 {
                    for k in 0..<n {
                        env[loopVariable] = k
                        try assign(name, expr)
                    }
                }
            case let .print(expr):
                printed.append(try evaluate(expr, target: nil))
            }
        }
        return (Run(printed: printed, steps: steps, variables: env), slippedStep, calculator.steps.count)
    }

    enum Statement: Sendable, Hashable {
        case assign(String, Expr)
        case ifThen(Expr, String, Expr, String, Expr)
        case forRange(String, Expr, String, Expr)
        case print(Expr)
    }

    /// Python's keywords (3.11 `keyword.kwlist`, lowercase ones; names are lowercase) and the two builtins the
    /// grammar calls, so that no accepted program is a Python syntax error or shadows `print` / `range`.
    static let keywords: Set<String> = [
        "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except",
        "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass",
        "raise", "return", "try", "while", "with", "yield", "print", "range",
    ]

    static func parse(_ program: String) throws -> [Statement] {
        // "\r\n" is a single Character in Swift, so it must be named as a separator (Python accepts CRLF).
        let lines = program.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        guard lines.count <= maxLines + 1 else {
            throw TasksError.syntax(text: program, position: 0, message: "more than \(maxLines) lines")
        }
        var statements: [Statement] = []
        var offset = 0
        for raw in lines {
            defer { offset += raw.count + 1 }
            var line = String(raw)
            while line.last == " " || line.last == "\r" { line.removeLast() }
            if line.isEmpty { continue }
            do {
                statements.append(try statement(line))
            } catch let TasksError.syntax(_, position, message) {
                throw TasksError.syntax(text: program, position: offset + position, message: message)
            }
        }
        return statements
    }

    /// One line; syntax errors carry positions within the line.
    static func statement(_ line: String) throws -> Statement {
        func fail(_ message: String, at position: Int = 0) -> TasksError {
            .syntax(text: line, position: position, message: message)
        }
        if line.hasPrefix(" ") { throw fail("unexpected indentation") }
        if line.hasPrefix("print(") {
            guard line.hasSuffix(")") else { throw fail("expected ')' at the end of print(...)", at: line.count) }
            return .print(try expression(String(line.dropFirst(6).dropLast()), in: line, at: 6))
        }
        if line.hasPrefix("if ") {
            guard let colon = line.firstIndex(of: ":") else { throw fail("expected ':' after the condition", at: line.count) }
            let condition = String(line[line.index(line.startIndex, offsetBy: 3)..<colon])
            let conditionChars = Array(condition)
            var found: (Int, String)?
            scan: for i in conditionChars.indices {
                for cmp in Comparison.all where i + cmp.count <= conditionChars.count
                    && String(conditionChars[i..<(i + cmp.count)]) == cmp {
                    found = (i, cmp)
                    break scan
                }
            }
            guard let (at, cmp) = found else { throw fail("expected a comparison (== >= <= > <)", at: 3) }
            let lhs = try expression(String(conditionChars[..<at]), in: line, at: 3)
            let rhs = try expression(String(conditionChars[(at + cmp.count)...]), in: line, at: 3 + at + cmp.count)
            let bodyStart = line.distance(from: line.startIndex, to: colon) + 1
            let (name, expr) = try assignment(String(line[line.index(after: colon)...]), in: line, at: bodyStart)
            return .ifThen(lhs, cmp, rhs, name, expr)
        }
        if line.hasPrefix("for ") {
            let rest = line.dropFirst(4)
            guard let space = rest.firstIndex(of: " ") else { throw fail("expected 'for NAME in range(N):'", at: 4) }
            let variable = String(rest[..<space])
            guard isName(variable) else { throw fail("bad loop variable '\(variable)'", at: 4) }
            let afterName = rest[space...]
            guard afterName.hasPrefix(" in range("), let close = afterName.firstRange(of: "):") else {
                throw fail("expected ' in range(N):' after the loop variable", at: 4 + variable.count)
            }
            let countStart = afterName.index(afterName.startIndex, offsetBy: 10)
            let countPosition = line.distance(from: line.startIndex, to: countStart)
            let count = try expression(String(afterName[countStart..<close.lowerBound]), in: line, at: countPosition)
            let bodyPosition = line.distance(from: line.startIndex, to: close.upperBound)
            let (name, expr) = try assignment(String(afterName[close.upperBound...]), in: line, at: bodyPosition)
            return .forRange(variable, count, name, expr)
        }
        let (name, expr) = try assignment(line, in: line, at: 0)
        return .assign(name, expr)
    }

    static func assignment(_ text: String, in line: String, at position: Int) throws -> (String, Expr) {
        guard let eq = text.firstIndex(of: "=") else {
            throw TasksError.syntax(text: line, position: position, message: "expected 'NAME=expression'")
        }
        let name = String(text[..<eq])
        guard isName(name) else {
            throw TasksError.syntax(text: line, position: position, message: "'\(name)' is not a variable name")
        }
        let rest = String(text[text.index(after: eq)...])
        guard !rest.hasPrefix("=") else {
            throw TasksError.syntax(text: line, position: position + name.count, message: "'==' is not an assignment")
        }
        return (name, try expression(rest, in: line, at: position + name.count + 1))
    }

    static func expression(_ text: String, in line: String, at position: Int) throws -> Expr {
        let expr: Expr
        do {
            expr = try ExprParser.parse(text)
        } catch let TasksError.syntax(_, p, message) {
            throw TasksError.syntax(text: line, position: position + p, message: message)
        }
        if let bad = firstProblem(in: expr) {
            throw TasksError.syntax(text: line, position: position, message: bad)
        }
        return expr
    }

    private static func firstProblem(in expr: Expr) -> String? {
        switch expr {
        case .literal: return nil
        case let .variable(name): return keywords.contains(name) ? "'\(name)' is a keyword" : nil
        case let .binary(op, l, r):
            if op == .div { return "'/' is not supported (Python's '/' gives a float)" }
            return firstProblem(in: l) ?? firstProblem(in: r)
        }
    }

    static func isName(_ s: String) -> Bool {
        guard let first = s.first, first.isASCII, first.isLetter, first.isLowercase else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) } && !keywords.contains(s)
    }
}
