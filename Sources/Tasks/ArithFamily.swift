import Seeded
/// Knobs of `arith`. Defaults aim at a 1M-parameter character model landing in the middle of the accuracy band.
public struct ArithConfig: TaskConfig {
    public static let scope = "arith"

    /// Fewest numbers in an expression. 2: one-step problems keep an easy end in the mix.
    public var minOperands = 2
    /// Most numbers. 3: two steps, as in `48*2=96. 37+96=133.`; 4 makes a clearly harder setting.
    public var maxOperands = 3
    /// Digits of each number (values 1 ..< 10^digits). 2: carries and borrows happen, sums stay learnable.
    public var digits = 2
    /// Largest small factor of a product (2...maxFactor); the other factor may be anything. 9: a multi-digit by
    /// multi-digit product is beyond a tiny model in one step, a one-digit factor is not.
    public var maxFactor = 9
    /// Deepest nesting of parentheses. 1: `(a+b)*c` appears, nested parentheses do not.
    public var depth = 1
    /// Largest absolute value of any intermediate result. 999: at most three-digit arithmetic.
    public var maxValue = 999
    /// Whether intermediate results may be negative. false: signs add difficulty without adding reasoning.
    public var allowNegative = false
    /// Operators used, a subset of `+-*/` (`/` is exact division). `+-*` as in the issue.
    public var operators = "+-*"
    /// Longest prompt + solution in characters. 120: the 128-token context minus BOS and EOS, minus slack
    /// for sampled completions slightly longer than the gold one.
    public var maxChars = 120
    /// How solutions are written (`ArithSolutions`). nil is `canonical`, and is left out of the knobs' JSON, so
    /// every recipe and trial hash from before this knob existed stays the same.
    public var solutions: ArithSolutions? = nil

    public static let optionalKeys = ["solutions"]

    public init() {}

    public func validate() throws {
        try require("minOperands", minOperands, in: 2...8)
        try require("maxOperands", maxOperands, in: 2...8)
        try requireOrdered("minOperands", minOperands, "maxOperands", maxOperands)
        try require("digits", digits, in: 1...4)
        try require("maxFactor", maxFactor, in: 2...99)
        try require("depth", depth, in: 0...4)
        try require("maxValue", maxValue, in: 1...1_000_000_000)
        try require("maxChars", maxChars, in: 16...10_000)
        let valid = Set("+-*/")
        guard !operators.isEmpty, operators.allSatisfy(valid.contains), Set(operators).count == operators.count else {
            throw TasksError.invalidConfig(scope: Self.scope, key: "operators", value: operators,
                                           reason: "must be distinct characters among '+-*/'")
        }
    }
}

/// `arith`: multi-step integer expressions with `+ - *` (and optionally exact `/`) and parentheses.
///
/// Prompt `37+48*2=?\n`, solution `48*2=96. 37+96=133. #### 133`: one operation per step, in the order the
/// expression tree evaluates (left operand, right operand, operation). Identity: `arith:` + the expression's
/// `commutativeForm`, so `5*87` and `87*5` (or `a+(b+c)` and `a+b+c`) are one problem, on one side of the split.
public struct ArithFamily: TaskFamily {
    public static let familyName = "arith"
    public let config: ArithConfig

    public init(validated config: ArithConfig) { self.config = config }

    public func draw(rng: inout TaskRNG) -> Problem? {
        let n = rng.int(in: config.minOperands...config.maxOperands)
        let ops = config.operators.compactMap(BinaryOp.init(rawValue:))
        let expr = tree(leaves: n, ops: ops, rng: &rng)
        guard expr.parenthesisDepth <= config.depth else { return nil }
        let text = expr.rendered
        guard let (steps, answer) = solve(expr, source: text, slip: nil),
              steps.allSatisfy({ inRange($0.result) }) else { return nil }
        let problem = Problem(family: name, identity: "\(name):\(expr.commutativeForm)", prompt: "\(text)=?\n",
                              answer: String(answer),
                              solution: SolutionFormat.render(steps: steps.map(\.text), answer: String(answer)))
        // Which problems a split holds is decided by the canonical solution; a varied one replaces it only when it
        // fits the same length budget.
        if config.solutions == .varied, problem.text.count <= config.maxChars,
           let (_, derived, value) = variedExpression(expr, source: text, rng: &rng), value == answer {
            let varied = Problem(family: name, identity: problem.identity, prompt: problem.prompt, answer: problem.answer,
                                 solution: SolutionFormat.render(steps: derived.map(\.text), answer: String(answer)))
            if varied.text.count <= config.maxChars { return varied }
        }
        return problem.text.count <= config.maxChars ? problem : nil
    }

