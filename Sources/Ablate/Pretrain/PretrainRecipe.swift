import Foundation
import JSON
import Seeded
import MiniLM
import Tasks

/// Everything that determines a pre-trained base model: the corpus (mix, flawed fraction, family knobs), the
/// model, the optimisation and the seed. Its `hash` keys the checkpoint cache, so two runs of one recipe on one
/// code version produce one file.
///
/// The defaults are the `base` recipe of the task studies: tuned so that a 2-core machine pre-trains it in
/// under 10 minutes and its greedy test accuracy lands in the middle band of issue 3 (arith 30–70%, word
/// 20–60%, trace 10–50%), leaving RL room to move in both directions.
public struct PretrainRecipe: Codable, Equatable, Sendable {
    /// MiniLM preset the model starts from (`ModelConfig.preset`). "base": the studies' base model.
    public var preset = "base"
    /// Overrides of the preset's dimensions (nil keeps the preset's value).
    public var layers: Int? = nil
    public var heads: Int? = nil
    /// nil: the `base` preset's 96 and 384 (see `ModelConfig.preset`).
    public var dModel: Int? = nil
    public var mlpHidden: Int? = nil

    /// Relative weight of each family in the corpus (normalised; a missing family gets 0). trace is
    /// under-represented (issue 3) so that transfer from math training to code is measurable, yet present so
    /// the base model knows its format (0.10 and 0.15 gave the same trace accuracy; 0.15 keeps it well inside
    /// its band). word gets the most: it is the hardest family, and with the d96 model arith reaches its band
    /// on a quarter of the corpus (0.4/0.45/0.15 over 4600 steps: arith 91%, word 70%, trace 39%).
    public var mix: [String: Double] = ["arith": 0.25, "word": 0.6, "trace": 0.15]
    /// Fraction of examples whose solution carries one slip propagated to a wrong answer. The base model learns
    /// the format and is usually right, but not reliably.
    public var flawedFraction = 0.1
    /// Family knob overrides, family name → JSON object (e.g. `"arith": "{\"maxOperands\": 4}"`); the same knobs
    /// are used for evaluation of this model. They scale the families to what the base model learns in 10 CPU
    /// minutes (measured on 500 test problems per family):
    /// - arith: one-digit operands, results up to 99 (two-digit operands stayed at 10%).
    /// - word: quantities up to 12, amounts up to 8, 1–3 steps; the test split is mostly two- and three-step
    ///   because distinct problems are drawn by identity. With the 0.8M model of the earlier recipes word stayed
    ///   at 9–16% (one-step 50–80%, two-step 8–16%, three-step 3–5%) whatever the knobs; the d96 model trained
    ///   longer is what lifted it into its band.
    /// - trace: literals up to 5, values up to 50.
    /// Variants of the earlier d128 recipe (mix, word knobs, flawed fraction) moved arith between 27% and 48%
    /// from run to run: the accuracies sit on a steep part of the learning curve.
    public var familyOverrides: [String: String] = [
        "arith": #"{"digits": 1, "maxValue": 99}"#,
        "word": #"{"maxAmount": 8, "maxStart": 12, "maxValue": 60}"#,
        "trace": #"{"maxLiteral": 5, "maxValue": 50}"#,
    ]

    /// Optimiser steps. 2800 × 64 sequences ≈ 12M tokens ≈ 6 minutes at ~37k tokens/s on 2 cores, leaving
    /// margin under the 10-minute budget. Measured with d96 (arith/word/trace on 500 test problems): 2400 steps
    /// at 0.3/0.55/0.15 gave 60/27/23% in 4:54; this recipe (2800 steps at 0.25/0.6/0.15) 56/46/35% in 5:52;
    /// 4600 steps at 0.4/0.45/0.15 gave 91/70/39% in 8:33.
    public var steps = 2800
    /// Sequences per step. At this token budget more, smaller steps learn faster: 64 beat 128 at equal tokens
    /// (held-out loss 1.21 vs 1.43), while 64 sequences still keep the GEMMs large enough for BLAS.
    public var batchSize = 64
    /// Peak learning rate. Tiny models tolerate (and need) a larger rate than nanoGPT's 6e-4 for GPT-2: 5e-3
    /// beat 2e-3 clearly, and clipping keeps the early steps stable.
    public var learningRate = 6e-3
    /// Linear warm-up steps: steadies AdamW's second-moment estimates before the peak rate.
    public var warmupSteps = 100
    /// Final learning rate as a fraction of the peak (cosine decay; nanoGPT decays to 10%).
    public var minLRRatio = 0.1
    /// AdamW decoupled weight decay on matrices and embeddings (nanoGPT's 0.1).
    public var weightDecay = 0.1
    /// Global gradient-norm clip (nanoGPT's 1.0): guards the early high-rate steps against spikes.
    public var gradClip = 1.0
    /// Seed of the initial weights, the corpus stream and the batch order.
    public var seed: UInt64 = 0
    /// Steps between progress lines and held-out losses (12 lines per default run, ~0.5 s each).
    public var evalInterval = 250
    /// Held-out examples (test split, same mix) for the validation loss. 512: a loss to ±0.01 in ~1 s.
    public var heldOutExamples = 512
    /// Batches drawn at once and bucketed by length: sequences of similar length share a batch, so less of each
    /// batch is padding (right padding to the longest sequence). 16: enough to bucket, little memory.
    public var bucketBatches = 16

