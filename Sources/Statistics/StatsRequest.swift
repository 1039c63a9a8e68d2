import Foundation
import JSON

/// The `ablate stats` protocol: JSON requests in, JSON results out.
///
/// A request is `{"id": …, "test": "<scipy name>", "params": {…}, "x": […], "y": […]}`; matrices are
/// `x[run][task]`; NaN and infinities are the strings "nan", "inf", "-inf". Input is one request object or
/// an array of them. Each result echoes `id` and gives `statistic`, `pvalue` and the test's other outputs,
/// or `{"id": …, "error": "…"}`. A bad request never stops the others.
public enum StatsRequest {
    /// Every test name with the parameters it accepts (scipy's names where scipy has the test).
    public static let tests: [(name: String, params: [String])] = [
        ("ttest_ind", ["alternative", "equal_var", "confidence_level"]),
        ("ttest_rel", ["alternative", "confidence_level"]),
        ("wilcoxon", ["zero_method", "correction", "alternative", "method"]),
        ("mannwhitneyu", ["use_continuity", "alternative", "method"]),
        ("pearsonr", ["alternative"]),
        ("spearmanr", ["alternative"]),
        ("kendalltau", ["alternative", "method", "variant"]),
        ("pointbiserialr", ["alternative"]),
        ("auroc", ["positive_label"]),
        ("holm", ["alpha"]),
        ("benjamini_hochberg", ["alpha"]),
        ("iqm", ["proportiontocut"]),
        ("descriptive", ["confidence_level", "ddof"]),
        ("bootstrap_ci", ["statistic", "method", "confidence_level", "n_resamples", "seed"]),
        ("stratified_bootstrap_ci", ["aggregate", "method", "confidence_level", "n_resamples", "seed"]),
        ("probability_of_improvement", ["confidence_level", "n_resamples", "seed"]),
        ("effect_sizes_independent", ["confidence_level"]),
        ("effect_sizes_paired", ["confidence_level"]),
        ("power_ttest_ind", ["effect_size", "alpha", "power", "nobs1", "nobs", "ratio", "alternative"]),
        ("power_ttest_paired", ["effect_size", "alpha", "power", "nobs", "alternative"]),
    ]

    /// The data fields each test reads (`x` always, `y` where listed, none for the power calculations); any other
    /// data field is refused rather than silently ignored.
    static func dataFields(of test: String) -> [String] {
        switch test {
        case "holm", "benjamini_hochberg", "iqm", "descriptive", "bootstrap_ci", "stratified_bootstrap_ci": return ["x"]
        case "power_ttest_ind", "power_ttest_paired": return []
        default: return ["x", "y"]
        }
    }

    /// The most values one data array may hold (also the most runs × tasks of a matrix): every test is
    /// O(n log n) or has its own cost limit, and 10⁷ doubles are 80 MB per copy.
    public static let maximumValues = 10_000_000

    /// Statistics `bootstrap_ci` can resample.
    public static let bootstrapStatistics = ["mean", "median", "iqm", "sd"]

    /// Answers a whole input document: an array of requests (answered in order) or a single request.
    /// - Throws: only if the text is not JSON at all.
    public static func respond(toDocument data: Data) throws -> JSONValue {
        let document: JSONValue
        do { document = try JSONValue.parse(data) } catch let error as JSONParseError {
            throw StatsError.badRequest(error.description)
        }
        if case let .array(requests) = document { return .array(requests.map(respond(to:))) }
        return respond(to: document)
    }

    /// Answers one request; never throws: failures become `{"id": …, "error": "…"}`.
    public static func respond(to request: JSONValue) -> JSONValue {
        let id = request["id"] ?? .null
        do {
            let outputs = try run(request)
            return .object([("id", id)] + outputs)
        } catch let error as StatsError {
            return .object([("id", id), ("error", .string(error.description))])
        } catch {
            return .object([("id", id), ("error", .string("\(error)"))])
        }
    }

    // MARK: - Dispatch

    typealias Outputs = [(key: String, value: JSONValue)]

