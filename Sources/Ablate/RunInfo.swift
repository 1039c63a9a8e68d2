import Foundation
import MiniLM

/// What every run records about where it ran: code version, machine, threads (docs/ARCHITECTURE.md, "Reproducibility").
public struct RunInfo: Codable, Sendable, Equatable {
    public var codeVersion: String
    public var machine: String
    public var cores: Int
    public var openblasCore: String

    /// Reads the code version from `git describe` of the working directory when available ("unknown" otherwise).
    public static func current() -> RunInfo {
        RunInfo(codeVersion: gitVersion() ?? "unknown", machine: cpuModel() ?? ProcessInfo.processInfo.hostName,
                cores: ProcessInfo.processInfo.activeProcessorCount, openblasCore: BLAS.coreName)
    }

    /// Checkpoint/run metadata entries.
    public func metadata(extra: [String: String] = [:]) -> [String: String] {
        var m = extra
        m["code_version"] = codeVersion
        m["machine"] = "\(machine), \(cores) cores, OpenBLAS \(openblasCore)"
        return m
    }

    static func gitVersion() -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "describe", "--always", "--dirty", "--abbrev=12"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        let s = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return s.isEmpty ? nil : s
    }

    static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}
