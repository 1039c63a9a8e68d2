import ArgumentParser
import Foundation
import RewardZoo

/// `ablate rewards`: the reward registry — name, summary, signals, gold use, default shaping and typed options.
struct RewardsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rewards",
        abstract: "List the registered rewards: summary, signals, gold use, default shaping, options with defaults and choices.",
        discussion: """
        Every reward is named by a permanent id and configured by typed options; a config or study file writes \
        it flat, e.g. {"name": "vigor", "length_correction": "sqrt", "params": "all", "focal_lambda": 0}. The \
        weighted composite takes its components on the command line as \
        components=0.5:rank:vigor,0.5:raw:gold (weight:shaping:reward, options after '+').

        Example:
          ablate rewards
          ablate rewards vigor
          ablate rewards --json
        """)

    @Argument(help: "Show only this reward.")
    var name: String?

    @Flag(name: .long, help: "Print the registry as a JSON array.")
    var json = false

    func run() throws {
        var descriptions = RewardRegistry.descriptions()
        if let name {
            guard let d = descriptions.first(where: { $0.name == name }) else {
                throw CommandFailure.report("rewards", RewardZooError.unknownReward(name: name, valid: RewardRegistry.names))
            }
            descriptions = [d]
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try StandardStreams.emit(String(decoding: try encoder.encode(descriptions), as: UTF8.self))
            return
        }
        try StandardStreams.emit(Self.table(descriptions))
    }

    /// Plain-text listing, one block per reward.
    static func table(_ descriptions: [RewardDescription]) -> String {
        var lines: [String] = []
        for d in descriptions {
            lines.append("\(d.name) — \(d.summary)")
            let signals = d.signals.map { $0.isEmpty ? "(none)" : $0.joined(separator: ", ") } ?? "(those of its components)"
            lines.append("  signals: \(signals) · uses gold: \(d.usesGold ? "yes" : "no") · default shaping: \(d.defaultShaping)"
                         + (d.permutationEquivariant ? "" : " · order-dependent"))
            if !d.options.isEmpty { lines.append("  options (--reward-opt name=value):") }
            let width = d.options.map(\.name.count).max() ?? 0
            for o in d.options {
                let pad = String(repeating: " ", count: width - o.name.count)
                lines.append("    \(o.name)\(pad)  default \(o.defaultValue ?? "(required)"); \(o.expected)")
                lines.append("    \(String(repeating: " ", count: width))  \(o.help)")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }
}
