import Foundation
import Testing
@testable import MiniLM

@Suite struct CheckpointTests {
    func tempPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("minilm-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    func tokenizer() throws -> Tokenizer { try Tokenizer(characters: Array("0123456a")) }

    @Test func roundTripKeepsEverything() throws {
        let model = try tinyModel(vocab: 11)
        let path = tempPath("round.safetensors")
        try Checkpoint.save(model: model, tokenizer: try tokenizer(), metadata: ["recipe": "test"], to: path)
        let back = try Checkpoint.load(path: path)
        #expect(back.model.config == model.config)
        #expect(back.model.params.array == model.params.array)
        #expect(back.tokenizer == (try tokenizer()))
        #expect(back.metadata == ["recipe": "test"])
        // The header uses nanoGPT names, [out, in] layout and nanoGPT's config keys.
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = Int(data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) })
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any]
        let qkv = header?["transformer.h.0.attn.c_attn.weight"] as? [String: Any]
        #expect(qkv?["shape"] as? [Int] == [24, 8])
        let config = (header?["__metadata__"] as? [String: String])?["config"] ?? ""
        for key in ModelConfig.nanoGPTKeys { #expect(config.contains("\"\(key)\"")) }
        #expect((8 + n) % 8 == 0)
    }

    @Test func truncatedAndCorruptFilesAreRefusedWithThePath() throws {
        let model = try tinyModel(vocab: 11)
        let path = tempPath("good.safetensors")
        try Checkpoint.save(model: model, tokenizer: try tokenizer(), to: path)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = Int(good[0]) | Int(good[1]) << 8
        var cases: [(String, Data)] = [
            ("empty", Data()),
            ("short", good.prefix(5)),
            ("truncated data", good.prefix(good.count - 7)),
            ("truncated header", good.prefix(8 + n / 2)),
            ("huge header length", Data([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]) + good.dropFirst(8)),
            ("not json", Data(good.prefix(8)) + Data(repeating: 0x41, count: n) + good.dropFirst(8 + n)),
        ]
        var nan = good
        nan.replaceSubrange((good.count - 4)..<good.count, with: Data([0, 0, 0xC0, 0x7F]))
        cases.append(("nan value", nan))
        let text = String(decoding: good.subdata(in: 8..<(8 + n)), as: UTF8.self)
        for (what, from, to) in [("wrong dtype", "\"F32\"", "\"F16\""), ("wrong shape", "[24,8]", "[8,24]"),
                                 ("renamed tensor", "lm_head.weight", "lm_head.weigxx")] {
            let edited = text.replacingOccurrences(of: from, with: to, options: [], range: text.range(of: from))
            cases.append((what, Data(good.prefix(8)) + Data(edited.utf8) + good.dropFirst(8 + n)))
        }
        for (what, bytes) in cases {
            let p = tempPath("bad-\(what.replacingOccurrences(of: " ", with: "-")).safetensors")
            try bytes.write(to: URL(fileURLWithPath: p))
            do {
                _ = try Checkpoint.load(path: p)
                Issue.record("\(what): loaded a corrupt checkpoint")
            } catch let error as MiniLMError {
                #expect(error.description.contains(p), "\(what): \(error)")
            }
        }
        #expect(throws: MiniLMError.self) { try Checkpoint.load(path: tempPath("missing.safetensors")) }
    }

    @Test func tokenizerRoundTripAndUnknownCharacters() throws {
        let tok = try tokenizer()
        #expect(tok.vocabSize == 11)
        let ids = try tok.encode("a60")
        #expect(ids == [10, 9, 3])
        #expect(try tok.decode([Tokenizer.bos] + ids + [Tokenizer.eos]) == "a60")
        do {
            _ = try tok.encode("a7b")
            Issue.record("unknown characters were accepted")
        } catch let e as MiniLMError {
            #expect(e.description.contains("\"7\"") && e.description.contains("\"b\""))
        }
        #expect(throws: MiniLMError.self) { try Tokenizer(characters: Array("aa")) }
        #expect(throws: MiniLMError.self) { try tok.decode([42]) }
    }
}
