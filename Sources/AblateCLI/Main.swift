import ArgumentParser

@main
struct AblateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ablate",
        abstract: "RewardZoo: intrinsic rewards for RL post-training of small language models.",
        subcommands: [BenchCommand.self, StatsCommand.self]
    )
}
