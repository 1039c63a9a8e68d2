import Foundation
import JSON
import MiniLM
import RewardZoo
import Seeded
import Tasks

/// Scores given completions with rewards, as `ablate inspect --rewards` does: samples with identical prompts
/// form one group (in order of first appearance); each completion's answer is parsed from its text, it is
/// truncated when it does not end with EOS, and the gold answer is the sample's own `gold` field.
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

    /// Per sample, `{name: {"raw": r, "shaped": s}}` (null where a reward abstains).
    public func score(samples: [InspectSample], signals: [Inspector.TokenSignals], tokenizer: Tokenizer) throws -> [JSONValue] {
        var groups: [[Int32]: [Int]] = [:], order: [[Int32]] = []
        for (i, s) in samples.enumerated() {
            if groups[s.promptIds] == nil { order.append(s.promptIds) }
            groups[s.promptIds, default: []].append(i)
        }
        var out = [[(key: String, value: JSONValue)]](repeating: [], count: samples.count)
        for (g, prompt) in order.enumerated() {
            let members = groups[prompt] ?? []
            let answers = try members.map { i -> String? in
                let text = try tokenizer.decode(samples[i].completionIds.filter { $0 != Tokenizer.eos && $0 != Tokenizer.pad })
                return AnswerParser.parse(text)
            }
            for (name, pipeline) in pipelines {
                var group = CompletionGroup(
                    tokenCounts: members.map { samples[$0].completionIds.count },
                    truncated: members.map { samples[$0].completionIds.last != Tokenizer.eos },
                    answers: answers, voteAnswers: [], gold: nil,
                    seed: StableHash.hash("inspect-group-\(g)"), step: 0)
                if pipeline.needs.usesGold {
                    let golds = Set(members.map { samples[$0].gold })
                    guard golds.count == 1, let gold = golds.first ?? nil else {
                        throw AblateError.invalidOption(name: "--rewards", value: name,
                                                        valid: "the \(name) reward needs one \"gold\" answer on every line of a group")
                    }
                    group.gold = gold
                }
                group.tokenLogProbs = members.map { signals[$0].logProbs }
                group.tokenEntropies = members.map { signals[$0].entropies }
                group.tokenSelfCertainties = members.map { signals[$0].selfCertainties }
                for subset in pipeline.needs.gradNormSubsets { group.gradNorms[subset] = members.map { signals[$0].gradNorms[subset] ?? .nan } }
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
