import JSON

extension StatsRequest {
    /// Every test of the protocol, one entry each: its name, its parameters with scipy's names (statsmodels' and
    /// rliable's for the extras), the data fields it reads and the function that answers. Adding a test is adding
    /// an entry here (and its reference cases to `Tests/StatisticsTests/Fixtures`).
    ///
    /// An entry's function reads its data and parameters in the order its errors should be reported: the first
    /// missing or invalid one is the error the request gets.
    public static let tests: [StatsTest] = [
        StatsTest("ttest_ind", params: ["alternative", "equal_var", "confidence_level"]) { r, p in
            let t = try TTest.independent(try r.vector("x"), try r.vector("y"),
                                          equalVariances: try p.bool("equal_var", default: true),
                                          alternative: try p.alternative())
            return try tOutputs(t, p)
        },
        StatsTest("ttest_rel", params: ["alternative", "confidence_level"]) { r, p in
            try tOutputs(try TTest.paired(try r.vector("x"), try r.vector("y"), alternative: try p.alternative()), p)
        },
        StatsTest("wilcoxon", params: ["zero_method", "correction", "alternative", "method"]) { r, p in
            let w = try Wilcoxon.test(
                try r.vector("x"), try r.optionalVector("y"),
                zeroMethod: try p.option("zero_method", default: .wilcox),
                correction: try p.bool("correction", default: false), alternative: try p.alternative(),
                method: try p.option("method", default: WilcoxonMethod.auto))
            var out: Outputs = [("statistic", .double(w.statistic)), ("pvalue", .double(w.pvalue)),
                                ("method_used", .string(w.methodUsed.rawValue))]
            if let z = w.zstatistic { out.append(("zstatistic", .double(z))) }
            return out
        },
        StatsTest("mannwhitneyu", params: ["use_continuity", "alternative", "method"]) { r, p in
            let m = try MannWhitney.test(try r.vector("x"), try r.vector("y"),
                                         useContinuity: try p.bool("use_continuity", default: true),
                                         alternative: try p.alternative(),
                                         method: try p.option("method", default: MannWhitneyMethod.auto))
            return [("statistic", .double(m.statistic)), ("pvalue", .double(m.pvalue)),
                    ("method_used", .string(m.methodUsed.rawValue))]
        },
        StatsTest("pearsonr", params: ["alternative"]) { r, p in
            corr(try Correlation.pearson(try r.vector("x"), try r.vector("y"), alternative: try p.alternative()))
        },
        StatsTest("spearmanr", params: ["alternative"]) { r, p in
            corr(try Correlation.spearman(try r.vector("x"), try r.vector("y"), alternative: try p.alternative()))
        },
        StatsTest("kendalltau", params: ["alternative", "method", "variant"]) { r, p in
            corr(try Correlation.kendall(try r.vector("x"), try r.vector("y"), alternative: try p.alternative(),
                                         method: try p.option("method", default: KendallMethod.auto),
                                         variant: try p.option("variant", default: KendallVariant.b)))
        },
        StatsTest("pointbiserialr", params: ["alternative"]) { r, p in
            corr(try Correlation.pointBiserial(try r.vector("x"), try r.vector("y"), alternative: try p.alternative()))
        },
        StatsTest("auroc", params: ["positive_label"]) { r, p in
            var positives = try r.vector("x"), negatives = try r.vector("y")
            if p.has("positive_label") {
                // sklearn's roc_auc_score(y_true = y, y_score = x, pos_label): x holds every score, y its label.
                let label = try p.double("positive_label", default: .nan)
                (positives, negatives) = try splitByLabel(scores: positives, labels: negatives, positive: label)
            }
            let (a, u) = try MannWhitney.commonLanguageEffectAndU(positives, negatives)
            return [("statistic", .double(a)), ("cliffs_delta", .double(2 * a - 1)), ("u_statistic", .double(u))]
        },
        // The 2×2 table [[x0, x1], [y0, y1]] (scipy's `table`): each row two non-negative integer counts.
        StatsTest("fisher_exact", params: ["alternative"]) { r, p in
            let rows = try [r.vector("x"), r.vector("y")]
            let counts = try rows.map { row -> [Int] in
                guard row.count == 2, row.allSatisfy({ $0 >= 0 && $0 == $0.rounded() && $0 < 1e9 }) else {
                    throw StatsError.badRequest("fisher_exact reads the 2×2 table [[x0, x1], [y0, y1]]: x and y each two non-negative integer counts")
                }
                return row.map { Int($0) }
            }
            let f = try FisherExact.test(counts[0][0], counts[0][1], counts[1][0], counts[1][1], alternative: try p.alternative())
            return [("statistic", .double(f.statistic)), ("pvalue", .double(f.pvalue))]
        },
        // Brown–Forsythe: Levene's test centred on medians (scipy's default `center`), of the groups x and y.
        StatsTest("levene", params: ["center"]) { r, p in
            _ = try p.option("center", default: LeveneCenter.median)
            let b = try BrownForsythe.test([try r.vector("x"), try r.vector("y")])
            return [("statistic", .double(b.statistic)), ("pvalue", .double(b.pvalue))]
        },
        StatsTest("holm", params: ["alpha"], data: ["x"]) { r, p in
            adjusted(try MultipleComparisons.holm(try r.vector("x"), alpha: try p.double("alpha", default: 0.05)))
        },
        StatsTest("benjamini_hochberg", params: ["alpha"], data: ["x"]) { r, p in
            adjusted(try MultipleComparisons.benjaminiHochberg(try r.vector("x"),
                                                               alpha: try p.double("alpha", default: 0.05)))
        },
        StatsTest("iqm", params: ["proportiontocut"], data: ["x"]) { r, p in
            [("statistic", .double(try Descriptive.trimmedMean(
                try r.flattened("x"), proportionToCut: try p.double("proportiontocut", default: 0.25))))]
        },
        StatsTest("descriptive", params: ["confidence_level", "ddof"], data: ["x"]) { r, p in
            let s = try Descriptive.summarize(try r.vector("x"), level: try p.double("confidence_level", default: 0.95),
                                              ddof: try p.int("ddof", default: 1))
            return [("n", .number(Double(s.count))), ("mean", .double(s.mean)), ("sd", .double(s.sd)),
                    ("sem", .double(s.sem)), ("median", .double(s.median)), ("q25", .double(s.q25)),
                    ("q75", .double(s.q75)), ("iqm", .double(s.iqm)), ("min", .double(s.min)), ("max", .double(s.max)),
                    ("ci_low", .double(s.ciLow)), ("ci_high", .double(s.ciHigh))]
        },
        StatsTest("bootstrap_ci", params: ["statistic", "method", "confidence_level", "n_resamples", "seed"],
                  data: ["x"]) { r, p in
            let name = try p.string("statistic", default: "mean")
            guard let statistic = bootstrapStatistic(name) else {
                throw StatsError.invalidOption(name: "statistic", value: name, valid: bootstrapStatistics)
            }
            return interval(try Bootstrap.interval(
                try r.vector("x"), statistic: statistic, level: try p.double("confidence_level", default: 0.95),
                method: try p.option("method", default: BootstrapMethod.bca),
                resamples: try p.int("n_resamples", default: 9999), seed: try p.seed()))
        },
        // scipy's `bootstrap` calls the function it resamples `statistic`, rliable `aggregate`: either name.
        StatsTest("stratified_bootstrap_ci",
                  params: ["statistic", "aggregate", "method", "confidence_level", "n_resamples", "seed"],
                  data: ["x"]) { r, p in
            if p.has("statistic") && p.has("aggregate") {
                throw StatsError.badRequest("give params.statistic (scipy's name) or params.aggregate (rliable's), not both")
            }
            let aggregate: Aggregate = try p.option(p.has("statistic") ? "statistic" : "aggregate", default: .iqm)
            return interval(try Rliable.stratifiedBootstrap(
                try r.matrix("x"), aggregate: aggregate.callAsFunction,
                level: try p.double("confidence_level", default: 0.95),
                resamples: try p.int("n_resamples", default: 50000), seed: try p.seed(),
                method: try p.option("method", default: StratifiedIntervalMethod.percentile)))
        },
        StatsTest("probability_of_improvement", params: ["confidence_level", "n_resamples", "seed"]) { r, p in
            let seed: UInt? = p.has("seed") ? try p.seed() : nil
            let poi = try Rliable.probabilityOfImprovement(
                try r.matrix("x"), try r.matrix("y"), level: try p.double("confidence_level", default: 0.95),
                resamples: try p.int("n_resamples", default: 50000), seed: seed)
            var out: Outputs = [("statistic", .double(poi.probability)),
                                ("per_task", .array(poi.perTask.map(JSONValue.double)))]
            if let i = poi.interval { out += [("ci_low", .double(i.low)), ("ci_high", .double(i.high))] }
            return out
        },
        StatsTest("effect_sizes_independent", params: ["confidence_level"]) { r, p in
            let e = try EffectSize.independent(try r.vector("x"), try r.vector("y"),
                                               level: try p.double("confidence_level", default: 0.95))
            return [("cohens_d", .double(e.cohensD)), ("hedges_g", .double(e.hedgesG)),
                    ("cliffs_delta", .double(e.cliffsDelta)), ("auroc", .double(e.auroc)),
                    ("hodges_lehmann", .double(e.hodgesLehmann)), ("mean_difference", .double(e.meanDifference)),
                    ("ci_low", .double(e.ciLow)), ("ci_high", .double(e.ciHigh))]
        },
        StatsTest("effect_sizes_paired", params: ["confidence_level"]) { r, p in
            let e = try EffectSize.paired(try r.vector("x"), try r.vector("y"),
                                          level: try p.double("confidence_level", default: 0.95))
            return [("dz", .double(e.dz)), ("mean_difference", .double(e.meanDifference)),
                    ("sd_difference", .double(e.sdDifference)), ("hodges_lehmann", .double(e.hodgesLehmann)),
                    ("ci_low", .double(e.ciLow)), ("ci_high", .double(e.ciHigh))]
        },
        StatsTest("power_ttest_ind", params: ["effect_size", "alpha", "power", "nobs1", "nobs", "ratio", "alternative"],
                  data: []) { _, p in
            try power("power_ttest_ind", .independent, p)
        },
        StatsTest("power_ttest_paired", params: ["effect_size", "alpha", "power", "nobs", "alternative"],
                  data: []) { _, p in
            try power("power_ttest_paired", .paired, p)
        },
    ]

