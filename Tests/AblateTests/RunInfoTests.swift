import Foundation
import Testing

@testable import Ablate

/// A trial's code version is "-dirty" only when the code differs from the commit, not when a report or a study file
/// in the checkout does (ablate run rewrites notebooks-md/ in place).
@Suite struct RunInfoTests {
    @Test func onlyCodeMakesAVersionDirty() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runinfo-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for sub in ["Sources/M", "notebooks-md"] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true)
        }
        try "let x = 1\n".write(toFile: "\(dir)/Sources/M/a.swift", atomically: true, encoding: .utf8)
        try "# r\n".write(toFile: "\(dir)/notebooks-md/r.md", atomically: true, encoding: .utf8)
        for args in [["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c"]] {
            #expect(RunInfo.git(args, directory: dir) != nil, "git \(args)")
        }
        let clean = try #require(RunInfo.gitVersion(directory: dir))
        #expect(!clean.hasSuffix("-dirty"))
        try "# changed\n".write(toFile: "\(dir)/notebooks-md/r.md", atomically: true, encoding: .utf8)
        #expect(RunInfo.gitVersion(directory: dir) == clean, "a regenerated report is not code")
        try "let x = 2\n".write(toFile: "\(dir)/Sources/M/a.swift", atomically: true, encoding: .utf8)
        #expect(RunInfo.gitVersion(directory: dir) == clean + "-dirty")
    }
}
