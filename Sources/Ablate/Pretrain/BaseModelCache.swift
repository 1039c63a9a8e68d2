import Foundation
import MiniLM

/// Base checkpoints cached by recipe hash: `runs/cache/<preset>-<hash>.safetensors`, with the run's JSONL log
/// beside it (`.jsonl`). A present file is validated (a corrupt or foreign one is refused, naming its path) and
/// reused instead of retraining.
public enum BaseModelCache {
    /// Where cached base models live, relative to the working directory.
    public static let defaultDirectory = "runs/cache"
    /// Base checkpoints shipped with the repository (`make base` regenerates them), relative to the working
    /// directory: a recipe found here is copied into the cache instead of being pre-trained, so every machine
    /// starts from the same bits whatever its BLAS kernels would have trained.
    public static let shippedDirectory = "models"

    /// The cache path of `recipe`.
    public static func path(for recipe: PretrainRecipe, directory: String = defaultDirectory) throws -> String {
        (directory as NSString).appendingPathComponent("\(recipe.preset)-\(try recipe.hash()).safetensors")
    }

    /// The JSONL log path beside a checkpoint path (`x.safetensors` → `x.jsonl`).
    public static func logPath(forCheckpoint path: String) -> String {
        ((path as NSString).deletingPathExtension) + ".jsonl"
    }

    /// What `obtain` did.
    public struct Outcome {
        public let path: String
        /// True when an existing cached checkpoint was reused (nothing was trained).
        public let reused: Bool
        /// The run's reports when something was trained.
        public let result: Pretrainer.Result?
    }

    /// Returns the checkpoint of `recipe`: the cached one when present and valid, else trains it and writes it.
    /// With `out`, the cache is bypassed: the recipe is always trained and the checkpoint written to `out`.
    /// `note` receives one line when the cache is reused.
    public static func obtain(recipe: PretrainRecipe, threads: Int = 2, directory: String = defaultDirectory,
                              shipped: String = shippedDirectory, out: String? = nil, note: (String) -> Void = { _ in },
                              progress: (PretrainProgress) -> Void = { _ in }) throws -> Outcome {
        let hash = try recipe.hash()
        let path = try out ?? Self.path(for: recipe, directory: directory)
        try checkOutput(path: path, creatingDirectory: out == nil)
        if out == nil, FileManager.default.fileExists(atPath: path) {
            try validateCached(path: path, hash: hash)
            note("reusing cached base model \(path) (recipe \(hash))")
            return Outcome(path: path, reused: true, result: nil)
        }
        if out == nil {
            let shipped = (shipped as NSString).appendingPathComponent((path as NSString).lastPathComponent)
            if FileManager.default.fileExists(atPath: shipped) {
                try validateCached(path: shipped, hash: hash)
                do {
                    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                            withIntermediateDirectories: true)
                    try FileManager.default.copyItem(atPath: shipped, toPath: path)
                    let log = logPath(forCheckpoint: shipped)
                    if FileManager.default.fileExists(atPath: log) {
                        try FileManager.default.copyItem(atPath: log, toPath: logPath(forCheckpoint: path))
                    }
                } catch {
                    throw AblateError.io(path: path, reason: "cannot copy the shipped base model \(shipped) into the cache (\(error.localizedDescription))")
                }
                note("using the shipped base model \(shipped) (recipe \(hash)), copied to \(path)")
                return Outcome(path: path, reused: true, result: nil)
            }
        }
        let trainer = try Pretrainer(recipe: recipe, threads: threads)
        let result = try trainer.run(logPath: logPath(forCheckpoint: path), progress: progress)
        let last = result.history.last
        var metadata = RunInfo.current().metadata(extra: ["created": ISO8601DateFormatter().string(from: Date())])
        metadata["recipe"] = recipe.canonicalJSON
        metadata["recipe_hash"] = hash
        metadata["train_seconds"] = String(format: "%.1f", result.seconds)
        metadata["train_tokens"] = String(result.tokens)
        if let last {
            metadata["final_loss"] = String(format: "%.4f", last.loss)
            metadata["final_heldout_loss"] = String(format: "%.4f", last.heldOutLoss)
        }
        try Checkpoint.save(model: result.model, tokenizer: result.tokenizer, metadata: metadata, to: path,
                            creatingDirectory: out == nil)
        return Outcome(path: path, reused: false, result: result)
    }

    /// Checks before any training that the checkpoint and its log can be written at `path`: a file path (not a
    /// directory) in an existing writable directory (the cache creates its own), whose log path differs from it.
    public static func checkOutput(path: String, creatingDirectory: Bool = false) throws {
        if logPath(forCheckpoint: path) == path {
            throw AblateError.io(path: path, reason: "the checkpoint would overwrite its own JSONL log (\(path)); "
                + "give the checkpoint a .safetensors name")
        }
        do { try Checkpoint.checkWritable(path: path, creatingDirectory: creatingDirectory) } catch let e as MiniLMError {
            throw AblateError.io(path: path, reason: "\(e)")
        }
    }

    /// Loads a cached checkpoint and checks it belongs to the recipe `hash`.
    static func validateCached(path: String, hash: String) throws {
        let contents: Checkpoint.Contents
        do { contents = try Checkpoint.load(path: path) } catch {
            throw AblateError.corruptCache(path: path, reason: "\(error)")
        }
        guard contents.metadata["recipe_hash"] == hash else {
            throw AblateError.corruptCache(path: path, reason: "it records recipe hash '\(contents.metadata["recipe_hash"] ?? "none")', not '\(hash)'")
        }
    }
}