    public func flawedSolution(for problem: Problem, rng: inout TaskRNG) -> FlawedSolution? {
        // The expression as written (the identity is order-free): the prompt is `<expression>=?\n`.
        let suffix = "=?\n"
        guard problem.family == name, problem.prompt.hasSuffix(suffix),
              let expr = try? ExprParser.parse(String(problem.prompt.dropLast(suffix.count))),
              problem.identity == "\(name):\(expr.commutativeForm)" else { return nil }
        let text = expr.rendered
        // A varied corpus slips inside a random derivation (the same one for each slip tried).
        let written = config.solutions == .varied ? variedExpression(expr, source: text, rng: &rng)?.expr ?? expr : expr
        return Self.firstFlaw(operations: written.operationCount, gold: problem.answer,
                              maxSolutionChars: config.maxChars - problem.prompt.count, rng: &rng) { slip in
            guard let (steps, answer) = solve(written, source: text, slip: slip) else { return nil }
            return (SolutionFormat.render(steps: steps.map(\.text), answer: String(answer)), String(answer), slip.index)
        }
    }

    /// A random tree with `leaves` numbers. A product always has one small factor (2...maxFactor) as a leaf, on
    /// a random side; other operators split the leaves at random.
    private func tree(leaves: Int, ops: [BinaryOp], rng: inout TaskRNG) -> Expr {
        if leaves == 1 {
            var top = 1
            for _ in 0..<config.digits { top *= 10 }
            return .literal(Int64(rng.int(in: 1...(top - 1))))
        }
        let op = rng.pick(ops)
        if op == .mul || op == .div {
            let small = Expr.literal(Int64(rng.int(in: 2...config.maxFactor)))
            let other = tree(leaves: leaves - 1, ops: ops, rng: &rng)
            return op == .mul && rng.chance(0.5) ? .binary(op, small, other) : .binary(op, other, small)
        }
        let k = rng.int(in: 1...(leaves - 1))
        return .binary(op, tree(leaves: k, ops: ops, rng: &rng), tree(leaves: leaves - k, ops: ops, rng: &rng))
    }

    /// Random derivations tried before a draw keeps the canonical one (a rewrite may leave the value range).
    static let derivationAttempts = 4

    /// A random rewrite of `expr` (`Derivation.vary`) whose every intermediate result is in range, with its steps
    /// and value; nil when `derivationAttempts` rewrites all left it.
    private func variedExpression(_ expr: Expr, source: String, rng: inout TaskRNG) -> (expr: Expr, steps: [ArithStep], value: Int64)? {
        for _ in 0..<Self.derivationAttempts {
            let candidate = Derivation.vary(expr, rng: &rng)
            if let (steps, value) = solve(candidate, source: source, slip: nil), steps.allSatisfy({ inRange($0.result) }) {
                return (candidate, steps, value)
            }
        }
        return nil
    }

    private func inRange(_ v: Int64) -> Bool {
        v.magnitude <= UInt64(config.maxValue) && (config.allowNegative || v >= 0)
    }

    /// Steps and final value with an optional slip; nil if evaluation fails or the slip did not apply.
    private func solve(_ expr: Expr, source: String, slip: Slip?) -> ([ArithStep], Int64)? {
        var calculator = Calculator(source: source, slip: slip)
        guard let value = try? calculator.evaluate(expr), slip == nil || calculator.slipApplied else { return nil }
        return (calculator.steps, value)
    }
}
