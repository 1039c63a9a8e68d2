import Foundation
import JSON
import MiniLM
import RewardZoo
import Seeded
import Tasks

/// Scores given completions with rewards, as `ablate inspect --rewards` does: samples with identical prompts
/// form one group (in order of first appearance), built by `GroupBuilder` as in training (a completion is
/// truncated when it does not end with EOS); the gold answer is the samples' own `gold` field.
public struct RewardInspection {
    public let pipelines: [(name: String, pipeline: RewardPipeline)]

    /// `names`: "all" (every registered reward that builds with its default options) or a comma-separated list.
    public init(names: String) throws {
        let list: [String]
        if names == "all" {
            list = RewardRegistry.names.filter { (try? RewardRegistry.spec(name: $0, options: [:])) != nil }
        } else {
            list = names.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        guard !list.isEmpty else {
            throw AblateError.invalidOption(name: "--rewards", value: names, valid: "use all or names among \(AblateError.list(RewardRegistry.names))")
        }
        pipelines = try list.map { ($0, try RewardPipeline(spec: try RewardRegistry.spec(name: $0, options: [:]), shaping: nil)) }
    }

    /// The parameter subsets whose gradient norms the rewards need.
    public var gradNormSubsets: [ParameterSubset] {
        Array(pipelines.reduce(into: Set<ParameterSubset>()) { $0.formUnion($1.pipeline.needs.gradNormSubsets) })
            .sorted { $0.description < $1.description }
    }

    /// Per sample, `{name: {"raw": r, "shaped": s}}` (null where a reward abstains). Groups are built by
    /// `GroupBuilder`, as in training.
    public func score(samples: [InspectSample], signals: [GPTRunner.CompletionSignals], tokenizer: Tokenizer) throws -> [JSONValue] {
        guard signals.count == samples.count else {
            throw AblateError.run(reason: "\(signals.count) signals for \(samples.count) samples")
        }
        var groups: [[Int32]: [Int]] = [:], order: [[Int32]] = []
        for (i, s) in samples.enumerated() {
            if groups[s.promptIds] == nil { order.append(s.promptIds) }
            groups[s.promptIds, default: []].append(i)
        }
        let builder = GroupBuilder(tokenizer: tokenizer)
        var out = [[(key: String, value: JSONValue)]](repeating: [], count: samples.count)
        for (g, prompt) in order.enumerated() {
            let members = groups[prompt] ?? []
            let completions = try members.map { try builder.completion(samples[$0].completionIds) }
            let golds = Set(members.map { samples[$0].gold })
            for (name, pipeline) in pipelines {
                if pipeline.needs.usesGold && (golds.count != 1 || golds.first == .some(nil)) {
                    throw AblateError.invalidOption(name: "--rewards", value: name,
                                                    valid: "the \(name) reward needs one \"gold\" answer on every line of a group")
                }
                let group = try GroupBuilder.group(completions, signals: members.map { signals[$0] }, needs: pipeline.needs,
                                                   gold: golds.first ?? nil, seed: StableHash.hash("inspect-group-\(g)"))
                let scores = try pipeline.score(group)
                for (k, i) in members.enumerated() {
                    out[i].append((name, .object([("raw", scores.raw[k].map(JSONValue.double) ?? .null),
                                                  ("shaped", scores.shaped[k].map(JSONValue.double) ?? .null)])))
                }
            }
        }
        return out.map { JSONValue.object($0) }
    }
}
