import Foundation
import Testing

/// The `ablate` binary itself (issue 9): exit codes and stderr messages for each crash, hang and silent acceptance
/// found by probing it. Runs `.build/debug/ablate` (or `.build/release/ablate`), which `make test` builds first.
@Suite("ablate CLI: exit codes and messages", .serialized)
struct CLITests {
    /// The package root, from this file's path (Tests/AblateTests/CLITests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static let binary: String? = {
        let fm = FileManager.default
        let candidates = ["debug", "release"].map { "\(root)/.build/\($0)/ablate" }
        return candidates.first { fm.isExecutableFile(atPath: $0) }
    }()

    /// A scratch directory with a small checkpoint and inspect inputs, made once.
    static let scratch: String = {
        let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("ablate-cli-\(getpid())")
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try? Data(#"{"id": 1, "prompt": "1+2=?\n", "completion": "1+2=3. #### 3"}"#.utf8 + [13, 10]
            + #"{"id": 2, "prompt_ids": [1, 20], "completion_ids": [25, 2]}"#.utf8 + [13, 10])
            .write(to: URL(fileURLWithPath: dir + "/crlf.jsonl"))
        try? Data(#"{"id": 1, "prompt": "1+2=?\n", "completion": "3", "prompt_ids": [1], "completion_ids": [2]}"#.utf8)
            .write(to: URL(fileURLWithPath: dir + "/both.jsonl"))
        try? Data(#"[{"id": 1, "test": "iqm", "x": [1, 2, 3, 4]}]"#.utf8).write(to: URL(fileURLWithPath: dir + "/iqm.json"))
        let big = (0..<30_000).map { String(Double($0 % 1000) / 1000) }.joined(separator: ",")
        let big2 = (0..<30_000).map { String(Double(($0 * 7) % 1009) / 1009) }.joined(separator: ",")
        try? Data(#"{"id": 1, "test": "effect_sizes_independent", "x": [\#(big)], "y": [\#(big2)]}"#.utf8)
            .write(to: URL(fileURLWithPath: dir + "/effect.json"))
        return dir
    }()

    struct Run { let status: Int32; let stdout: String; let stderr: String }

    /// Runs `script` under /bin/sh with $A = the binary and $D = the scratch directory.
    static func sh(_ script: String) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        var env = ProcessInfo.processInfo.environment
        env["A"] = binary ?? "ablate-not-built"
        env["D"] = scratch
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                   stderr: String(decoding: e, as: UTF8.self))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let script: String
        let status: Int32
        /// Substring of stderr (or of stdout when `status` is 0).
        let message: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "stats < directory", script: "$A stats < $D", status: 2, message: "standard input: it is a directory"),
        Case(name: "stats with stdin closed", script: "$A stats <&-", status: 2, message: "standard input is closed"),
        Case(name: "stats > /dev/full", script: "$A stats < $D/iqm.json > /dev/full", status: 1, message: "No space left on device"),
        Case(name: "stats with stdout closed", script: "$A stats < $D/iqm.json >&-", status: 1, message: "standard output is closed"),
        Case(name: "stats answers", script: "$A stats < $D/iqm.json", status: 0, message: #"[{"id": 1, "statistic": 2.5}]"#),
        Case(name: "effect sizes on 3·10^4 values each (n² = 7 GB before)", script: "$A stats < $D/effect.json", status: 0, message: #""hodges_lehmann":"#),
        Case(name: "pretrain --show-recipe > /dev/full", script: "$A pretrain --show-recipe > /dev/full", status: 1,
             message: "No space left on device"),
        Case(name: "batch_size 10^9", script: #"$A pretrain --overrides '{"batch_size": 1000000000}' --show-recipe"#, status: 2,
             message: "batch_size = 1000000000: must be in 1...4096"),
        Case(name: "bucket_batches 10^12", script: #"$A pretrain --overrides '{"bucket_batches": 1000000000000}' --show-recipe"#,
             status: 2, message: "bucket_batches = 1000000000000: must be in 1...1024"),
        Case(name: "pooled examples", script: #"$A pretrain --overrides '{"batch_size": 4096, "bucket_batches": 1024}' --show-recipe"#,
             status: 2, message: "must be at most 65536"),
        Case(name: "held_out_examples", script: #"$A pretrain --overrides '{"held_out_examples": 1000000000}' --show-recipe"#,
             status: 2, message: "held_out_examples = 1000000000: must be in 1...100000"),
        Case(name: "pretrain --out over its own log", script: "$A pretrain --steps 1 --out $D/run.jsonl", status: 2,
             message: "would overwrite its own JSONL log"),
        Case(name: "pretrain --out a directory", script: "$A pretrain --steps 1 --out $D", status: 2, message: "is a directory"),
        Case(name: "pretrain --out under a missing directory", script: "$A pretrain --steps 1 --out $D/none/x.safetensors",
             status: 2, message: "does not exist; create it first"),
        Case(name: "init --out under a missing directory",
             script: "$A init --out $D/missing/dir/x.safetensors; s=$?; test ! -e $D/missing && exit $s", status: 2,
             message: "does not exist; create it first"),
        Case(name: "init --seed -1", script: "$A init --seed -1 --out $D/x.safetensors", status: 2, message: "'-1'"),
        Case(name: "pretrain --threads 0", script: "$A pretrain --threads 0 --show-recipe", status: 2,
             message: "--threads must be in 1...256, got 0"),
        Case(name: "eval --threads 10^6", script: "$A eval --checkpoint $D/m.safetensors --threads 1000000", status: 2,
             message: "--threads must be in 1...256, got 1000000"),
        Case(name: "eval --k 10^6", script: "$A eval --checkpoint $D/m.safetensors --k 1000000", status: 2,
             message: "k = 1000000: must be in 1...1024"),
        Case(name: "eval --suites arith,arith", script: "$A eval --checkpoint $D/m.safetensors --suites arith,arith", status: 2,
             message: "'arith' is listed twice"),
        Case(name: "inspect CRLF input", script: "$A inspect --checkpoint $D/m.safetensors --input $D/crlf.jsonl", status: 0,
             message: #"{"id": 2, "completion_tokens": 2"#),
        Case(name: "inspect text and ids", script: "$A inspect --checkpoint $D/m.safetensors --input $D/both.jsonl", status: 2,
             message: "both.jsonl:1: has both text"),
        Case(name: "inspect --params last:99", script: "$A inspect --checkpoint $D/m.safetensors --input $D/crlf.jsonl --params last:99",
             status: 2, message: "the model has 4 blocks; use last:0 ... last:4"),
        Case(name: "inspect --input - < directory", script: "$A inspect --checkpoint $D/m.safetensors --input - < $D", status: 2,
             message: "it is a directory"),
        Case(name: "inspect with overflowing weights", script: "$A inspect --checkpoint $D/huge.safetensors --input $D/crlf.jsonl",
             status: 2, message: "2 of 2 samples gave NaN or infinite signals (ids 1, 2)"),
        Case(name: "pretrain d_model 10^5", script: #"$A pretrain --overrides '{"d_model": 100000}' --show-recipe"#, status: 2,
             message: "d_model = 100000: must be in 1...4096"),
        Case(name: "pretrain a 10^9-parameter model", script: #"$A pretrain --overrides '{"d_model": 4096, "mlp_hidden": 16384, "layers": 2, "heads": 64}' --show-recipe"#,
             status: 2, message: "parameters; at most 100000000"),
        Case(name: "eval > /dev/full", script: "$A eval --checkpoint $D/m.safetensors --suites arith --n 2 > /dev/full", status: 1,
             message: "No space left on device"),
        Case(name: "train an unknown reward", script: "$A train --base $D/m.safetensors --reward vigour --out $D/t1", status: 2,
             message: "unknown reward 'vigour'"),
        Case(name: "train an unknown reward option", script: "$A train --base $D/m.safetensors --reward vigor --reward-opt lenght=1 --out $D/t2",
             status: 2, message: "has no option 'lenght'"),
        Case(name: "train a bad option value", script: "$A train --base $D/m.safetensors --reward vigor --reward-opt length_correction=cube --out $D/t3",
             status: 2, message: "cube"),
        Case(name: "train a missing base", script: "$A train --base $D/none.safetensors --reward gold --out $D/t4; s=$?; test ! -e $D/t4 && exit $s",
             status: 2, message: "no checkpoint at"),
        Case(name: "train an unknown setting", script: "$A train --base $D/m.safetensors --reward gold --set max_stepz=3 --out $D/t5",
             status: 2, message: "max_stepz"),
        Case(name: "train a bad setting", script: "$A train --base $D/m.safetensors --reward gold --set beta=-1 --out $D/t6",
             status: 2, message: "beta = -1: must be non-negative"),
        Case(name: "train an unknown shaping", script: "$A train --base $D/m.safetensors --reward gold --shaping ranks --out $D/t7",
             status: 2, message: "'rank'"),
        Case(name: "train: a NaN reward fails the run with its step",
             script: #"REWARDZOO_TEST_REWARDS=1 $A train --base $D/m.safetensors --reward fault --reward-opt at_step=1 --steps 3 --set eval_n=2 --set 'eval_suites=["arith"]' --set prompts_per_step=1 --set num_generations=2 --set max_completion_length=4 --out $D/t8; s=$?; grep -q '"failed"' $D/t8/status.json && exit $s"#,
             status: 1, message: "the run failed at step 2"),
        Case(name: "inspect > /dev/full", script: "$A inspect --checkpoint $D/m.safetensors --input $D/crlf.jsonl > /dev/full",
             status: 1, message: "No space left on device"),
        Case(name: "check: along_training before its train study ran says why",
             script: #"mkdir -p $D/at/studies && printf 'description: x\nkind: analysis\nbase_model: {}\nseeds: [1]\nanalysis:\n  prompts: {arith: 4}\n  rewards:\n    gold: {name: gold}\n  along_training: {study: headline, variant: vigor, steps: [0, 150]}\n' > $D/at/studies/at.yaml && $A check $D/at/studies/at.yaml --runs $D/at/runs"#,
             status: 0, message: "not ready: along_training: no trials of headline/vigor"),
    ]

    @Test("exit code and message", arguments: cases)
    func cliCase(_ c: Case) throws {
        guard let binary = Self.binary else {
            Issue.record("the ablate binary is not built at \(Self.root)/.build/debug/ablate; run `swift build --product ablate` (make test does)")
            return
        }
        // One small model for the inspect and eval cases (preset small has 4 blocks).
        if !FileManager.default.fileExists(atPath: Self.scratch + "/m.safetensors") {
            let r = try Self.sh("$A init --preset small --seed 1 --out $D/m.safetensors")
            #expect(r.status == 0, "init failed: \(r.stderr)")
            // The same model with every weight 1e30: finite, so it loads, but float32 arithmetic overflows.
            var data = try Data(contentsOf: URL(fileURLWithPath: Self.scratch + "/m.safetensors"))
            let n = 8 + Int(data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) })
            let huge = withUnsafeBytes(of: Float(1e30).bitPattern.littleEndian) { Array($0) }
            for i in stride(from: n, to: data.count - 3, by: 4) { data.replaceSubrange(i..<(i + 4), with: huge) }
            try data.write(to: URL(fileURLWithPath: Self.scratch + "/huge.safetensors"))
        }
        let r = try Self.sh(c.script)
        #expect(r.status == c.status, "\(c.name): exit \(r.status), stderr: \(r.stderr.prefix(400))")
        let text = c.status == 0 ? r.stdout : r.stderr
        #expect(text.contains(c.message), "\(c.name) [\(binary)]: expected '\(c.message)' in: \(text.prefix(600))")
    }
}
