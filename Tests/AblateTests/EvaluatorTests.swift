import Foundation
import MiniLM
import Tasks
import Testing

@testable import Ablate

/// Completes each prompt from a script keyed by prompt: `greedy` for temperature 0, `sampled` otherwise.
struct ScriptedGenerator: CompletionGenerator {
    var greedy: (Problem) -> String
    var sampled: (Problem, Int) -> String = { _, _ in "" }
    let problems: [String: Problem]

    func complete(prompts: [String], samples: Int, temperature: Float, seed: UInt64) throws -> [[Completion]] {
        prompts.map { prompt in
            guard let p = problems[prompt] else { return Array(repeating: Completion(text: "", tokenCount: 0, truncated: true), count: samples) }
            return (0..<samples).map { j in
                let text = temperature == 0 ? greedy(p) : sampled(p, j)
                return Completion(text: text, tokenCount: text.count + 1, truncated: false)
            }
        }
    }
}

@Suite("evaluation")
struct EvaluatorTests {
    static func settings(_ suites: [String], n: Int, k: Int = 1) -> EvaluationSettings {
        var s = EvaluationSettings()
        s.suites = suites
        s.problemsPerSuite = n
        s.k = k
        s.seed = 3
        return s
    }

    /// The problems the evaluator will draw for `settings`, by prompt.
    static func problems(_ settings: EvaluationSettings) throws -> [String: Problem] {
        var out: [String: Problem] = [:]
        for name in settings.suites {
            for p in try TaskRegistry.family(named: name).problems(count: settings.problemsPerSuite, split: .test, seed: settings.seed) {
                out[p.prompt] = p
            }
        }
        return out
    }

    @Test("gold completions score 1; answerless ones score 0 and count as unparsable")
    func scripted() throws {
        let s = Self.settings(["arith", "trace"], n: 6)
        let problems = try Self.problems(s)
        let gold = try Evaluator.evaluate(generator: ScriptedGenerator(greedy: { $0.solution }, problems: problems), settings: s)
        for name in s.suites {
            let r = try #require(gold.suites[name])
            #expect(r.n == 6 && r.accuracy == 1 && r.unparsable == 0 && r.truncated == 0 && r.ciHigh == 1 && r.ciLow > 0.5)
            #expect(r.k == nil && r.passAtK == nil)
        }
        let none = try Evaluator.evaluate(generator: ScriptedGenerator(greedy: { _ in "I do not know" }, problems: problems), settings: s)
        #expect(none.suites["arith"]?.accuracy == 0 && none.suites["arith"]?.unparsable == 1)
        #expect(none.order == ["arith", "trace"])
    }

    @Test("avg@k, pass@k and maj@k of scripted samples; answerless samples never vote")
    func sampledMetrics() throws {
        let s = Self.settings(["arith"], n: 4, k: 4)
        let problems = try Self.problems(s)
        func wrong(_ p: Problem) -> String { "#### \((Int(p.answer) ?? 0) + 1)" }
        // Samples: gold, wrong, wrong, no answer → avg 1/4, pass 1, majority wrong.
        let g1 = ScriptedGenerator(greedy: { $0.solution }, sampled: { p, j in [p.solution, wrong(p), wrong(p), "??"][j] },
                                   problems: problems)
        let r1 = try #require(try Evaluator.evaluate(generator: g1, settings: s).suites["arith"])
        #expect(r1.k == 4 && r1.avgAtK == 0.25 && r1.passAtK == 1 && r1.majAtK == 0)
        // Samples: no answer ×3, gold → the one answer wins the vote.
        let g2 = ScriptedGenerator(greedy: { _ in "" }, sampled: { p, j in j == 3 ? p.solution : "no marker" }, problems: problems)
        let r2 = try #require(try Evaluator.evaluate(generator: g2, settings: s).suites["arith"])
        #expect(r2.avgAtK == 0.25 && r2.passAtK == 1 && r2.majAtK == 1 && r2.accuracy == 0)
    }

