import Foundation
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// The store trusts nothing it did not write. Before a trial is resumed, skipped as complete or read into a
/// report, its link and its directory are checked:
/// - a study's link `runs/<study>/<variant>/seed-<n>` must resolve (real paths compared, not names) to the
///   directory `runs/trials/<hash>` of the store itself;
/// - `runs/trials/<hash>` must be a real directory, its `status.json` readable and naming `<hash>`;
/// - a complete trial must have every file its state implies (`eval.json` with its suites, `metrics.jsonl`,
///   `model.safetensors`) and a `config.json` whose config hashes, recomputed, to `<hash>`.
/// What fails is reported with the trial and the problem and kept out of every report; finished results are never
/// deleted: `ablate run --force <trial>` moves them to `runs/quarantine/<hash>-<time>` and runs the trial again.
extension RunStore {
    /// Where a study's trial link points.
    public enum LinkState: Equatable, Sendable {
        /// No link (the trial was never linked).
        case none
        /// A link into this store's `trials/<hash>` (possibly dangling: the directory is created when it runs).
        case store(hash: String)
        /// Anything else: a link elsewhere, a real directory or file in its place. `what` says which.
        case foreign(what: String)
    }

    /// What the store can vouch for in `trials/<hash>/`: its `TrialState` and what backs it.
    public struct Verification: Equatable, Sendable {
        /// `missing` (no directory, or one without status and without results: never started), `untrusted`
        /// (something the store did not write), or the state of the verified status.
        public var state: TrialState
        /// The readable status naming this trial (and, when complete, every file it implies); nil unless verified.
        public var status: TrialStatus?
        /// Why the store cannot vouch for the trial; nil unless untrusted.
        public var problem: String?
        /// An `eval.json` or model is there, so an untrusted trial is only moved away with `--force`
        /// (quarantine), never deleted.
        public var hasResults: Bool

        /// Never started.
        public static let missing = Verification(state: .missing, status: nil, problem: nil, hasResults: false)

        /// A status the store vouches for.
        public static func verified(_ status: TrialStatus) -> Verification {
            Verification(state: status.status, status: status, problem: nil, hasResults: false)
        }

        /// Something the store did not write.
        public static func untrusted(_ problem: String, hasResults: Bool) -> Verification {
            Verification(state: .untrusted, status: nil, problem: problem, hasResults: hasResults)
        }
    }

    static func isHash(_ s: String) -> Bool {
        s.utf8.count == 16 && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// The real path of `path` (symlinks resolved), or nil when it does not resolve.
    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// The state of the link at `path` (a study's `<variant>/seed-<n>`).
    public func linkState(at path: String) -> LinkState {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .none }
        guard (info.st_mode & S_IFMT) == S_IFLNK else {
            let kind = (info.st_mode & S_IFMT) == S_IFDIR ? "a directory" : "a file"
            return .foreign(what: "\(kind), not a link into \(root)/trials")
        }
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
        if let real = Self.realPath(path) {
            guard let trials = Self.realPath("\(root)/trials") else {
                return .foreign(what: "a link to \(real), and \(root)/trials does not exist")
            }
            let name = (real as NSString).lastPathComponent
            guard (real as NSString).deletingLastPathComponent == trials, Self.isHash(name) else {
                return .foreign(what: "a link to \(real), outside \(trials)")
            }
            return .store(hash: name)
        }
        // Dangling: only the runner's own form `../../trials/<hash>` (the directory is made when the trial runs).
        let parts = target.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 4, parts[0] == "..", parts[1] == "..", parts[2] == "trials", Self.isHash(String(parts[3])),
           let here = Self.realPath((path as NSString).deletingLastPathComponent + "/../../trials"),
           here == Self.realPath("\(root)/trials") {
            return .store(hash: String(parts[3]))
        }
        return .foreign(what: "a dangling link to \(target)")
    }

