import Foundation
import Testing

@testable import Ablate

/// Without a terminal (a CI log, `make demo | tee`) each finished trial's line carries the study's progress and ETA.
@Suite struct RunProgressTests {
    @Test func plainOutputCarriesTheETA() {
        final class Lines: @unchecked Sendable { var all: [String] = [] }
        let lines = Lines()
        let progress = RunProgress(total: 4, jobs: 2, interactive: false, log: { lines.all.append($0) })
        progress.begin(total: 4, done: 0, failed: 0)
        progress.started("a/seed-1")
        progress.started("a/seed-2")
        progress.finished("a/seed-1", outcome: .complete, seconds: 60, reason: nil)
        let last = lines.all.last ?? ""
        #expect(last.hasPrefix("complete a/seed-1 (60.0 s)"), "\(last)")
        // 3 trials left at 60 s each, 2 at a time: 90 s.
        #expect(last.contains("done 1/4 · running 1 · failed 0 · ETA 1m30s"), "\(last)")
        #expect(!lines.all.joined().contains("\u{1B}["), "no terminal escapes in plain output")
    }
}
