import Ablate
import ArgumentParser
import Foundation
import MiniLM
import Tasks

/// `ablate eval`: accuracy of a checkpoint on the test splits of task suites.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint on the test splits of task suites (greedy pass@1 with a 95% Wilson CI).",
        discussion: """
        Per suite: greedy pass@1 with its 95% Wilson interval, mean completion length, fraction truncated and \
        fraction without a parsable '#### <answer>' line; with --k > 1 also avg@k, pass@k and maj@k of k samples \
        at --temperature. Problems are distinct problems of --split (test by default) drawn with --seed, at the family knobs of the \
        checkpoint's recipe (defaults when it has none).

        Example:
          ablate eval --checkpoint runs/cache/base-<hash>.safetensors --suites arith,word,trace
          ablate eval --checkpoint model.safetensors --suites arith --n 200 --k 8 --temperature 0.8 --json
        """)

    @Option(name: .long, help: "A .safetensors checkpoint written by `ablate pretrain` (or any MiniLM checkpoint).")
    var checkpoint: String

    @Option(name: .long, help: "Comma-separated suites among \(TaskRegistry.names.joined(separator: ", ")).")
    var suites = TaskRegistry.names.joined(separator: ",")

    @Option(name: .long, parsing: .unconditional, help: "Problems per suite (distinct, from --split).")
    var n = 1000

    @Option(name: .long, help: "The split problems come from: test (reported results) or validation (choices made on data: learning rate, step budget, checkpoint).")
    var split = "test"

    @Option(name: .long, parsing: .unconditional, help: "Samples per problem for avg@k, pass@k and maj@k (1 = greedy only).")
    var k = 1

    @Option(name: .long, parsing: .unconditional, help: "Sampling temperature of the k samples (> 0).")
    var temperature: Float = 0.8

    @Option(name: .long, parsing: .unconditional, help: "Seed of the problem draw and the samples.")
    var seed: UInt64 = 0

    @Flag(name: .long, help: "Print the results as one JSON object.")
    var json = false

    @Option(name: .long, parsing: .unconditional, help: "Worker threads (each uses one OpenBLAS thread).")
    var threads = 2

    func run() throws {
        do {
            try checkThreads(threads)
            var settings = EvaluationSettings()
            settings.suites = suites.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            settings.problemsPerSuite = n
            settings.k = k
            settings.temperature = temperature
            settings.seed = seed
            guard let chosen = Split(rawValue: split), chosen != .train else {
                throw ValidationError("--split must be 'test' or 'validation', got '\(split)' (the train split is what models are trained on)")
            }
            settings.split = chosen
            try settings.validate()  // before the (slow) load: a typo in --suites fails at once
            guard FileManager.default.fileExists(atPath: checkpoint) else { throw AblateError.missingCheckpoint(path: checkpoint) }
            let contents = try Checkpoint.load(path: checkpoint)
            settings.familyOverrides = try EvaluationSettings(checkpoint: contents, path: checkpoint).familyOverrides
            let report = try Evaluator.evaluate(model: contents.model, tokenizer: contents.tokenizer, settings: settings,
                                                threads: threads, checkpoint: checkpoint)
            if json {
                try StandardStreams.emit(try report.json())
            } else {
                try StandardStreams.emit("checkpoint \(checkpoint)" + (contents.metadata["recipe_hash"].map { " (recipe \($0))" } ?? ""))
                try StandardStreams.emit(report.table())
                if k > 1 {
                    // Self-consistency gain: what majority voting over k samples adds to greedy decoding (maj@k − greedy).
                    for name in report.order {
                        guard let s = report.suites[name], let maj = s.majAtK else { continue }
                        try StandardStreams.emit(String(format: "%@: self-consistency gain maj@%d − greedy = %+.1f points (τ = %.2f)", name, k, 100 * (maj - s.accuracy), Double(temperature)))
                    }
                }
                try StandardStreams.emit(String(format: "up to %d problems per suite from the %@ split (a smaller split is evaluated whole: its n is in the table), seed %llu; %.1f s", n, split, seed, report.seconds))
            }
        } catch let e as ValidationError {
            throw e
        } catch {
            throw CommandFailure.report("eval", error)
        }
    }
}
