/// The state of a trial: the one list `status.json`, the runners, `ablate check` and the report use.
///
/// `status.json` records the first four (`TrialStatus`); the last two are what a reader concludes when there is
/// no status to read (`missing`) or the store cannot vouch for what is there (`untrusted`). Raw values are
/// permanent: they are the `status` strings of status.json.
public enum TrialState: String, Codable, CaseIterable, Sendable {
    /// A process is training it (or died without saying so: the runner checks the trial's lock).
    case running
    /// Finished: every output is written.
    case complete
    /// Training diverged, the reward failed or the process died; `TrialStatus.reason` says which.
    case failed
    /// Stopped by a signal or by `ablate cancel`; it starts again on the next run.
    case interrupted
    /// No status.json: never started.
    case missing
    /// The store cannot vouch for it (a link outside the store, a torn status, a complete trial missing a file,
    /// an edited config): it never enters the statistics.
    case untrusted

    /// The states status.json records.
    public static let recorded: [TrialState] = [.running, .complete, .failed, .interrupted]

    /// True for a state status.json can hold.
    public var isRecorded: Bool { Self.recorded.contains(self) }
}
