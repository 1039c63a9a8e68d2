import Foundation
import MiniLM
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
