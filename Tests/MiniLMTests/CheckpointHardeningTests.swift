import Foundation
import Testing
@testable import MiniLM

/// Issue 9: crafted safetensors headers that overflowed or allocated gigabytes, and output paths.
@Suite struct CheckpointHardeningTests {
    func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("minilm-harden-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    func tokenizer() throws -> Tokenizer { try Tokenizer(characters: Array("0123456a")) }

    /// A file of `header` (JSON) and `payload` bytes.
    func file(_ header: [String: Any], payload: Int, at path: String) throws {
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data()
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { data.append(contentsOf: $0) }
        data.append(json)
        data.append(Data(count: payload))
        try data.write(to: URL(fileURLWithPath: path))
    }

    func header(of path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = Int(data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) })
        return try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any] ?? [:]
    }

    func errorText(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    func refusal(_ path: String) -> String {
        do { _ = try Checkpoint.load(path: path); return "loaded" } catch { return "\(error)" }
    }

    @Test func offsetsThatWouldOverflowAreRefused() throws {
        let dir = try directory()
        let good = dir + "/good.safetensors"
        try Checkpoint.save(model: try tinyModel(vocab: 11), tokenizer: try tokenizer(), to: good)
        var h = try header(of: good)
        let name = "transformer.wte.weight"
        var info = h[name] as? [String: Any] ?? [:]
        info["data_offsets"] = [1, Int.min]
        h[name] = info
        let bad = dir + "/overflow.safetensors"
        try file(h, payload: 2064 * 4, at: bad)
        let message = refusal(bad)
        #expect(message.contains("tensor '\(name)' has data_offsets"), "\(message)")
        #expect(message.contains(bad))
    }

    @Test func headerDimensionsAreCheckedAgainstThePayloadBeforeAllocating() throws {
        let dir = try directory()
        // 100 blocks of width 1024 (≈ 1.3·10⁹ parameters, 5 GB) announced by a file of a few KB.
        let config = #"{"block_size": 2, "mlp_hidden": 4096, "n_embd": 1024, "n_head": 1, "n_layer": 100, "vocab_size": 11}"#
        let vocab = String(decoding: try JSONEncoder().encode(try tokenizer().tokens), as: UTF8.self)
        let path = dir + "/huge.safetensors"
        try file(["__metadata__": ["config": config, "vocab": vocab, "format": "pt"]], payload: 1024, at: path)
        let message = refusal(path)
        #expect(message.contains("but the data section has 1024 bytes"), "\(message)")
    }

    @Test func outputPathsAreCheckedBeforeWriting() throws {
        let dir = try directory()
        let model = try tinyModel(vocab: 11)
        let missing = dir + "/no/such/dir/x.safetensors"
        #expect(throws: MiniLMError.self) { try Checkpoint.save(model: model, tokenizer: try tokenizer(), to: missing) }
        #expect(!FileManager.default.fileExists(atPath: dir + "/no"), "a missing parent must not be created")
        let m1 = errorText { try Checkpoint.checkWritable(path: missing) }
        #expect(m1.contains("does not exist; create it first"), "\(m1)")
        let m2 = errorText { try Checkpoint.checkWritable(path: dir) }
        #expect(m2.contains("is a directory"), "\(m2)")
        // The cache may create its own directory.
        try Checkpoint.save(model: model, tokenizer: try tokenizer(), to: missing, creatingDirectory: true)
        #expect(FileManager.default.fileExists(atPath: missing))
    }
}
