import Foundation
import JSON
import Statistics
import Tasks
import Yams

// MARK: - Loading

extension Study {
    /// Top-level keys of a study file.
    public static let topLevelKeys = ["analysis", "base_model", "collapse", "comparisons", "description", "evaluation",
                                      "hypotheses", "kind", "sd", "seeds", "selection", "smallest_effect", "train", "transfer",
                                      "variants"]
    /// The study's declared design, at the top level (as the study's own headline) or inside `comparisons:`.
    static let designKeys = ["collapse", "hypotheses", "sd", "smallest_effect"]
    static let evaluationKeys = ["k", "n", "suites"]
    static let comparisonKeys = ["alpha", "collapse", "control", "correction", "hypotheses", "metrics", "paired", "sd",
                                 "smallest_effect"]
    static let hypothesisKeys = ["alternative", "control", "metric", "suite", "test", "variant"]
    static let analysisKeys = ["alpha", "along_training", "beyond", "checkpoint", "hypotheses", "max_completion_length", "num_generations",
                               "prompts", "rewards", "sd", "smallest_effect", "temperature"]
    /// Train keys a study may not set: the runner fills them in.
    static let runnerKeys: [String: String] = [
        "base": "the runner sets it to the base model of `base_model:`",
        "seed": "seeds come from `seeds:`",
    ]
    /// Train keys owned by `evaluation:`.
    static let evaluationTrainKeys: [String: String] = ["eval_suites": "suites", "eval_n": "n", "eval_k": "k"]

    /// Reads and validates a study file. Every problem is an `AblateError.study` naming file:line:column, the
    /// field and the valid choices.
    public static func load(path: String) throws -> Study {
        return try parse(yaml: try StudyLimits.read(path: path), path: path)
    }

