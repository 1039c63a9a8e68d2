import Foundation

/// Model checkpoints as safetensors files: an 8-byte little-endian header length, a JSON header, raw
/// little-endian float32 tensors. Tensor names are nanoGPT's and linear weights are `[out, in]`, so a file opens
/// with `safetensors.torch.load_file` and loads into a nanoGPT-style PyTorch module. `__metadata__` holds
/// `config` (JSON with nanoGPT's keys plus `mlp_hidden`), `vocab` (JSON list of token strings in id order) and
/// any extra string entries the caller adds (recipe, code version, …).
public enum Checkpoint {
    /// What a checkpoint holds besides the parameters.
    public struct Contents {
        public let model: GPT
        public let tokenizer: Tokenizer
        public let metadata: [String: String]
    }

    /// The largest header we accept (a real one is a few KiB); anything bigger is corruption.
    static let maxHeaderBytes = 16 << 20

    /// Checks that a checkpoint can be written at `path` before any work is done: the path is not a directory, its
    /// parent directory exists (unless `creatingDirectory`, when the nearest existing ancestor must be a directory)
    /// and is writable.
    public static func checkWritable(path: String, creatingDirectory: Bool = false) throws {
        func fail(_ reason: String) -> MiniLMError { .io(path: path, reason: reason) }
        guard !path.isEmpty else { throw fail("the output path is empty") }
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            throw fail("is a directory; give a file path such as \((path as NSString).appendingPathComponent("model.safetensors"))")
        }
        var parent = (path as NSString).deletingLastPathComponent
        if parent.isEmpty { parent = "." }
        if !fm.fileExists(atPath: parent, isDirectory: &isDir) {
            guard creatingDirectory else {
                throw fail("the directory \(parent) does not exist; create it first (mkdir -p \(parent))")
            }
            return
        }
        guard isDir.boolValue else { throw fail("\(parent) is not a directory") }
        guard fm.isWritableFile(atPath: parent) else { throw fail("the directory \(parent) is not writable") }
    }

    /// Writes atomically (temporary file, then rename). The parent directory must exist unless
    /// `creatingDirectory` (the checkpoint cache creates its own directory; a user's `--out` never creates any).
    public static func save(model: GPT, tokenizer: Tokenizer, metadata: [String: String] = [:], to path: String,
                            creatingDirectory: Bool = false) throws {
        try checkWritable(path: path, creatingDirectory: creatingDirectory)
        guard tokenizer.vocabSize == model.config.vocabSize else {
            throw MiniLMError.invalidConfig(field: "vocab_size", reason: "model has \(model.config.vocabSize) but tokenizer \(tokenizer.vocabSize)")
        }
        var meta = metadata
        meta["config"] = try jsonString(model.config)
        meta["vocab"] = try jsonString(tokenizer.tokens)
        meta["format"] = "pt"
        var header: [String: Any] = ["__metadata__": meta]
        for e in model.layout.entries {
            header[e.name] = ["dtype": "F32", "shape": e.shape, "data_offsets": [e.offset * 4, (e.offset + e.count) * 4]]
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }  // pad with spaces so the data starts 8-byte aligned
        var data = Data()
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { data.append(contentsOf: $0) }
        data.append(json)
        data.append(UnsafeBufferPointer(start: model.params.base, count: model.params.count))
        let url = URL(fileURLWithPath: path)
        do {
            if creatingDirectory {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            }
            try data.write(to: url, options: .atomic)
        } catch {
            throw MiniLMError.io(path: path, reason: "cannot write checkpoint: \(error.localizedDescription)")
        }
    }

    /// Reads and validates a checkpoint: header length, JSON, metadata, every tensor's name, dtype, shape and
    /// offsets, the file's length, and finite values. Anything else is refused with the path and the reason.
    public static func load(path: String) throws -> Contents {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MiniLMError.checkpoint(path: path, reason: "the file does not exist or cannot be read")
        }
        return try load(data: data, path: path)
    }

    /// `load(path:)` on bytes already read; `path` names them in errors (the fuzz target calls this).
    public static func load(data: Data, path: String) throws -> Contents {
        func fail(_ reason: String) -> MiniLMError { .checkpoint(path: path, reason: reason) }
        guard data.count >= 8 else { throw fail("the file has \(data.count) bytes; a safetensors file starts with an 8-byte header length") }
        let n = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        guard n <= UInt64(maxHeaderBytes), Int(n) <= data.count - 8 else {
            throw fail("the header length \(n) does not fit in the file's \(data.count) bytes (truncated or not a safetensors file)")
        }
        let headerBytes = data.subdata(in: 8..<(8 + Int(n)))
        guard let header = (try? JSONSerialization.jsonObject(with: headerBytes)) as? [String: Any] else {
            throw fail("the header is not a JSON object")
        }
        guard let meta = header["__metadata__"] as? [String: String] else {
            throw fail("the header has no __metadata__ with string values (expected config and vocab)")
        }
        guard let configText = meta["config"], let configData = configText.data(using: .utf8) else {
            throw fail("__metadata__ has no config")
        }
        let config: ModelConfig
        do { config = try JSONDecoder().decode(CheckpointConfig.self, from: configData).config } catch {
            throw fail("__metadata__.config is not a valid model config (\(error))")
        }
        do { try config.validate() } catch { throw fail("\(error)") }
        guard let vocabText = meta["vocab"], let vocabData = vocabText.data(using: .utf8),
              let vocab = try? JSONDecoder().decode([String].self, from: vocabData) else {
            throw fail("__metadata__ has no vocab (a JSON list of token strings)")
        }
        guard vocab.count == config.vocabSize else {
            throw fail("vocab lists \(vocab.count) tokens but config.vocab_size is \(config.vocabSize)")
        }
        let tokenizer: Tokenizer
        do { tokenizer = try Tokenizer(tokens: vocab) } catch { throw fail("\(error)") }

        let layout = ParameterLayout(config: config)
        let dataStart = 8 + Int(n)
        let payload = data.count - dataStart
        let expected = Set(layout.entries.map(\.name))
        for key in header.keys where key != "__metadata__" && !expected.contains(key) {
            throw fail("unexpected tensor '\(key)' for a model with \(config.layers) layers")
        }
        // The header's dimensions size the parameter buffer (up to 8 GB): check them against the file first, so a
        // few-KB corrupt file is an error rather than an allocation abort.
        guard layout.count <= payload / 4 else {
            throw fail("the config needs \(layout.count) parameters (\(layout.count * 4) bytes) but the data section has "
                + "\(payload) bytes (truncated file or wrong config)")
        }
        let params = FloatBuffer(count: layout.count)
        var spans: [(Int, Int, String)] = []
        for e in layout.entries {
            guard let info = header[e.name] as? [String: Any] else { throw fail("missing tensor '\(e.name)'") }
            guard let dtype = info["dtype"] as? String, dtype == "F32" else {
                throw fail("tensor '\(e.name)' has dtype \(info["dtype"] ?? "none"); only F32 is supported")
            }
            guard let shape = info["shape"] as? [Int], shape == e.shape else {
                throw fail("tensor '\(e.name)' has shape \(info["shape"] ?? "none"), expected \(e.shape)")
            }
            // Compared without subtracting first: crafted offsets such as [1, Int.min] must not overflow.
            guard let offsets = info["data_offsets"] as? [Int], offsets.count == 2,
                  offsets[0] >= 0, offsets[1] >= offsets[0], offsets[1] - offsets[0] == e.count * 4 else {
                throw fail("tensor '\(e.name)' has data_offsets \(info["data_offsets"] ?? "none"), expected a span of \(e.count * 4) bytes")
            }
            guard offsets[1] <= payload else {
                throw fail("tensor '\(e.name)' ends at byte \(offsets[1]) but the data section has \(payload) bytes (truncated file)")
            }
            spans.append((offsets[0], offsets[1], e.name))
            data.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }  // never: the span was checked to lie in the data
                UnsafeMutableRawPointer(params.base + e.offset).copyMemory(from: base + dataStart + offsets[0],
                                                                           byteCount: e.count * 4)
            }
            for i in e.range where !params[i].isFinite {
                throw fail("tensor '\(e.name)' holds a non-finite value at index \(i - e.offset)")
            }
        }
        spans.sort { $0.0 < $1.0 }
        for (a, b) in zip(spans, spans.dropFirst()) where b.0 < a.1 {
            throw fail("tensors '\(a.2)' and '\(b.2)' overlap")
        }
        let model = try GPT(config: config, parameters: params)
        var extra = meta
        extra["config"] = nil
        extra["vocab"] = nil
        extra["format"] = nil
        return Contents(model: model, tokenizer: tokenizer, metadata: extra)
    }

    static func jsonString<T: Encodable>(_ value: T) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try enc.encode(value), as: UTF8.self)
    }
}

/// nanoGPT configs have no `mlp_hidden`: it defaults to 4·n_embd there. Other nanoGPT keys (bias, dropout) are
/// ignored, so PyTorch-written checkpoints load.
private struct CheckpointConfig: Decodable {
    let config: ModelConfig
    enum Keys: String, CodingKey { case vocab_size, block_size, n_layer, n_head, n_embd, mlp_hidden }
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let d = try c.decode(Int.self, forKey: .n_embd)
        config = ModelConfig(vocabSize: try c.decode(Int.self, forKey: .vocab_size),
                             contextLength: try c.decode(Int.self, forKey: .block_size),
                             layers: try c.decode(Int.self, forKey: .n_layer),
                             heads: try c.decode(Int.self, forKey: .n_head),
                             dModel: d,
                             mlpHidden: try c.decodeIfPresent(Int.self, forKey: .mlp_hidden) ?? 4 * d)
    }
}
