import Foundation
import TestSupport
import Testing

@testable import RewardZoo

/// The README's "Adding a reward" example is this test target's `AddingARewardExample.swift`, compiled and run.
@Suite struct AddingARewardTests {
    static let registry = RewardRegistry.types + [BrevityReward.self]

    @Test func readmeCodeBlockIsTheExampleFile() throws {
        let here = URL(fileURLWithPath: #filePath)
        let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let example = try String(contentsOf: here.deletingLastPathComponent().appendingPathComponent("AddingARewardExample.swift"),
                                 encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "\n## Adding a reward\n").dropFirst().first,
                                   "README.md has no '## Adding a reward' section")
        let block = try #require(section.components(separatedBy: "```swift\n").dropFirst().first?
            .components(separatedBy: "\n```").first, "the section has no ```swift block")
        // The file lives in the test target and imports RewardZoo; the README's block goes into Sources/RewardZoo,
        // where that import would only draw a warning, so the block is the file without it.
        let body = example.hasPrefix("import RewardZoo\n\n") ? String(example.dropFirst("import RewardZoo\n\n".count)) : example
        #expect(!block.contains("import RewardZoo"), "the README's block goes inside the module: no import of it")
        #expect(block + "\n" == body, "README's code block differs from AddingARewardExample.swift (without its import); copy it into the README")
    }

    @Test func exampleRewardRunsThroughTheRegistry() throws {
        let spec = try RewardRegistry.spec(name: "brevity", options: ["scale": "2"], in: Self.registry)
        #expect(try spec.json() == #"{"name":"brevity","scale":2}"#)
        let pipeline = try RewardPipeline(spec: spec, shaping: nil, registry: Self.registry)
        let (raw, shaped) = try pipeline.score(CompletionGroup(tokenCounts: [4, 2, 6], truncated: [false, false, true]))
        expectClose(raw, [-2, -1, -4], abs: 1e-12)
        expectClose(shaped, [0, 1, -1], abs: 1e-12)
        #expect(throws: RewardZooError.badOptionValue(reward: "brevity", option: "scale", value: "0",
                                                      expected: "a number in 1.0...10000.0")) {
            try RewardRegistry.spec(name: "brevity", options: ["scale": "0"], in: Self.registry)
        }
    }

    @Test func exampleRewardPassesConformance() throws {
        try ConformanceTests.check(BrevityReward.self, registry: Self.registry)
    }
}