    public init() {}

    // MARK: Resolution

    /// The model configuration: the preset with the dimension overrides.
    public func modelConfig(vocabSize: Int) throws -> ModelConfig {
        var c: ModelConfig
        do { c = try ModelConfig.preset(preset, vocabSize: vocabSize) } catch {
            throw AblateError.invalidRecipe(field: "preset", value: preset,
                                            reason: "must be one of \(AblateError.list(ModelConfig.presetNames))")
        }
        if let v = layers { c.layers = v }
        if let v = heads { c.heads = v }
        if let v = dModel { c.dModel = v }
        if let v = mlpHidden { c.mlpHidden = v }
        do { try c.validate() } catch { throw AblateError.invalidRecipe(field: "model", value: "\(c)", reason: "\(error)") }
        return c
    }

    /// Every registered family with this recipe's knob overrides, in registry order.
    public func families() throws -> [any TaskFamily] {
        try Self.families(overrides: familyOverrides)
    }

    /// Every registered family with knob `overrides` (family name → JSON object) applied, in registry order.
    public static func families(overrides: [String: String]) throws -> [any TaskFamily] {
        for name in overrides.keys.sorted() where !TaskRegistry.names.contains(name) {
            throw AblateError.unknownSuite(name: name, valid: TaskRegistry.names)
        }
        return try TaskRegistry.names.map { name in
            guard let json = overrides[name] else { return try TaskRegistry.family(named: name) }
            do { return try TaskRegistry.family(named: name, overridesJSON: json) } catch {
                throw AblateError.invalidRecipe(field: "familyOverrides.\(name)", value: json, reason: "\(error)")
            }
        }
    }

    /// The corpus generator of this recipe.
    public func corpus() throws -> CorpusGenerator {
        var config = CorpusConfig()
        config.weights = mix
        config.flawedFraction = flawedFraction
        do { return try CorpusGenerator(config: config, families: try families()) } catch let e as AblateError {
            throw e
        } catch {
            throw AblateError.invalidRecipe(field: "mix", value: MixSpec.format(mix), reason: "\(error)")
        }
    }

    /// The valid range of each integer knob. Each bound keeps one allocation or one run finite: batchSize ·
    /// bucketBatches examples are held at once, heldOutExamples are encoded up front, steps and intervals are
    /// loop counts.
    public static let limits = (steps: 1...10_000_000, batchSize: 1...4096, warmupSteps: 0...10_000_000,
                                evalInterval: 1...10_000_000, heldOutExamples: 1...100_000, bucketBatches: 1...1024,
                                pooledExamples: 65_536)
    /// The model's dimensions, and at most 100M parameters (the base model has ~0.45M).
    public static let dimensionLimits: (layers: ClosedRange<Int>, heads: ClosedRange<Int>, dModel: ClosedRange<Int>,
                                        mlpHidden: ClosedRange<Int>, parameters: Int) = (1...48, 1...64, 1...4096, 1...16_384, 100_000_000)

