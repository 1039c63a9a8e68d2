import Seeded
/// Knobs of `trace`.
public struct TraceConfig: TaskConfig {
    public static let scope = "trace"

    /// Fewest statements before the final `print` (at least 2: an assignment, then an operation).
    /// 2: the easiest programs are one assignment and one update.
    public var minStatements = 2
    /// Most statements before the final `print`. 4: longer programs rarely fit the context with their trace.
    public var maxStatements = 4
    /// Distinct variables (`a`, `b`, `c`, `d`, `x`, `y`; the loop variable `i` comes on top). 3: enough to
    /// make the model track which variable holds what.
    public var variables = 3
    /// Largest literal in assignments (from 1) and comparisons (from 0). 9: one-digit literals; values grow by
    /// steps.
    public var maxLiteral = 9
    /// Largest loop count in `range(n)` (from 2). 3: each iteration is one scratchpad step.
    public var maxLoop = 3
    /// Whether `if` statements appear. true.
    public var allowIf = true
    /// Whether `for` loops appear. true.
    public var allowFor = true
    /// Largest absolute value of any variable or intermediate result. 99: two-digit arithmetic throughout.
    public var maxValue = 99
    /// Whether values may be negative. false: signs add difficulty without adding reasoning.
    public var allowNegative = false
    /// Longest prompt + solution in characters. 120: the 128-token context minus BOS and EOS, minus slack.
    public var maxChars = 120

    public init() {}

    public func validate() throws {
        try require("minStatements", minStatements, in: 2...12)  // one assignment, then one operation
        try require("maxStatements", maxStatements, in: 2...12)
        try requireOrdered("minStatements", minStatements, "maxStatements", maxStatements)
        try require("variables", variables, in: 1...TraceFamily.variableNames.count)
        try require("maxLiteral", maxLiteral, in: 1...1000)
        try require("maxLoop", maxLoop, in: 2...TraceInterpreter.maxIterations)
        try require("maxValue", maxValue, in: 10...1_000_000_000)
        try require("maxChars", maxChars, in: 30...10_000)
    }
}

/// `trace`: predict what a tiny program prints, in the style of CRUXEval.
///
/// Prompt: a Python program, one statement per line, ending with one `print`:
/// ```
/// a=3
/// b=a*2
/// if b>5:b=b-1
/// print(b)
/// ```
/// Solution (written by `TraceInterpreter`): `a=3. b=3*2=6. 6>5 yes. b=6-1=5. #### 5`.
/// Identity: `trace:` + the program with `;` for newlines.
public struct TraceFamily: TaskFamily {
    public static let familyName = "trace"
    static let variableNames = ["a", "b", "c", "d", "x", "y"]
    public let config: TraceConfig

    public init(validated config: TraceConfig) { self.config = config }

