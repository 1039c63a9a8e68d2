import Foundation
import Seeded

/// Evaluations of a base model, shared by the trials that start from it: every trial of a study evaluates its
/// base model before training (on test and on validation), and with k samples on three suites that is a large
/// share of a trial's time, computed identically each time.
///
/// An entry is keyed by everything the evaluation's bits depend on: the checkpoint's bytes, the settings (suites,
/// n, split, seed, k, temperature, family knobs), the worker threads, the BLAS core and the code version. A
/// trial on uncommitted code (version unknown or `-dirty`) never shares: an edit to the evaluator would
/// otherwise be served stale numbers. An entry that does not decode, or whose key or numbers are not what its
/// name promises, is recomputed and replaced (a cache is never a source of truth).
public enum EvaluationCache {
    /// Where entries live, relative to the working directory (beside the cached base models).
    public static let defaultDirectory = "runs/cache/evaluations"

    /// The entry's key, or nil when this evaluation must not be shared (uncommitted code).
    public static func key(checkpoint: Data, settings s: EvaluationSettings, threads: Int, info: RunInfo) -> String? {
        guard info.codeVersion != "unknown", !info.codeVersion.hasSuffix("-dirty") else { return nil }
        let knobs = s.familyOverrides.keys.sorted().map { "\($0)=\(s.familyOverrides[$0] ?? "")" }.joined(separator: ";")
        let fields = [
            "checkpoint=" + String(format: "%016llx", StableHash.fnv1a64(checkpoint)),
            "suites=" + s.suites.joined(separator: ","), "n=\(s.problemsPerSuite)", "split=\(s.split.rawValue)",
            "seed=\(s.seed)", "k=\(s.k)", "temperature=\(s.temperature.bitPattern)", "knobs=" + knobs,
            "threads=\(threads)", "blas_core=\(info.blasCore.core)", "code=\(info.codeVersion)",
        ]
        // Only when set: the keys of every earlier entry stay what they were.
        let sampled = s.sampledSuites.map { ["sampled=" + $0.joined(separator: ",")] } ?? []
        return String(format: "%016llx", StableHash.fnv1a64((fields + sampled).joined(separator: "\n").utf8))
    }

    /// The entry of `key` when present and sound, else `compute()`, stored under `key` (atomically: a trial that
    /// computes the same entry at the same time writes the same bytes). A nil key computes without storing.
    /// `note` hears one line when an entry is reused or replaced.
    public static func evaluation(key: String?, directory: String = defaultDirectory, note: (String) -> Void = { _ in },
                                  compute: () throws -> EvaluationReport) throws -> EvaluationReport {
        guard let key else { return try compute() }
        let path = (directory as NSString).appendingPathComponent("\(key).json")
        if FileManager.default.fileExists(atPath: path) {
            if let report = cached(key: key, directory: directory) {
                note("reusing the base model's evaluation \(path)")
                return report
            }
            note("replacing an unreadable cached evaluation \(path)")
        }
        let report = try compute()
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw AblateError.io(path: directory, reason: "cannot create the evaluation cache (\(error.localizedDescription))")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let text = String(decoding: try encoder.encode(Entry(key: key, report: report)), as: UTF8.self)
        try RunStore.writeAtomically(text: text + "\n", to: path)
        return report
    }

    /// The sound entry of `key`, if there is one (decodes, carries its own key, plausible numbers).
    static func cached(key: String, directory: String) -> EvaluationReport? {
        let path = (directory as NSString).appendingPathComponent("\(key).json")
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let entry = try? decoder.decode(Entry.self, from: data), entry.key == key, entry.report.isPlausible else { return nil }
        return entry.report
    }

    /// True when `key` has a sound entry.
    public static func has(key: String, directory: String = defaultDirectory) -> Bool { cached(key: key, directory: directory) != nil }

    /// One file: the key it was written under and the report.
    struct Entry: Codable {
        var key: String
        var report: EvaluationReport
    }
}

extension EvaluationReport {
    /// Every suite named in `order` is present with its own name, and every rate is a finite number in 0...1.
    var isPlausible: Bool {
        Set(order) == Set(suites.keys) && order.count == suites.count && suites.values.allSatisfy { s in
            [s.accuracy, s.ciLow, s.ciHigh, s.truncated, s.unparsable].allSatisfy { $0.isFinite && (0...1).contains($0) }
                && [s.avgAtK, s.passAtK, s.majAtK].allSatisfy { $0.map { $0.isFinite && (0...1).contains($0) } ?? true }
                && s.n >= 1
        }
    }
}
