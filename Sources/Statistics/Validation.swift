/// Boundary checks shared by the public functions (validate once, at the public boundary).
enum Check {
    static func nonEmpty(_ x: [Double], _ argument: String, _ test: String, minimum: Int = 1) throws {
        if x.isEmpty { throw StatsError.emptyInput(argument: argument, test: test) }
        if x.count < minimum {
            throw StatsError.tooFewObservations(argument: argument, test: test, count: x.count, minimum: minimum)
        }
    }

    static func paired(_ x: [Double], _ y: [Double], _ test: String, minimum: Int = 1) throws {
        try nonEmpty(x, "x", test)
        try nonEmpty(y, "y", test)
        if x.count != y.count { throw StatsError.lengthMismatch(test: test, xCount: x.count, yCount: y.count) }
        if x.count < minimum {
            throw StatsError.tooFewObservations(argument: "x", test: test, count: x.count, minimum: minimum)
        }
    }

    static func finite(_ x: [Double], _ argument: String, _ test: String) throws {
        if x.contains(where: { !$0.isFinite }) { throw StatsError.nonFiniteInput(argument: argument, test: test) }
    }

    static func level(_ value: Double, _ name: String) throws {
        guard value > 0, value < 1 else {
            throw StatsError.invalidParameter(name: name, value: "\(value)", expected: "strictly between 0 and 1")
        }
    }

    /// A runs × tasks matrix: at least one run, one task, equal row lengths.
    static func matrix(_ m: [[Double]], _ argument: String) throws {
        guard let first = m.first else { throw StatsError.raggedMatrix(argument: argument, detail: "it has no runs") }
        if first.isEmpty { throw StatsError.raggedMatrix(argument: argument, detail: "run 0 has no tasks") }
        for (i, row) in m.enumerated() where row.count != first.count {
            throw StatsError.raggedMatrix(
                argument: argument, detail: "run \(i) has \(row.count) tasks but run 0 has \(first.count)")
        }
    }
}
