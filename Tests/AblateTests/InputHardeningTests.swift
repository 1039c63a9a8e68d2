import Foundation
import MiniLM
import Testing

@testable import Ablate

/// Issue 9 at the library boundary: recipe ranges, evaluation settings, inspect input lines and output paths.
@Suite struct InputHardeningTests {
    func errorText(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    @Test(arguments: [
        (#"{"batch_size": 1000000000}"#, "batch_size = 1000000000: must be in 1...4096"),
        (#"{"bucket_batches": 1000000000000}"#, "bucket_batches = 1000000000000: must be in 1...1024"),
        (#"{"batch_size": 1024, "bucket_batches": 128}"#, "batch_size · bucket_batches = 131072 must be at most 65536"),
        (#"{"held_out_examples": 0}"#, "held_out_examples = 0: must be in 1...100000"),
        (#"{"held_out_examples": 100001}"#, "held_out_examples = 100001"),
        (#"{"steps": 100000000}"#, "steps = 100000000: must be in 1...10000000"),
        (#"{"eval_interval": 0}"#, "eval_interval = 0"),
        (#"{"warmup_steps": -1}"#, "warmup_steps = -1"),
        (#"{"learning_rate": 1e9}"#, "learning_rate = 1000000000.0: must be in (0, 10]"),
        (#"{"grad_clip": 1e300}"#, "grad_clip"),
    ])
    func recipeRanges(overrides: String, message: String) {
        let m = errorText { _ = try PretrainRecipe().applying(overridesJSON: overrides) }
        #expect(m.contains(message), "\(overrides): \(m)")
    }

    @Test func defaultRecipeIsValid() throws {
        try PretrainRecipe().validate()
        try tinyRecipe().validate()
    }

    @Test func evaluationBounds() {
        var s = EvaluationSettings()
        s.k = 1025
        #expect(errorText { try s.validate() }.contains("k = 1025: must be in 1...1024"))
        s.k = 1
        s.suites = ["arith", "word", "arith"]
        #expect(errorText { try s.validate() }.contains("'arith' is listed twice"))
        s.suites = ["arith"]
        s.problemsPerSuite = 100_001
        #expect(errorText { try s.validate() }.contains("n = 100001: must be at most 100000"))
    }

    @Test(arguments: [
        (#"{"id": 1, "prompt": "1+2=?\n", "completion": "3", "prompt_ids": [1], "completion_ids": [2]}"#, "has both text"),
        (#"{"id": 1, "prompt_ids": [1, 9007199254740993], "completion_ids": [2]}"#, "magnitude ≥ 2^53"),
        (#"{"id": 1, "prompt_ids": [1, -3], "completion_ids": [2]}"#, "holds -3, not a token id"),
    ])
    func badInspectLines(line: String, message: String) throws {
        let tok = try TaskVocabulary.tokenizer()
        let m = errorText { _ = try Inspector.parseSamples(jsonl: "\n" + line, path: "s.jsonl", tokenizer: tok, contextLength: 64) }
        #expect(m.contains("s.jsonl:2: "), "\(m)")
        #expect(m.contains(message), "\(m)")
    }

    @Test func crlfLinesParseLikeLF() throws {
        let tok = try TaskVocabulary.tokenizer()
        let lf = #"{"id": 1, "prompt": "1+2=?\n", "completion": "3"}"# + "\n" + #"{"id": 2, "prompt_ids": [1, 20], "completion_ids": [25, 2]}"# + "\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let a = try Inspector.parseSamples(jsonl: lf, path: "a", tokenizer: tok, contextLength: 64)
        let b = try Inspector.parseSamples(jsonl: crlf, path: "b", tokenizer: tok, contextLength: 64)
        #expect(a.count == 2 && b.count == 2)
        #expect(a.map(\.promptIds) == b.map(\.promptIds) && a.map(\.completionIds) == b.map(\.completionIds))
    }

    @Test func outputPathsAreRefusedBeforeTraining() throws {
        let dir = try temporaryDirectory()
        #expect(errorText { try BaseModelCache.checkOutput(path: dir + "/run.jsonl") }.contains("would overwrite its own JSONL log"))
        #expect(errorText { try BaseModelCache.checkOutput(path: dir) }.contains("is a directory"))
        #expect(errorText { try BaseModelCache.checkOutput(path: dir + "/a/b.safetensors") }.contains("does not exist"))
        try BaseModelCache.checkOutput(path: dir + "/a/b.safetensors", creatingDirectory: true)
        try BaseModelCache.checkOutput(path: dir + "/ok.safetensors")
        // obtain refuses an --out under a missing directory before it trains anything.
        let start = ContinuousClock.now
        #expect(errorText { _ = try BaseModelCache.obtain(recipe: tinyRecipe(steps: 1000), out: dir + "/x/y.safetensors") }
            .contains("does not exist"))
        #expect(ContinuousClock.now - start < .seconds(2))
    }
}
