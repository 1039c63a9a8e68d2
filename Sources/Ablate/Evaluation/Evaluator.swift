import Foundation
import MiniLM
import RewardZoo
import Statistics
import Tasks

/// Settings of one evaluation.
public struct EvaluationSettings: Sendable, Equatable {
    /// Suites (family names), evaluated in this order.
    public var suites: [String] = TaskRegistry.names
    /// Problems per suite, distinct, from `split`. 1000: a binomial SE of 1.6 points at 50%, so two models that
    /// disagree on 10–20% of problems are told apart by the test set's noise at about 1.4–2 points. An upper bound:
    /// a split with fewer distinct problems at the family's knobs is evaluated whole (the base recipe's arith knobs
    /// have about 330 test problems), and each suite's report gives its n.
    public var problemsPerSuite = 1000
    /// The split the problems come from: `test` for reported results, `validation` for every choice made on data.
    public var split: Split = .test
    /// Seed of the problem draw and of the sampled completions.
    public var seed: UInt64 = 0
    /// Samples per problem for avg@k, pass@k and maj@k; 1 = greedy pass@1 only.
    public var k = 1
    /// Temperature of the k samples. 0.8: diverse enough for pass@k to exceed pass@1, close to the greedy mode.
    public var temperature: Float = 0.8
    /// The suites whose k samples are drawn (the others greedy only); nil = every suite. Sampling k = 8 on three
    /// suites of 1000 problems is most of a trial's evaluation time, and a study may read sampled metrics on one.
    public var sampledSuites: [String]? = nil
    /// Family knob overrides (family → JSON object): evaluate on the distribution the model was trained on.
    public var familyOverrides: [String: String] = [:]

    public init() {}

    /// Default settings at the family knobs of the checkpoint's pre-training recipe (defaults when it has none), so
    /// a model is evaluated on the distribution it was trained on. A recipe that does not decode is an error
    /// naming the checkpoint.
    public init(checkpoint contents: Checkpoint.Contents, path: String) throws {
        self.init()
        if let text = contents.metadata["recipe"] {
            do { familyOverrides = try PretrainRecipe.decode(json: text).familyOverrides } catch {
                throw AblateError.corruptCache(path: path, reason: "its recipe metadata does not decode (\(error))")
            }
        }
    }

    /// Upper bounds: k samples of every problem are held at once, and n problems are drawn distinct.
    public static let maximumK = 1024
    public static let maximumProblems = 100_000

    public func validate() throws {
        guard !suites.isEmpty else {
            throw AblateError.invalidEvaluation(field: "suites", value: "(none)", reason: "name at least one of \(AblateError.list(TaskRegistry.names))")
        }
        for s in suites where !TaskRegistry.names.contains(s) {
            throw AblateError.unknownSuite(name: s, valid: TaskRegistry.names)
        }
        guard problemsPerSuite >= 1 else {
            throw AblateError.invalidEvaluation(field: "n", value: String(problemsPerSuite), reason: "must be at least 1")
        }
        if let dup = suites.enumerated().first(where: { i, s in suites[..<i].contains(s) })?.element {
            throw AblateError.invalidEvaluation(field: "suites", value: suites.joined(separator: ","),
                                                reason: "'\(dup)' is listed twice; name each suite once")
        }
        guard problemsPerSuite <= Self.maximumProblems else {
            throw AblateError.invalidEvaluation(field: "n", value: String(problemsPerSuite),
                                                reason: "must be at most \(Self.maximumProblems)")
        }
        if let sampled = sampledSuites, let stray = sampled.first(where: { !suites.contains($0) }) {
            throw AblateError.invalidEvaluation(field: "sampled suites", value: sampled.joined(separator: ","),
                                                reason: "'\(stray)' is not evaluated; name suites among \(AblateError.list(suites))")
        }
        guard (1...Self.maximumK).contains(k) else {
            throw AblateError.invalidEvaluation(field: "k", value: String(k), reason: "must be in 1...\(Self.maximumK)")
        }
        guard temperature > 0, temperature.isFinite else {
            throw AblateError.invalidEvaluation(field: "temperature", value: String(temperature),
                                                reason: "must be positive (greedy decoding is always evaluated as pass@1)")
        }
    }
}

