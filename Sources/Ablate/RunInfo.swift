import Foundation
import MiniLM

/// What every run records about where it ran: code version, machine, threads (docs/ARCHITECTURE.md, "Reproducibility").
public struct RunInfo: Codable, Sendable, Equatable {
    public var codeVersion: String
    public var machine: String
    public var cores: Int
    /// The OpenBLAS core running (`blasCore.core`).
    public var openblasCore: String { blasCore.core }
    /// The core OpenBLAS detected, the one running and how it was chosen (issue 16: `BLASCore`).
    public var blasCore: BLASCore.Record
    /// MiniLM's own kernels: `avx2`, `avx512` or `portable` (`KernelPath`; the AVX-512 tile gives the AVX2 bits).
    public var kernelPath: String = KernelPath.active.rawValue

    /// Reads the code version from `git describe` of the working directory when available ("unknown" otherwise).
    public static func current() -> RunInfo {
        RunInfo(codeVersion: gitVersion() ?? "unknown", machine: cpuModel() ?? ProcessInfo.processInfo.hostName,
                cores: ProcessInfo.processInfo.activeProcessorCount, blasCore: BLASCore.current)
    }

    /// "<CPU>, <n> cores, OpenBLAS <core and how it was chosen>", for checkpoints and report headers.
    public var machineDescription: String { "\(machine), \(cores) cores, OpenBLAS \(blasCore)" }

    /// Checkpoint/run metadata entries.
    public func metadata(extra: [String: String] = [:]) -> [String: String] {
        var m = extra
        m["code_version"] = codeVersion
        m["machine"] = machineDescription
        return m
    }

    /// `git describe --always --abbrev=12` of `directory` (the working directory by default), with "-dirty" when
    /// the code differs from that commit: tracked or new files under Sources/, Package.swift or Fuzz/. Reports,
    /// study files and docs are not code, so regenerating a report in the checkout (as `ablate run` does) does
    /// not make the next trial's version "dirty".
    static func gitVersion(directory: String? = nil) -> String? {
        guard let commit = git(["describe", "--always", "--abbrev=12"], directory: directory) else { return nil }
        guard let status = git(["status", "--porcelain", "--", "Sources", "Package.swift", "Fuzz"], directory: directory) else {
            return commit
        }
        return status.isEmpty ? commit : commit + "-dirty"
    }

    /// The trimmed standard output of `git ARGS`, nil when git is missing or fails.
    static func git(_ arguments: [String], directory: String?) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git"] + arguments
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The Swift compiler this binary was built with (to the precision `#if compiler` tells).
    public static var toolchain: String {
        #if compiler(>=6.4)
        return "Swift 6.4 or later"
        #elseif compiler(>=6.3.1)
        return "Swift 6.3.1"
        #elseif compiler(>=6.3)
        return "Swift 6.3"
        #elseif compiler(>=6.2)
        return "Swift 6.2"
        #else
        return "Swift 6.0–6.1"
        #endif
    }

    /// The OS (`PRETTY_NAME` of /etc/os-release) and kernel release.
    public static var operatingSystem: String {
        var name = "Linux"
        if let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
                name = String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        if let kernel = try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8) {
            name += ", kernel " + kernel.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return name
    }

    static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}
