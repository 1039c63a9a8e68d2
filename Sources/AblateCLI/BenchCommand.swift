import Ablate
import ArgumentParser
import Foundation
import MiniLM

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure MiniLM's training, per-sample gradient norm and sampling throughput.",
        discussion: """
        Workload: vocab 64, context 128, d_model 128, 4 layers, 4 heads, MLP 512, float32. Training step (forward, backward, AdamW) on 64×128 tokens; per-sample gradient norms of 64 sequences (32 prompt + 96 completion tokens), batched vs a naive per-sequence loop vs a plain forward+backward; KV-cache sampling of 64 × 96 new tokens at temperature 1; one GRPO step (rl_step) of 16 arith prompts × 8 completions of exactly 64 new tokens for the gold, self_certainty and vigor rewards, with its phases (sampling, signals, norms, scoring, update), and gold with a teacher-forced forward of the rollouts (gold_teacher_forced) instead of the sampling's own activations; the steps taken round-robin. Medians after one warm-up.

        Example (release build): swift build -c release && .build/release/ablate bench --json
        """)

    @Flag(name: .long, help: "Print the figures as one JSON object.")
    var json = false

    @Option(name: .long, parsing: .unconditional, help: "Worker threads (each uses one OpenBLAS thread).")
    var threads = 2

    @Option(name: .long, parsing: .unconditional, help: "Timed repetitions per figure (after one warm-up).")
    var repetitions = 9

    @Option(name: .long, parsing: .upToNextOption, help: "Measure only these parts: train, norms, sampling, rl_step (default: all).")
    var only: [String] = []

    func run() throws {
        try checkThreads(threads)
        guard (1...1000).contains(repetitions) else { throw ValidationError("--repetitions must be in 1...1000, got \(repetitions)") }
        var workload = Benchmark.Workload()
        workload.threads = threads
        workload.repetitions = repetitions
        if !only.isEmpty {
            workload.parts = Set(try only.map { name in
                guard let p = Benchmark.Part(rawValue: name) else {
                    throw ValidationError("unknown part '\(name)' for --only; use train, norms, sampling or rl_step")
                }
                return p
            })
        }
        let r = try Benchmark(workload: workload).run()
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            try StandardStreams.emit(String(decoding: try enc.encode(r), as: UTF8.self))
        } else {
            if let t = r.train {
                try StandardStreams.emit(String(format: "training    %8.0f tokens/s  %6.1f GFLOP/s  (sgemm %.1f GFLOP/s, %.0f%%)",
                             t.tokens_per_s, t.gflops, t.sgemm_gflops, 100 * t.gflops / t.sgemm_gflops))
            }
            if let g = r.grad_norms {
                try StandardStreams.emit(String(format: "grad norms  batched %.3f s  naive %.3f s  fwd+bwd %.3f s  (%.2f× fwd+bwd)  max rel diff %.1e",
                             g.batched_s, g.naive_s, g.fwd_bwd_s, g.batched_over_fwd_bwd, g.max_rel_diff))
            }
            if let s = r.sampling { try StandardStreams.emit(String(format: "sampling    %8.0f tokens/s", s.tokens_per_s)) }
            for (name, step) in (r.rl_step ?? [:]).sorted(by: { $0.key < $1.key }) {
                let phases = step.phases.sorted { $0.key < $1.key }.map { String(format: "%@ %.3f", $0.key, $0.value) }.joined(separator: "  ")
                try StandardStreams.emit(String(format: "rl step     %-15@ %.3f s (%.2f× gold)  %@", name, step.step_s, step.over_gold ?? .nan, phases))
            }
            let core = BLASCore.Record(detected: r.blas_core_detected, core: r.blas_core, choice: r.blas_core_choice)
            try StandardStreams.emit("threads \(r.threads), OpenBLAS core \(core), MiniLM kernels \(r.kernel_path), \(r.parameters) parameters")
        }
    }
}
