import Ablate
import Foundation

/// One line on stderr per trial the run store cannot vouch for (left out of the report); returns their count.
func warnUntrusted(_ results: [TrialResult], command: String) -> Int {
    let untrusted = results.filter { $0.state == .untrusted }
    for r in untrusted {
        StandardStreams.warn("ablate \(command): \(r.label)\(r.hash.isEmpty ? "" : " (trial \(r.hash))"): \(r.reason ?? "untrusted"); left out of the report")
    }
    return untrusted.count
}

/// A trial's state for `ablate check`: its verified status, "not run" or "untrusted".
func trialStateText(_ store: RunStore, _ t: TrialSpec) -> String {
    switch store.verifiedState(hash: t.hash) {
    case .absent: return "not run"
    case let .verified(status): return status.status.rawValue
    case .untrusted: return "untrusted"
    }
}

/// Why the store cannot vouch for a trial (its link or its directory), or nil.
func untrustedProblem(_ store: RunStore, _ t: TrialSpec) -> String? {
    if case let .untrusted(problem, _) = store.verifiedState(hash: t.hash) { return problem }
    return nil
}
