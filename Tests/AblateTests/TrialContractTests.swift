import Foundation
import JSON
import Testing

@testable import Ablate

/// config.json has one writer and status.json one list of states (`TrialState`).
@Suite struct TrialContractTests {
    /// The runner's and the trainer's config.json come from `TrialConfigFile`: the config decodes back to itself
    /// and hashes to the recorded hash, even for a seed near 2⁶⁴ (the trainer's former writer passed every number
    /// through a Double, and such a file no longer hashed back: its complete trial became untrusted).
    @Test func oneConfigWriterKeepsTheHash() throws {
        var config = TrainConfig(base: "runs/cache/base-14087b0ae9d03d9a.safetensors")
        config.seed = UInt64.max - 2
        let resolved = config.resolved(), hash = resolved.hash
        let dir = try temporaryDirectory("config-file")
        defer { try? FileManager.default.removeItem(atPath: dir) }

        try TrialConfigFile(config: resolved, hash: hash).write(to: dir)
        #expect(RunStore.configProblem(directory: dir, hash: hash) == nil)
        let runner = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: TrialFile.config.path(in: dir))))
        #expect(runner["run_info"] == nil && runner["hash"] == .string(hash))

        let info = RunInfo(codeVersion: "v", machine: "m", cores: 2, blasCore: .init(detected: nil, core: "Zen", choice: "openblas"))
        try TrialConfigFile(config: resolved, hash: hash, runInfo: .init(info)).write(to: dir)
        #expect(RunStore.configProblem(directory: dir, hash: hash) == nil)
        let data = try Data(contentsOf: URL(fileURLWithPath: TrialFile.config.path(in: dir)))
        let trainer = try JSONDecoder().decode(TrialConfigFile.self, from: data)
        #expect(trainer.config == resolved && trainer.config.hash == hash && trainer.runInfo?.blasCore == "Zen")
        #expect(try JSONValue.parse(data)["run_info"]?["blas_core_detected"] == .null, "written as null, not left out")

        // The former trainer's writer: the config through JSONValue (Doubles) does not decode to the same config.
        let viaDouble = try JSONValue.parse(Data(try resolved.json().utf8)).serialized
        #expect((try? JSONDecoder().decode(TrainConfig.self, from: Data(viaDouble.utf8)))?.hash != hash)
    }

    /// A config.json of an earlier version (fewer run_info fields) still verifies: provenance is read leniently.
    @Test func anOlderRunInfoStillVerifies() throws {
        let resolved = TrainConfig(base: "b.safetensors").resolved(), hash = resolved.hash
        let dir = try temporaryDirectory("config-file")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = #"{"config": \#(try resolved.json()), "hash": "\#(hash)", "run_info": {"code_version": "abc", "machine": "m", "cores": 2, "openblas_core": "Haswell", "started": "2026-01-01T00:00:00Z"}}"#
        try text.write(toFile: TrialFile.config.path(in: dir), atomically: true, encoding: .utf8)
        #expect(RunStore.configProblem(directory: dir, hash: hash) == nil)
    }

    /// status.json records running, complete, failed or interrupted; `missing` and `untrusted` are what a reader
    /// concludes, never written and never read from a file.
    @Test func statusRecordsOnlyRecordedStates() throws {
        #expect(TrialState.recorded == [.running, .complete, .failed, .interrupted])
        for state in TrialState.allCases {
            let status = TrialStatus(status: state, step: 1, hash: "0123456789abcdef", job: nil)
            let encoded = try? JSONEncoder().encode(status)
            #expect((encoded != nil) == state.isRecorded, "\(state)")
            let text = #"{"hash":"0123456789abcdef","pid":1,"status":"\#(state.rawValue)","step":1,"updated":"x"}"#
            let decoded = try? JSONDecoder().decode(TrialStatus.self, from: Data(text.utf8))
            #expect(decoded?.status == (state.isRecorded ? state : nil), "\(state)")
        }
    }
}