/// Evaluation of a model on the test splits of task suites: the library function behind `ablate eval`, for
/// the RL trainer's periodic evaluation and the study runner.
public enum Evaluator {
    /// Evaluates `model` on `settings.problemsPerSuite` distinct test problems per suite (drawn with
    /// `settings.seed`): greedy pass@1 with a 95% Wilson interval, length, truncation and parse rates, and with
    /// k > 1 avg@k, pass@k and maj@k of k samples at `settings.temperature`.
    public static func evaluate(model: GPT, tokenizer: Tokenizer, settings: EvaluationSettings, threads: Int = 2,
                                checkpoint: String? = nil) throws -> EvaluationReport {
        try evaluate(generator: ModelCompletionGenerator(model: model, tokenizer: tokenizer, threads: threads),
                     settings: settings, checkpoint: checkpoint)
    }

    /// The same with any completion generator.
    public static func evaluate(generator: some CompletionGenerator, settings: EvaluationSettings,
                                checkpoint: String? = nil) throws -> EvaluationReport {
        try settings.validate()
        let start = Date()
        let families = try PretrainRecipe.families(overrides: settings.familyOverrides)
        var suites: [String: SuiteEvaluation] = [:]
        for name in settings.suites {
            guard let family = families.first(where: { $0.name == name }) else {
                throw AblateError.unknownSuite(name: name, valid: TaskRegistry.names)
            }
            let problems: [Problem]
            do { problems = try family.problems(count: settings.problemsPerSuite, split: settings.split, seed: settings.seed,
                                                    allowFewer: true) } catch {
                throw AblateError.invalidEvaluation(field: "n", value: String(settings.problemsPerSuite), reason: "\(error)")
            }
            let prompts = problems.map(\.prompt)
            let greedy = try generator.complete(prompts: prompts, samples: 1, temperature: 0, seed: settings.seed)
            var result = score(greedy: greedy.map { $0.first ?? Completion(text: "", tokenCount: 0, truncated: true) },
                               problems: problems, family: family)
            if settings.k > 1, settings.sampledSuites?.contains(name) ?? true {
                let sampled = try generator.complete(prompts: prompts, samples: settings.k, temperature: settings.temperature,
                                                     seed: settings.seed &+ 1)
                let m = sampledMetrics(sampled, problems: problems)
                result.k = settings.k
                result.temperature = Double(settings.temperature)
                result.avgAtK = m.avg
                result.passAtK = m.pass
                result.majAtK = m.maj
            }
            suites[name] = result
        }
        return EvaluationReport(checkpoint: checkpoint, seed: settings.seed, suites: suites, order: settings.suites,
                                seconds: Date().timeIntervalSince(start))
    }

    /// Greedy metrics of one completion per problem.
    static func score(greedy: [Completion], problems: [Problem], family: any TaskFamily) -> SuiteEvaluation {
        let n = problems.count
        var correct = 0, truncated = 0, unparsable = 0, length = 0
        for (c, p) in zip(greedy, problems) {
            if AnswerParser.verify(c.text, gold: p.answer) { correct += 1 }
            if AnswerParser.parse(c.text) == nil { unparsable += 1 }
            if c.truncated { truncated += 1 }
            length += c.tokenCount
        }
        let ci = Wilson.interval(successes: correct, trials: n)
        let d = Double(max(n, 1))
        return SuiteEvaluation(n: n, accuracy: Double(correct) / d, ciLow: ci.low, ciHigh: ci.high,
                               meanLength: Double(length) / d, truncated: Double(truncated) / d,
                               unparsable: Double(unparsable) / d, knobs: family.configJSON)
    }

    /// avg@k, pass@k and maj@k of k completions per problem.
    static func sampledMetrics(_ samples: [[Completion]], problems: [Problem]) -> (avg: Double, pass: Double, maj: Double) {
        var avg = 0.0, pass = 0, maj = 0
        for (completions, p) in zip(samples, problems) {
            let answers = completions.map { AnswerParser.parse($0.text) }
            let gold = AnswerParser.canonical(p.answer)
            let right = answers.filter { $0 != nil && $0 == gold }.count
            avg += Double(right) / Double(max(completions.count, 1))
            if right > 0 { pass += 1 }
            if let label = majority(answers), label == gold { maj += 1 }
        }
        let n = Double(max(problems.count, 1))
        return (avg / n, Double(pass) / n, Double(maj) / n)
    }

    /// The most frequent non-nil answer; ties go to the one that appears first in `answers`; nil when no
    /// completion has an answer (RewardZoo's `MajorityVote`, the one implementation).
    public static func majority(_ answers: [String?]) -> String? { MajorityVote.label(answers) }
}
