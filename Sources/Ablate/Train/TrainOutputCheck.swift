import Foundation

extension TrainRun {
    /// Checks a trial directory before anything is read or written: it is created only when its parent exists
    /// (unless `createParents`, for the default `runs/train/...`), and an existing one must be empty or hold a
    /// run of this very config (`config.json` naming `hash`) that is not complete (a restart of the same trial,
    /// as the study runner does). An earlier run of another config, or a complete one, is never overwritten.
    public static func checkOutput(directory: String, hash: String, createParents: Bool) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir) else {
            let parent = (directory as NSString).deletingLastPathComponent
            guard !createParents, !parent.isEmpty else { return }
            var parentIsDir: ObjCBool = false
            guard fm.fileExists(atPath: parent, isDirectory: &parentIsDir) else {
                throw AblateError.io(path: directory, reason: "its parent directory \(parent) does not exist; --out creates only the trial directory itself (create \(parent) first)")
            }
            guard parentIsDir.boolValue else { throw AblateError.io(path: directory, reason: "\(parent) is a file, not a directory") }
            return
        }
        guard isDir.boolValue else { throw AblateError.io(path: directory, reason: "is a file, not a directory; --out names the trial directory") }
        let entries: [String]
        do { entries = try fm.contentsOfDirectory(atPath: directory) } catch {
            throw AblateError.io(path: directory, reason: "cannot list the directory (\(error.localizedDescription))")
        }
        // The runner's own files of this trial (its lock, the log it opens) do not make a directory another run's.
        let own: Set<String> = [TrialFile.lock.rawValue, TrialFile.log.rawValue]
        if entries.allSatisfy({ own.contains($0) }) { return }
        let listed = entries.sorted().prefix(5).joined(separator: ", ") + (entries.count > 5 ? ", ..." : "")
        if RunStore.configProblem(directory: directory, hash: hash) == nil {
            if let data = fm.contents(atPath: directory + "/status.json"),
               let status = try? JSONDecoder().decode(TrialStatus.self, from: data), status.status == .complete {
                throw AblateError.io(path: directory, reason: "already holds the complete run of this config (trial \(hash)); nothing to do: its results stay as they are (give another --out to train again)")
            }
            return  // the same trial, unfinished: it starts again from nothing
        }
        throw AblateError.io(path: directory, reason: "is not empty (\(listed)) and holds no unfinished run of this config (trial \(hash)); give a new or empty directory: the files there are left alone")
    }
}
