import Foundation

// STAND-IN (branch `studies`): main's Sources/Ablate/Train/TrialFiles.swift defines the same `TrialStatus`
// (same JSON keys, same `init(status:step:reason:hash:)`). At merge, delete this file; nothing else changes.

/// `status.json` of a trial (trial contract): running, complete, failed (with step and reason) or interrupted.
public struct TrialStatus: Codable, Equatable, Sendable {
    public enum State: String, Codable, Sendable { case running, complete, failed, interrupted }
    public var status: State
    /// The last completed step.
    public var step: Int
    public var reason: String?
    /// The writing process.
    public var pid: Int32
    public var updated: String
    public var hash: String

    public init(status: State, step: Int, reason: String? = nil, hash: String) {
        self.status = status
        self.step = step
        self.reason = reason
        self.pid = ProcessInfo.processInfo.processIdentifier
        self.updated = ISO8601DateFormatter().string(from: Date())
        self.hash = hash
    }
}
