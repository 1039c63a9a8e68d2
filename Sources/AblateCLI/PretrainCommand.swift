import Ablate
import ArgumentParser
import Foundation
import MiniLM

/// `ablate pretrain`: trains the base model of a recipe, or reuses its cached checkpoint.
struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pre-train a base model on the task corpus (cached by recipe hash).",
        discussion: """
        Trains MiniLM from scratch on a mix of the task families with a fraction of flawed solutions, printing \
        one progress line per interval (step/total, loss, held-out loss on the test split, tokens/s, ETA) and \
        writing a JSONL log beside the checkpoint. Without --out the checkpoint goes to \
        runs/cache/<preset>-<recipe hash>.safetensors and is reused when it already exists.

        Example:
          ablate pretrain --preset base
          ablate pretrain --preset base --mix arith=0.5,word=0.5,trace=0 --flawed 0.2 --steps 300 --out runs/mine.safetensors
          ablate pretrain --overrides '{"d_model": 96, "learning_rate": 0.003}' --print-path
          ablate pretrain --overrides '{"family_overrides": {"arith": {"max_operands": 4}}}' --show-recipe
        """)

    @Option(name: .long, help: "Model preset: \(ModelConfig.presetNames.joined(separator: ", ")).")
    var preset = "base"

    @Option(name: .long, help: "Family weights, e.g. arith=0.45,word=0.45,trace=0.1 (relative; missing families get 0).")
    var mix: String?

    @Option(name: .long, parsing: .unconditional, help: "Fraction of examples with one flawed step (0...1).")
    var flawed: Double?

    @Option(name: .long, parsing: .unconditional, help: "Optimiser steps.")
    var steps: Int?

    @Option(name: .long, parsing: .unconditional, help: "Seed of the weights, the corpus and the batch order.")
    var seed: UInt64?

    @Option(name: .long, help: ArgumentHelp("A named recipe to start from: \(NamedRecipe.all.map(\.name).joined(separator: ", ")) (default: base); the other options override it."))
    var recipe = "base"

    @Option(name: .long, help: "Any other recipe fields as a JSON object, snake_case, e.g. '{\"learning_rate\": 0.003}'.")
    var overrides: String?

    @Option(name: .long, help: "Write the checkpoint here and bypass the cache (always trains).")
    var out: String?

    @Option(name: .long, parsing: .unconditional, help: "Worker threads (each uses one OpenBLAS thread).")
    var threads = 2

    @Flag(name: .long, help: "Print only the checkpoint path on stdout (progress goes to stderr); for scripts.")
    var printPath = false

    @Flag(name: .long, help: "Print the resolved recipe and its hash, then exit without training.")
    var showRecipe = false

    @Flag(name: .long, help: "List the named recipes (name and summary), then exit.")
    var listRecipes = false

    func run() throws {
        do {
            if listRecipes {
                try StandardStreams.emit(NamedRecipe.all.map { "\($0.name)  \($0.summary)" }.joined(separator: "\n"))
                return
            }
            try checkThreads(threads)
            var recipe = try PretrainRecipe.named(self.recipe)
            recipe.preset = preset
            if let overrides { recipe = try recipe.applying(overridesJSON: overrides) }
            if let mix { recipe.mix = try MixSpec.parse(mix) }
            if let flawed { recipe.flawedFraction = flawed }
            if let steps { recipe.steps = steps }
            if let seed { recipe.seed = seed }
            try recipe.validate()
            if let out { try BaseModelCache.checkOutput(path: out) }  // before any work, also for --show-recipe
            // Unbuffered writes: progress lines show at once even when stdout is a file or a pipe.
            let progressOut: Int32 = printPath ? 2 : 1
            if showRecipe {
                try StandardStreams.write(recipe.canonicalJSON + "\n" + "hash \(try recipe.hash())\n", to: progressOut)
                return
            }
            // Progress lines are checked too: the first failed write is reported after the run (the checkpoint
            // is still written) and makes the exit code non-zero.
            var lostOutput: Error?
            let say: (String) -> Void = { line in
                guard lostOutput == nil else { return }
                do { try StandardStreams.write(line + "\n", to: progressOut) } catch { lostOutput = error }
            }
            let hash = try recipe.hash()
            let outcome = try BaseModelCache.obtain(
                recipe: recipe, threads: threads, out: out, note: say,
                progress: { p in
                    if p.step == 0 { say("pre-training recipe \(hash): \(p.totalSteps) steps; held-out loss \(String(format: "%.3f", p.heldOutLoss)) at init") } else { say(p.line) }
                })
            if let r = outcome.result {
                say(String(format: "trained in %@ (%.0f tokens/s); log %@", PretrainProgress.clock(r.seconds),
                           Double(r.tokens) / max(r.seconds, 1e-9), BaseModelCache.logPath(forCheckpoint: outcome.path)))
            }
            if let lostOutput { throw lostOutput }
            try StandardStreams.emit(printPath ? outcome.path : "checkpoint \(outcome.path)")
        } catch let e as ValidationError {
            throw e
        } catch {
            throw CommandFailure.report("pretrain", error)
        }
    }
}
