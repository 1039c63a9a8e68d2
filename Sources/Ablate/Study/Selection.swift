import Foundation
import JSON
import Yams

extension Study {
    /// A tuning study's declared choice (`selection:`): per group of variants that differ only in one training
    /// setting (`by`, e.g. `learning_rate`), the value with the highest mean over seeds of a validation metric at
    /// one evaluated step. The step is the final one, or the step budget (`budget:`): the smallest evaluated step
    /// at which one group (`gold` in `studies/tuning.yaml`), at its best value, gains at least `gain` over the base
    /// model. Only the validation split is read: nothing is chosen on test.
    public struct Selection: Sendable, Equatable {
        /// The train key whose value is chosen (a key some variant overrides).
        public var by: String
        public var suite: String
        /// A validation metric every periodic evaluation has (`accuracy`: greedy).
        public var metric: String
        public var budget: Budget?

        public struct Budget: Sendable, Equatable {
            /// The group label (see `Study.selectionGroups`) whose gain sets the budget.
            public var group: String
            /// The smallest gain over the base model (same metric and suite) that the budget asks for.
            public var gain: Double
        }

        /// The metrics a periodic validation evaluation always has (greedy decoding).
        public static let metricNames = ["accuracy", "mean_length", "truncated", "unparsable"]
    }

    /// Variants that differ only in the selection's `by` setting, in file order: the label (the names' common
    /// prefix up to its last `_`, `-` or `.`, e.g. `vigor` for `vigor_lr1e-4` and `vigor_lr3e-5`; a lone variant
    /// keeps its name) and each member with its value of `by` as the file spells it (the study-wide value, or
    /// "default" when neither sets it).
    public func selectionGroups(by key: String) -> [SelectionGroup] {
        let studyValue = train.first { $0.key == key }?.value
        var groups: [(identity: String, members: [(variant: String, value: JSONValue?)])] = []
        for v in variants {
            let rest = v.overrides.filter { $0.key != key }
            let identity = JSONValue.object(rest.map { ($0.key, $0.value) }).serialized
            let value = v.overrides.first { $0.key == key }?.value ?? studyValue
            if let i = groups.firstIndex(where: { $0.identity == identity }) {
                groups[i].members.append((v.name, value))
            } else {
                groups.append((identity, [(v.name, value)]))
            }
        }
        return groups.map { g in
            SelectionGroup(label: Self.groupLabel(g.members.map(\.variant)),
                           members: g.members.map { SelectionGroup.Member(variant: $0.variant, value: $0.value.map(Self.settingText) ?? "default",
                                                                          number: $0.value.flatMap { if case let .number(d) = $0 { d } else { nil } }) })
        }
    }

    /// A group of variants of a `selection:` (see `selectionGroups`).
    public struct SelectionGroup: Sendable, Equatable {
        public struct Member: Sendable, Equatable {
            public var variant: String
            /// The value of the selected setting as text (`0.0001`), and as a number when it is one.
            public var value: String
            public var number: Double?
        }
        public var label: String
        public var members: [Member]
    }

    /// A setting's value as a reader writes it: `1e-4`, `3e-5`, `0.5`, `rank`.
    static func settingText(_ v: JSONValue) -> String {
        switch v {
        case let .string(s): return s
        case let .number(d) where d != 0 && d.isFinite && (abs(d) < 1e-3 || abs(d) >= 1e6):
            // 1e-4, not %g's 0.0001 or 1e-05: the way a study file spells a learning rate.
            let exponent = Int((log10(abs(d))).rounded(.down))
            return String(format: "%ge%d", d / pow(10, Double(exponent)), exponent)
        default: return v.serialized
        }
    }

    /// The common prefix of `names` cut back to its last separator (`_`, `-`, `.`); the name itself for one.
    static func groupLabel(_ names: [String]) -> String {
        guard let first = names.first else { return "" }
        guard names.count > 1 else { return first }
        var prefix = Substring(first)
        for n in names.dropFirst() { while !n.hasPrefix(prefix) { prefix = prefix.dropLast() } }
        guard let cut = prefix.lastIndex(where: { "_-.".contains($0) }) else { return prefix.isEmpty ? first : String(prefix) }
        let label = String(prefix[..<cut])
        return label.isEmpty ? first : label
    }
}

extension StudyReader {
    /// `selection: {by, suite, metric, budget: {group, gain}}` of a train study.
    func selection(_ node: Node, study: Study) throws -> Study.Selection {
        let pairs = try mapping(node, "selection")
        try checkKeys(pairs, valid: ["budget", "by", "metric", "suite"], "selection")
        guard let byNode = pairs.value("by") else { throw fail(node, "selection: missing key 'by' (the training setting chosen per group, e.g. learning_rate)") }
        let by = try string(byNode, "selection.by")
        let overridden = Set(study.variants.flatMap { $0.overrides.map(\.key) })
        guard overridden.contains(by) else {
            throw fail(byNode, "selection.by: no variant sets '\(by)'; please provide one of the settings the variants set: \(AblateError.list(overridden.sorted()))")
        }
        let suite = try pairs.value("suite").map { try string($0, "selection.suite") } ?? study.evaluation.suites[0]
        guard study.evaluation.suites.contains(suite) else {
            throw fail(pairs.value("suite"), "selection.suite: unknown suite '\(suite)'; please provide one of the evaluated suites \(AblateError.list(study.evaluation.suites))")
        }
        let metric = try pairs.value("metric").map { try string($0, "selection.metric") } ?? "accuracy"
        guard Study.Selection.metricNames.contains(metric) else {
            throw fail(pairs.value("metric"), "selection.metric: unknown metric '\(metric)'; please provide one of the validation metrics \(AblateError.list(Study.Selection.metricNames))")
        }
        let groups = study.selectionGroups(by: by)
        guard groups.contains(where: { $0.members.count > 1 }) else {
            throw fail(byNode, "selection.by: no two variants differ only in '\(by)'; a selection needs a group of variants that do")
        }
        var budget: Study.Selection.Budget? = nil
        if let b = pairs.value("budget") {
            let bp = try mapping(b, "selection.budget")
            try checkKeys(bp, valid: ["gain", "group"], "selection.budget")
            guard let gNode = bp.value("group") else { throw fail(b, "selection.budget: missing key 'group' (the group whose gain sets the step budget, e.g. gold)") }
            let group = try string(gNode, "selection.budget.group")
            guard groups.contains(where: { $0.label == group }) else {
                throw fail(gNode, "selection.budget.group: unknown group '\(group)'; please provide one of \(AblateError.list(groups.map(\.label)))")
            }
            guard let gainNode = bp.value("gain") else { throw fail(b, "selection.budget: missing key 'gain' (e.g. 0.05 for 5 points)") }
            let gain = try double(gainNode, "selection.budget.gain")
            guard gain > 0, gain.isFinite else { throw fail(gainNode, "selection.budget.gain: \(gain) must be a positive difference") }
            budget = .init(group: group, gain: gain)
        }
        return Study.Selection(by: by, suite: suite, metric: metric, budget: budget)
    }
}
