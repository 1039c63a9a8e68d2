import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the runner records beside the trainer's files (`runner.json`): wall time and how the process ended.
public struct RunnerRecord: Codable, Equatable, Sendable {
    public var started: String
    public var seconds: Double
    /// Exit code, or 128 + signal when the process was killed.
    public var exitCode: Int32
    enum CodingKeys: String, CodingKey { case started, seconds, exitCode = "exit_code" }
}

/// The run store.
///
/// Layout (relative to `root`, default `runs/`):
/// - `trials/<hash>/`: the one real directory of a trial, content-addressed by `TrainConfig.hash`. It holds
///   `config.json`, `status.json`, `metrics.jsonl`, `eval.json`, `rollouts.jsonl`, `train.log` (the process's
///   stdout and stderr), `runner.json` and `.lock`.
/// - `<study>/<variant>/seed-<n>`: a **relative symlink** to `../../trials/<hash>`. Two studies whose trials
///   resolve to one config share one directory, so the trial runs once and both reports read it; every tool
///   that reads `runs/<study>/<variant>/seed-<n>/eval.json` works unchanged. A study edit re-points the link
///   (the old trial stays in `trials/` for any other study that uses it).
///
/// Every file is written atomically: a temporary file in the same directory, then `rename(2)`; a failure is an
/// `AblateError.io` naming the path.
public struct RunStore: Sendable {
    public var root: String

    public init(root: String = "runs") { self.root = root }

    public func trialDirectory(hash: String) -> String { "\(root)/trials/\(hash)" }
    public func studyDirectory(_ study: String) -> String { "\(root)/\(study)" }
    public func linkPath(study: String, trial: TrialSpec) -> String { "\(root)/\(study)/\(trial.relativeDirectory)" }

    /// The hash of the store's trial a study's link points at, or nil when there is no link or it points anywhere
    /// but into this store's `trials/` (see `linkState`: real paths are compared, not names).
    public func linkedHash(study: String, trial: TrialSpec) -> String? {
        if case let .store(hash) = linkState(study: study, trial: trial) { return hash }
        return nil
    }

    /// Creates the trial directory and points the study's link at it (atomically: a temporary link renamed over).
    public func link(study: String, trial: TrialSpec) throws {
        let dir = trialDirectory(hash: trial.hash)
        try Self.makeDirectory(dir)
        let link = linkPath(study: study, trial: trial)
        try Self.makeDirectory((link as NSString).deletingLastPathComponent)
        if linkedHash(study: study, trial: trial) == trial.hash { return }
        let tmp = link + ".tmp-\(getpid())"
        unlink(tmp)
        guard symlink("../../trials/\(trial.hash)", tmp) == 0 else {
            throw AblateError.io(path: tmp, reason: "cannot create the trial link (\(String(cString: strerror(errno))))")
        }
        guard rename(tmp, link) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(tmp)
            throw AblateError.io(path: link, reason: "cannot point the trial link at trials/\(trial.hash) (\(why)); if it is a directory, move it away")
        }
    }

    public func status(hash: String) -> TrialStatus? {
        guard let data = FileManager.default.contents(atPath: trialDirectory(hash: hash) + "/status.json") else { return nil }
        return try? JSONDecoder().decode(TrialStatus.self, from: data)
    }

    public func writeStatus(_ status: TrialStatus) throws {
        try Self.writeJSON(status, to: trialDirectory(hash: status.hash) + "/status.json")
    }

    public func runnerRecord(hash: String) -> RunnerRecord? {
        guard let data = FileManager.default.contents(atPath: trialDirectory(hash: hash) + "/runner.json") else { return nil }
        return try? JSONDecoder().decode(RunnerRecord.self, from: data)
    }

    /// `config.json` as the runner writes it before the trial starts: `{"config": ..., "hash": ...}` (the trainer
    /// rewrites it with `run_info`; `TrialConfigFile` is the one writer of both).
    public func writeConfig(_ trial: TrialSpec) throws {
        try TrialConfigFile(config: trial.config, hash: trial.hash).write(to: trialDirectory(hash: trial.hash))
    }

    // MARK: Files

    static func makeDirectory(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw AblateError.io(path: path, reason: "cannot create the directory (\(error.localizedDescription))")
        }
    }

    static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do { data = try encoder.encode(value) } catch { throw AblateError.io(path: path, reason: "cannot encode (\(error))") }
        try writeAtomically(data + Data("\n".utf8), to: path)
    }

    /// `writeAtomically` of UTF-8 text.
    public static func writeAtomically(text: String, to path: String) throws { try writeAtomically(Data(text.utf8), to: path) }

    /// Writes `data` to a temporary file beside `path`, flushes it, and renames it over `path`.
    public static func writeAtomically(_ data: Data, to path: String) throws {
        let tmp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AblateError.io(path: tmp, reason: "cannot create (\(String(cString: strerror(errno))))") }
        var ok = true
        var why = ""
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; ok = false; why = String(cString: strerror(errno)); return }
                offset += n
            }
        }
        if ok && fsync(fd) != 0 { ok = false; why = String(cString: strerror(errno)) }
        if close(fd) != 0 && ok { ok = false; why = String(cString: strerror(errno)) }
        if ok && rename(tmp, path) != 0 { ok = false; why = String(cString: strerror(errno)) }
        if !ok {
            unlink(tmp)
            throw AblateError.io(path: path, reason: "cannot write (\(why))")
        }
    }
}

/// An exclusive `flock(2)` on a trial's `.lock` file. The runner takes it before it starts a trial and hands the
/// locked descriptor to the trial process (as fd 3), so the lock lives exactly as long as some live process of
/// that trial: a trial whose status says "running" but whose lock is free was left by a dead runner.
public final class TrialLock: @unchecked Sendable {  // released once, by its owner
    public let fd: Int32

    /// Takes the lock without blocking; nil when another live process holds it.
    public static func acquire(directory: String) throws -> TrialLock? {
        let path = directory + "/.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AblateError.io(path: path, reason: "cannot open the lock (\(String(cString: strerror(errno))))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            return nil
        }
        return TrialLock(fd: fd)
    }

    /// True when a live process holds the lock of `directory`.
    public static func isHeld(directory: String) -> Bool {
        do {
            guard let lock = try acquire(directory: directory) else { return true }
            lock.release()
            return false
        } catch {
            return false  // no lock file can be opened, so nobody holds one
        }
    }

    private var released = false
    private init(fd: Int32) { self.fd = fd }

    public func release() {
        guard !released else { return }
        released = true
        close(fd)
    }

    deinit { release() }
}