    public func draw(rng: inout TaskRNG) -> Problem? {
        let names = Array(Self.variableNames.prefix(config.variables))
        let count = rng.int(in: config.minStatements...config.maxStatements)
        var lines: [String] = []
        var env: [String: Int64] = [:]
        var defined: [String] = []
        var lastAssigned = ""
        var computed = Set<String>()  // variables whose value came from an operation
        let lit = { (rng: inout TaskRNG) in String(rng.int(in: 1...config.maxLiteral)) }  // 0 makes a*2 trivial

        for index in 0..<count {
            var kinds: [Int] = [0, 1, 1, 1]  // 0 literal, 1 binary assignment, 2 if, 3 for
            if config.allowIf { kinds += [2, 2] }
            if config.allowFor { kinds += [3, 3] }
            let kind = index == 0 || defined.isEmpty ? 0 : rng.pick(kinds)
            let fresh = names.filter { env[$0] == nil }
            let target = !fresh.isEmpty && (kind == 0 || rng.chance(0.5)) ? fresh[0] : rng.pick(defined)
            let line: String
            switch kind {
            case 0:
                line = "\(target)=\(lit(&rng))"
            case 1:
                line = "\(target)=\(binary(defined: defined, rng: &rng))"
            case 2:
                let x = rng.pick(defined)
                let cmp = rng.pick([">", "<", "=="])
                let around = Int(env[x] ?? 0) + rng.int(in: -2...2)
                let bound = max(0, cmp == "==" && rng.chance(0.5) ? Int(env[x] ?? 0) : around)
                let v = rng.pick(defined)
                line = "if \(x)\(cmp)\(bound):\(v)=\(update(v, rng: &rng))"
            default:
                let v = rng.pick(defined)
                let body = rng.pick(["\(v)+i", "\(v)+i", "\(v)+\(max(1, rng.int(in: 1...config.maxLiteral)))",
                                     "\(v)*2", "\(v)-i"])
                line = "for i in range(\(rng.int(in: 2...config.maxLoop))):\(v)=\(body)"
                lines.append(line)
                guard let run = try? TraceInterpreter.run(lines.joined(separator: "\n")) else { return nil }
                env = run.variables
                lastAssigned = v
                computed.insert(v)
                continue
            }
            lines.append(line)
            guard let run = try? TraceInterpreter.run(lines.joined(separator: "\n")) else { return nil }
            env = run.variables
            if kind != 2 {
                if !defined.contains(target) { defined.append(target) }
                lastAssigned = target
                if kind == 0 { computed.remove(target) } else { computed.insert(target) }
            } else if let assigned = line.split(separator: ":").last?.split(separator: "=").first {
                lastAssigned = String(assigned)
            }
        }

        // Printing a variable that only holds a literal would make the answer readable off the program.
        if !computed.contains(lastAssigned), let other = defined.first(where: computed.contains) { lastAssigned = other }
        let printedExpr: String
        switch rng.int(in: 0...9) {
        case 0...5: printedExpr = lastAssigned
        case 6...7: printedExpr = rng.pick(defined)
        default:
            let x = rng.pick(defined), others = defined.filter { $0 != x }
            printedExpr = others.isEmpty ? x : "\(x)\(rng.pick(["+", "+", "-", "*"]))\(rng.pick(others))"
        }
        lines.append("print(\(printedExpr))")
        let program = lines.joined(separator: "\n")
        guard let result = try? TraceInterpreter.execute(program, slip: nil), result.run.printed.count == 1,
              let answer = result.run.printed.first, result.operations > 0,
              allInRange(result.run) else { return nil }
        let problem = Problem(family: name, identity: "\(name):" + lines.joined(separator: ";"), prompt: program + "\n",
                              answer: String(answer),
                              solution: SolutionFormat.render(steps: result.run.steps, answer: String(answer)))
        return problem.text.count <= config.maxChars ? problem : nil
    }

    public func flawedSolution(for problem: Problem, rng: inout TaskRNG) -> FlawedSolution? {
        let prefix = "\(name):"
        guard problem.family == name, problem.identity.hasPrefix(prefix) else { return nil }
        let program = problem.identity.dropFirst(prefix.count).split(separator: ";").joined(separator: "\n")
        guard let clean = try? TraceInterpreter.execute(program, slip: nil) else { return nil }
        return Self.firstFlaw(operations: clean.operations, gold: problem.answer,
                              maxSolutionChars: config.maxChars - problem.prompt.count, rng: &rng) { slip in
            guard let r = try? TraceInterpreter.execute(program, slip: slip), r.run.printed.count == 1,
                  let answer = r.run.printed.first, let step = r.slippedStep else { return nil }
            return (SolutionFormat.render(steps: r.run.steps, answer: String(answer)), String(answer), step)
        }
    }

    /// `x op y` over defined variables and small literals (a literal factor of a product is 2 or 3).
    private func binary(defined: [String], rng: inout TaskRNG) -> String {
        let x = rng.pick(defined)
        let op = rng.pick(["+", "+", "-", "*"])
        let others = defined.filter { $0 != x }  // `a-a`, `a*a` are degenerate
        let y: String
        if op == "*" {
            y = !others.isEmpty && rng.chance(0.3) ? rng.pick(others) : String(rng.int(in: 2...3))
        } else {
            y = !others.isEmpty && rng.chance(0.5) ? rng.pick(others) : String(rng.int(in: 1...config.maxLiteral))
        }
        return op != "-" && rng.chance(0.3) ? "\(y)\(op)\(x)" : "\(x)\(op)\(y)"
    }

    /// The right-hand side of an `if` body updating `v`.
    private func update(_ v: String, rng: inout TaskRNG) -> String {
        let op = rng.pick(["+", "-", "*"])
        return "\(v)\(op)\(op == "*" ? 2 : rng.int(in: 1...config.maxLiteral))"
    }

    private func allInRange(_ run: TraceInterpreter.Run) -> Bool {
        let limit = Int64(config.maxValue)
        let ok = { (v: Int64) in v <= limit && v >= (config.allowNegative ? -limit : 0) }
        guard run.variables.values.allSatisfy(ok), run.printed.allSatisfy(ok) else { return false }
        // Every number written in the scratchpad, intermediate ones included.
        for step in run.steps {
            for token in StepToken.scan(step) ?? [] {
                if case let .number(v) = token, !ok(v) { return false }
            }
        }
        return true
    }
}
