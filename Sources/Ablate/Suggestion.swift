/// "Did you mean …" for a mistyped name: the valid names close to it, by edit distance (at most 2, or a third of
/// its length), by initials (`lr` → `learning_rate`), or by containment (`steps` → `max_steps`).
enum Suggestion {
    static func closest(to name: String, in valid: [String]) -> [String] {
        let n = name.lowercased()
        guard !n.isEmpty, n.count <= 64 else { return [] }
        // Score each candidate (lower is closer); keep the best-scoring ones.
        let scored: [(String, Int)] = valid.compactMap { candidate in
            let c = candidate.lowercased()
            let initials = String(c.split(separator: "_").compactMap(\.first))
            if initials.count > 1 && initials == n { return (candidate, 0) }
            let d = distance(n, c)
            if d <= max(2, n.count / 3) { return (candidate, 1 + d) }
            if n.count >= 3 && (c.contains(n) || n.contains(c)) { return (candidate, 10) }
            return nil
        }
        guard let best = scored.map(\.1).min() else { return [] }
        return scored.filter { $0.1 == best }.map(\.0)
    }

    /// "unknown key; did you mean 'learning_rate'? valid keys: …" (no suggestion when none is close).
    static func unknownKey(_ name: String, valid: [String], list: String) -> String {
        let close = closest(to: name, in: valid)
        let hint = close.isEmpty ? "" : "did you mean \(close.prefix(3).map { "'\($0)'" }.joined(separator: " or "))? "
        return "unknown key; \(hint)valid keys: \(list)"
    }

    /// Levenshtein distance (two rows; names are short).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count), current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