    /// Validates study YAML `yaml`; `path` names it in messages and gives the study its name.
    public static func parse(yaml: String, path: String) throws -> Study {
        let r = StudyReader(path: path)
        try StudyLimits.check(yaml: yaml, path: path)  // depth, alias expansion and size, before Yams composes it
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw r.fail(nil, "the study file is empty") }
            root = node
        } catch let e as AblateError {
            throw e
        } catch let e as YamlError {
            throw r.yamlError(e)
        } catch {
            throw r.fail(nil, "not valid YAML (\(error))")
        }
        let top = try r.mapping(root, "the study")
        try r.checkKeys(top, valid: topLevelKeys, "the study")
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        // runs/trials/ and runs/cache/ belong to the store; a study of that name would mix its links into them.
        try PathName.check(name, what: "the study name (the file's name without .yaml)", path: path)
        if ["trials", "cache", "quarantine"].contains(name) {
            throw r.fail(nil, "the study file's name '\(name)' is reserved for the run store (runs/trials, runs/cache, runs/quarantine); rename the file")
        }

        let kind: Kind = try top.value("kind").map { node in
            let s = try r.string(node, "kind")
            guard let k = Kind(rawValue: s) else {
                throw r.fail(node, "kind: unknown kind '\(s)'; please provide one of \(AblateError.list(Kind.allCases.map(\.rawValue)))")
            }
            return k
        } ?? .train
        guard let descriptionNode = top.value("description") else { throw r.fail(root, "missing key 'description' (one line saying what the study asks)") }
        let description = try r.string(descriptionNode, "description")

        // Base model recipe.
        var recipe = PretrainRecipe()
        var recipeOverrides = JSONValue.object([])
        if let node = top.value("base_model") {
            let pairs = try r.mapping(node, "base_model")
            for pair in pairs where PretrainRecipe.fieldNames.contains(pair.key) && Overrides.snakeCase(pair.key) != pair.key {
                throw r.fail(pair.keyNode, "base_model.\(pair.key): spelled '\(Overrides.snakeCase(pair.key))' (study files use snake_case)")
            }
            try r.checkKeys(pairs, valid: (PretrainRecipe.publicFieldNames + ["recipe"]).sorted(), "base_model")
            let json = try r.json(node)
            recipeOverrides = json
            // `recipe: NAME` starts from a named recipe (NamedRecipe); the other keys override it.
            var rest = json
            if let named = pairs.first(where: { $0.key == "recipe" }) {
                let name = try r.string(named.value, "base_model.recipe")
                do { recipe = try PretrainRecipe.named(name) } catch { throw r.fail(named.value, "base_model.recipe: \(error)") }
                if case let .object(fields) = json { rest = .object(fields.filter { $0.key != "recipe" }) }
            }
            do { recipe = try recipe.applying(overridesJSON: rest.serialized) } catch {
                // Point at the key the recipe names when it names one.
                let field: String? = if case let AblateError.invalidRecipe(f, _, _) = error { f } else { nil }
                let at = pairs.first { field?.hasPrefix($0.key) == true || field.map(Overrides.snakeCase)?.hasPrefix($0.key) == true }
                throw r.fail(at?.value ?? node, "base_model\(at.map { ".\($0.key)" } ?? ""): \(error)")
            }
        }

        // Seeds.
        guard let seedsNode = top.value("seeds") else { throw r.fail(root, "missing key 'seeds' (a list of integers, e.g. [1, 2, 3])") }
        let seedNodes = try r.sequence(seedsNode, "seeds")
        try StudyLimits.checkGrid(seeds: seedNodes.count, variants: 1, at: seedsNode, r)
        var seeds: [Int] = []
        var seen = Set<Int>()
        for node in seedNodes {
            let s = try r.int(node, "seeds")
            guard s >= 0 else { throw r.fail(node, "seeds: \(s) is negative; seeds are non-negative integers") }
            guard seen.insert(s).inserted else { throw r.fail(node, "seeds: \(s) appears twice") }
            seeds.append(s)
        }
        guard !seeds.isEmpty else { throw r.fail(seedsNode, "seeds: the list is empty; give at least one seed") }

        // Evaluation.
        var evaluation = Evaluation(suites: TaskRegistry.names, n: 1000, k: 1)
        if let node = top.value("evaluation") {
            let pairs = try r.mapping(node, "evaluation")
            try r.checkKeys(pairs, valid: evaluationKeys, "evaluation")
            if let s = pairs.value("suites") { evaluation.suites = try r.suites(s, "evaluation.suites") }
            if let n = pairs.value("n") { evaluation.n = try r.positiveInt(n, "evaluation.n") }
            if let k = pairs.value("k") { evaluation.k = try r.positiveInt(k, "evaluation.k") }
        }

        // Base training settings.
        var train: [(key: String, value: JSONValue)] = []
        if let node = top.value("train") {
            if kind == .analysis { throw r.fail(node, "train: an analysis study trains nothing; remove `train:` or use kind: train") }
            train = try r.trainOverrides(node, "train")
        }
        for (key, value) in [("eval_suites", JSONValue.array(evaluation.suites.map(JSONValue.string))),
                             ("eval_n", .number(Double(evaluation.n))), ("eval_k", .number(Double(evaluation.k)))] {
            Study.set(&train, key, value)
        }

        // Variants.
        var variants: [Variant] = []
        var variantControls: [(variant: String, control: String, node: Node)] = []
        if let node = top.value("variants") {
            if kind == .analysis { throw r.fail(node, "variants: an analysis study has no variants; list rewards under analysis.rewards") }
            let pairs = try r.mapping(node, "variants")
            try StudyLimits.checkGrid(seeds: seeds.count, variants: pairs.count, at: node, r)
            for (key, keyNode, value) in pairs {
                guard key.range(of: #"^[A-Za-z0-9_.-]+$"#, options: .regularExpression) != nil else {
                    throw r.fail(keyNode, "variants: name '\(key)' must be letters, digits, '_', '.' or '-' (it names a directory)")
                }
                try PathName.check(key, what: "variants: name", path: path, line: keyNode.mark?.line ?? 1, column: keyNode.mark?.column ?? 1)
                // `control:` names the variant's own control; the rest are train keys.
                var control: (name: String, node: Node)? = nil
                var trainNode = value
                if case let .mapping(m) = value, let c = m.first(where: { $0.key.scalar?.string == "control" }) {
                    control = (try r.string(c.value, "variants.\(key).control"), c.value)
                    let rest = m.filter { $0.key.scalar?.string != "control" }.map { ($0.key, $0.value) }
                    trainNode = .mapping(Node.Mapping(rest, m.tag, m.style, m.mark))
                }
                var variant = Variant(name: key, overrides: try r.trainOverrides(trainNode, "variants.\(key)"))
                variant.control = control?.name
                variants.append(variant)
                if let control { variantControls.append((key, control.name, control.node)) }
            }
        }
        for (name, control, node) in variantControls {
            guard variants.contains(where: { $0.name == control }) else {
                throw r.fail(node, "variants.\(name).control: unknown variant '\(control)'; please provide one of \(AblateError.list(variants.map(\.name)))")
            }
            guard control != name else { throw r.fail(node, "variants.\(name).control: a variant cannot be its own control") }
        }
        if kind == .train && variants.isEmpty {
            throw r.fail(top.value("variants") ?? root, "variants: a train study needs at least one variant (name → overrides, e.g. vigor: {reward: {name: vigor}})")
        }

        // Comparisons.
        var comparison: Comparison? = nil
        if let node = top.value("comparisons") {
            if kind == .analysis { throw r.fail(node, "comparisons: an analysis study compares its rewards by itself; remove `comparisons:`") }
            let pairs = try r.mapping(node, "comparisons")
            try r.checkKeys(pairs, valid: comparisonKeys, "comparisons")
            guard let controlNode = pairs.value("control") else { throw r.fail(node, "comparisons: missing key 'control' (the variant the others are compared with)") }
            let control = try r.string(controlNode, "comparisons.control")
            guard variants.contains(where: { $0.name == control }) else {
                throw r.fail(controlNode, "comparisons.control: unknown variant '\(control)'; please provide one of \(AblateError.list(variants.map(\.name)))")
            }
            var metrics = ["accuracy"]
            if let m = pairs.value("metrics") {
                metrics = []
                for item in try r.sequence(m, "comparisons.metrics") {
                    let s = try r.string(item, "comparisons.metrics")
                    guard Comparison.metricNames.contains(s) else {
                        throw r.fail(item, "comparisons.metrics: unknown metric '\(s)'; please provide one of \(AblateError.list(Comparison.metricNames))")
                    }
                    if !metrics.contains(s) { metrics.append(s) }
                }
                guard !metrics.isEmpty else { throw r.fail(m, "comparisons.metrics: the list is empty") }
            }
            let paired = try pairs.value("paired").map { try r.bool($0, "comparisons.paired") } ?? true
            var correction = Correction.holm
            if let c = pairs.value("correction") {
                let s = try r.string(c, "comparisons.correction")
                guard let v = Correction(rawValue: s) else {
                    throw r.fail(c, "comparisons.correction: unknown method '\(s)'; please provide one of \(AblateError.list(Correction.allCases.map(\.rawValue)))")
                }
                correction = v
            }
            var alpha = 0.05
            if let a = pairs.value("alpha") {
                alpha = try r.double(a, "comparisons.alpha")
                guard alpha > 0, alpha < 1 else { throw r.fail(a, "comparisons.alpha: \(alpha) must be in (0, 1)") }
            }
            comparison = Comparison(control: control, metrics: metrics, paired: paired, correction: correction, alpha: alpha)
            // The design keys may stand at the top level or inside `comparisons:`, not both.
            var design = pairs
            for key in designKeys {
                guard let found = top.first(where: { $0.key == key }) else { continue }
                if pairs.value(key) != nil {
                    throw r.fail(found.keyNode, "\(key): given both at the top level and under comparisons; keep one")
                }
                design.append(found)
            }
            try r.plan(design, into: &comparison!, variants: variants, suites: evaluation.suites)
        } else if let found = top.first(where: { designKeys.contains($0.key) }) {
            throw r.fail(found.keyNode, "\(found.key): a study's hypotheses compare variants with a control; add `comparisons: {control: <variant>}`")
        }

        // Analysis.
        var analysis: Analysis? = nil
        if let node = top.value("analysis") {
            if kind == .train { throw r.fail(node, "analysis: only a `kind: analysis` study has an analysis section") }
            analysis = try r.analysis(node)
        } else if kind == .analysis {
            throw r.fail(root, "missing key 'analysis' (checkpoint, prompts, num_generations, rewards) for kind: analysis")
        }

        var study = Study(name: name, path: path, kind: kind, description: description, recipe: recipe,
                          recipeOverrides: recipeOverrides, train: train, evaluation: evaluation, seeds: seeds,
                          variants: variants, comparison: comparison, analysis: analysis)
        if let node = top.value("selection") {
            if kind == .analysis { throw r.fail(node, "selection: an analysis study trains nothing to choose from; remove `selection:`") }
            study.selection = try r.selection(node, study: study)
        }
        if let node = top.value("transfer") {
            if kind == .analysis { throw r.fail(node, "transfer: an analysis study trains nothing; remove `transfer:`") }
            study.transfer = try r.transfer(node, study: study)
        }
        // Every trial must resolve (catches combinations no single key shows).
        _ = try study.trials(basePath: "base.safetensors")
        return study
    }
}

