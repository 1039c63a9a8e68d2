import Foundation
import JSON
import Tasks

/// One line of a trial's `metrics.jsonl` (the trial contract): `TrainRun` writes them and `TrialResult` reads
/// them, both through this type, so a field has one name in one place.
///
/// A line is a JSON object whose `kind` says which: `{"kind": "train", ...}` after every step (`TrainMetrics`)
/// or `{"kind": "eval", ...}` for every evaluation (`EvalMetrics`). Written with `kind` first and then the
/// fields in the order of their `CodingKeys`, every field present (null when there is no value); non-finite
/// numbers travel as the strings "nan", "inf" and "-inf". Read leniently, so every line any earlier version
/// wrote still parses: a missing field is nil, an eval line without `split` predates the validation split and
/// was on test, and a line that does not parse at all (or has another kind) is skipped.
public enum MetricsLine: Codable, Equatable, Sendable {
    case train(TrainMetrics)
    case eval(EvalMetrics)

    private enum KindKey: String, CodingKey { case kind }

    public init(from decoder: Decoder) throws {
        let kind = try decoder.container(keyedBy: KindKey.self).decode(String.self, forKey: .kind)
        switch kind {
        case "train": self = .train(try TrainMetrics(from: decoder))
        case "eval": self = .eval(try EvalMetrics(from: decoder))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: [KindKey.kind], debugDescription: "unknown kind '\(kind)'"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: KindKey.self)
        switch self {
        case let .train(line):
            try container.encode("train", forKey: .kind)
            try line.encode(to: encoder)
        case let .eval(line):
            try container.encode("eval", forKey: .kind)
            try line.encode(to: encoder)
        }
    }

    /// The line as written: `kind`, then every field in `CodingKeys` order (null for nil).
    public func json() throws -> JSONValue {
        let order: [String] = switch self {
        case .train: TrainMetrics.CodingKeys.allCases.map(\.rawValue)
        case .eval: EvalMetrics.CodingKeys.allCases.map(\.rawValue)
        }
        guard case let .object(pairs) = try JSONValue.parse(try Self.encoder.encode(self)) else {
            throw AblateError.run(reason: "a metrics line did not encode as a JSON object")
        }
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        return .object(([KindKey.kind.rawValue] + order).map { ($0, values[$0] ?? .null) })
    }

    /// Parses one line; nil when it is not a metrics line this type knows.
    public static func parse(_ line: some StringProtocol) -> MetricsLine? {
        try? decoder.decode(MetricsLine.self, from: Data(line.utf8))
    }

    /// Every line of a metrics.jsonl text that parses, in file order.
    public static func lines(of data: Data) -> [MetricsLine] {
        String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { parse($0) }
    }

    /// Non-finite numbers as the strings of the JSON module ("nan", "inf", "-inf"); keys sorted (`json()` orders them).
    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}

/// A `train` line: what one RL step did (docs/ARCHITECTURE.md, "The trial contract", names every field).
public struct TrainMetrics: Codable, Equatable, Sendable {
    /// The step just completed (1-based).
    public var step: Int
    public var lr: Double?
    public var rewardRawMean: Double?, rewardRawStd: Double?
    public var rewardShapedMean: Double?, rewardShapedStd: Double?
    /// Fraction of the step's completions whose answer is the gold one (monitoring only).
    public var rolloutAccuracy: Double?
    /// Within-group AUROC of the raw reward for correct vs incorrect completions, averaged over `aurocGroups`
    /// groups that have both (nil when none has).
    public var auroc: Double?
    public var aurocGroups: Int?
    /// Within-group Spearman ρ(raw reward, completion length), averaged over the groups whose rewards and lengths
    /// both vary (nil when none does; > 0: the reward favours long completions).
    public var lengthRho: Double?
    /// The majority answer as a pseudo-label: how often it is the gold answer, how often the pseudo-reward equals
    /// the true reward, and the share of completions agreeing with it (null in lines of early versions).
    public var labelAccuracy: Double?, rewardAccuracy: Double?, majorityRatio: Double?
    public var completionLength: Double?, truncationRate: Double?
    public var repetition3gram: Double?
    public var entropy: Double?, kl: Double?, clipFraction: Double?
    /// The global gradient norm before clipping.
    public var gradNorm: Double?
    public var loss: Double?
    public var tokensPerSecond: Double?
    /// Wall seconds per phase of the step (`GRPOStepReport`).
    public var timeSampling: Double?, timeSignals: Double?, timeNorms: Double?, timeScoring: Double?, timeUpdate: Double?
    public var timeStep: Double?

    public init(step: Int) { self.step = step }