    public func linkState(study: String, trial: TrialSpec) -> LinkState {
        linkState(at: linkPath(study: study, trial: trial))
    }

    /// Checks `trials/<hash>/` as described above.
    public func verifiedState(hash: String) -> Verification {
        let dir = trialDirectory(hash: hash)
        var info = stat()
        guard lstat(dir, &info) == 0 else { return .missing }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            let kind = (info.st_mode & S_IFMT) == S_IFLNK ? "a link" : "a file"
            return .untrusted("\(root)/trials/\(hash) is \(kind), not a directory the store wrote", hasResults: true)
        }
        let fm = FileManager.default
        let present = { (name: String) -> Bool in fm.fileExists(atPath: dir + "/" + name) }
        let hasResults = present(TrialFile.evaluation.rawValue) || present(TrialFile.model.rawValue)
        guard let data = fm.contents(atPath: TrialFile.status.path(in: dir)) else {
            if present(TrialFile.status.rawValue) {
                return .untrusted("status.json cannot be read", hasResults: hasResults)
            }
            return hasResults
                ? .untrusted("status.json is missing but results (eval.json or model.safetensors) are there", hasResults: true)
                : .missing
        }
        let status: TrialStatus
        do { status = try JSONDecoder().decode(TrialStatus.self, from: data) } catch {
            let what = data.isEmpty ? "empty" : "not a trial status (torn or overwritten)"
            return .untrusted("status.json is \(what)", hasResults: hasResults)
        }
        guard status.hash == hash else {
            return .untrusted("status.json names trial '\(status.hash)', not \(hash)", hasResults: hasResults)
        }
        guard status.status == .complete else { return .verified(status) }

        // A complete trial: every file its state implies, and its config is the one its name says.
        for name in [TrialFile.evaluation, .metrics, .model].map(\.rawValue) where !present(name) {
            return .untrusted("status.json says complete but \(name) is missing", hasResults: true)
        }
        guard let evalData = fm.contents(atPath: TrialFile.evaluation.path(in: dir)), let eval = try? JSONValue.parse(evalData),
              case .object? = eval["suites"] else {
            return .untrusted("eval.json is not an evaluation (no suites)", hasResults: true)
        }
        if let problem = Self.configProblem(directory: dir, hash: hash) {
            return .untrusted(problem, hasResults: true)
        }
        return .verified(status)
    }

    /// Why `config.json` of `directory` does not belong to trial `hash` (nil when it does): its config, hashed
    /// again, must give `hash`, and so must its recorded `hash`.
    static func configProblem(directory: String, hash: String) -> String? {
        guard let data = FileManager.default.contents(atPath: TrialFile.config.path(in: directory)) else { return "\(TrialFile.config.rawValue) is missing" }
        let document: TrialConfigFile
        do { document = try JSONDecoder().decode(TrialConfigFile.self, from: data) } catch {
            return "config.json is not a trial config (\(error))"
        }
        let actual = document.config.hash
        if actual != hash {
            return "config.json holds another config (it hashes to \(actual), not \(hash)): it was edited after the trial ran"
        }
        if document.hash != hash { return "config.json records hash \(document.hash), not \(hash)" }
        return nil
    }

    /// Moves `trials/<hash>` to `quarantine/<hash>-<UTC time>` (nothing is deleted) and returns the new path.
    public func quarantine(hash: String) throws -> String {
        let folder = "\(root)/quarantine"
        try Self.makeDirectory(folder)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let stamp = formatter.string(from: Date())
        var target = "\(folder)/\(hash)-\(stamp)"
        var n = 1
        while FileManager.default.fileExists(atPath: target) {
            n += 1
            target = "\(folder)/\(hash)-\(stamp)-\(n)"
        }
        guard rename(trialDirectory(hash: hash), target) == 0 else {
            throw AblateError.io(path: trialDirectory(hash: hash),
                                 reason: "cannot move the trial to \(target) (\(String(cString: strerror(errno))))")
        }
        return target
    }
}
