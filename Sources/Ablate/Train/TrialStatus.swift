import Foundation

/// The `status.json` of a trial directory (the trial contract): running, complete, failed (with the step and the
/// reason) or interrupted, the states of `TrialState` a file can record.
public struct TrialStatus: Codable, Equatable, Sendable {
    /// Always one of `TrialState.recorded`: decoding refuses any other, and so does encoding.
    public var status: TrialState
    /// The last completed step.
    public var step: Int
    public var reason: String?
    public var pid: Int32
    public var updated: String
    public var hash: String
    /// The Slurm array task that owns the trial (`<array job id>_<task id>`), when it runs under
    /// `ablate run --executor slurm`: written by the runner at submission and kept by every later write from inside
    /// the task (taken from `SLURM_ARRAY_JOB_ID`/`SLURM_ARRAY_TASK_ID`). Absent for a local trial.
    public var job: String?

    public init(status: TrialState, step: Int, reason: String? = nil, hash: String, job: String? = TrialStatus.slurmTask()) {
        self.status = status
        self.step = step
        self.reason = reason
        self.pid = ProcessInfo.processInfo.processIdentifier
        self.updated = ISO8601DateFormatter().string(from: Date())
        self.hash = hash
        self.job = job
    }

    enum CodingKeys: String, CodingKey { case status, step, reason, pid, updated, hash, job }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decode(TrialState.self, forKey: .status)
        guard status.isRecorded else {
            throw DecodingError.dataCorruptedError(forKey: .status, in: c, debugDescription: Self.unrecorded(status))
        }
        step = try c.decode(Int.self, forKey: .step)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        pid = try c.decode(Int32.self, forKey: .pid)
        updated = try c.decode(String.self, forKey: .updated)
        hash = try c.decode(String.self, forKey: .hash)
        job = try c.decodeIfPresent(String.self, forKey: .job)
    }

    public func encode(to encoder: Encoder) throws {
        guard status.isRecorded else {
            throw EncodingError.invalidValue(status, .init(codingPath: [CodingKeys.status], debugDescription: Self.unrecorded(status)))
        }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(step, forKey: .step)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encode(pid, forKey: .pid)
        try c.encode(updated, forKey: .updated)
        try c.encode(hash, forKey: .hash)
        try c.encodeIfPresent(job, forKey: .job)
    }

    private static func unrecorded(_ state: TrialState) -> String {
        "status.json records \(TrialState.recorded.map(\.rawValue).joined(separator: ", ")), not \(state.rawValue)"
    }

    /// `<array job id>_<task id>` when this process runs inside a Slurm array task, else nil.
    public static func slurmTask(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard let job = environment["SLURM_ARRAY_JOB_ID"], let task = environment["SLURM_ARRAY_TASK_ID"],
              !job.isEmpty, !task.isEmpty, job.utf8.count < 32, task.utf8.count < 16 else { return nil }
        return "\(job)_\(task)"
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try RunStore.writeAtomically(try encoder.encode(self), to: path)
    }

    public static func read(_ path: String) throws -> TrialStatus {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AblateError.unreadableFile(path: path, reason: "cannot be read (does it exist?)")
        }
        do { return try JSONDecoder().decode(TrialStatus.self, from: data) } catch {
            throw AblateError.unreadableFile(path: path, reason: "not a trial status (\(error))")
        }
    }
}
