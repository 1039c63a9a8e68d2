import Testing

/// The relative L2 error of a whole vector, ‖actual − expected‖ / max(‖expected‖, floor): one number for a
/// gradient or a row of logits, where single coordinates near zero would make an element-wise tolerance meaningless.
public func relativeError(_ actual: [Double], _ expected: [Double], floor: Double = 1e-12) -> Double {
    precondition(actual.count == expected.count, "relativeError of vectors of different lengths")
    var d = 0.0, n = 0.0
    for i in actual.indices {
        d += (actual[i] - expected[i]) * (actual[i] - expected[i])
        n += expected[i] * expected[i]
    }
    return d.squareRoot() / Swift.max(n.squareRoot(), floor)
}

/// Expects `relativeError(actual, expected) ≤ tolerance` (and equal lengths), pointing a failure at the caller.
public func expectRelativeError(_ actual: [Double], _ expected: [Double], atMost tolerance: Double,
                                _ comment: @autoclosure () -> String = "",
                                sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(comment()): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    let err = relativeError(actual, expected)
    if !(err <= tolerance) {
        Issue.record("\(comment()): relative error \(err) > \(tolerance)", sourceLocation: sourceLocation)
    }
}

/// `expectRelativeError` of float32 vectors, compared in double.
public func expectRelativeError(_ actual: [Float], _ expected: [Float], atMost tolerance: Double,
                                _ comment: @autoclosure () -> String = "",
                                sourceLocation: SourceLocation = #_sourceLocation) {
    expectRelativeError(actual.map(Double.init), expected.map(Double.init), atMost: tolerance, comment(),
                        sourceLocation: sourceLocation)
}
