import Foundation
import RewardZoo

/// Runs a `kind: analysis` study: its plan through `RewardAnalysis`, its report through `AnalysisReport`.
public enum AnalysisStudy {
    /// Samples, scores and writes `<notebooks>/<study>.md` with its figures; returns the report path.
    /// `runs` is the run store an `along_training` block reads its trials from.
    public static func run(_ study: Study, basePath: String, notebooks: String, runs: String = "runs", threads: Int = 2,
                           progress: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) throws -> String {
        guard let a = study.analysis else { throw AblateError.run(reason: "\(study.path) has no analysis block") }
        var settings = RewardAnalysis.Settings()
        settings.checkpoint = a.checkpoint == "base" ? basePath : a.checkpoint
        settings.suites = a.prompts.map(\.suite)
        settings.promptCounts = Dictionary(a.prompts.map { ($0.suite, $0.count) }, uniquingKeysWith: { x, _ in x })
        settings.groupSize = a.numGenerations
        settings.temperature = Float(a.temperature)
        settings.maxNewTokens = a.maxCompletionLength
        settings.threads = threads
        settings.rewards = try a.rewards.map { ($0.label, try RewardSpec.decode(json: $0.spec.serialized)) }
        settings.beyond = a.beyond
        // Every sampling seed of the study: the report's tables are the first seed's; "Across sampling seeds"
        // puts every seed's AUROC per reward and suite side by side.
        var results: [RewardAnalysis.Result] = []
        for seed in study.seeds {
            settings.seed = UInt64(max(0, seed))
            if study.seeds.count > 1 { progress("sampling seed \(seed)") }
            results.append(try RewardAnalysis(settings: settings).run(progress: progress))
        }
        guard let first = results.first else { throw AblateError.run(reason: "\(study.path) has no seeds") }
        var along: AlongTraining.Result?
        if let spec = a.alongTraining {
            settings.seed = first.settings.seed
            along = try AlongTraining.run(spec, store: RunStore(root: runs), settings: settings, progress: progress)
        }
        let info = RunInfo.current()
        return try AnalysisReport.write(first, name: study.name, notebooks: notebooks, title: study.name,
                                        studyFile: study.path, codeVersion: info.codeVersion,
                                        machine: info.machineDescription, acrossSeeds: results,
                                        alongTraining: along, design: a)
    }
}
