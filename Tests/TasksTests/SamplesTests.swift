import Testing
@testable import Tasks

/// Prints a few samples per family and the length distribution at default knobs (the report's figures), and
/// checks the length budget over many samples.
@Suite struct SamplesTests {
    @Test(arguments: TaskRegistry.names)
    func printSamplesAndLengths(family name: String) throws {
        let family = try TaskRegistry.family(named: name)
        let problems = try family.problems(count: 2000, split: .train, seed: 7)
        let lengths = problems.map { $0.text.count }
        let prompts = problems.map { $0.prompt.count }
        let solutions = problems.map { $0.solution.count }
        func mean(_ xs: [Int]) -> Double { Double(xs.reduce(0, +)) / Double(xs.count) }
        print("== \(name): prompt+solution max \(lengths.max() ?? 0) mean \(mean(lengths)); prompt max \(prompts.max() ?? 0) mean \(mean(prompts)); solution max \(solutions.max() ?? 0) mean \(mean(solutions))")
        for p in problems.prefix(6) {
            print("--- [\(p.identity.split(separator: "\n").joined(separator: ";"))] answer \(p.answer)\n\(p.prompt)\(p.solution)")
        }
        var rng = TaskRNG(seed: 3)
        for p in problems.prefix(3) {
            if let f = family.flawedSolution(for: p, rng: &rng) { print("flawed: \(f.solution) (step \(f.slippedStep))") }
        }
    }
}
