/// Integer expressions shared by `arith`, `word` and the `trace` interpreter: the tree, its canonical rendering,
/// a parser for it, and an evaluator that records one scratchpad step per operation and can inject a slip.

/// A binary operator. `/` is exact integer division (an inexact or zero division is a runtime error); `trace`
/// programs never use it, since Python's `/` yields a float.
public enum BinaryOp: Character, Sendable, Hashable, CaseIterable {
    case add = "+", sub = "-", mul = "*", div = "/"

    var precedence: Int { self == .add || self == .sub ? 1 : 2 }

    /// The exact result, or nil on Int64 overflow, division by zero or an inexact division.
    func apply(_ a: Int64, _ b: Int64) -> Int64? {
        switch self {
        case .add: let (r, o) = a.addingReportingOverflow(b); return o ? nil : r
        case .sub: let (r, o) = a.subtractingReportingOverflow(b); return o ? nil : r
        case .mul: let (r, o) = a.multipliedReportingOverflow(by: b); return o ? nil : r
        case .div:
            guard b != 0, a % b == 0 else { return nil }
            let (r, o) = a.dividedReportingOverflow(by: b); return o ? nil : r
        }
    }
}

/// An expression tree over non-negative integer literals and variables.
public indirect enum Expr: Sendable, Hashable {
    case literal(Int64)
    case variable(String)
    case binary(BinaryOp, Expr, Expr)

    /// Canonical text with the fewest parentheses that still parse back to this exact tree (left-associative:
    /// a right operand of equal precedence keeps its parentheses, `a+(b+c)`), so the scratchpad's order of
    /// operations is recoverable from the text.
    public var rendered: String {
        switch self {
        case let .literal(v): return String(v)
        case let .variable(name): return name
        case let .binary(op, lhs, rhs):
            let l = lhs.precedence < op.precedence ? "(\(lhs.rendered))" : lhs.rendered
            let r = rhs.precedence <= op.precedence ? "(\(rhs.rendered))" : rhs.rendered
            return l + String(op.rawValue) + r
        }
    }

    var precedence: Int {
        if case let .binary(op, _, _) = self { return op.precedence }
        return 3
    }

    /// The expression up to commutativity and associativity of `+` and `*`, in prefix notation: a chain of one of
    /// them is flattened and its operands sorted (`5*87`, `87*5` → `*(5,87)`; `a+(b+c)`, `c+a+b` → `+(a,b,c)`);
    /// `-` and `/` keep their order (`-(a,b)`). Two renderings of the same computation on the same numbers get the
    /// same form, so a problem's identity (and its train/test split) does not depend on how it is written.
    public var commutativeForm: String {
        switch self {
        case let .literal(v): return String(v)
        case let .variable(name): return name
        case let .binary(op, lhs, rhs):
            guard op == .add || op == .mul else { return "\(op.rawValue)(\(lhs.commutativeForm),\(rhs.commutativeForm))" }
            var operands: [String] = []
            func collect(_ e: Expr) {
                if case let .binary(inner, l, r) = e, inner == op { collect(l); collect(r) } else { operands.append(e.commutativeForm) }
            }
            collect(self)
            return "\(op.rawValue)(\(operands.sorted().joined(separator: ",")))"
        }
    }

    /// Number of binary operations (= scratchpad steps to evaluate it).
    public var operationCount: Int {
        if case let .binary(_, l, r) = self { return 1 + l.operationCount + r.operationCount }
        return 0
    }

    /// Deepest nesting of parentheses in `rendered`.
    public var parenthesisDepth: Int {
        var depth = 0, best = 0
        for c in rendered {
            if c == "(" { depth += 1; best = max(best, depth) } else if c == ")" { depth -= 1 }
        }
        return best
    }
}

// MARK: - Parsing

/// Recursive-descent parser for `expr := term (('+'|'-') term)*`, `term := atom (('*'|'/') atom)*`,
/// `atom := INT | NAME | '(' expr ')'`. Spaces are skipped; literals have at most 18 digits and no leading zero;
/// nesting is limited to 64 levels and the operations to `maxOperations` so hostile input cannot exhaust the stack.
struct ExprParser {
    /// Most binary operations in one expression. A flat chain `1+1+...` parses iteratively but builds a tree as
    /// deep as it is long, and evaluating or freeing it recurses once per level: unbounded, 10k operations
    /// overflow the stack. 256 is far above anything a family generates.
    static let maxOperations = 256

    private let chars: [Character]
    private let text: String
    private(set) var position = 0
    private var nesting = 0
    private var operations = 0

    init(_ text: String) {
        self.text = text
        self.chars = Array(text)
    }

    /// Parses the whole text as one expression.
    static func parse(_ text: String) throws -> Expr {
        var parser = ExprParser(text)
        let e = try parser.parseExpr()
        parser.skipSpaces()
        guard parser.position == parser.chars.count else { throw parser.error("unexpected '\(parser.chars[parser.position])'") }
        return e
    }

    func error(_ message: String) -> TasksError {
        .syntax(text: text, position: position, message: message)
    }

    mutating func countOperation() throws {
        operations += 1
        guard operations <= Self.maxOperations else { throw error("more than \(Self.maxOperations) operations") }
    }

    mutating func skipSpaces() {
        while position < chars.count, chars[position] == " " { position += 1 }
    }