    static func run(_ request: JSONValue) throws -> Outputs {
        guard case let .object(fields) = request else {
            throw StatsError.badRequest("a request must be a JSON object with \"test\", \"params\", \"x\" and \"y\"")
        }
        let allowed: Set = ["id", "test", "params", "x", "y"]
        if let extra = fields.first(where: { !allowed.contains($0.key) }) {
            throw StatsError.badRequest("unknown field \"\(extra.key)\"; a request has the fields "
                + "\"id\", \"test\", \"params\", \"x\" and \"y\"")
        }
        guard case let .string(test)? = request["test"] else {
            throw StatsError.badRequest("missing \"test\" (a string such as \"ttest_ind\")")
        }
        guard let spec = tests.first(where: { $0.name == test }) else {
            throw StatsError.unknownTest(name: test, valid: tests.map(\.name))
        }
        let p = try Params(request["params"], test: test, valid: spec.params)
        let data = dataFields(of: test)
        for key in ["x", "y"] where !data.contains(key) && request[key] != nil && request[key] != .null {
            throw StatsError.badRequest("\(test) takes no \"\(key)\""
                + (data.isEmpty ? " (it takes no data, only params)" : "; its data field is \"x\""))
        }
        let r = Request(value: request)
        switch test {
        case "ttest_ind":
            let t = try TTest.independent(try r.vector("x"), try r.vector("y"),
                                          equalVariances: try p.bool("equal_var", default: true),
                                          alternative: try p.alternative())
            return try tOutputs(t, p)
        case "ttest_rel":
            return try tOutputs(try TTest.paired(try r.vector("x"), try r.vector("y"),
                                                 alternative: try p.alternative()), p)
        case "wilcoxon":
            let w = try Wilcoxon.test(
                try r.vector("x"), try r.optionalVector("y"),
                zeroMethod: try p.option("zero_method", default: .wilcox),
                correction: try p.bool("correction", default: false), alternative: try p.alternative(),
                method: try p.option("method", default: WilcoxonMethod.auto))
            var out: Outputs = [("statistic", .double(w.statistic)), ("pvalue", .double(w.pvalue)),
                                ("method_used", .string(w.methodUsed.rawValue))]
            if let z = w.zstatistic { out.append(("zstatistic", .double(z))) }
            return out
        case "mannwhitneyu":
            let m = try MannWhitney.test(try r.vector("x"), try r.vector("y"),
                                         useContinuity: try p.bool("use_continuity", default: true),
                                         alternative: try p.alternative(),
                                         method: try p.option("method", default: MannWhitneyMethod.auto))
            return [("statistic", .double(m.statistic)), ("pvalue", .double(m.pvalue)),
                    ("method_used", .string(m.methodUsed.rawValue))]
        case "pearsonr":
            return corr(try Correlation.pearson(try r.vector("x"), try r.vector("y"), alternative: try p.alternative()))
        case "spearmanr":
            return corr(try Correlation.spearman(try r.vector("x"), try r.vector("y"), alternative: try p.alternative()))
        case "kendalltau":
            return corr(try Correlation.kendall(try r.vector("x"), try r.vector("y"), alternative: try p.alternative(),
                                                method: try p.option("method", default: KendallMethod.auto),
                                                variant: try p.option("variant", default: KendallVariant.b)))
        case "pointbiserialr":
            return corr(try Correlation.pointBiserial(try r.vector("x"), try r.vector("y"),
                                                      alternative: try p.alternative()))
        case "auroc":
            var positives = try r.vector("x"), negatives = try r.vector("y")
            if p.has("positive_label") {
                // sklearn's roc_auc_score(y_true = y, y_score = x, pos_label): x holds every score, y its label.
                let label = try p.double("positive_label", default: .nan)
                (positives, negatives) = try splitByLabel(scores: positives, labels: negatives, positive: label)
            }
            let a = try MannWhitney.commonLanguageEffect(positives, negatives)
            return [("statistic", .double(a)), ("cliffs_delta", .double(2 * a - 1))]
        case "holm", "benjamini_hochberg":
            let x = try r.vector("x"), alpha = try p.double("alpha", default: 0.05)
            let a = test == "holm" ? try MultipleComparisons.holm(x, alpha: alpha)
                : try MultipleComparisons.benjaminiHochberg(x, alpha: alpha)
            return [("adjusted", .array(a.adjusted.map(JSONValue.double))), ("reject", .array(a.reject.map(JSONValue.bool)))]
        case "iqm":
            return [("statistic", .double(try Descriptive.trimmedMean(
                try r.flattened("x"), proportionToCut: try p.double("proportiontocut", default: 0.25))))]
        case "descriptive":
            let s = try Descriptive.summarize(try r.vector("x"), level: try p.double("confidence_level", default: 0.95),
                                              ddof: try p.int("ddof", default: 1))
            return [("n", .number(Double(s.count))), ("mean", .double(s.mean)), ("sd", .double(s.sd)),
                    ("sem", .double(s.sem)), ("median", .double(s.median)), ("q25", .double(s.q25)),
                    ("q75", .double(s.q75)), ("iqm", .double(s.iqm)), ("min", .double(s.min)), ("max", .double(s.max)),
                    ("ci_low", .double(s.ciLow)), ("ci_high", .double(s.ciHigh))]
        case "bootstrap_ci":
            let name = try p.string("statistic", default: "mean")
            guard let statistic = bootstrapStatistic(name) else {
                throw StatsError.invalidOption(name: "statistic", value: name, valid: bootstrapStatistics)
            }
            let b = try Bootstrap.interval(
                try r.vector("x"), statistic: statistic, level: try p.double("confidence_level", default: 0.95),
                method: try p.option("method", default: BootstrapMethod.bca),
                resamples: try p.int("n_resamples", default: 9999), seed: try p.seed())
            return interval(b)
        case "stratified_bootstrap_ci":
            let aggregate: Aggregate = try p.option("aggregate", default: .iqm)
            let b = try Rliable.stratifiedBootstrap(
                try r.matrix("x"), aggregate: aggregate.callAsFunction,
                level: try p.double("confidence_level", default: 0.95),
                resamples: try p.int("n_resamples", default: 50000), seed: try p.seed(),
                method: try p.option("method", default: StratifiedIntervalMethod.percentile))
            return interval(b)
        case "probability_of_improvement":
            let seed: UInt? = p.has("seed") ? try p.seed() : nil
            let poi = try Rliable.probabilityOfImprovement(
                try r.matrix("x"), try r.matrix("y"), level: try p.double("confidence_level", default: 0.95),
                resamples: try p.int("n_resamples", default: 50000), seed: seed)
            var out: Outputs = [("statistic", .double(poi.probability)),
                                ("per_task", .array(poi.perTask.map(JSONValue.double)))]
            if let i = poi.interval { out += [("ci_low", .double(i.low)), ("ci_high", .double(i.high))] }
            return out
        case "effect_sizes_independent":
            let e = try EffectSize.independent(try r.vector("x"), try r.vector("y"),
                                               level: try p.double("confidence_level", default: 0.95))
            return [("cohens_d", .double(e.cohensD)), ("hedges_g", .double(e.hedgesG)),
                    ("cliffs_delta", .double(e.cliffsDelta)), ("auroc", .double(e.auroc)),
                    ("hodges_lehmann", .double(e.hodgesLehmann)), ("mean_difference", .double(e.meanDifference)),
                    ("ci_low", .double(e.ciLow)), ("ci_high", .double(e.ciHigh))]
        case "effect_sizes_paired":
            let e = try EffectSize.paired(try r.vector("x"), try r.vector("y"),
                                          level: try p.double("confidence_level", default: 0.95))
            return [("dz", .double(e.dz)), ("mean_difference", .double(e.meanDifference)),
                    ("sd_difference", .double(e.sdDifference)), ("hodges_lehmann", .double(e.hodgesLehmann)),
                    ("ci_low", .double(e.ciLow)), ("ci_high", .double(e.ciHigh))]
        case "power_ttest_ind", "power_ttest_paired":
            let design: PowerDesign = test == "power_ttest_ind" ? .independent : .paired
            let d = try p.double("effect_size", default: .nan)
            if !p.has("effect_size") { throw StatsError.badRequest("\(test) needs params.effect_size") }
            let alpha = try p.double("alpha", default: 0.05)
            let alternative = try p.powerAlternative()
            let ratio = try p.double("ratio", default: 1)
            // statsmodels calls the sample size `nobs1` for TTestIndPower and `nobs` for TTestPower; `nobs` stays an
            // alias for the independent design.
            let nobsKey = design == .independent && p.has("nobs1") ? "nobs1" : "nobs"
            if p.has("nobs1") && p.has("nobs") { throw StatsError.badRequest("give params.nobs1 or params.nobs, not both") }
            if p.has(nobsKey) {
                if p.has("power") { throw StatsError.badRequest("give either params.power or params.\(nobsKey), not both") }
                let power = try Power.power(effectSize: d, nobs: try p.double(nobsKey, default: .nan), alpha: alpha,
                                            design: design, alternative: alternative, ratio: ratio)
                return [("power", .double(power))]
            }
            let s = try Power.seedsPerArm(effectSize: d, power: try p.double("power", default: 0.8), alpha: alpha,
                                          design: design, alternative: alternative, ratio: ratio)
            var out: Outputs = [("nobs", .double(s.nobs))]
            if design == .independent { out.append(("nobs1", .double(s.nobs))) }
            return out + [("seeds_per_arm", .number(Double(s.seedsPerArm))), ("power_at_seeds", .double(s.powerAtSeeds))]
        default:
            throw StatsError.unknownTest(name: test, valid: tests.map(\.name))
        }
    }

