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
    let state = store.verifiedState(hash: t.hash).state
    return state == .missing ? "not run" : state.rawValue
}

/// Why the store cannot vouch for a trial (its link or its directory), or nil.
func untrustedProblem(_ store: RunStore, _ t: TrialSpec) -> String? {
    store.verifiedState(hash: t.hash).problem
}