    /// The written order is this declaration order.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case step, lr
        case rewardRawMean = "reward_raw_mean", rewardRawStd = "reward_raw_std"
        case rewardShapedMean = "reward_shaped_mean", rewardShapedStd = "reward_shaped_std"
        case rolloutAccuracy = "rollout_accuracy", auroc, aurocGroups = "auroc_groups"
        case lengthRho = "length_rho"
        case labelAccuracy = "label_accuracy", rewardAccuracy = "reward_accuracy", majorityRatio = "majority_ratio"
        case completionLength = "completion_length", truncationRate = "truncation_rate", repetition3gram = "repetition_3gram"
        case entropy, kl, clipFraction = "clip_fraction", gradNorm = "grad_norm", loss
        case tokensPerSecond = "tokens_per_s"
        case timeSampling = "time_sampling_s", timeSignals = "time_signals_s", timeNorms = "time_norms_s"
        case timeScoring = "time_scoring_s", timeUpdate = "time_update_s", timeStep = "time_step_s"
    }
}

/// An `eval` line: one evaluation of the policy at `step` (0 = the base model) on one split.
public struct EvalMetrics: Codable, Equatable, Sendable {
    public var step: Int
    /// Test (reported results) or validation (every choice made on data); absent in lines that predate the
    /// validation split, which were on test.
    public var split: Split
    /// Per suite, the fields of `SuiteEvaluation`.
    public var suites: [String: SuiteMetrics]
    /// pass@k − pass@1 per suite, when the evaluation sampled k > 1.
    public var passAtKMinusPassAt1: [String: Double]?

    public init(step: Int, split: Split, suites: [String: SuiteMetrics], passAtKMinusPassAt1: [String: Double]?) {
        self.step = step
        self.split = split
        self.suites = suites
        self.passAtKMinusPassAt1 = passAtKMinusPassAt1
    }

    /// The line of an evaluation report; pass@k − pass@1 for the suites that sampled.
    public init(step: Int, split: Split, report: EvaluationReport) throws {
        var gains: [String: Double] = [:]
        for (name, s) in report.suites { if let pk = s.passAtK { gains[name] = pk - s.accuracy } }
        self.init(step: step, split: split, suites: try report.suites.mapValues { try SuiteMetrics($0) },
                  passAtKMinusPassAt1: gains.isEmpty ? nil : gains)
    }

    /// Suite → metric → value, finite numbers only (what the report reads).
    public var values: [String: [String: Double]] { suites.mapValues { $0.values.filter { $0.value.isFinite } } }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case step, split, suites, passAtKMinusPassAt1 = "pass_at_k_minus_pass_at_1"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        step = try c.decode(Int.self, forKey: .step)
        split = try c.decodeIfPresent(Split.self, forKey: .split) ?? .test
        suites = try c.decode([String: SuiteMetrics].self, forKey: .suites)
        passAtKMinusPassAt1 = try c.decodeIfPresent([String: Double].self, forKey: .passAtKMinusPassAt1)
    }
}

/// One suite of an eval line: the numbers and texts of a `SuiteEvaluation` (`n`, `accuracy`, `ci_low`, …,
/// `knobs`), kept by name so that lines of every version (older ones hold fewer fields) read alike.
public struct SuiteMetrics: Codable, Equatable, Sendable {
    /// Every number, by its JSON key.
    public var values: [String: Double]
    /// Every string (the family's `knobs`).
    public var texts: [String: String]

    public init(values: [String: Double], texts: [String: String] = [:]) {
        self.values = values
        self.texts = texts
    }

    /// The fields of `evaluation` as its JSON encoding names them.
    public init(_ evaluation: SuiteEvaluation) throws {
        self = try MetricsLine.decoder.decode(SuiteMetrics.self, from: try MetricsLine.encoder.encode(evaluation))
    }

    /// One field of a suite as JSON has it: a number, a string, or anything else (kept out).
    private enum Field: Codable {
        case number(Double), text(String), other

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let d = try? c.decode(Double.self) { self = .number(d) }
            else if let s = try? c.decode(String.self) { self = .text(s) }
            else { self = .other }
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case let .number(d): try c.encode(d)
            case let .text(s): try c.encode(s)
            case .other: try c.encodeNil()
            }
        }
    }

    public init(from decoder: Decoder) throws {
        let fields = try [String: Field](from: decoder)
        values = fields.compactMapValues { if case let .number(d) = $0 { d } else { nil } }
        texts = fields.compactMapValues { if case let .text(s) = $0 { s } else { nil } }
    }

    public func encode(to encoder: Encoder) throws {
        try values.mapValues(Field.number).merging(texts.mapValues(Field.text)) { number, _ in number }.encode(to: encoder)
    }
}