    /// Checks every field; the first bad one is an `AblateError.invalidRecipe`.
    public func validate() throws {
        func require(_ ok: Bool, _ field: String, _ value: Any, _ reason: String) throws {
            // Named as study files and --overrides spell it.
            if !ok { throw AblateError.invalidRecipe(field: Overrides.snakeCase(field), value: "\(value)", reason: reason) }
        }
        func range<T: Comparable>(_ value: T, _ r: ClosedRange<T>, _ field: String) throws {
            try require(r.contains(value), field, value, "must be in \(r.lowerBound)...\(r.upperBound)")
        }
        try range(steps, Self.limits.steps, "steps")
        try range(batchSize, Self.limits.batchSize, "batchSize")
        try require(learningRate > 0 && learningRate <= 10, "learningRate", learningRate, "must be in (0, 10]")
        try range(warmupSteps, Self.limits.warmupSteps, "warmupSteps")
        try require((0...1).contains(minLRRatio), "minLRRatio", minLRRatio, "must be in 0...1")
        try range(weightDecay, 0...10, "weightDecay")
        try require((0...1e6).contains(gradClip), "gradClip", gradClip, "must be in 0...1e6 (0 = off)")
        try range(evalInterval, Self.limits.evalInterval, "evalInterval")
        try range(heldOutExamples, Self.limits.heldOutExamples, "heldOutExamples")
        try range(bucketBatches, Self.limits.bucketBatches, "bucketBatches")
        // Examples drawn and sorted at once (`BatchStream`): bounded, and batchSize · bucketBatches cannot overflow.
        try require(batchSize * bucketBatches <= Self.limits.pooledExamples, "bucketBatches", bucketBatches,
                    "batch_size · bucket_batches = \(batchSize * bucketBatches) must be at most \(Self.limits.pooledExamples)")
        try require((0...1).contains(flawedFraction), "flawedFraction", flawedFraction, "must be in 0...1")
        // The model's dimensions: bounded so a typo cannot ask a CPU trainer for gigabytes of weights and activations.
        if let layers { try range(layers, Self.dimensionLimits.layers, "layers") }
        if let heads { try range(heads, Self.dimensionLimits.heads, "heads") }
        if let dModel { try range(dModel, Self.dimensionLimits.dModel, "dModel") }
        if let mlpHidden { try range(mlpHidden, Self.dimensionLimits.mlpHidden, "mlpHidden") }
        let config = try modelConfig(vocabSize: TaskVocabulary.tokenizer().vocabSize)
        let parameters = ParameterLayout(config: config).count
        try require(parameters <= Self.dimensionLimits.parameters, "dModel", config.dModel,
                    "the model would have \(parameters) parameters; at most \(Self.dimensionLimits.parameters) (the base model has ~0.45M)")
        _ = try corpus()
    }

    // MARK: Hash

    /// What the hash covers: the recipe with family overrides replaced by the resolved knobs of every family
    /// (so a changed default in `Tasks` or a reformatted override JSON is seen as what it is), the resolved
    /// model configuration and the vocabulary.
    private struct HashDocument: Encodable {
        /// 2: `arith` identities became order-free (commuted twins share a split), which changes every corpus.
        let format = 2
        let recipe: PretrainRecipe
        let model: ModelConfig
        let families: [String: String]
        let vocabulary: String
    }

    /// The recipe as JSON with sorted keys (what checkpoints store as `recipe`).
    public var canonicalJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// FNV-1a-64 of the canonical (sorted-keys) JSON of the hash document, as 16 hex digits. Stable across runs
    /// and machines; changes with any field that changes the trained model.
    public func hash() throws -> String {
        var stripped = self
        stripped.familyOverrides = [:]
        let families = try self.families()
        let doc = HashDocument(recipe: stripped, model: try modelConfig(vocabSize: TaskVocabulary.tokenizer().vocabSize),
                               families: Dictionary(uniqueKeysWithValues: families.map { ($0.name, $0.configJSON) }),
                               vocabulary: Alphabet.string)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = try encoder.encode(doc)
        return String(format: "%016llx", StableHash.fnv1a64(bytes))
    }

    /// The recipe stored in a checkpoint's metadata.
    public static func decode(json: String) throws -> PretrainRecipe {
        try JSONDecoder().decode(PretrainRecipe.self, from: Data(json.utf8))
    }
}

// MARK: - Overrides

extension PretrainRecipe {
    /// This recipe with the keys of the JSON object `json` replaced, spelled as study files and `ablate pretrain
    /// --overrides` write them: snake_case (`{"steps": 500, "d_model": 96}`), with `family_overrides` a mapping of
    /// family → knobs, also snake_case (`{"arith": {"max_operands": 4}}`), merged onto this recipe's knobs of that
    /// family (the other families keep theirs). The recipe's own JSON (hashes,
    /// checkpoint metadata) keeps its camelCase names; a camelCase key here is refused naming its new spelling.
    /// An unknown key (listing the valid ones), a wrong type or an invalid value is an `AblateError`.
    public func applying(overridesJSON json: String) throws -> PretrainRecipe {
        let object: [String: Any]
        do { object = try Overrides.object(json: json) } catch {
            throw AblateError.invalidRecipe(field: "(overrides)", value: json, reason: "expected a JSON object such as {\"steps\": 500}")
        }
        return try applying(overrides: object)
    }

