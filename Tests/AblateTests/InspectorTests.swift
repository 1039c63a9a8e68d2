import Foundation
import MiniLM
import TestSupport
import Testing

@testable import Ablate

@Suite struct InspectorTests {
    func model() throws -> (GPT, Tokenizer) {
        let tok = try TaskVocabulary.tokenizer()
        let config = ModelConfig(vocabSize: tok.vocabSize, contextLength: 48, layers: 2, heads: 2, dModel: 16, mlpHidden: 32)
        return (try GPT(config: config, seed: 4), tok)
    }

    @Test func signalsMatchTheirDefinitions() throws {
        let (m, tok) = try model()
        let text = """
        {"id": 1, "prompt": "4*20-51=?\\n", "completion": "4*20=80. 80-51=29. #### 29"}
        {"id": "two", "prompt_ids": [1, 20, 14], "completion_ids": [25, 2]}
        """
        let samples = try Inspector.parseSamples(jsonl: text, path: "t.jsonl", tokenizer: tok, contextLength: 48)
        #expect(samples.count == 2)
        #expect(samples[0].promptIds.first == Tokenizer.bos && samples[0].completionIds.last == Tokenizer.eos)
        #expect(samples[1].id == .string("two") && samples[1].completionIds == [25, 2])
        let signals = try Inspector(model: m, threads: 2).signals(samples)
        let runner = GPTRunner(model: m, threads: 1)
        for (s, r) in zip(samples, signals) {
            // nll_mean is the loss of the sequence's mean-token NLL; grad_norm the norm of its full gradient.
            let batch = try TokenBatch.teacherForcing(sequences: [s.promptIds + s.completionIds], lossStart: [s.promptIds.count],
                                                      normalization: .sequenceMean, pad: 0, contextLength: 48)
            let grads = FloatBuffer(count: m.parameterCount)
            let loss = try runner.lossAndGradients(batch, grads: grads)
            expectClose(r.nllMean, loss, rel: 1e-5, "nll_mean")
            expectClose(r.gradNorm, globalNorm(grads), rel: 1e-4, "grad_norm")
            #expect(r.completionTokens == s.completionIds.count)
            // Entropy lies in [0, log V]; self-certainty = KL(U ‖ p) + log V ≥ log V.
            let logV = Foundation.log(Double(tok.vocabSize))
            #expect(r.entropyMean >= 0 && r.entropyMean <= logV + 1e-6)
            #expect(r.selfCertaintyMean >= logV - 1e-6)
        }
    }

