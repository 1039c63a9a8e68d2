/// Step-by-step checking of a scratchpad, for analysis (never used as a reward).
///
/// The scratchpad is the text before `####` (or all of it when there is no marker), cut into steps at `.`.
/// Each step is checked on its own, from the numbers it writes:
/// - `x op y=z` and `name=x op y=z` (op one of `+ - * /`): correct when the arithmetic holds;
/// - `x>y yes`, `x<y no`, `x==y yes` (also `>=`, `<=`): correct when the verdict matches;
/// - `name=x`: a plain assignment, `unchecked` (nothing to verify locally);
/// - anything else: `unparsable`.
/// A step that uses a wrong input (a misread operand) but computes correctly from it counts as correct: the
/// checker flags the slipped step of a flawed solution, not the steps that inherit its value.
public enum ScratchpadChecker {
    public static func check(_ completion: String) -> ScratchpadReport {
        let body: Substring
        if let range = completion.firstRange(of: AnswerParser.marker) {
            body = completion[..<range.lowerBound]
        } else {
            body = completion[...]
        }
        let steps = body.split(separator: ".").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        return ScratchpadReport(steps: steps.map { ScratchpadReport.Step(text: $0, verdict: verdict(of: $0)) })
    }

    /// Verdict for one step's text (without its trailing `.`).
    static func verdict(of step: String) -> ScratchpadReport.Verdict {
        guard let t = StepToken.scan(step) else { return .unparsable }
        // name=x op y=z is checked like x op y=z.
        let s = t.count == 7 && t[0] == .name && t[1] == .equals ? 2 : 0
        if t.count - s == 5, case let .number(a) = t[s], case let .op(op) = t[s + 1], case let .number(b) = t[s + 2],
           t[s + 3] == .equals, case let .number(c) = t[s + 4] {
            return op.apply(a, b) == c ? .correct : .wrong
        }
        if t.count == 4, case let .number(a) = t[0], case let .comparison(cmp) = t[1], case let .number(b) = t[2],
           case let .verdict(claim) = t[3] {
            return Comparison.holds(cmp, a, b) == claim ? .correct : .wrong
        }
        if t.count == 3, t[0] == .name, t[1] == .equals, case .number = t[2] {
            return .unchecked
        }
        return .unparsable
    }
}

/// The outcome of `ScratchpadChecker.check`.
public struct ScratchpadReport: Sendable, Equatable {
    public enum Verdict: String, Sendable, Equatable {
        /// Arithmetic or comparison that holds.
        case correct
        /// Arithmetic or comparison that does not hold.
        case wrong
        /// A plain assignment `name=value`: well formed, nothing to check locally.
        case unchecked
        /// Not a step in any known form.
        case unparsable
    }

    public struct Step: Sendable, Equatable {
        public let text: String
        public let verdict: Verdict
    }

    public let steps: [Step]

    /// True when there is at least one step and none is `wrong` or `unparsable`.
    public var allStepsCorrect: Bool {
        !steps.isEmpty && steps.allSatisfy { $0.verdict == .correct || $0.verdict == .unchecked }
    }

    /// Index of the first `wrong` or `unparsable` step.
    public var firstBadStep: Int? {
        steps.firstIndex { $0.verdict == .wrong || $0.verdict == .unparsable }
    }

    /// Indices of the `wrong` steps.
    public var wrongSteps: [Int] {
        steps.indices.filter { steps[$0].verdict == .wrong }
    }
}

/// Comparisons of `if` conditions (Python's, on integers).
enum Comparison {
    static let all = ["==", ">=", "<=", ">", "<"]  // longest first, for scanning

    static func holds(_ op: String, _ a: Int64, _ b: Int64) -> Bool {
        switch op {
        case "==": return a == b
        case ">=": return a >= b
        case "<=": return a <= b
        case ">": return a > b
        default: return a < b
        }
    }
}

/// Tokens of one scratchpad step.
enum StepToken: Equatable {
    case number(Int64), name, op(BinaryOp), equals, comparison(String), verdict(Bool)

    /// Tokens of `text`, or nil on any character outside the step grammar. A `-` is a sign when it starts the
    /// step or follows `=`, an operator or a comparison, and a digit follows.
    static func scan(_ text: String) -> [StepToken]? {
        let c = Array(text)
        var tokens: [StepToken] = []
        var i = 0
        func signAllowed() -> Bool {
            guard let last = tokens.last else { return true }
            switch last {
            case .op, .equals, .comparison: return true
            default: return false
            }
        }
        while i < c.count {
            let ch = c[i]
            if ch == " " { i += 1; continue }
            if ch.isASCII, ch.isNumber || (ch == "-" && signAllowed() && i + 1 < c.count && c[i + 1].isASCII && c[i + 1].isNumber) {
                let start = i
                i += 1
                while i < c.count, c[i].isASCII, c[i].isNumber { i += 1 }
                guard i - start <= 19, let v = Int64(String(c[start..<i])) else { return nil }
                tokens.append(.number(v))
            } else if let op = BinaryOp(rawValue: ch) {
                tokens.append(.op(op)); i += 1
            } else if let cmp = Comparison.all.first(where: { matches($0, c, at: i) }) {
                tokens.append(.comparison(cmp)); i += cmp.count
            } else if ch == "=" {
                tokens.append(.equals); i += 1
            } else if ch.isASCII, ch.isLetter {
                let start = i
                while i < c.count, c[i].isASCII, c[i].isLetter || c[i].isNumber { i += 1 }
                let word = String(c[start..<i])
                if word == "yes" { tokens.append(.verdict(true)) } else if word == "no" { tokens.append(.verdict(false)) } else { tokens.append(.name) }
            } else {
                return nil
            }
        }
        return tokens
    }

    private static func matches(_ s: String, _ c: [Character], at i: Int) -> Bool {
        let p = Array(s)
        guard i + p.count <= c.count else { return false }
        return Array(c[i..<(i + p.count)]) == p
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\n" }).reversed().drop(while: { $0 == " " || $0 == "\n" }).reversed())
    }
}