    /// Scores split by a label vector: those whose label equals `positive`, and all others. Each label must be
    /// one of exactly two values, as for a binary ROC curve.
    static func splitByLabel(scores: [Double], labels: [Double], positive: Double) throws -> ([Double], [Double]) {
        guard scores.count == labels.count else {
            throw StatsError.lengthMismatch(test: "auroc", xCount: scores.count, yCount: labels.count)
        }
        let distinct = Set(labels)
        guard distinct.count <= 2, !labels.contains(where: \.isNaN) else {
            throw StatsError.badRequest("auroc with positive_label: y must hold two label values (one per score in x), "
                + "found \(labels.contains(where: \.isNaN) ? "NaN" : "\(distinct.count) distinct values")")
        }
        guard distinct.contains(positive) else {
            throw StatsError.invalidOption(name: "positive_label", value: JSONValue.double(positive).serialized,
                                           valid: distinct.sorted().map { JSONValue.double($0).serialized })
        }
        var pos: [Double] = [], neg: [Double] = []
        for (s, l) in zip(scores, labels) { if l == positive { pos.append(s) } else { neg.append(s) } }
        return (pos, neg)
    }

    static func bootstrapStatistic(_ name: String) -> (([Double]) -> Double)? {
        switch name {
        case "mean": return Descriptive.meanUnchecked
        case "median": return Descriptive.medianUnchecked
        case "iqm": return Descriptive.iqmUnchecked
        case "sd": return { Descriptive.variance($0).squareRoot() }
        default: return nil
        }
    }