    /// As `applying(overridesJSON:)`, from a parsed JSON object.
    public func applying(overrides object: [String: Any]) throws -> PretrainRecipe {
        func refuse(_ failure: Overrides.Failure, prefix: String = "", valid: [String]) -> AblateError {
            switch failure {
            case let .renamed(key, spelling):
                return .invalidRecipe(field: prefix + key, value: "\(object[key] ?? "")", reason: "is spelled '\(spelling)' (snake_case) in study files and --overrides")
            case let .unknownKey(key, _):
                return .invalidRecipe(field: prefix + key, value: "\(object[key] ?? "")",
                                      reason: Suggestion.unknownKey(key, valid: valid, list: AblateError.list(valid)))
            case let .wrongType(key, expected, _):
                return .invalidRecipe(field: prefix + key, value: "\(object[key] ?? "")", reason: "expected \(expected)")
            case let .notAnObject(text):
                return .invalidRecipe(field: prefix.isEmpty ? "(overrides)" : String(prefix.dropLast()), value: text, reason: "expected a JSON object")
            }
        }
        var named: [String: Any]
        do { named = try Overrides.fromSnakeCase(object, names: Self.fieldNames) } catch let f as Overrides.Failure {
            throw refuse(f, valid: Self.publicFieldNames)
        }
        if let families = named["familyOverrides"] {
            guard let families = families as? [String: Any] else {
                throw AblateError.invalidRecipe(field: "family_overrides", value: "\(families)",
                                                reason: "expected a mapping of family to knobs, e.g. {\"arith\": {\"max_operands\": 4}}")
            }
            var encoded: [String: String] = [:]
            for (family, knobs) in families.sorted(by: { $0.key < $1.key }) {
                let names: [String]
                do { names = try TaskRegistry.knobNames(family: family) } catch {
                    throw AblateError.unknownSuite(name: family, valid: TaskRegistry.names)
                }
                guard let knobs = knobs as? [String: Any] else {
                    throw AblateError.invalidRecipe(field: "family_overrides.\(family)", value: "\(knobs)",
                                                    reason: "expected a mapping of knobs, e.g. {\"max_operands\": 4}")
                }
                let translated: [String: Any]
                do { translated = try Overrides.fromSnakeCase(knobs, names: names) } catch let f as Overrides.Failure {
                    throw refuse(f, prefix: "family_overrides.\(family).", valid: names.map(Overrides.snakeCase))
                }
                // Knobs merge onto this recipe's own overrides of the family (the default recipe scales every family).
                var merged = familyOverrides[family].flatMap { try? Overrides.object(json: $0) } ?? [:]
                merged.merge(translated) { $1 }
                let data = try JSONSerialization.data(withJSONObject: merged, options: [.sortedKeys])
                encoded[family] = String(decoding: data, as: UTF8.self)
            }
            named["familyOverrides"] = familyOverrides.merging(encoded) { $1 }
        }
        let recipe: PretrainRecipe
        // Every field may be given, also the model dimensions whose nil default is left out of the encoding.
        do { recipe = try Overrides.apply(named, to: self, optionalKeys: Self.fieldNames) } catch let f as Overrides.Failure {
            if case let .wrongType(key, expected, _) = f {
                throw AblateError.invalidRecipe(field: Overrides.snakeCase(key), value: "\(object[Overrides.snakeCase(key)] ?? "")", reason: "expected \(expected)")
            }
            throw refuse(f, valid: Self.publicFieldNames)
        }
        try recipe.validate()
        return recipe
    }

    /// A named recipe: the default (`base`), or another that ships (`NamedRecipe.all`), or an error listing them.
    public static func named(_ name: String) throws -> PretrainRecipe {
        guard let entry = NamedRecipe.all.first(where: { $0.name == name }) else {
            throw AblateError.invalidRecipe(field: "recipe", value: name,
                                            reason: "must be one of \(AblateError.list(NamedRecipe.all.map(\.name)))")
        }
        return try PretrainRecipe().applying(overridesJSON: entry.overrides)
    }

    /// Every key as study files and `--overrides` spell it (snake_case), sorted.
    public static var publicFieldNames: [String] { fieldNames.map(Overrides.snakeCase).sorted() }

    /// Every key of the recipe's JSON form, sorted.
    public static let fieldNames = ["batchSize", "bucketBatches", "dModel", "evalInterval", "familyOverrides",
                                    "flawedFraction", "gradClip", "heads", "heldOutExamples", "layers", "learningRate",
                                    "minLRRatio", "mix", "mlpHidden", "preset", "seed", "steps", "warmupSteps",
                                    "weightDecay"]
}
