import Ablate
import Foundation
import MiniLM
import Statistics

/// libFuzzer targets over the parsers user input reaches: the safetensors checkpoint reader, the `ablate inspect`
/// JSONL reader, the `ablate stats` request decoder and the study-file parser (`ablate check`/`run`/`report`). The
/// target is chosen by the environment variable ABLATE_FUZZ_TARGET (safetensors, jsonl, stats or study). Every input must either parse or throw a typed error;
/// a trap, an abort or a sanitizer report is a finding.
///
/// `make fuzz` builds this with `-sanitize=fuzzer,address -DFUZZING` (libFuzzer then provides `main`); the plain
/// build gets the replay driver below instead, which runs files through the same target (a corpus or a crash file).
enum FuzzTarget: String {
    case safetensors, jsonl, stats, study

    nonisolated(unsafe) static var current: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["ABLATE_FUZZ_TARGET"] ?? "stats"
        return FuzzTarget(rawValue: name) ?? .stats
    }()

    static let tokenizer = try? TaskVocabulary.tokenizer()

    func run(_ data: Data) {
        switch self {
        case .safetensors:
            _ = try? Checkpoint.load(data: data, path: "fuzz.safetensors")
        case .jsonl:
            guard let tok = Self.tokenizer else { return }
            _ = try? Inspector.parseSamples(jsonl: String(decoding: data, as: UTF8.self), path: "fuzz.jsonl",
                                            tokenizer: tok, contextLength: 128)
        case .stats:
            _ = try? StatsRequest.respond(toDocument: data).serialized
        case .study:
            // The whole of `ablate check`: bounded parse, validation, the grid resolved.
            if let s = try? Study.parse(yaml: String(decoding: data, as: UTF8.self), path: "studies/fuzz.yaml") {
                _ = try? s.trials(basePath: "runs/cache/base.safetensors")
            }
        }
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    FuzzTarget.current.run(data)
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links an executable's entry point as `main`, so libFuzzer's own `main` is never pulled in; this one
/// hands the command line to libFuzzer's driver.
@main
struct FuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOne))
    }
}
#else
@main
struct Replay {
    /// `ABLATE_FUZZ_TARGET=stats AblateFuzz FILE_OR_DIR...`: runs each file through the target.
    static func main() {
        var count = 0
        for arg in CommandLine.arguments.dropFirst() {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: arg, isDirectory: &isDir) else { continue }
            let files = isDir.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: arg)) ?? []).sorted().map { arg + "/" + $0 } : [arg]
            for f in files {
                guard let d = FileManager.default.contents(atPath: f) else { continue }
                FuzzTarget.current.run(d)
                count += 1
            }
        }
        print("replayed \(count) inputs through \(FuzzTarget.current.rawValue)")
    }
}
#endif
