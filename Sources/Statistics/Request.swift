import JSON

/// The data arrays of a request.
struct Request {
    let value: JSONValue

    func vector(_ key: String) throws -> [Double] {
        guard let v = value[key] else { throw StatsError.badRequest("missing \"\(key)\" (an array of numbers)") }
        return try Self.numbers(v, key)
    }

    func optionalVector(_ key: String) throws -> [Double]? {
        guard let v = value[key], v != .null else { return nil }
        return try Self.numbers(v, key)
    }

    func matrix(_ key: String) throws -> [[Double]] {
        guard case let .array(rows)? = value[key] else {
            throw StatsError.badRequest("missing \"\(key)\" (a runs × tasks matrix, \(key)[run][task])")
        }
        guard rows.count <= StatsRequest.maximumValues else {
            throw StatsError.tooExpensive(test: "\"\(key)\"", detail: "\(rows.count) runs",
                                          limit: "10,000,000 values per array", fix: "pass fewer runs")
        }
        return try rows.enumerated().map { i, row in
            guard case .array = row else {
                throw StatsError.badRequest("\"\(key)\"[\(i)] must be an array (one run's scores per task)")
            }
            return try Self.numbers(row, "\(key)[\(i)]")
        }
    }

    /// A vector, or a matrix pooled row by row.
    func flattened(_ key: String) throws -> [Double] {
        if case let .array(items)? = value[key], let first = items.first, case .array = first {
            return try matrix(key).flatMap { $0 }
        }
        return try vector(key)
    }

    static func numbers(_ v: JSONValue, _ key: String) throws -> [Double] {
        guard case let .array(items) = v else {
            throw StatsError.badRequest("\"\(key)\" must be an array of numbers")
        }
        guard items.count <= StatsRequest.maximumValues else {
            throw StatsError.tooExpensive(test: "\"\(key)\"", detail: "\(items.count) values",
                                          limit: "10,000,000 values per array", fix: "pass fewer values")
        }
        return try items.enumerated().map { i, item in
            if let d = number(item) { return d }
            throw StatsError.badRequest("\"\(key)\"[\(i)] is \(item.serialized); use a number or \"nan\", \"inf\", \"-inf\"")
        }
    }

    static func number(_ v: JSONValue) -> Double? {
        switch v {
        case let .number(d): return d
        case let .string(s):
            switch s.lowercased() {
            case "nan": return .nan
            case "inf", "+inf", "infinity": return .infinity
            case "-inf", "-infinity": return -.infinity
            default: return nil
            }
        default: return nil
        }
    }
}
