import Testing

/// Whether `actual` is within tolerance of `expected`: |actual − expected| ≤ max(rel·|expected|, abs).
/// NaN matches only NaN, an infinity only the same infinity, nil only nil.
///
/// `rel` is relative to the expected value (1e-12 by default: agreement to about 12 significant digits); `abs` is
/// an absolute floor (0 by default) for expected values at or near zero, where any relative tolerance is empty.
public func isClose(_ actual: Double?, _ expected: Double?, rel: Double = 1e-12, abs absTol: Double = 0) -> Bool {
    guard let actual, let expected else { return actual == nil && expected == nil }
    if expected.isNaN { return actual.isNaN }
    if expected.isInfinite { return actual == expected }
    return Swift.abs(actual - expected) <= Swift.max(rel * Swift.abs(expected), absTol)
}

/// Expects `actual` within tolerance of `expected` (`isClose`: |actual − expected| ≤ max(rel·|expected|, abs),
/// relative 1e-12 and absolute 0 by default; NaN matches NaN, infinities and nil match exactly). A failure names
/// both values and the tolerances and points at the calling line.
public func expectClose(_ actual: Double?, _ expected: Double?, rel: Double = 1e-12, abs absTol: Double = 0,
                        _ comment: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    guard !isClose(actual, expected, rel: rel, abs: absTol) else { return }
    Issue.record("\(comment()): got \(describe(actual)), expected \(describe(expected)) (rel \(rel), abs \(absTol))",
                 sourceLocation: sourceLocation)
}

/// Element-wise `expectClose` of two sequences of the same length (a length mismatch is a failure too).
public func expectClose(_ actual: [Double?], _ expected: [Double?], rel: Double = 1e-12, abs absTol: Double = 0,
                        _ comment: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    let label = comment()
    guard actual.count == expected.count else {
        Issue.record("\(label): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        expectClose(a, e, rel: rel, abs: absTol, "\(label) [\(i)]", sourceLocation: sourceLocation)
    }
}

private func describe(_ x: Double?) -> String { x.map { "\($0)" } ?? "nil" }