    /// Statistics `bootstrap_ci` can resample.
    public static let bootstrapStatistics = ["mean", "median", "iqm", "sd"]

    static func bootstrapStatistic(_ name: String) -> (([Double]) -> Double)? {
        switch name {
        case "mean": return Descriptive.meanUnchecked
        case "median": return Descriptive.medianUnchecked
        case "iqm": return Descriptive.iqmUnchecked
        case "sd": return { Descriptive.variance($0).squareRoot() }
        default: return nil
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

    /// statsmodels' `TTestIndPower` / `TTestPower`: the power at `nobs` (`nobs1`), or the seeds per arm for `power`.
    private static func power(_ test: String, _ design: PowerDesign, _ p: Params) throws -> Outputs {
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
    }

    // MARK: Outputs shared by several tests

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

    private static func adjusted(_ a: AdjustedPValues) -> Outputs {
        [("adjusted", .array(a.adjusted.map(JSONValue.double))), ("reject", .array(a.reject.map(JSONValue.bool)))]
    }

    private static func interval(_ b: BootstrapInterval) -> Outputs {
        [("statistic", .double(b.estimate)), ("ci_low", .double(b.low)), ("ci_high", .double(b.high)),
         ("standard_error", .double(b.standardError)), ("method_used", .string(b.method.rawValue)),
         ("n_resamples", .number(Double(b.resamples)))]
    }
}