    @Test(arguments: [
        ("not json", "{nope", "not a JSON object"),
        ("missing completion", #"{"id": 1, "prompt": "1+1=?\n"}"#, "needs \"prompt\" and \"completion\""),
        ("unknown field", #"{"id": 1, "prompt": "a", "completion": "b", "answer": 3}"#, "unknown field \"answer\""),
        ("unknown character", #"{"id": 1, "prompt": "a", "completion": "é"}"#, "no token for"),
        ("bad id", #"{"id": 1, "prompt_ids": [1, 999], "completion_ids": [2]}"#, "not a token id"),
        ("too long", "{\"id\": 1, \"prompt\": \"\(String(repeating: "1", count: 60))\", \"completion\": \"2\"}", "context is 48"),
    ])
    func badLinesNameTheLine(name: String, line: String, message: String) throws {
        let (_, tok) = try model()
        let text = "{\"id\": 0, \"prompt\": \"1+1=?\\n\", \"completion\": \"#### 2\"}\n\n" + line + "\n"
        do {
            _ = try Inspector.parseSamples(jsonl: text, path: "in.jsonl", tokenizer: tok, contextLength: 48)
            Issue.record("\(name): accepted")
        } catch let e as AblateError {
            #expect(e.description.hasPrefix("in.jsonl:3: "), "\(name): \(e)")
            #expect(e.description.contains(message), "\(name): \(e)")
        }
    }
}

@Suite struct RewardInspectionTests {
    /// Samples with the same prompt form a group; vigor's raw value is −grad_norm·√T of each line and its rank
    /// shaping spans [−1, 1] in the group; majority vote rewards the group's majority answer; gold reads the line's
    /// gold field; a truncated completion (no EOS) is ranked last by vigor.
    @Test func rewardsScoreGroupsOfIdenticalPrompts() throws {
        let tok = try TaskVocabulary.tokenizer()
        let config = ModelConfig(vocabSize: tok.vocabSize, contextLength: 48, layers: 2, heads: 2, dModel: 16, mlpHidden: 32)
        let model = try GPT(config: config, seed: 4)
        let text = """
        {"id": 1, "prompt": "2+3=?\\n", "completion": "2+3=5. #### 5", "gold": "5"}
        {"id": 2, "prompt": "2+3=?\\n", "completion": "2+3=6. #### 6", "gold": "5"}
        {"id": 3, "prompt": "2+3=?\\n", "completion": "#### 5", "gold": 5}
        {"id": 4, "prompt": "7*2=?\\n", "completion": "7*2=14. #### 14", "gold": "14"}
        {"id": 5, "prompt_ids": [1, 20, 14], "completion_ids": [25, 26]}
        """
        let samples = try Inspector.parseSamples(jsonl: text, path: "t.jsonl", tokenizer: tok, contextLength: 48)
        let inspection = try RewardInspection(names: "vigor,majority_vote,gold")
        #expect(inspection.gradNormSubsets == [.all])
        let inspector = Inspector(model: model, threads: 1)
        let signals = try inspector.completionSignals(Array(samples.prefix(4)), subsets: inspection.gradNormSubsets)
        let scored = try inspection.score(samples: Array(samples.prefix(4)), signals: signals, tokenizer: tok)
        func value(_ i: Int, _ reward: String, _ kind: String) -> Double? {
            guard case let .number(d)? = scored[i][reward]?[kind] else { return nil }
            return d
        }
        for i in 0..<4 {
            let T = Double(samples[i].completionIds.count)
            expectClose(value(i, "vigor", "raw") ?? .nan, -(signals[i].gradNorms[.all] ?? .nan) * T.squareRoot(), rel: 1e-12, "vigor raw \(i)")
        }
        let shaped = (0..<3).compactMap { value($0, "vigor", "shaped") }.sorted()
        #expect(shaped == [-1, 0, 1], "rank shaping within the first group")
        #expect(value(3, "vigor", "shaped") == 0, "a group of one")
        #expect([value(0, "majority_vote", "raw"), value(1, "majority_vote", "raw"), value(2, "majority_vote", "raw")] == [1, 0, 1])
        #expect([value(0, "gold", "raw"), value(1, "gold", "raw"), value(2, "gold", "raw"), value(3, "gold", "raw")] == [1, 0, 1, 1])
        // The ids line has no gold: the gold reward refuses it with a clear message.
        let all = try inspector.completionSignals(samples, subsets: [.all])
        #expect(throws: AblateError.self) { _ = try inspection.score(samples: samples, signals: all, tokenizer: tok) }
        // Truncated (no EOS): vigor ranks it below the valid completion of its group.
        let truncated = try Inspector.parseSamples(jsonl: """
            {"id": 1, "prompt": "1+1=?\\n", "completion": "#### 2"}
            {"id": 2, "prompt": "1+1=?\\n", "completion": "1+1=2"}
            """, path: "u.jsonl", tokenizer: tok, contextLength: 48, appendEOS: false)
        var withEOS = truncated
        withEOS[0].completionIds.append(Tokenizer.eos)
        let s2 = try inspector.completionSignals(withEOS, subsets: [.all])
        let v = try RewardInspection(names: "vigor").score(samples: withEOS, signals: s2, tokenizer: tok)
        guard case let .number(valid)? = v[0]["vigor"]?["raw"], case let .number(cut)? = v[1]["vigor"]?["raw"] else {
            Issue.record("no vigor values"); return
        }
        #expect(cut == valid - 1e-3)
    }
}