    @Test("sampled suites: k samples only where asked, the others greedy; a suite not evaluated is refused")
    func sampledSuitesOnly() throws {
        var s = Self.settings(["arith", "trace"], n: 3, k: 4)
        s.sampledSuites = ["trace"]
        let problems = try Self.problems(s)
        let g = ScriptedGenerator(greedy: { $0.solution }, sampled: { p, _ in p.solution }, problems: problems)
        let r = try Evaluator.evaluate(generator: g, settings: s)
        #expect(r.suites["arith"]?.k == nil && r.suites["arith"]?.avgAtK == nil && r.suites["arith"]?.accuracy == 1)
        #expect(r.suites["trace"]?.k == 4 && r.suites["trace"]?.avgAtK == 1)
        s.sampledSuites = ["word"]
        let stray = #expect(throws: AblateError.self) { try s.validate() }
        #expect(stray?.description.contains("'word' is not evaluated") == true)
    }

    @Test("majority: most frequent answer, ties to the first seen, nil answers never vote")
    func majority() {
        #expect(Evaluator.majority(["3", "4", "4", "3"]) == "3")
        #expect(Evaluator.majority([nil, "7", nil, nil]) == "7")
        #expect(Evaluator.majority([nil, nil]) == nil)
        #expect(Evaluator.majority(["1", "2", "2"]) == "2")
    }

    @Test("a checkpoint on a handful of problems: metrics in range, pass@k ≥ avg@k, pass@k ≥ maj@k, deterministic")
    func checkpointConsistency() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let outcome = try BaseModelCache.obtain(recipe: tinyRecipe(steps: 30), directory: dir)
        let contents = try Checkpoint.load(path: outcome.path)
        var s = Self.settings(["arith", "word", "trace"], n: 4, k: 3)
        s.familyOverrides = tinyRecipe().familyOverrides
        let a = try Evaluator.evaluate(model: contents.model, tokenizer: contents.tokenizer, settings: s, checkpoint: outcome.path)
        for name in s.suites {
            let r = try #require(a.suites[name])
            #expect(r.n == 4)
            for v in [r.accuracy, r.truncated, r.unparsable] { #expect((0...1).contains(v)) }
            #expect(r.ciLow <= r.accuracy && r.accuracy <= r.ciHigh)
            #expect(r.meanLength >= 1 && r.meanLength <= Double(contents.model.config.contextLength))
            let avg = try #require(r.avgAtK), pass = try #require(r.passAtK), maj = try #require(r.majAtK)
            #expect(pass >= avg && pass >= maj && (0...1).contains(avg))
        }
        let b = try Evaluator.evaluate(model: contents.model, tokenizer: contents.tokenizer, settings: s, checkpoint: outcome.path)
        #expect(a.suites == b.suites)
        let json = try JSONSerialization.jsonObject(with: Data(try a.json().utf8)) as? [String: Any]
        let arith = (json?["suites"] as? [String: Any])?["arith"] as? [String: Any]
        #expect(json?["checkpoint"] as? String == outcome.path)
        for key in ["n", "accuracy", "ci_low", "ci_high", "mean_length", "truncated", "unparsable", "avg_at_k", "pass_at_k", "maj_at_k"] {
            #expect(arith?[key] != nil, "JSON lacks \(key)")
        }
        #expect(a.table().split(separator: "\n").count == 4)
    }

    @Test("bad settings are refused, naming the value and the valid ones")
    func badSettings() {
        let unknown = #expect(throws: AblateError.self) { try Self.settings(["arith", "code"], n: 1).validate() }
        #expect(unknown?.description == "unknown suite 'code'; please provide one of 'arith', 'word' or 'trace'")
        #expect(throws: AblateError.self) { try Self.settings(["arith"], n: 0).validate() }
        #expect(throws: AblateError.self) { try Self.settings(["arith"], n: 1, k: 0).validate() }
        #expect(throws: AblateError.self) { try Self.settings([], n: 1).validate() }
    }
}
