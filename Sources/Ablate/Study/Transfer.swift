import Foundation
import JSON
import Yams

extension Study {
    /// How much of a reward's gain on the suite it trains on carries to other suites (`transfer: {from: arith,
    /// to: [word, trace], metric: avg_at_k}`): per variant and target suite, the gain over its control on the target
    /// divided by its gain on `from`, over matched seeds, with Fieller's interval (`StudyFindings.transfer`). It is a
    /// description beside the hypotheses, not one of them (no Holm, no verdict).
    public struct Transfer: Sendable, Equatable {
        /// The suite the gain is measured against (the training suite).
        public var from: String
        public var to: [String]
        /// A test-split metric of `comparisons.metricNames`.
        public var metric: String
    }
}

extension StudyReader {
    func transfer(_ node: Node, study: Study) throws -> Study.Transfer {
        let pairs = try mapping(node, "transfer")
        try checkKeys(pairs, valid: ["from", "metric", "to"], "transfer")
        let suites = study.evaluation.suites
        func suite(_ n: Node, _ field: String) throws -> String {
            let s = try string(n, field)
            guard suites.contains(s) else {
                throw fail(n, "\(field): unknown suite '\(s)'; please provide one of the evaluated suites \(AblateError.list(suites))")
            }
            return s
        }
        guard let fromNode = pairs.value("from") else { throw fail(node, "transfer: missing key 'from' (the training suite, e.g. arith)") }
        let from = try suite(fromNode, "transfer.from")
        guard let toNode = pairs.value("to") else { throw fail(node, "transfer: missing key 'to' (the suites the gain may carry to, e.g. [word, trace])") }
        let toNodes = try sequence(toNode, "transfer.to")
        var to: [String] = []
        for n in toNodes {
            let s = try suite(n, "transfer.to")
            guard s != from else { throw fail(n, "transfer.to: '\(s)' is the `from` suite; list the other suites") }
            guard !to.contains(s) else { throw fail(n, "transfer.to: '\(s)' is listed twice") }
            to.append(s)
        }
        guard !to.isEmpty else { throw fail(toNode, "transfer.to: empty; list at least one suite other than '\(from)'") }
        let metric = try pairs.value("metric").map { try string($0, "transfer.metric") } ?? "accuracy"
        guard Study.Comparison.metricNames.contains(metric) else {
            throw fail(pairs.value("metric"), "transfer.metric: unknown metric '\(metric)'; please provide one of \(AblateError.list(Study.Comparison.metricNames))")
        }
        guard study.variants.contains(where: { v in study.control(of: v.name).map { $0 != v.name } ?? false }) else {
            throw fail(node, "transfer: no variant has a control to measure its gain against (set comparisons.control)")
        }
        return Study.Transfer(from: from, to: to, metric: metric)
    }
}
