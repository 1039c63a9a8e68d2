import Ablate
import ArgumentParser
import Foundation
import RewardZoo

/// `ablate analyze`: reward-vs-correctness of a checkpoint without training (the analysis study's engine).
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Score sampled groups of a checkpoint with rewards: within-group AUROC for correct vs incorrect, length bias.",
        discussion: """
        Samples --g completions for each of --n test prompts per suite, computes every signal once, scores each group \
        with each reward (raw values) and writes a Markdown report with the tidy CSVs behind it: per reward and suite \
        the within-group AUROC for correct vs incorrect with a bootstrap CI over groups, paired Wilcoxon comparisons \
        (Holm), each reward's Spearman correlation with completion length, and the within-group length spread.
        Rewards: 'default' (vigor with none, sqrt and linear length correction, self_certainty, neg_entropy, \
        trajectory_logprob, majority_vote, semantic_cluster, random) or a comma-separated list of names.

        Example: ablate analyze --checkpoint runs/cache/base-<hash>.safetensors --n 300 --out notebooks-md/reward-correctness.md
        """)

    @Option(help: "Checkpoint (.safetensors) to sample from.")
    var checkpoint: String

    @Option(help: "Comma-separated suites.")
    var suites = "arith,word,trace"

    @Option(help: "Test prompts per suite.")
    var n = 300

    @Option(help: "Completions per prompt (G).")
    var g = 8

    @Option(help: "'default' or comma-separated reward names.")
    var rewards = "default"

    @Option(help: "Sampling seed (also of the prompts and the bootstrap).")
    var seed: UInt64 = 1

    @Option(help: "Worker threads.")
    var threads = 2

    @Option(help: "Report path (Markdown); the CSVs go to a folder of the same name.")
    var out = "notebooks-md/reward-correctness.md"

    @Option(help: "Report title.")
    var title = "Reward vs correctness on the base model"

    func run() throws {
        try reportingErrors("analyze") {
            guard (1...64).contains(threads) else { throw AblateError.invalidOption(name: "--threads", value: "\(threads)", valid: "use 1...64") }
            guard (1...10_000).contains(n) else { throw AblateError.invalidOption(name: "--n", value: "\(n)", valid: "use 1...10000") }
            guard (2...64).contains(g) else { throw AblateError.invalidOption(name: "--g", value: "\(g)", valid: "use 2...64 (a group needs two completions)") }
            var settings = RewardAnalysis.Settings()
            settings.checkpoint = checkpoint
            settings.suites = suites.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            settings.prompts = n
            settings.groupSize = g
            settings.seed = seed
            settings.threads = threads
            settings.rewards = rewards == "default" ? try RewardAnalysis.Settings.defaultRewards()
                : try rewards.split(separator: ",").map { name in
                    let s = String(name).trimmingCharacters(in: .whitespaces)
                    return (s, try RewardRegistry.spec(name: s, options: [:]))
                }
            let result = try RewardAnalysis(settings: settings).run { StandardStreams.warn($0) }
            let info = RunInfo.current()
            let name = ((out as NSString).lastPathComponent as NSString).deletingPathExtension
            let path = try AnalysisReport.write(result, name: name, notebooks: (out as NSString).deletingLastPathComponent.isEmpty ? "." : (out as NSString).deletingLastPathComponent,
                                                title: title, studyFile: nil, codeVersion: info.codeVersion,
                                                machine: info.machineDescription)
            try StandardStreams.emit("wrote \(path) (\(result.rows.count) completions, \(String(format: "%.0f", result.seconds)) s)")
        }
    }
}
