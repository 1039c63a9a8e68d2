import Testing
@testable import Tasks

/// Prints samples per family and the length distribution at default knobs (the figures quoted in reports), and
/// checks what it prints: every reference solution verifies, and every flawed one it shows is wrong and refused.
@Suite struct SamplesTests {
    @Test(arguments: TaskRegistry.names)
    func printSamplesAndLengths(family name: String) throws {
        let family = try TaskRegistry.family(named: name)
        let problems = try Fixtures.problems(name, .train)
        #expect(problems.count >= 50, "\(name): only \(problems.count) train problems")
        for p in problems {
            #expect(family.verify(p.solution, for: p), "\(name): the reference solution of \(p.identity) does not verify")
            #expect(p.split == .train && !p.prompt.isEmpty && !p.answer.isEmpty)
        }
        let lengths = problems.map { $0.text.count }
        func mean(_ xs: [Int]) -> String {
            String(Double(xs.reduce(0, +) * 10 / max(1, xs.count)) / 10)
        }
        let steps = problems.map { ScratchpadChecker.check($0.solution).steps.count }
        var histogram: [Int: Int] = [:]
        for s in steps { histogram[s, default: 0] += 1 }
        var lines = ["== \(name) (\(problems.count) train problems, default knobs)",
                     "prompt+solution chars: max \(lengths.max() ?? 0), mean \(mean(lengths)); "
                        + "prompt max \(problems.map { $0.prompt.count }.max() ?? 0) mean \(mean(problems.map { $0.prompt.count })); "
                        + "solution max \(problems.map { $0.solution.count }.max() ?? 0) mean \(mean(problems.map { $0.solution.count }))",
                     "scratchpad steps: " + histogram.keys.sorted().map { "\($0): \(histogram[$0] ?? 0)" }.joined(separator: ", ")]
        var rng = TaskRNG(seed: 3)
        for p in problems.prefix(5) {
            lines.append("--- \(p.identity.split(separator: "\n").joined(separator: ";"))")
            lines.append(p.prompt + p.solution)
            if let f = family.flawedSolution(for: p, rng: &rng) {
                #expect(f.answer != p.answer && !family.verify(f.solution, for: p), "\(name): flawed solution verifies")
                lines.append("flawed (step \(f.slippedStep)): \(f.solution)")
            }
        }
        if name == TaskRegistry.names.first { lines.insert("alphabet (\(Alphabet.characters.count)): \(Alphabet.string.debugDescription)", at: 0) }
        print(lines.joined(separator: "\n"))
    }
}
