import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension StudyReport {
    /// Checks, before any work, that the report of `study` can be written under `notebooks`: every existing part
    /// of `<notebooks>/<study>/` is a directory, `<notebooks>/<study>.md` is not one, and the nearest existing
    /// ancestor is a writable directory. Throws an `AblateError.io` naming the path and the problem.
    public static func checkOutput(notebooks: String, study: String) throws {
        let fm = FileManager.default
        func kind(_ path: String) -> (exists: Bool, directory: Bool) {
            var isDir: ObjCBool = false
            let exists = fm.fileExists(atPath: path, isDirectory: &isDir)
            return (exists, isDir.boolValue)
        }
        let folder = notebooks.isEmpty ? study : "\(notebooks)/\(study)"
        for path in [notebooks, folder] where !path.isEmpty {
            let k = kind(path)
            if k.exists && !k.directory {
                throw AblateError.io(path: path, reason: "is a file, not a directory: the report goes to \(notebooks)/\(study).md and its figures to \(folder)/; give --notebooks a directory")
            }
        }
        let md = "\(notebooks)/\(study).md"
        if kind(md).directory { throw AblateError.io(path: md, reason: "is a directory; the report would be written there as a file") }
        // The nearest existing ancestor must be a directory we may write in (the rest is created).
        var probe = folder
        while !kind(probe).exists {
            let parent = (probe as NSString).deletingLastPathComponent
            probe = parent.isEmpty ? "." : parent
            if probe == "." || probe == "/" { break }
        }
        if kind(probe).exists && !kind(probe).directory {
            throw AblateError.io(path: probe, reason: "is a file, not a directory; the report cannot be written under it")
        }
        if access(probe, W_OK) != 0 {
            throw AblateError.io(path: probe, reason: "is not writable (\(String(cString: strerror(errno)))); the report cannot be written there")
        }
    }

    /// Variants with a complete trial trained under another config than the study file now gives (the study
    /// changed since it ran), with those trials' labels.
    public var variantsTrainedUnderAnotherConfig: [(variant: String, trials: [String])] {
        study.variants.compactMap { v in
            let stale = results.filter { $0.variant == v.name && $0.state == .complete && $0.trainedUnderAnotherConfig }
            return stale.isEmpty ? nil : (v.name, stale.map(\.label))
        }
    }

    /// " ⚠ trained under another config" for a variant with such trials, else "" (a marker after its name).
    func configMark(_ variant: String) -> String {
        variantsTrainedUnderAnotherConfig.contains { $0.variant == variant } ? " ⚠ trained under another config" : ""
    }

    /// A warning block when some arms were trained under another config than the study file now gives, and
    /// the untrusted trials the report left out; empty otherwise.
    func trustNotes() -> [String] {
        var out: [String] = []
        let stale = variantsTrainedUnderAnotherConfig
        if !stale.isEmpty {
            out.append("> **Trained under another config.** The study file changed after these trials ran, so their results "
                       + "belong to the old settings, not to the overrides listed in Setup: "
                       + stale.map { "`\($0.variant)` (\($0.trials.joined(separator: ", ")))" }.joined(separator: "; ")
                       + ". `ablate run --force <trial>` runs them under the current config.")
            out.append("")
        }
        let untrusted = results.filter { $0.state == .untrusted }
        if !untrusted.isEmpty {
            out.append("> **Left out: \(untrusted.count) trial(s) the run store cannot vouch for** (listed under Failed and unfinished trials): "
                       + untrusted.map { "\($0.label): \($0.reason ?? "untrusted")" }.joined(separator: "; ") + ".")
            out.append("")
        }
        return out
    }
}
