import Foundation

/// One term of the `weighted` composite: a reward, the shaping applied to it within the group, and its weight.
/// JSON `{"weight": 0.5, "shaping": "rank", "reward": {"name": "vigor"}}` (shaping omitted = the reward's
/// default shaping); CLI `0.5:rank:vigor+length_correction=linear` (options after `+`, joined by `+`).
public struct WeightedComponent: Codable, Sendable, Hashable {
    public var weight: Double
    public var shaping: Shaping
    public var reward: RewardSpec

    public init(weight: Double, shaping: Shaping, reward: RewardSpec) {
        self.weight = weight
        self.shaping = shaping
        self.reward = reward
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case weight, shaping, reward }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        let valid = CodingKeys.allCases.map(\.rawValue)
        for key in c.allKeys where !valid.contains(key.stringValue) {
            throw RewardZooError.unknownOption(reward: "weighted component", option: key.stringValue, valid: valid)
        }
        guard let weight = try? c.decode(Double.self, forKey: AnyKey("weight")), weight.isFinite else {
            throw RewardZooError.malformedSpec("a weighted component needs a finite number \"weight\"")
        }
        guard c.contains(AnyKey("reward")) else {
            throw RewardZooError.malformedSpec("a weighted component needs a \"reward\" object, e.g. {\"name\": \"vigor\"}")
        }
        let reward = try c.decode(RewardSpec.self, forKey: AnyKey("reward"))
        var shaping = try RewardRegistry.type(named: reward.name).defaultShaping
        if c.contains(AnyKey("shaping")) {
            let s = (try? c.decode(String.self, forKey: AnyKey("shaping"))) ?? "(not a string)"
            guard let parsed = Shaping(rawValue: s) else {
                throw RewardZooError.badOptionValue(reward: "weighted", option: "shaping", value: s,
                                                    expected: "one of \(RewardZooError.list(Shaping.allCases.map(\.rawValue)))")
            }
            shaping = parsed
        }
        self.init(weight: weight, shaping: shaping, reward: reward)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(weight, forKey: .weight)
        try c.encode(shaping, forKey: .shaping)
        try c.encode(reward, forKey: .reward)
    }

    /// `weight:shaping:name+key=value...` with every resolved option, keys sorted.
    public var cliForm: String {
        let opts = reward.options.keys.sorted().map { "+\($0)=\(reward.options[$0]?.description ?? "")" }.joined()
        return "\(weight):\(shaping.rawValue):\(reward.name)\(opts)"
    }

    /// Parses the CLI form of a component list; errors name the offending component.
    static func parseList(_ text: String, reward: String, option: RewardOption) throws -> [WeightedComponent] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        return try parts.map { part in
            let fields = part.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3, let weight = Double(fields[0]), weight.isFinite else { throw option.bad(reward, part) }
            guard let shaping = Shaping(rawValue: fields[1]) else {
                throw RewardZooError.badOptionValue(reward: reward, option: "\(option.name) shaping", value: fields[1],
                                                    expected: "one of \(RewardZooError.list(Shaping.allCases.map(\.rawValue)))")
            }
            let pieces = fields[2].split(separator: "+", omittingEmptySubsequences: false).map(String.init)
            var options: [String: String] = [:]
            for kv in pieces.dropFirst() {
                let pair = kv.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2 else { throw option.bad(reward, part) }
                options[pair[0]] = pair[1]
            }
            let spec = try RewardRegistry.spec(name: pieces[0], options: options)
            return WeightedComponent(weight: weight, shaping: shaping, reward: spec)
        }
    }
}

/// A coding key for any string (flat specs have one key per option).
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}
