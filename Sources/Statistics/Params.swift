import JSON

/// A request's `params`, checked against the test's parameter list.
struct Params {
    let values: [String: JSONValue]

    init(_ v: JSONValue?, test: String, valid: [String]) throws {
        guard let v, v != .null else { values = [:]; return }
        guard case let .object(pairs) = v else { throw StatsError.badRequest("\"params\" must be an object") }
        for pair in pairs where !valid.contains(pair.key) {
            throw StatsError.unknownParameter(name: pair.key, test: test, valid: valid)
        }
        values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    func has(_ key: String) -> Bool { values[key] != nil && values[key] != .null }

    func bool(_ key: String, default d: Bool) throws -> Bool {
        guard has(key) else { return d }
        guard case let .bool(b)? = values[key] else { throw StatsError.wrongParameterType(name: key, expected: "true or false") }
        return b
    }

    func double(_ key: String, default d: Double) throws -> Double {
        guard has(key), let v = values[key] else { return d }
        guard let x = Request.number(v) else { throw StatsError.wrongParameterType(name: key, expected: "a number") }
        return x
    }

    func int(_ key: String, default d: Int) throws -> Int {
        guard has(key) else { return d }
        let x = try double(key, default: 0)
        guard x.isFinite, x == x.rounded(), abs(x) < 1e15 else {
            throw StatsError.wrongParameterType(name: key, expected: "an integer")
        }
        return Int(x)
    }

    func string(_ key: String, default d: String) throws -> String {
        guard has(key) else { return d }
        guard case let .string(s)? = values[key] else { throw StatsError.wrongParameterType(name: key, expected: "a string") }
        return s
    }

    func option<T: RawRepresentable & CaseIterable>(_ key: String, default d: T) throws -> T where T.RawValue == String {
        guard has(key) else { return d }
        let s = try string(key, default: d.rawValue)
        if let v = T(rawValue: s) ?? T.allCases.first(where: { $0.rawValue.lowercased() == s.lowercased() }) { return v }
        throw StatsError.invalidOption(name: key, value: s, valid: T.allCases.map(\.rawValue))
    }

    func alternative() throws -> Alternative { try option("alternative", default: .twoSided) }

    /// statsmodels spells the one-sided alternatives 'larger' and 'smaller'; both spellings are accepted.
    func powerAlternative() throws -> Alternative {
        switch try string("alternative", default: "two-sided") {
        case "larger": return .greater
        case "smaller": return .less
        default: return try alternative()
        }
    }

    /// The required bootstrap seed, a non-negative integer.
    func seed() throws -> UInt {
        guard has("seed") else {
            throw StatsError.badRequest("params.seed is required (a non-negative integer) so the interval is reproducible")
        }
        let s = try int("seed", default: 0)
        guard s >= 0 else { throw StatsError.wrongParameterType(name: "seed", expected: "a non-negative integer") }
        return UInt(s)
    }
}
