import Foundation

/// Settings given as a JSON object of overrides onto `Codable` defaults: the one way task knobs, pre-training
/// recipes and training configs take them. The defaults are encoded, each given key replaces its value, and the
/// merged object decodes back; so a settings type needs no hand-written decoder (every key is always present when
/// it decodes), an old file missing a newer key gets that key's default, and adding a setting is its property and
/// its coding key.
public enum Overrides {
    /// What went wrong, for the caller to word in its own error type.
    public enum Failure: Error, Equatable, Sendable {
        /// The overrides are not a JSON object.
        case notAnObject(String)
        /// A key the settings do not have; `valid` is every key they take, sorted.
        case unknownKey(String, valid: [String])
        /// A key spelled the old way (camelCase in a study file); `spelling` is the one to use.
        case renamed(String, spelling: String)
        /// A value that does not decode as its key's type; `key` is the coding path joined by dots.
        case wrongType(key: String, expected: String, detail: String)
    }

    /// The JSON object in `text`, or `Failure.notAnObject`.
    public static func object(json text: String) throws -> [String: Any] {
        let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        guard let object = parsed as? [String: Any] else { throw Failure.notAnObject(text) }
        return object
    }

    /// `defaults` with the keys of `overrides` replaced. A key must be one of the encoded defaults' keys or one of
    /// `optionalKeys` (settings whose nil default is left out of the encoding). Not validated beyond types.
    public static func apply<T: Codable>(_ overrides: [String: Any], to defaults: T, optionalKeys: [String] = []) throws -> T {
        let base = try encoded(defaults)
        var merged = base
        let valid = (Array(base.keys) + optionalKeys).sorted()
        for (key, value) in overrides.sorted(by: { $0.key < $1.key }) {  // the first bad key, deterministically
            guard base[key] != nil || optionalKeys.contains(key) else { throw Failure.unknownKey(key, valid: valid) }
            merged[key] = value
        }
        let data = try JSONSerialization.data(withJSONObject: merged, options: [.sortedKeys])
        do { return try JSONDecoder().decode(T.self, from: data) } catch let error as DecodingError {
            throw failure(error)
        }
    }

    /// Every key of `defaults`' encoding, sorted.
    public static func keys<T: Encodable>(of defaults: T) -> [String] {
        ((try? encoded(defaults))?.keys.sorted()) ?? []
    }

    /// `camelCase` → `snake_case`; a run of capitals is one word (`minLRRatio` → `min_lr_ratio`, `dModel` →
    /// `d_model`); a name already in snake_case is unchanged.
    public static func snakeCase(_ name: String) -> String {
        let chars = Array(name)
        var out = ""
        for (i, c) in chars.enumerated() {
            if c.isUppercase, i > 0 {
                let previous = chars[i - 1], next = i + 1 < chars.count ? chars[i + 1] : nil
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && next?.isLowercase == true) { out += "_" }
            }
            out += c.lowercased()
        }
        return out
    }

    /// The keys of `object` (spelled in snake_case, as study files and command lines write them) translated to the
    /// settings' own names `names` (camelCase, as their JSON stores them). A key written as one of `names` whose
    /// snake_case differs is refused naming the new spelling; an unknown key lists the snake_case names.
    public static func fromSnakeCase(_ object: [String: Any], names: [String]) throws -> [String: Any] {
        let byPublicName = Dictionary(names.map { (snakeCase($0), $0) }, uniquingKeysWith: { a, _ in a })
        var out: [String: Any] = [:]
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            if let name = byPublicName[key] { out[name] = value; continue }
            if names.contains(key) { throw Failure.renamed(key, spelling: snakeCase(key)) }
            throw Failure.unknownKey(key, valid: byPublicName.keys.sorted())
        }
        return out
    }

    private static func encoded<T: Encodable>(_ value: T) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure.notAnObject(String(decoding: data, as: UTF8.self))
        }
        return object
    }

    private static func failure(_ error: DecodingError) -> Failure {
        func path(_ context: DecodingError.Context) -> String { context.codingPath.map(\.stringValue).joined(separator: ".") }
        switch error {
        case let .typeMismatch(type, context):
            return .wrongType(key: path(context), expected: "\(type)", detail: context.debugDescription)
        case let .valueNotFound(type, context):
            return .wrongType(key: path(context), expected: "\(type)", detail: context.debugDescription)
        case let .keyNotFound(key, context):
            return .wrongType(key: (path(context).isEmpty ? "" : path(context) + ".") + key.stringValue, expected: "a value",
                              detail: context.debugDescription)
        case let .dataCorrupted(context):
            return .wrongType(key: path(context), expected: "a valid value", detail: context.debugDescription)
        @unknown default:
            return .wrongType(key: "", expected: "a valid value", detail: "\(error)")
        }
    }
}
