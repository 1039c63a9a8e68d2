import Foundation
import MiniLM
import Testing

@testable import Ablate

/// The base checkpoint shipped in models/ is the default recipe's: its name and its header carry the recipe hash
/// every study resolves, and the cache copies it instead of pre-training.
@Suite struct ShippedBaseTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(arguments: NamedRecipe.all.map(\.name))
    func eachNamedRecipeShipsItsCheckpoint(name: String) throws {
        let recipe = try PretrainRecipe.named(name)
        let hash = try recipe.hash()
        let path = Self.root.appendingPathComponent("models/\(recipe.preset)-\(hash).safetensors").path
        #expect(FileManager.default.fileExists(atPath: path), "models/ has no checkpoint of the recipe '\(name)' (\(hash)): `make base RECIPES=\(name)`")
        // Header: the recipe's hash and its canonical JSON (the cache refuses any other).
        try BaseModelCache.validateCached(path: path, hash: hash)
        let contents = try Checkpoint.load(path: path)
        #expect(contents.metadata["recipe"] == recipe.canonicalJSON)
    }

    /// `base` is the default recipe; a study names a recipe with `base_model: {recipe: NAME}` and may override it.
    @Test func namedRecipes() throws {
        #expect(try PretrainRecipe.named("base") == PretrainRecipe())
        #expect(throws: AblateError.self) { try PretrainRecipe.named("huge") }
        let study = try Study.parse(yaml: "description: d\nbase_model: {recipe: base, steps: 100}\nseeds: [1]\nvariants: {a: {}}\n",
                                    path: "studies/x.yaml")
        #expect(study.recipe.steps == 100 && study.recipe.mix == PretrainRecipe().mix)
        do {
            _ = try Study.parse(yaml: "description: d\nbase_model: {recipe: huge}\nseeds: [1]\nvariants: {a: {}}\n", path: "studies/x.yaml")
            Issue.record("an unknown recipe was accepted")
        } catch {
            #expect("\(error)".contains("studies/x.yaml:2:22") && "\(error)".contains("'base'"), "\(error)")
        }
    }

    /// With no cached copy, `obtain` copies the shipped file into the cache (same bytes) and trains nothing.
    @Test func obtainCopiesTheShippedBase() throws {
        let recipe = PretrainRecipe()
        let hash = try recipe.hash()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("shipped-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/models", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let shipped = Self.root.appendingPathComponent("models/\(recipe.preset)-\(hash).safetensors").path
        try FileManager.default.copyItem(atPath: shipped, toPath: dir + "/models/\(recipe.preset)-\(hash).safetensors")
        var notes: [String] = []
        let outcome = try BaseModelCache.obtain(recipe: recipe, directory: dir + "/runs/cache", shipped: dir + "/models",
                                                note: { notes.append($0) })
        #expect(outcome.reused && outcome.result == nil)
        #expect(notes.contains { $0.contains("using the shipped base model") })
        #expect(FileManager.default.contentsEqual(atPath: outcome.path, andPath: shipped))
    }
}

/// At the base recipe's arith knobs the test split has a few hundred problems: evaluation takes them all (and says
/// its n) rather than failing, while a plain draw of more than exist still throws.
@Suite struct SmallSplitTests {
    @Test func aSmallSplitIsEvaluatedWhole() throws {
        let families = try PretrainRecipe.families(overrides: PretrainRecipe().familyOverrides)
        let arith = try #require(families.first { $0.name == "arith" })
        let all = try arith.problems(count: 1000, split: .test, seed: 0, allowFewer: true)
        #expect(all.count > 100 && all.count < 1000, "\(all.count)")
        #expect(Set(all.map(\.identity)).count == all.count && all.allSatisfy { $0.split == .test })
        #expect(throws: (any Error).self) { _ = try arith.problems(count: 1000, split: .test, seed: 0) }
        // Nearly the whole split for any seed (the draw budget can miss a few rare problems), in another order.
        let other = try arith.problems(count: 1000, split: .test, seed: 5, allowFewer: true)
        let shared = Set(other.map(\.identity)).intersection(all.map(\.identity)).count
        #expect(Double(shared) >= 0.95 * Double(all.count), "\(shared) of \(all.count)")
    }
}
