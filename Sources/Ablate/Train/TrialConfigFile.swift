import Foundation

/// The `config.json` of a trial directory (the trial contract): the resolved config, its hash and, once the trial
/// has started, where it ran. The runner writes it before it spawns a trial (`RunStore.writeConfig`, no
/// `run_info`) and `TrainRun` rewrites it when the trial starts (with `run_info`); both through `write`, the one
/// writer, so the file has one format: compact JSON with sorted keys, the config encoded exactly as `TrainConfig`
/// encodes itself for its hash (no number passes through a Double on the way, so a seed near 2⁶⁴ stays exact and
/// the file's config always hashes back to `hash`).
public struct TrialConfigFile: Codable, Equatable, Sendable {
    public var config: TrainConfig
    public var hash: String
    /// Provenance, recorded outside the hashed config; nil until the trial starts.
    public var runInfo: RunRecord?

    enum CodingKeys: String, CodingKey { case config, hash, runInfo = "run_info" }

    public init(config: TrainConfig, hash: String, runInfo: RunRecord? = nil) {
        self.config = config
        self.hash = hash
        self.runInfo = runInfo
    }

    /// Reads `config` and `hash` strictly (the store re-hashes them) and `run_info` leniently: records of earlier
    /// versions hold fewer fields, and provenance never decides whether a trial is trusted.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.decode(TrainConfig.self, forKey: .config)
        hash = try c.decode(String.self, forKey: .hash)
        runInfo = try? c.decodeIfPresent(RunRecord.self, forKey: .runInfo)
    }

    /// Writes `config.json` into `directory` atomically.
    public func write(to directory: String) throws {
        try RunStore.writeJSON(self, to: TrialFile.config.path(in: directory))
    }

    /// config.json's `run_info`: code version, machine, cores, the OpenBLAS core detected and chosen (issue 16),
    /// MiniLM's kernel path (absent in older trials), toolchain, OS and start time. `blas_core_detected` is written as null when nothing was detected.
    public struct RunRecord: Codable, Equatable, Sendable {
        public var codeVersion: String
        public var machine: String
        public var cores: Int
        public var openblasCore: String
        public var blasCoreDetected: String?
        public var blasCore: String
        public var blasCoreChoice: String
        public var kernelPath: String?
        public var toolchain: String
        public var os: String
        /// ISO 8601.
        public var started: String

        enum CodingKeys: String, CodingKey {
            case codeVersion = "code_version", machine, cores, openblasCore = "openblas_core"
            case blasCoreDetected = "blas_core_detected", blasCore = "blas_core", blasCoreChoice = "blas_core_choice"
            case kernelPath = "kernel_path", toolchain, os, started
        }

        /// This process's record, started now.
        public init(_ info: RunInfo, started: Date = Date()) {
            codeVersion = info.codeVersion
            machine = info.machine
            cores = info.cores
            openblasCore = info.openblasCore
            blasCoreDetected = info.blasCore.detected
            blasCore = info.blasCore.core
            blasCoreChoice = info.blasCore.choice
            kernelPath = info.kernelPath
            toolchain = RunInfo.toolchain
            os = RunInfo.operatingSystem
            self.started = ISO8601DateFormatter().string(from: started)
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(codeVersion, forKey: .codeVersion)
            try c.encode(machine, forKey: .machine)
            try c.encode(cores, forKey: .cores)
            try c.encode(openblasCore, forKey: .openblasCore)
            try c.encode(blasCoreDetected, forKey: .blasCoreDetected)  // null, not absent, when nil
            try c.encode(blasCore, forKey: .blasCore)
            try c.encode(blasCoreChoice, forKey: .blasCoreChoice)
            try c.encodeIfPresent(kernelPath, forKey: .kernelPath)
            try c.encode(toolchain, forKey: .toolchain)
            try c.encode(os, forKey: .os)
            try c.encode(started, forKey: .started)
        }
    }
}