// MARK: - Reader

/// Walks Yams nodes, turning every problem into an `AblateError.study` at the node's mark.
struct StudyReader {
    let path: String

    typealias Pairs = [(key: String, keyNode: Node, value: Node)]

    func fail(_ node: Node?, _ message: String) -> AblateError {
        let mark = node?.mark
        return .study(path: path, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message)
    }

    func yamlError(_ e: YamlError) -> AblateError {
        switch e {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let ctx = context.map { " \($0.text)" } ?? ""
            return .study(path: path, line: mark.line, column: mark.column, message: "not valid YAML: \(problem)\(ctx)")
        default:
            return .study(path: path, line: 1, column: 1, message: "not valid YAML: \(e)")
        }
    }

    func kindName(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar: return "'\(node.scalar?.string ?? "")'"
        }
    }

    func mapping(_ node: Node, _ field: String) throws -> Pairs {
        guard case let .mapping(m) = node else { throw fail(node, "\(field): expected a mapping (key: value), got \(kindName(node))") }
        var out: Pairs = []
        for (k, v) in m {
            guard case let .scalar(s) = k else { throw fail(k, "\(field): keys must be plain names") }
            guard !out.contains(where: { $0.key == s.string }) else { throw fail(k, "\(field): key '\(s.string)' appears twice") }
            out.append((s.string, k, v))
        }
        return out
    }

    func checkKeys(_ pairs: Pairs, valid: [String], _ field: String) throws {
        for (key, keyNode, _) in pairs where !valid.contains(key) {
            throw fail(keyNode, "\(field): unknown key '\(key)'; valid keys: \(AblateError.list(valid))")
        }
    }

    func sequence(_ node: Node, _ field: String) throws -> [Node] {
        guard case let .sequence(s) = node else { throw fail(node, "\(field): expected a list, got \(kindName(node))") }
        return Array(s)
    }

    func scalar(_ node: Node, _ field: String, _ expected: String) throws -> Node.Scalar {
        guard case let .scalar(s) = node else { throw fail(node, "\(field): expected \(expected), got \(kindName(node))") }
        return s
    }

    func string(_ node: Node, _ field: String) throws -> String {
        let s = try scalar(node, field, "a string")
        guard node.tagName == .str else { throw fail(node, "\(field): expected a string, got '\(s.string)'") }
        return s.string
    }

    func int(_ node: Node, _ field: String) throws -> Int {
        let s = try scalar(node, field, "an integer")
        guard node.tagName == .int, let v = node.int else { throw fail(node, "\(field): expected an integer, got '\(s.string)'") }
        return v
    }

    func positiveInt(_ node: Node, _ field: String) throws -> Int {
        let v = try int(node, field)
        guard v >= 1 else { throw fail(node, "\(field): \(v) must be at least 1") }
        return v
    }

    func double(_ node: Node, _ field: String) throws -> Double {
        let s = try scalar(node, field, "a number")
        guard node.tagName == .int || node.tagName == .float, let v = node.float else {
            throw fail(node, "\(field): expected a number, got '\(s.string)'")
        }
        return v
    }

    func bool(_ node: Node, _ field: String) throws -> Bool {
        let s = try scalar(node, field, "true or false")
        guard node.tagName == .bool, let v = node.bool else { throw fail(node, "\(field): expected true or false, got '\(s.string)'") }
        return v
    }

    func suites(_ node: Node, _ field: String) throws -> [String] {
        var out: [String] = []
        for item in try sequence(node, field) {
            let s = try string(item, field)
            guard TaskRegistry.names.contains(s) else {
                throw fail(item, "\(field): unknown suite '\(s)'; please provide one of \(AblateError.list(TaskRegistry.names))")
            }
            guard !out.contains(s) else { throw fail(item, "\(field): suite '\(s)' appears twice") }
            out.append(s)
        }
        guard !out.isEmpty else { throw fail(node, "\(field): the list is empty") }
        return out
    }

    /// A YAML value as JSON (scalars by their resolved tag: a quoted "1" stays a string).
    func json(_ node: Node) throws -> JSONValue {
        switch node {
        case let .scalar(s):
            switch node.tagName {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(s.string)
            case .int: return node.int.map { .number(Double($0)) } ?? .string(s.string)
            case .float:
                guard let d = node.float, d.isFinite else { throw fail(node, "'\(s.string)' is not a finite number") }
                return .number(d)
            default: return .string(s.string)
            }
        case let .sequence(items): return .array(try items.map(json))
        case .mapping:
            return .object(try mapping(node, "value").map { ($0.key, try json($0.value)) })
        }
    }

    /// A mapping of train keys, each checked against `TrainConfig` on its own so an error points at its value.
    func trainOverrides(_ node: Node, _ field: String) throws -> [(key: String, value: JSONValue)] {
        let pairs = try mapping(node, field)
        var out: [(key: String, value: JSONValue)] = []
        for (key, keyNode, valueNode) in pairs {
            guard TrainConfig.fieldNames.contains(key) else {
                throw fail(keyNode, "\(field): unknown key '\(key)'; valid keys: \(AblateError.list(TrainConfig.fieldNames))")
            }
            if let why = Study.runnerKeys[key] { throw fail(keyNode, "\(field).\(key): not set in a study: \(why)") }
            if let own = Study.evaluationTrainKeys[key] {
                throw fail(keyNode, "\(field).\(key): set it as `evaluation: {\(own): ...}`, which every trial shares")
            }
            let value = try json(valueNode)
            if key == "reward" { try reward(valueNode, "\(field).reward") }
            do { try TrialConfig.check(key: key, value: value) } catch {
                throw fail(valueNode, "\(field).\(key): \(error)")
            }
            out.append((key, value))
        }
        return out
    }

    /// A `reward:` object, validated by `RewardCheck` and reported at the offending key.
    @discardableResult
    func reward(_ node: Node, _ field: String) throws -> JSONValue {
        let pairs = try mapping(node, field)
        let spec = try pairs.map { ($0.key, try json($0.value)) }
        if let (key, message) = RewardCheck.problem(spec: spec) {
            let at = pairs.first { $0.key == key }
            throw fail(at.map { key == "name" ? $0.value : $0.keyNode } ?? node, "\(field)\(at == nil ? "" : ".\(key)"): \(message)")
        }
        return .object(spec)
    }

    func analysis(_ node: Node) throws -> Study.Analysis {
        let pairs = try mapping(node, "analysis")
        try checkKeys(pairs, valid: Study.analysisKeys, "analysis")
        let checkpoint = try pairs.value("checkpoint").map { try string($0, "analysis.checkpoint") } ?? "base"
        guard let promptsNode = pairs.value("prompts") else {
            throw fail(node, "analysis: missing key 'prompts' (suite → prompts, e.g. {arith: 300})")
        }
        var prompts: [(suite: String, count: Int)] = []
        for (suite, keyNode, value) in try mapping(promptsNode, "analysis.prompts") {
            guard TaskRegistry.names.contains(suite) else {
                throw fail(keyNode, "analysis.prompts: unknown suite '\(suite)'; please provide one of \(AblateError.list(TaskRegistry.names))")
            }
            prompts.append((suite, try positiveInt(value, "analysis.prompts.\(suite)")))
        }
        guard !prompts.isEmpty else { throw fail(promptsNode, "analysis.prompts: give at least one suite") }
        let g = try pairs.value("num_generations").map { try positiveInt($0, "analysis.num_generations") } ?? 8
        if g < 2, let n = pairs.value("num_generations") {
            throw fail(n, "analysis.num_generations: within-group AUROC needs groups of at least 2")
        }
        let temperature = try pairs.value("temperature").map { try double($0, "analysis.temperature") } ?? 1.0
        if !(temperature > 0), let t = pairs.value("temperature") { throw fail(t, "analysis.temperature: must be positive") }
        let length = try pairs.value("max_completion_length").map { try positiveInt($0, "analysis.max_completion_length") } ?? 96
        guard let rewardsNode = pairs.value("rewards") else {
            throw fail(node, "analysis: missing key 'rewards' (label → reward, e.g. vigor_sqrt: {name: vigor, length_correction: sqrt})")
        }
        var rewards: [(label: String, spec: JSONValue)] = []
        for (label, _, value) in try mapping(rewardsNode, "analysis.rewards") {
            rewards.append((label, try reward(value, "analysis.rewards.\(label)")))
        }
        guard !rewards.isEmpty else { throw fail(rewardsNode, "analysis.rewards: give at least one reward") }
        var analysis = Study.Analysis(checkpoint: checkpoint, prompts: prompts, numGenerations: g, temperature: temperature,
                                      maxCompletionLength: length, rewards: rewards)
        if let alongNode = pairs.value("along_training") {
            let a = try mapping(alongNode, "analysis.along_training")
            try checkKeys(a, valid: ["steps", "study", "variant"], "analysis.along_training")
            var names: [String] = []
            for key in ["study", "variant"] {
                guard let v = a.value(key) else {
                    throw fail(alongNode, "analysis.along_training: missing key '\(key)' (a train study and one of its variants, e.g. {study: headline, variant: vigor, steps: [0, 150, 300]})")
                }
                let name = try string(v, "analysis.along_training.\(key)")
                guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
                    throw fail(v, "analysis.along_training.\(key): '\(name)' is not a name (no '/', no leading '.')")
                }
                names.append(name)
            }
            guard let stepsNode = a.value("steps") else {
                throw fail(alongNode, "analysis.along_training: missing key 'steps' (training steps whose policies are scored, e.g. [0, 150, 300])")
            }
            var steps: [Int] = []
            for item in try sequence(stepsNode, "analysis.along_training.steps") {
                let step = try int(item, "analysis.along_training.steps[]")
                guard step >= 0 else { throw fail(item, "analysis.along_training.steps[]: \(step) is negative (0 = the base model)") }
                guard steps.last.map({ $0 < step }) ?? true else {
                    throw fail(item, "analysis.along_training.steps: must be increasing (\(step) after \(steps.last ?? 0))")
                }
                steps.append(step)
            }
            guard !steps.isEmpty, steps.count <= 100 else {
                throw fail(stepsNode, "analysis.along_training.steps: give 1 to 100 steps")
            }
            analysis.alongTraining = Study.AlongTrainingSpec(study: names[0], variant: names[1], steps: steps)
        }
        if let beyondNode = pairs.value("beyond") {
            let labels = rewards.map(\.label)
            for item in try sequence(beyondNode, "analysis.beyond") {
                let b = try mapping(item, "analysis.beyond[]")
                try checkKeys(b, valid: ["given", "reward"], "analysis.beyond[]")
                var pair: [String] = []
                for key in ["reward", "given"] {
                    guard let v = b.value(key) else { throw fail(item, "analysis.beyond[]: missing key '\(key)' (a label of analysis.rewards)") }
                    let label = try string(v, "analysis.beyond[].\(key)")
                    guard labels.contains(label) else {
                        throw fail(v, "analysis.beyond[].\(key): unknown reward label '\(label)'; please provide one of \(AblateError.list(labels))")
                    }
                    pair.append(label)
                }
                guard pair[0] != pair[1] else { throw fail(item, "analysis.beyond[]: '\(pair[0])' given itself leaves nothing to measure") }
                analysis.beyond.append((pair[0], pair[1]))
            }
        }
        try analysisPlan(pairs, into: &analysis)
        return analysis
    }

    /// `hypotheses:`, `smallest_effect:`, `alpha:` and `sd:` of an analysis study (its declared design).
    func analysisPlan(_ pairs: Pairs, into analysis: inout Study.Analysis) throws {
        if let node = pairs.value("smallest_effect") {
            let d = try double(node, "analysis.smallest_effect")
            guard d > 0, d < 0.5 else {
                throw fail(node, "analysis.smallest_effect: \(d) must lie in (0, 0.5): an AUROC's distance from 0.5 (e.g. 0.05)")
            }
            analysis.smallestEffect = d
        }
        if let node = pairs.value("alpha") {
            let a = try double(node, "analysis.alpha")
            guard a > 0, a < 1 else { throw fail(node, "analysis.alpha: \(a) must lie in (0, 1), e.g. 0.05") }
            analysis.alpha = a
        }
        if let node = pairs.value("sd") {
            let sd = try double(node, "analysis.sd")
            guard sd > 0, sd.isFinite else {
                throw fail(node, "analysis.sd: \(sd) must be a positive SD of one group's AUROC (e.g. 0.3)")
            }
            analysis.sd = sd
        }
        guard let node = pairs.value("hypotheses") else { return }
        let labels = analysis.rewards.map(\.label), suites = analysis.prompts.map(\.suite)
        for item in try sequence(node, "analysis.hypotheses") {
            let h = try mapping(item, "analysis.hypotheses[]")
            try checkKeys(h, valid: ["reward", "suite"], "analysis.hypotheses[]")
            guard let rewardNode = h.value("reward") else {
                throw fail(item, "analysis.hypotheses[]: missing key 'reward' (a label of analysis.rewards)")
            }
            let reward = try string(rewardNode, "analysis.hypotheses[].reward")
            guard labels.contains(reward) else {
                throw fail(rewardNode, "analysis.hypotheses[].reward: unknown reward label '\(reward)'; please provide one of \(AblateError.list(labels))")
            }
            guard let suiteNode = h.value("suite") else {
                throw fail(item, "analysis.hypotheses[]: missing key 'suite' (a suite of analysis.prompts)")
            }
            let suite = try string(suiteNode, "analysis.hypotheses[].suite")
            guard suites.contains(suite) else {
                throw fail(suiteNode, "analysis.hypotheses[].suite: '\(suite)' is not among analysis.prompts; please provide one of \(AblateError.list(suites))")
            }
            let hypothesis = Study.AnalysisHypothesis(reward: reward, suite: suite)
            guard !analysis.hypotheses.contains(hypothesis) else {
                throw fail(item, "analysis.hypotheses[]: \(reward) on \(suite) is declared twice")
            }
            analysis.hypotheses.append(hypothesis)
        }
        guard (1...3).contains(analysis.hypotheses.count) else {
            throw fail(node, "analysis.hypotheses: declare one to three primary hypotheses (Holm corrects over them), not \(analysis.hypotheses.count)")
        }
    }
}

