import Foundation

/// The serialised form of a configured reward, as configs and study files hold it. Flat JSON:
/// `{"name": "vigor", "length_correction": "sqrt", "params": "all", "focal_lambda": 0}`.
///
/// Every instance is validated and resolved: the name is registered, every option is known, typed and in range,
/// and every option of the reward is present (defaults filled in), so a run's config records exactly what it
/// used. Decoding validates against `RewardRegistry.types` (unknown name → the valid names; unknown option →
/// the reward's options; bad value → option, value and what is expected); numbers, booleans and subsets may
/// also be given as strings (YAML-like front ends). Encoding writes the resolved form; `json()` sorts keys.
public struct RewardSpec: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The reward's permanent id.
    public let name: String
    /// Every option of the reward, validated, defaults filled in.
    public let options: [String: RewardOptionValue]

    /// Validates `options` against the reward `name` in `registry` and fills in the defaults; also builds the
    /// reward once, so a reward's own checks (e.g. `weighted` components) fail here, not mid-run.
    public init(name: String, options: [String: RewardOptionValue] = [:],
                registry: [any IntrinsicReward.Type] = RewardRegistry.types) throws {
        let type = try RewardRegistry.type(named: name, in: registry)
        let resolved = try RewardOptions(reward: name, options: type.options, given: options)
        _ = try type.init(options: resolved)
        self.name = name
        self.options = resolved.values
    }

    /// A spec whose options are already resolved and valid (defaults of a registered reward).
    init(resolvedName name: String, options: [String: RewardOptionValue]) {
        self.name = name
        self.options = options
    }

    public init(from decoder: Decoder) throws {
        let c: KeyedDecodingContainer<AnyKey>
        do { c = try decoder.container(keyedBy: AnyKey.self) } catch {
            throw RewardZooError.malformedSpec("expected a JSON object such as {\"name\": \"vigor\"}")
        }
        guard let name = try? c.decode(String.self, forKey: AnyKey("name")) else {
            throw RewardZooError.malformedSpec("a reward spec needs a string \"name\"; valid names: \(RewardZooError.list(RewardRegistry.names))")
        }
        let type = try RewardRegistry.type(named: name)
        let valid = type.options.map(\.name)
        var given: [String: RewardOptionValue] = [:]
        for key in c.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where key.stringValue != "name" {
            guard let option = type.options.first(where: { $0.name == key.stringValue }) else {
                throw RewardZooError.unknownOption(reward: name, option: key.stringValue, valid: valid)
            }
            given[option.name] = try Self.decodeValue(option, reward: name, from: c, key: key)
        }
        try self.init(name: name, options: given)
    }

    /// Kind-directed decoding, so JSON 0 is a double for a double option and an int for an int option.
    private static func decodeValue(_ option: RewardOption, reward: String, from c: KeyedDecodingContainer<AnyKey>,
                                    key: AnyKey) throws -> RewardOptionValue {
        let value: RewardOptionValue?
        switch option.kind {
        case .choice, .subset: value = (try? c.decode(String.self, forKey: key)).map { .string($0) }
        case .double: value = (try? c.decode(Double.self, forKey: key)).map { .double($0) }
        case .int: value = (try? c.decode(Int.self, forKey: key)).map { .int($0) } ?? (try? c.decode(Double.self, forKey: key)).map { .double($0) }
        case .bool: value = (try? c.decode(Bool.self, forKey: key)).map { .bool($0) }
        case .components:
            do { value = .components(try c.decode([WeightedComponent].self, forKey: key)) } catch let e as RewardZooError {
                throw e
            } catch {
                value = nil
            }
        }
        if let value { return try option.check(value, reward: reward) }
        if let s = try? c.decode(String.self, forKey: key) { return try option.parse(s, reward: reward) }
        let shown = (try? c.decode(Double.self, forKey: key)).map { "\($0)" }
            ?? (try? c.decode(Bool.self, forKey: key)).map { "\($0)" } ?? "(a JSON array, object or null)"
        throw option.bad(reward, shown)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        try c.encode(name, forKey: AnyKey("name"))
        for key in options.keys.sorted() {
            switch options[key] {
            case let .string(s)?: try c.encode(s, forKey: AnyKey(key))
            case let .double(d)?: try c.encode(d, forKey: AnyKey(key))
            case let .int(i)?: try c.encode(i, forKey: AnyKey(key))
            case let .bool(b)?: try c.encode(b, forKey: AnyKey(key))
            case let .components(comps)?: try c.encode(comps, forKey: AnyKey(key))
            case nil: break
            }
        }
    }

    /// The resolved spec as JSON with sorted keys (byte-identical for equal specs).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Decodes and validates a spec from JSON text.
    public static func decode(json: String) throws -> RewardSpec {
        do { return try JSONDecoder().decode(RewardSpec.self, from: Data(json.utf8)) } catch let e as RewardZooError {
            throw e
        } catch {
            throw RewardZooError.malformedSpec("not valid JSON (\(error.localizedDescription))")
        }
    }

    /// `vigor(focal_lambda=0.0, length_correction=sqrt, params=all)`.
    public var description: String {
        "\(name)(" + options.keys.sorted().map { "\($0)=\(options[$0]?.description ?? "")" }.joined(separator: ", ") + ")"
    }
}

extension RewardSpec {
    /// `vigor` with its default options (−‖∇θ mean NLL‖₂·√T over all parameters): the trainer's default reward.
    public static var `default`: RewardSpec {
        let options = GradientNormReward.options
        return RewardSpec(resolvedName: GradientNormReward.name,
                          options: Dictionary(uniqueKeysWithValues: options.filter(\.recordedAtDefault)
                                .compactMap { o in o.defaultValue.map { (o.name, $0) } }))
    }
}
