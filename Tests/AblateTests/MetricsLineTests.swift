import Foundation
import JSON
import Testing

@testable import Ablate

/// metrics.jsonl has one type, `MetricsLine`, for its writer and its readers; lines written by earlier versions
/// must still read as they did (Fixtures/metrics/old-metrics.jsonl, described in the README beside it).
@Suite struct MetricsLineTests {
    static let fixture = fixtureRoot + "/metrics/old-metrics.jsonl"

    /// How `TrialResult` read metrics.jsonl before the typed line, by string keys: the reference the typed reader
    /// must agree with. Numbers only ("nan" strings and nulls left out); an eval line without a split was on test.
    static func legacyRead(_ data: Data) -> (train: [(step: Int, values: [String: Double])],
                                             validation: [(step: Int, suites: [String: [String: Double]])],
                                             base: [String: [String: Double]]) {
        // Its suites were read by the function that still reads eval.json.
        let suiteMetrics = TrialResult.suiteMetrics
        var train: [(Int, [String: Double])] = [], validation: [(Int, [String: [String: Double]])] = []
        var base: [String: [String: Double]] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let obj = try? JSONValue.parse(Data(line.utf8)), case let .number(step)? = obj["step"] else { continue }
            if case .string("eval")? = obj["kind"] {
                let split: String = if case let .string(s)? = obj["split"] { s } else { "test" }
                if split == "validation" { validation.append((Int(step), suiteMetrics(obj))) }
                if split == "test", step == 0 { base = suiteMetrics(obj) }
            }
            guard case .string("train")? = obj["kind"], case let .object(fields) = obj else { continue }
            var m: [String: Double] = [:]
            for (k, v) in fields where k != "step" { if case let .number(d) = v { m[k] = d } }
            train.append((Int(step), m))
        }
        return (train, validation, base)
    }

    /// The numbers of a train line as the writer writes it (step left out, as the legacy reader did).
    static func writtenNumbers(_ t: TrainMetrics) throws -> [String: Double] {
        guard case let .object(pairs) = try MetricsLine.train(t).json() else { return [:] }
        var m: [String: Double] = [:]
        for (k, v) in pairs where k != "step" { if case let .number(d) = v { m[k] = d } }
        return m
    }

    @Test func oldLinesReadToTheSameValues() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.fixture))
        let legacy = Self.legacyRead(data)
        let dir = try temporaryDirectory("metrics-line")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try data.write(to: URL(fileURLWithPath: TrialFile.metrics.path(in: dir)))
        let read = TrialResult.read(directory: dir, variant: "v", seed: 1)

        #expect(read.train.map(\.step) == [1, 2, 3] && legacy.train.map(\.step) == [1, 2, 3])
        for (typed, old) in zip(read.train, legacy.train) {
            #expect(try Self.writtenNumbers(typed) == old.values, "step \(old.step)")
        }
        // What the old reader dropped the typed one keeps as what it is: a NaN, or nil for null and absent fields.
        #expect(read.train[0].rewardRawStd?.isNaN == true && read.train[0].labelAccuracy == nil && read.train[0].timeStep == nil)
        #expect(read.train[1].aurocGroups == 3 && read.train[1].timeStep == 4.5 && read.train[2].majorityRatio == nil)
        #expect(read.train[1].lengthRho == -0.125 && read.train[0].lengthRho == nil && read.train[2].lengthRho == nil)
        #expect(read.baseEval == legacy.base && read.baseEval["arith"]?["n"] == 200 && read.baseEval["word"]?["unparsable"] == nil)
        #expect(read.validation.map(\.step) == legacy.validation.map(\.step))
        #expect(read.validation.map(\.suites) == legacy.validation.map(\.suites))
        #expect(read.validation.first?.suites["arith"]?["pass_at_k"] == 0.5)
    }

    /// A line the current writer wrote (fixture line 6) comes back byte for byte; an eval line keeps its texts.
    @Test func theWriterWritesWhatItReads() throws {
        let text = try String(contentsOfFile: Self.fixture, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let current = lines[5]
        let parsed = try #require(MetricsLine.parse(current))
        #expect(try parsed.json().serialized == current)
        guard case let .eval(eval)? = MetricsLine.parse(lines[0]) else { Issue.record("line 1 is not an eval line"); return }
        #expect(eval.split == .test && eval.suites["arith"]?.texts["knobs"] == #"{"max_operands":3}"#)
        let again = try #require(MetricsLine.parse(try MetricsLine.eval(eval).json().serialized))
        guard case let .eval(back) = again else { Issue.record("not an eval line"); return }
        #expect(back.values == eval.values && back.suites["arith"]?.texts == eval.suites["arith"]?.texts)
        #expect([lines[2], lines[3], lines[8], lines[9]].allSatisfy { MetricsLine.parse($0) == nil }, "blank, not JSON, another kind, no step")
    }

    /// Every field is written, nil as null, `kind` first and the rest in `CodingKeys` order.
    @Test func aTrainLineNamesEveryField() throws {
        var t = TrainMetrics(step: 4)
        t.entropy = 0.5
        guard case let .object(pairs) = try MetricsLine.train(t).json() else { Issue.record("not an object"); return }
        #expect(pairs.map(\.key) == ["kind"] + TrainMetrics.CodingKeys.allCases.map(\.rawValue))
        #expect(pairs.first?.value == .string("train") && pairs.first { $0.key == "auroc" }?.value == .null)
    }
}