    mutating func parseExpr() throws -> Expr {
        var lhs = try parseTerm()
        while true {
            skipSpaces()
            guard position < chars.count, chars[position] == "+" || chars[position] == "-",
                  let op = BinaryOp(rawValue: chars[position]) else { return lhs }
            try countOperation()
            position += 1
            lhs = .binary(op, lhs, try parseTerm())
        }
    }

    mutating func parseTerm() throws -> Expr {
        var lhs = try parseAtom()
        while true {
            skipSpaces()
            guard position < chars.count, chars[position] == "*" || chars[position] == "/",
                  let op = BinaryOp(rawValue: chars[position]) else { return lhs }
            try countOperation()
            position += 1
            lhs = .binary(op, lhs, try parseAtom())
        }
    }

    mutating func parseAtom() throws -> Expr {
        skipSpaces()
        guard position < chars.count else { throw error("expected a number, a name or '('") }
        let c = chars[position]
        if c == "(" {
            nesting += 1
            guard nesting <= 64 else { throw error("parentheses nested deeper than 64") }
            position += 1
            let inner = try parseExpr()
            skipSpaces()
            guard position < chars.count, chars[position] == ")" else { throw error("expected ')'") }
            position += 1
            nesting -= 1
            return inner
        }
        if c.isASCII, c.isNumber {
            let start = position
            while position < chars.count, chars[position].isASCII, chars[position].isNumber { position += 1 }
            guard position - start <= 18, let v = Int64(String(chars[start..<position])) else {
                throw error("number too long")
            }
            // Python 3 rejects `07`; no generated literal has one, and the trace grammar promises valid Python.
            guard position - start == 1 || chars[start] != "0" else { throw error("leading zero in a number") }
            return .literal(v)
        }
        if c.isASCII, c.isLetter, c.isLowercase {
            let start = position
            while position < chars.count, chars[position].isASCII, chars[position].isLetter || chars[position].isNumber {
                position += 1
            }
            return .variable(String(chars[start..<position]))
        }
        throw error("expected a number, a name or '(' but found '\(c)'")
    }
}

// MARK: - Evaluation

/// One operation as the scratchpad shows it: `lhs op rhs=result`. `result` is what was written, which differs
/// from the true value only at an injected slip.
struct ArithStep: Sendable, Hashable {
    let lhs: Int64
    let op: BinaryOp
    let rhs: Int64
    let result: Int64

    var text: String { "\(lhs)\(op.rawValue)\(rhs)=\(result)" }
}

/// A deliberate mistake in the `index`-th operation of an evaluation (counting operations in evaluation order
/// over the whole run, from 0).
struct Slip: Sendable, Hashable {
    enum Kind: Sendable, Hashable, CaseIterable { case plusOne, minusOne, digitUp, digitDown, tensUp, tensDown }
    let index: Int
    let kind: Kind
    /// Which decimal digit a digit slip touches, counted from the right; taken modulo the number of digits.
    let digit: Int

    /// The slipped value, or nil when this kind of slip does not apply (e.g. it would change the sign).
    func apply(to value: Int64) -> Int64? {
        let magnitude = value.magnitude
        let sign: Int64 = value < 0 ? -1 : 1
        func checked(_ m: Int64) -> Int64? {
            guard m >= 0, m != Int64(magnitude) else { return nil }
            return sign * m
        }
        guard magnitude < 1_000_000_000_000 else { return nil }
        let m = Int64(magnitude)
        switch kind {
        case .plusOne: return checked(m + 1)
        case .minusOne: return checked(m - 1)
        case .tensUp: return m >= 10 ? checked(m + 10) : nil
        case .tensDown: return m >= 20 ? checked(m - 10) : nil
        case .digitUp, .digitDown:
            let digits = String(m).count
            let position = digit % digits
            var power: Int64 = 1
            for _ in 0..<position { power *= 10 }
            let d = (m / power) % 10
            let nd = kind == .digitUp ? d + 1 : d - 1
            guard nd >= 0, nd <= 9, !(position == digits - 1 && nd == 0 && digits > 1) else { return nil }
            return checked(m + (nd - d) * power)
        }
    }
}

/// Evaluates expressions in post-order (left operand, right operand, operation), recording one `ArithStep` per
/// operation, and applies at most one `Slip`, after which evaluation continues from the slipped value.
struct Calculator {
    /// Every operation so far, in evaluation order.
    private(set) var steps: [ArithStep] = []
    let slip: Slip?
    /// Set when the slip has been applied.
    private(set) var slipApplied = false
    /// The source text, for error messages.
    let source: String

    init(source: String, slip: Slip? = nil) {
        self.source = source
        self.slip = slip
    }

    mutating func evaluate(_ e: Expr, env: [String: Int64] = [:]) throws -> Int64 {
        switch e {
        case let .literal(v): return v
        case let .variable(name):
            guard let v = env[name] else { throw TasksError.runtime(text: source, message: "'\(name)' is not defined") }
            return v
        case let .binary(op, l, r):
            let a = try evaluate(l, env: env)
            let b = try evaluate(r, env: env)
            guard var v = op.apply(a, b) else {
                let why = op == .div ? "inexact division or division by zero" : "integer overflow"
                throw TasksError.runtime(text: source, message: "\(a)\(op.rawValue)\(b): \(why)")
            }
            if let slip, slip.index == steps.count, let slipped = slip.apply(to: v) {
                v = slipped
                slipApplied = true
            }
            steps.append(ArithStep(lhs: a, op: op, rhs: b, result: v))
            return v
        }
    }
}