    private static func tOutputs(_ t: TTestResult, _ p: Params) throws -> Outputs {
        let ci = try t.confidenceInterval(level: try p.double("confidence_level", default: 0.95),
                                          alternative: try p.alternative())
        return [("statistic", .double(t.statistic)), ("pvalue", .double(t.pvalue)), ("df", .double(t.df)),
                ("estimate", .double(t.estimate)), ("standard_error", .double(t.standardError)),
                ("ci_low", .double(ci.low)), ("ci_high", .double(ci.high))]
    }

    private static func corr(_ c: CorrelationResult) -> Outputs {
        [("statistic", .double(c.statistic)), ("pvalue", .double(c.pvalue)), ("method_used", .string(c.methodUsed))]
    }

    private static func interval(_ b: BootstrapInterval) -> Outputs {
        [("statistic", .double(b.estimate)), ("ci_low", .double(b.low)), ("ci_high", .double(b.high)),
         ("standard_error", .double(b.standardError)), ("method_used", .string(b.method.rawValue)),
         ("n_resamples", .number(Double(b.resamples)))]
    }
}

// MARK: - Reading a request

/// The data arrays of a request.
struct Request {
    let value: JSONValue

    func vector(_ key: String) throws -> [Double] {
        guard let v = value[key] else { throw StatsError.badRequest("missing \"\(key)\" (an array of numbers)") }
        return try Self.numbers(v, key)
    }

    func optionalVector(_ key: String) throws -> [Double]? {
        guard let v = value[key], v != .null else { return nil }
        return try Self.numbers(v, key)
    }

    func matrix(_ key: String) throws -> [[Double]] {
        guard case let .array(rows)? = value[key] else {
            throw StatsError.badRequest("missing \"\(key)\" (a runs × tasks matrix, \(key)[run][task])")
        }
        guard rows.count <= StatsRequest.maximumValues else {
            throw StatsError.tooExpensive(test: "\"\(key)\"", detail: "\(rows.count) runs",
                                          limit: "10,000,000 values per array", fix: "pass fewer runs")
        }
        return try rows.enumerated().map { i, row in
            guard case .array = row else {
                throw StatsError.badRequest("\"\(key)\"[\(i)] must be an array (one run's scores per task)")
            }
            return try Self.numbers(row, "\(key)[\(i)]")
        }
    }

    /// A vector, or a matrix pooled row by row.
    func flattened(_ key: String) throws -> [Double] {
        if case let .array(items)? = value[key], let first = items.first, case .array = first {
            return try matrix(key).flatMap { $0 }
        }
        return try vector(key)
    }

    static func numbers(_ v: JSONValue, _ key: String) throws -> [Double] {
        guard case let .array(items) = v else {
            throw StatsError.badRequest("\"\(key)\" must be an array of numbers")
        }
        guard items.count <= StatsRequest.maximumValues else {
            throw StatsError.tooExpensive(test: "\"\(key)\"", detail: "\(items.count) values",
                                          limit: "10,000,000 values per array", fix: "pass fewer values")
        }
        return try items.enumerated().map { i, item in
            if let d = number(item) { return d }
            throw StatsError.badRequest("\"\(key)\"[\(i)] is \(item.serialized); use a number or \"nan\", \"inf\", \"-inf\"")
        }
    }

    static func number(_ v: JSONValue) -> Double? {
        switch v {
        case let .number(d): return d
        case let .string(s):
            switch s.lowercased() {
            case "nan": return .nan
            case "inf", "+inf", "infinity": return .infinity
            case "-inf", "-infinity": return -.infinity
            default: return nil
            }
        default: return nil
        }
    }
}

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
