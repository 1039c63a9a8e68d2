import Foundation

/// Results of one suite. JSON keys are snake_case (`ci_low`, `mean_length`, `avg_at_k`, …).
public struct SuiteEvaluation: Codable, Sendable, Equatable {
    /// Problems evaluated.
    public var n: Int
    /// Greedy pass@1: fraction of problems whose greedy completion's answer equals the gold answer.
    public var accuracy: Double
    /// 95% Wilson interval of `accuracy`.
    public var ciLow: Double
    public var ciHigh: Double
    /// Mean greedy completion length in tokens (EOS included).
    public var meanLength: Double
    /// Fraction of greedy completions stopped before EOS.
    public var truncated: Double
    /// Fraction of greedy completions without a parsable final answer (`AnswerParser.parse` is nil).
    public var unparsable: Double
    /// Sampled metrics, present when k > 1: samples per problem and their temperature.
    public var k: Int?
    public var temperature: Double?
    /// Mean over problems of the fraction of the k samples that are correct.
    public var avgAtK: Double?
    /// Fraction of problems with at least one correct sample among k.
    public var passAtK: Double?
    /// Fraction of problems whose majority answer is correct: votes by exact answer string, completions without
    /// an answer never vote, ties go to the answer that appeared first in sampling order, no vote = wrong.
    public var majAtK: Double?
    /// The family's knobs (sorted-keys JSON): what distribution these numbers describe.
    public var knobs: String

    enum CodingKeys: String, CodingKey {
        case n, accuracy, ciLow = "ci_low", ciHigh = "ci_high", meanLength = "mean_length", truncated, unparsable
        case k, temperature, avgAtK = "avg_at_k", passAtK = "pass_at_k", majAtK = "maj_at_k", knobs
    }
}

/// An evaluation of one model on several suites.
public struct EvaluationReport: Codable, Sendable, Equatable {
    /// The checkpoint path, when the model came from one.
    public var checkpoint: String?
    public var seed: UInt64
    public var suites: [String: SuiteEvaluation]
    /// Suite names in evaluation order (JSON objects have no order).
    public var order: [String]
    /// Wall seconds of the evaluation.
    public var seconds: Double

    /// JSON with sorted keys: `{"checkpoint": ..., "order": [...], "seconds": ..., "seed": ..., "suites": {...}}`.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The accuracy table, one row per suite, fixed formatting.
    public func table() -> String {
        let sampled = order.contains { suites[$0]?.k != nil }
        var header = "suite      n  pass@1  95% CI          mean len  truncated  unparsable"
        if sampled, let k = order.compactMap({ suites[$0]?.k }).first { header += "  avg@\(k)  pass@\(k)  maj@\(k)" }
        var lines = [header]
        for name in order {
            guard let s = suites[name] else { continue }
            var line = name.padding(toLength: 7, withPad: " ", startingAt: 0)
                + String(format: "%4d  %5.1f%%  [%5.1f, %5.1f]  %8.1f  %8.1f%%  %9.1f%%", s.n, 100 * s.accuracy,
                         100 * s.ciLow, 100 * s.ciHigh, s.meanLength, 100 * s.truncated, 100 * s.unparsable)
            if let a = s.avgAtK, let p = s.passAtK, let m = s.majAtK {
                line += String(format: "  %4.1f%%  %5.1f%%  %4.1f%%", 100 * a, 100 * p, 100 * m)
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}

