import Foundation

extension StudyRunner {
    /// Every `--force` name must be a trial of the study (`variant/seed-n`) or "all".
    func checkForceNames() throws {
        let labels = Set(trials.map(\.label))
        let unknown = options.force.filter { $0 != "all" && !labels.contains($0) }.sorted()
        guard unknown.isEmpty else {
            let examples = trials.prefix(3).map(\.label).joined(separator: ", ")
            throw AblateError.run(reason: """
                --force \(unknown.joined(separator: ", ")): no such trial in study '\(study.name)'; \
                name a trial as variant/seed-n (e.g. \(examples)\(trials.count > 3 ? ", ..." : "")) or 'all'
                """)
        }
    }

    func isForced(_ t: TrialSpec) -> Bool { options.force.contains(t.label) || options.force.contains("all") }

    /// Checks every trial's link and directory before the run changes anything (`RunStore.linkState`,
    /// `verifiedState`). A trial with results the store cannot vouch for is refused unless `--force` names it;
    /// then it is moved to `runs/quarantine/` (never deleted) and runs again. Returns the lines to show: links
    /// that will be re-pointed, trials quarantined, untrusted trials without results that start again.
    func checkTrust() throws -> [String] {
        var notes: [String] = []
        var refused: [String] = []
        var toQuarantine: [TrialSpec] = []
        var seen = Set<String>()
        var blocked: [String] = []
        for t in trials {
            if case let .foreign(what) = store.linkState(study: study.name, trial: t) {
                var info = stat()
                if lstat(store.linkPath(study: study.name, trial: t), &info) == 0, (info.st_mode & S_IFMT) != S_IFLNK {
                    // A real directory or file where the link belongs: not the store's, and not ours to remove.
                    blocked.append("\(store.linkPath(study: study.name, trial: t)) is \(what)")
                } else {
                    notes.append("\(t.label): the trial link was \(what); it now points at trials/\(t.hash) (nothing was deleted)")
                }
            }
            guard seen.insert(t.hash).inserted else { continue }
            let check = store.verifiedState(hash: t.hash)
            guard check.state == .untrusted, let problem = check.problem else { continue }
            if !check.hasResults {
                notes.append("\(t.label) (trial \(t.hash)): \(problem); it has no results, so it starts again")
            } else if isForced(t) {
                toQuarantine.append(t)
                notes.append("\(t.label) (trial \(t.hash)): \(problem)")
            } else {
                refused.append("\(t.label) (trial \(t.hash)): \(problem)")
            }
        }
        if !blocked.isEmpty {
            throw AblateError.run(reason: """
                \(blocked.joined(separator: "; ")): the runner keeps a link to \(store.root)/trials/<hash> there and \
                does not remove what it did not write; move \(blocked.count == 1 ? "it" : "them") away and run again (nothing was changed)
                """)
        }
        if !refused.isEmpty {
            let force = trials.filter { t in refused.contains { $0.hasPrefix(t.label + " ") } }.map { "--force \($0.label)" }
            throw AblateError.run(reason: """
                \(refused.count) trial(s) in \(store.root)/trials cannot be trusted: \(refused.joined(separator: "; ")). \
                Nothing was changed or deleted; \(force.joined(separator: " ")) moves each to \(store.root)/quarantine/ \
                and runs it again
                """)
        }
        for t in toQuarantine {
            let moved = try store.quarantine(hash: t.hash)
            notes.append("\(t.label): moved trial \(t.hash) to \(moved) (--force); it runs again")
        }
        return notes
    }

    /// The error for a trial whose results the store stopped vouching for while this run went on (found when its
    /// state is read again under its lock, by the local or the Slurm executor).
    func changedMeanwhile(_ t: TrialSpec, _ check: RunStore.Verification) -> AblateError {
        .run(reason: "\(t.label) (trial \(t.hash)): \(check.problem ?? "untrusted"); it changed while this run went on. Nothing was deleted; rerun with --force \(t.label) to move it to \(store.root)/quarantine/ and run it again")
    }
}
