import Foundation
import MiniLM
import Tasks
import Testing

@testable import Ablate

@Suite("pre-training")
struct PretrainTests {
    @Test("a short run on a tiny model: held-out loss falls by more than half from ln V")
    func lossFalls() throws {
        let result = try Pretrainer(recipe: tinyRecipe(steps: 60), threads: 2).run()
        let first = try #require(result.history.first), last = try #require(result.history.last)
        #expect(first.step == 0 && last.step == 60)
        #expect(abs(first.heldOutLoss - log(Double(try TaskVocabulary.tokenizer().vocabSize))) < 0.3, "init ≈ ln V")
        #expect(last.heldOutLoss < 0.5 * first.heldOutLoss, "held-out \(first.heldOutLoss) → \(last.heldOutLoss)")
        #expect(last.loss.isFinite && last.tokensPerSecond > 0)
    }

    @Test("same recipe, same weights: a run is deterministic")
    func deterministic() throws {
        let a = try Pretrainer(recipe: tinyRecipe(steps: 5)).run(), b = try Pretrainer(recipe: tinyRecipe(steps: 5)).run()
        #expect((0..<a.model.parameterCount).allSatisfy { a.model.params[$0] == b.model.params[$0] })
    }

    // MARK: Recipe hash

    @Test("the hash is stable: equal for equal recipes, after a JSON round trip and for reformatted overrides")
    func hashStable() throws {
        let r = tinyRecipe()
        #expect(try r.hash() == (try tinyRecipe().hash()))
        #expect(try PretrainRecipe.decode(json: r.canonicalJSON).hash() == (try r.hash()))
        var spaced = r
        spaced.familyOverrides = ["arith": #"{ "maxOperands" : 2, "digits" : 1 }"#]
        #expect(try spaced.hash() == (try r.hash()))
        #expect(try r.hash().count == 16)
    }

    /// One change of every recipe field (names as in `PretrainRecipe.fieldNames`).
    static let mutations: [(String, @Sendable (inout PretrainRecipe) -> Void)] = [
        ("batchSize", { $0.batchSize += 1 }), ("bucketBatches", { $0.bucketBatches += 1 }),
        ("dModel", { $0.dModel = 32 }), ("evalInterval", { $0.evalInterval += 1 }),
        ("familyOverrides", { $0.familyOverrides["trace"] = #"{"maxLoop": 2}"# }),
        ("flawedFraction", { $0.flawedFraction = 0.2 }), ("gradClip", { $0.gradClip = 0.5 }),
        ("heads", { $0.heads = 4 }), ("heldOutExamples", { $0.heldOutExamples += 1 }), ("layers", { $0.layers = 2 }),
        ("learningRate", { $0.learningRate *= 2 }), ("minLRRatio", { $0.minLRRatio = 0.2 }),
        ("mix", { $0.mix["word"] = 0.5 }), ("mlpHidden", { $0.mlpHidden = 32 }), ("preset", { $0.preset = "base" }),
        ("seed", { $0.seed += 1 }), ("steps", { $0.steps += 1 }), ("warmupSteps", { $0.warmupSteps += 1 }),
        ("weightDecay", { $0.weightDecay = 0 }),
    ]

    @Test("the hash changes with every field, and the mutation table covers every field")
    func hashSensitive() throws {
        #expect(Self.mutations.map(\.0) == PretrainRecipe.fieldNames)
        let encoded = try JSONSerialization.jsonObject(with: Data(tinyRecipe().canonicalJSON.utf8)) as? [String: Any]
        #expect(encoded.map { $0.keys.sorted() } == PretrainRecipe.fieldNames)
        let base = try tinyRecipe().hash()
        var seen = Set([base])
        for (field, mutate) in Self.mutations {
            var r = tinyRecipe()
            mutate(&r)
            let h = try r.hash()
            #expect(h != base, "changing \(field) leaves the hash unchanged")
            seen.insert(h)
        }
        #expect(seen.count == Self.mutations.count + 1)
    }

    @Test("overrides: known keys apply, an unknown key is refused with the valid keys")
    func overrides() throws {
        let r = try PretrainRecipe().applying(overridesJSON: #"{"steps": 7, "d_model": 64, "min_lr_ratio": 0.2}"#)
        #expect(r.steps == 7 && r.dModel == 64 && r.minLRRatio == 0.2)
        let camel = #expect(throws: AblateError.self) { try PretrainRecipe().applying(overridesJSON: #"{"dModel": 64}"#) }
        #expect(camel?.description.contains("'d_model'") == true, "\(String(describing: camel))")
        let error = #expect(throws: AblateError.self) { try PretrainRecipe().applying(overridesJSON: #"{"stpes": 7}"#) }
        #expect(error?.description.contains("stpes") == true && error?.description.contains("'steps'") == true)
        #expect(throws: AblateError.self) { try PretrainRecipe().applying(overridesJSON: #"{"steps": "many"}"#) }
        #expect(throws: AblateError.self) { try PretrainRecipe().applying(overridesJSON: #"{"steps": 0}"#) }
        #expect(throws: AblateError.self) { try PretrainRecipe().applying(overridesJSON: #"{"preset": "huge"}"#) }
    }

    /// `family_overrides` takes each family's knobs as a snake_case mapping, merged onto the recipe's own knobs of
    /// that family; the other families keep theirs; the stored form is the knobs' JSON (camelCase), as hashed.
    @Test func familyOverridesMergeOntoTheRecipesKnobs() throws {
        let r = try PretrainRecipe().applying(overridesJSON: #"{"family_overrides": {"arith": {"max_operands": 4, "solutions": "varied"}}}"#)
        #expect(r.familyOverrides["arith"] == #"{"digits":1,"maxOperands":4,"maxValue":99,"solutions":"varied"}"#)
        #expect(r.familyOverrides["word"] == PretrainRecipe().familyOverrides["word"])
        #expect(r.familyOverrides["trace"] == PretrainRecipe().familyOverrides["trace"])
        let arith = try #require(r.families().first { $0.name == "arith" } as? ArithFamily)
        #expect(arith.config.maxOperands == 4 && arith.config.digits == 1 && arith.config.solutions == .varied)
        #expect(try r.hash() != PretrainRecipe().hash())
        let camel = #expect(throws: AblateError.self) {
            try PretrainRecipe().applying(overridesJSON: #"{"family_overrides": {"arith": {"maxOperands": 4}}}"#)
        }
        #expect(camel?.description.contains("max_operands") == true, "\(String(describing: camel))")
        #expect(throws: AblateError.self) { try PretrainRecipe().applying(overridesJSON: #"{"family_overrides": {"code": {}}}"#) }
        #expect(throws: AblateError.self) { try PretrainRecipe().applying(overridesJSON: #"{"family_overrides": {"arith": "{}"}}"#) }
    }

    // MARK: --mix

    @Test("mix parsing", arguments: [
        ("arith=0.5,word=0.3,trace=0.2", ["arith": 0.5, "word": 0.3, "trace": 0.2]),
        (" arith = 1 , word=0 ", ["arith": 1, "word": 0]),
    ])
    func mixParses(_ text: String, _ expected: [String: Double]) throws {
        #expect(try MixSpec.parse(text) == expected)
        #expect(try MixSpec.parse(MixSpec.format(expected)) == expected)
    }

    @Test("malformed mixes are refused, naming the bad part", arguments: [
        ("arith=0.5,code=0.5", "'code'"), ("arith", "'arith'"), ("arith=x", "'x'"), ("arith=-1", "'-1'"),
        ("arith=nan", "'nan'"), ("arith=0,word=0", "positive"), ("arith=1,arith=2", "twice"), ("", "name=weight"),
        ("arith=1,", "name=weight"),
    ])
    func mixErrors(_ text: String, _ mention: String) {
        let error = #expect(throws: AblateError.self) { try MixSpec.parse(text) }
        #expect(error?.description.contains(mention) == true, "\(String(describing: error))")
    }

    @Test("an unknown mix family lists the valid ones")
    func mixUnknownFamily() {
        let error = #expect(throws: AblateError.self) { try MixSpec.parse("code=1") }
        #expect(error == .unknownSuite(name: "code", valid: ["arith", "word", "trace"]))
        #expect(error?.description == "unknown suite 'code'; please provide one of 'arith', 'word' or 'trace'")
    }

    // MARK: Cache

    @Test("cache: trains once, then reuses the checkpoint with one note; --out bypasses it")
    func cacheReuse() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recipe = tinyRecipe(steps: 3)
        var notes: [String] = []
        let first = try BaseModelCache.obtain(recipe: recipe, directory: dir, note: { notes.append($0) })
        #expect(!first.reused && notes.isEmpty)
        #expect(first.path == (dir as NSString).appendingPathComponent("small-\(try recipe.hash()).safetensors"))
        #expect(FileManager.default.fileExists(atPath: BaseModelCache.logPath(forCheckpoint: first.path)))
        let meta = try Checkpoint.load(path: first.path).metadata
        #expect(meta["recipe_hash"] == (try recipe.hash()) && meta["recipe"] == recipe.canonicalJSON)
        #expect(meta["code_version"] != nil && meta["machine"] != nil)

        let second = try BaseModelCache.obtain(recipe: recipe, directory: dir, note: { notes.append($0) })
        #expect(second.reused && second.path == first.path && second.result == nil)
        #expect(notes.count == 1 && notes[0].contains(first.path))

        let out = (dir as NSString).appendingPathComponent("mine.safetensors")
        let third = try BaseModelCache.obtain(recipe: recipe, directory: dir, out: out)
        #expect(!third.reused && third.path == out)
    }

    @Test("cache: a corrupt or foreign cached checkpoint is refused, naming its path")
    func cacheCorrupt() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recipe = tinyRecipe(steps: 2)
        let path = try BaseModelCache.path(for: recipe, directory: dir)
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: AblateError.self) { try BaseModelCache.obtain(recipe: recipe, directory: dir) }
        #expect(error?.description.contains(path) == true)

        // A valid checkpoint of another recipe under this recipe's name.
        var other = recipe
        other.seed += 1
        let made = try BaseModelCache.obtain(recipe: other, directory: dir)
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: made.path, toPath: path)
        let foreign = #expect(throws: AblateError.self) { try BaseModelCache.obtain(recipe: recipe, directory: dir) }
        #expect(foreign?.description.contains("recipe hash") == true)
    }
}
