import Dispatch
import Foundation
import MiniLM
import Tasks

/// Fills the evaluation cache with the base-model evaluations a study's pending trials will ask for, before any
/// trial starts. Without it the first trials of a study (two at a time with `--jobs 2`) all miss the cache and
/// compute the same evaluations side by side; here each distinct evaluation (per split, settings and thread
/// count) is computed once, up to `jobs` at a time, with the thread count and code the trials use, so the trials
/// find exactly the entries they would have written (`EvaluationCache.key`).
public enum EvaluationWarmup {
    /// One evaluation to compute: its cache key, the base checkpoint, the settings (with split) and threads.
    struct Job {
        var key: String
        var base: String
        var settings: EvaluationSettings
        var threads: Int
    }

    /// Computes the missing entries for `configs` (resolved trial configs); returns how many it computed.
    /// `note` hears one line per evaluation. A checkpoint that cannot be read is left to the trial to report.
    @discardableResult
    public static func warm(_ configs: [TrainConfig], jobs: Int, directory: String = EvaluationCache.defaultDirectory,
                            info: RunInfo = RunInfo.current(), note: @escaping @Sendable (String) -> Void = { _ in }) throws -> Int {
        var work: [Job] = []
        var seen = Set<String>()
        var checkpoints: [String: (bytes: Data, contents: Checkpoint.Contents)] = [:]
        for config in configs {
            if checkpoints[config.base] == nil {
                guard let bytes = FileManager.default.contents(atPath: config.base),
                      let contents = try? Checkpoint.load(path: config.base) else { continue }
                checkpoints[config.base] = (bytes, contents)
            }
            guard let base = checkpoints[config.base],
                  let settings = try? TrainRun.evaluationSettings(config, checkpoint: base.contents) else { continue }
            for split in [Split.test, .validation] {
                var s = settings
                s.split = split
                guard let key = EvaluationCache.key(checkpoint: base.bytes, settings: s, threads: config.threads, info: info),
                      seen.insert(key).inserted, !EvaluationCache.has(key: key, directory: directory) else { continue }
                work.append(Job(key: key, base: config.base, settings: s, threads: config.threads))
            }
        }
        guard !work.isEmpty else { return 0 }
        note("evaluating the base model once for every trial: \(work.count) evaluation(s), \(min(jobs, work.count)) at a time")
        let failures = LineCollector()
        let queue = DispatchQueue(label: "evaluation-warmup", attributes: .concurrent)
        let slots = DispatchSemaphore(value: max(1, jobs))
        let group = DispatchGroup()
        for job in work {
            slots.wait()
            queue.async(group: group) {
                defer { slots.signal() }
                do {
                    let start = Date()
                    // A model of its own per evaluation: a model's forward keeps scratch buffers.
                    let contents = try Checkpoint.load(path: job.base)
                    _ = try EvaluationCache.evaluation(key: job.key, directory: directory) {
                        try Evaluator.evaluate(model: contents.model, tokenizer: contents.tokenizer, settings: job.settings,
                                               threads: job.threads, checkpoint: nil)
                    }
                    note("base model evaluated on \(job.settings.split.rawValue) (\(job.settings.suites.joined(separator: ", ")), k = \(job.settings.k)) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
                } catch {
                    failures.add("\(error)")
                }
            }
        }
        group.wait()
        // A failed warm-up is not a failed study: each trial evaluates (and reports) for itself.
        for f in failures.all { note("warm-up evaluation failed (the trials will evaluate themselves): \(f)") }
        return work.count - failures.all.count
    }

}

/// Lines collected from concurrent work, read once it is done.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
