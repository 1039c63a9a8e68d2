import ArgumentParser
import Foundation
import MiniLM
import RewardZoo

@main
struct AblateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ablate",
        abstract: "RewardZoo: intrinsic rewards for RL post-training of small language models.",
        subcommands: [CheckCommand.self, RunCommand.self, StatusCommand.self, CancelCommand.self, ReportCommand.self, TrainCommand.self, AnalyzeCommand.self, RewardsCommand.self,
                      EvalCommand.self, InspectCommand.self, PretrainCommand.self, InitCommand.self, StatsCommand.self, BenchCommand.self]
    )

    static func main() {
        CPUSupport.requireBuildTarget()
        CPUSupport.requireKernelPath()
        BLASCoreStartup.run()  // may re-execute the process: before anything else opens files or changes signals
        StandardStreams.prepare()
        // The failure-isolation tests run `ablate train --reward fault` as a subprocess; users never see `fault`.
        if ProcessInfo.processInfo.environment["REWARDZOO_TEST_REWARDS"] == "1" { RewardRegistry.register(FaultReward.self) }
        runReportingUsageErrors(Array(CommandLine.arguments.dropFirst()))
    }
}

/// MiniLM is compiled for x86-64-v3 (AVX2 + FMA) unless built with REWARDZOO_PORTABLE=1 (Package.swift). On an
/// older x86 CPU that build would die of an illegal instruction; say why instead.
enum CPUSupport {
    static func requireBuildTarget() {
        #if REWARDZOO_X86_64_V3 && os(Linux)
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        let missing = ["avx2", "fma"].filter { !flags.contains($0) }
        if !missing.isEmpty {
            FileHandle.standardError.write(Data("""
                error: this build of ablate uses AVX2/FMA instructions, which this CPU lacks (\(missing.joined(separator: ", "))).
                Rebuild without them: rm -rf .build && REWARDZOO_PORTABLE=1 swift build -c release

                """.utf8))
            exit(1)
        }
        #endif
    }

    /// A `REWARDZOO_KERNELS` that names no path of this build, or one the CPU cannot run, stops ablate with
    /// `KernelPath.select`'s message (MiniLM alone would quietly use the automatic choice).
    static func requireKernelPath() {
        do { _ = try KernelPath.select(environment: ProcessInfo.processInfo.environment, cpu: .current) } catch {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            exit(1)
        }
    }
}
