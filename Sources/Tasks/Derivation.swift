import Seeded

/// How `arith` writes the solution of a problem.
///
/// With one canonical scratchpad per problem, a model's sampled answers can agree on the right one no more often
/// than its greedy decode finds it: sampling only adds noise to the one path the greedy decode follows. Self-
/// consistency (maj@k above greedy) needs what large models have: a problem with several valid derivations whose
/// answers agree while their errors scatter, so that the right answer collects the votes of paths the greedy
/// decode did not take. `varied` gives the corpus that structure.
public enum ArithSolutions: String, Codable, Sendable, CaseIterable {
    /// One scratchpad per problem: the operations in the order the expression tree evaluates.
    case canonical
    /// A random valid derivation per draw (`Derivation.vary`): operands of `+` and `*` in any order and grouping,
    /// a product of a sum distributed over it, a chain of subtractions grouped as one subtraction of a sum.
    case varied
}

/// Rewrites of an expression into another that has the same value for every input, so that its post-order
/// evaluation is another valid scratchpad for the same problem.
enum Derivation {
    /// A random equivalent of `expr`, rewritten bottom-up:
    /// - a chain of `+` (or of `*`) is flattened and its operands combined two at a time in a random order, so
    ///   `3+8+5` may be written `3+8=11. 11+5=16.`, `8+5=13. 3+13=16.` or `5+3=8. 8+8=16.`;
    /// - `(x+y)*k` or `(x-y)*k` becomes `x*k+y*k` (or `-`) with probability 1/2 (the distributive law: other
    ///   facts, other errors);
    /// - `(x-y)-z` becomes `x-(y+z)` and `(x-y)+z` becomes `(x+z)-y` with probability 1/2.
    /// Every rewrite keeps the value; the caller checks the intermediate results against its range.
    static func vary(_ expr: Expr, rng: inout TaskRNG) -> Expr {
        guard case let .binary(op, lhs, rhs) = expr else { return expr }
        switch op {
        case .add, .mul:
            var operands = flatten(expr, op: op).map { vary($0, rng: &rng) }
            if op == .mul, operands.count == 2, rng.chance(0.5), let distributed = distribute(operands, rng: &rng) {
                return distributed
            }
            if op == .add, operands.count == 2, rng.chance(0.5),
               case let .binary(.sub, x, y) = operands[0] {  // (x-y)+z → (x+z)-y
                return .binary(.sub, .binary(.add, x, operands[1]), y)
            }
            while operands.count > 1 {
                let i = rng.int(in: 0...(operands.count - 1))
                let a = operands.remove(at: i)
                let j = rng.int(in: 0...(operands.count - 1))
                let b = operands.remove(at: j)
                operands.append(.binary(op, a, b))
            }
            return operands[0]
        case .sub:
            let l = vary(lhs, rng: &rng), r = vary(rhs, rng: &rng)
            if case let .binary(.sub, x, y) = l, rng.chance(0.5) {  // (x-y)-z → x-(y+z)
                return .binary(.sub, x, rng.chance(0.5) ? .binary(.add, y, r) : .binary(.add, r, y))
            }
            return .binary(.sub, l, r)
        case .div:
            return .binary(.div, vary(lhs, rng: &rng), vary(rhs, rng: &rng))
        }
    }

    /// The operands of the maximal chain of `op` rooted at `expr`, left to right.
    static func flatten(_ expr: Expr, op: BinaryOp) -> [Expr] {
        if case let .binary(inner, l, r) = expr, inner == op { return flatten(l, op: op) + flatten(r, op: op) }
        return [expr]
    }

    /// `(x±y)*k` as `x*k±y*k` (factor on a random side of each product), when one of the two factors is a sum
    /// or a difference; nil otherwise.
    private static func distribute(_ factors: [Expr], rng: inout TaskRNG) -> Expr? {
        let order = rng.chance(0.5) ? [0, 1] : [1, 0]
        for i in order {
            guard case let .binary(op, x, y) = factors[i], op == .add || op == .sub else { continue }
            let k = factors[1 - i]
            func times(_ e: Expr, _ rng: inout TaskRNG) -> Expr { rng.chance(0.5) ? .binary(.mul, e, k) : .binary(.mul, k, e) }
            return .binary(op, times(x, &rng), times(y, &rng))
        }
        return nil
    }
}