extension StudyReader {
    /// `smallest_effect:`, `sd:` and `hypotheses:` of `comparisons:` (the study's declared design).
    func plan(_ pairs: Pairs, into c: inout Study.Comparison, variants: [Study.Variant], suites: [String]) throws {
        let metricList = AblateError.list(Study.Comparison.metricNames)
        if let node = pairs.value("smallest_effect") {
            for (metric, keyNode, value) in try mapping(node, "comparisons.smallest_effect") {
                guard Study.Comparison.metricNames.contains(metric) else {
                    throw fail(keyNode, "comparisons.smallest_effect: unknown metric '\(metric)'; please provide one of \(metricList)")
                }
                let d = try double(value, "comparisons.smallest_effect.\(metric)")
                guard d > 0, d.isFinite else {
                    throw fail(value, "comparisons.smallest_effect.\(metric): \(d) must be a positive difference (e.g. 0.03 for 3 accuracy points)")
                }
                c.smallestEffect[metric] = d
            }
        }
        if let node = pairs.value("sd") {
            for (metric, keyNode, value) in try mapping(node, "comparisons.sd") {
                guard Study.Comparison.metricNames.contains(metric) else {
                    throw fail(keyNode, "comparisons.sd: unknown metric '\(metric)'; please provide one of \(metricList)")
                }
                var bySuite: [String: Double] = [:]
                let entries: [(String, Node)]
                if case .mapping = value {
                    entries = try mapping(value, "comparisons.sd.\(metric)").map { ($0.key, $0.value) }
                    for (suite, _) in entries where !suites.contains(suite) {
                        throw fail(value, "comparisons.sd.\(metric): unknown suite '\(suite)'; please provide one of \(AblateError.list(suites))")
                    }
                } else {
                    entries = [("*", value)]
                }
                for (suite, v) in entries {
                    let sd = try double(v, "comparisons.sd.\(metric)")
                    guard sd > 0, sd.isFinite else { throw fail(v, "comparisons.sd.\(metric): \(sd) must be a positive standard deviation") }
                    bySuite[suite] = sd
                }
                c.sd[metric] = bySuite
            }
        }
        if let node = pairs.value("collapse") {
            let cp = try mapping(node, "comparisons.collapse")
            try checkKeys(cp, valid: ["below_base", "planned_rates"], "comparisons.collapse")
            guard let b = cp.value("below_base") else { throw fail(node, "comparisons.collapse: missing key 'below_base' (e.g. 0.10: a seed more than 10 points below the base model has collapsed)") }
            let below = try double(b, "comparisons.collapse.below_base")
            guard below > 0, below.isFinite else { throw fail(b, "comparisons.collapse.below_base: \(below) must be a positive difference") }
            c.collapseBelowBase = below
            if let ratesNode = cp.value("planned_rates") {
                for (arm, keyNode, value) in try mapping(ratesNode, "comparisons.collapse.planned_rates") {
                    guard variants.contains(where: { $0.name == arm }) else {
                        throw fail(keyNode, "comparisons.collapse.planned_rates: unknown variant '\(arm)'; please provide one of \(AblateError.list(variants.map(\.name)))")
                    }
                    let rate = try double(value, "comparisons.collapse.planned_rates.\(arm)")
                    guard (0...1).contains(rate) else { throw fail(value, "comparisons.collapse.planned_rates.\(arm): \(rate) is not a share of seeds in [0, 1]") }
                    c.plannedCollapseRates[arm] = rate
                }
            }
        }
        guard let node = pairs.value("hypotheses") else { return }
        let names = variants.map(\.name)
        for item in try sequence(node, "comparisons.hypotheses") {
            let h = try mapping(item, "comparisons.hypotheses[]")
            try checkKeys(h, valid: Study.hypothesisKeys, "comparisons.hypotheses[]")
            func required(_ key: String, _ example: String) throws -> (String, Node) {
                guard let v = h.value(key) else { throw fail(item, "comparisons.hypotheses[]: missing key '\(key)' (\(example))") }
                return (try string(v, "comparisons.hypotheses[].\(key)"), v)
            }
            let (variant, vNode) = try required("variant", "the variant under test")
            guard names.contains(variant) else {
                throw fail(vNode, "comparisons.hypotheses[].variant: unknown variant '\(variant)'; please provide one of \(AblateError.list(names))")
            }
            var control = variants.first { $0.name == variant }?.control ?? c.control
            if let cNode = h.value("control") {
                control = try string(cNode, "comparisons.hypotheses[].control")
                guard names.contains(control) else {
                    throw fail(cNode, "comparisons.hypotheses[].control: unknown variant '\(control)'; please provide one of \(AblateError.list(names))")
                }
            }
            guard control != variant else {
                throw fail(vNode, "comparisons.hypotheses[]: '\(variant)' is its own control; name another variant as `control:`")
            }
            let (suite, sNode) = try required("suite", "one of \(suites.joined(separator: ", "))")
            guard suites.contains(suite) else {
                throw fail(sNode, "comparisons.hypotheses[].suite: unknown suite '\(suite)'; please provide one of the evaluated suites \(AblateError.list(suites))")
            }
            let (metric, mNode) = try required("metric", "e.g. accuracy")
            guard Study.Comparison.metricNames.contains(metric) else {
                throw fail(mNode, "comparisons.hypotheses[].metric: unknown metric '\(metric)'; please provide one of \(metricList)")
            }
            var test = Study.HypothesisTest.mean
            if let tNode = h.value("test") {
                let t = try string(tNode, "comparisons.hypotheses[].test")
                guard let v = Study.HypothesisTest(rawValue: t) else {
                    throw fail(tNode, "comparisons.hypotheses[].test: unknown test '\(t)'; please provide one of \(AblateError.list(Study.HypothesisTest.allCases.map(\.rawValue)))")
                }
                test = v
                if test == .collapse && c.collapseBelowBase == nil {
                    throw fail(tNode, "comparisons.hypotheses[].test: 'collapse' counts collapsed seeds; say what a collapse is with `collapse: {below_base: 0.10}` (a final value more than 0.10 below the base model's)")
                }
            }
            guard test != .mean || c.smallestEffect[metric] != nil else {
                throw fail(mNode, "comparisons.hypotheses[].metric: '\(metric)' has no smallest effect; declare it as `smallest_effect: {\(metric): ...}` (the smallest difference that matters)")
            }
            var alternative = Alternative.twoSided
            if let aNode = h.value("alternative") {
                let a = try string(aNode, "comparisons.hypotheses[].alternative")
                guard let v = Alternative(rawValue: a) else {
                    throw fail(aNode, "comparisons.hypotheses[].alternative: unknown alternative '\(a)'; please provide one of \(AblateError.list(Alternative.allCases.map(\.rawValue)))")
                }
                alternative = v
            }
            if test == .spread && alternative != .twoSided, let aNode = h.value("alternative") {
                throw fail(aNode, "comparisons.hypotheses[].alternative: the spread test (Brown–Forsythe) is two-sided; remove `alternative:`")
            }
            let hypothesis = Study.Hypothesis(variant: variant, control: control, suite: suite, metric: metric, alternative: alternative, test: test)
            guard !c.hypotheses.contains(where: { $0.variant == variant && $0.control == control && $0.suite == suite && $0.metric == metric && $0.test == test }) else {
                throw fail(item, "comparisons.hypotheses[]: \(variant) vs \(control) on \(suite) \(metric) (\(test.rawValue)) is declared twice")
            }
            c.hypotheses.append(hypothesis)
            if !c.metrics.contains(metric) { c.metrics.append(metric) }
        }
        guard !c.hypotheses.isEmpty else { throw fail(node, "comparisons.hypotheses: the list is empty; declare at least one or remove the key") }
        if c.correction != .holm, let cNode = pairs.value("correction") {
            throw fail(cNode, "comparisons.correction: the primary hypotheses are corrected with Holm (family-wise error, with matching intervals); remove `correction:` or set it to holm")
        }
    }
}

extension Array where Element == (key: String, keyNode: Node, value: Node) {
    func value(_ key: String) -> Node? { first { $0.key == key }?.value }
}

extension Node {
    /// The resolved tag (`Tag.name` is internal to Yams; its description is the resolved name).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.description) }
}
