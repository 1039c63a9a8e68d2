import Testing

@testable import Tasks

/// Expects `report` to flag exactly the steps in `wrong` (and no unparsable step), pointing at the caller.
func expectFlags(_ report: ScratchpadReport, wrong: [Int], _ comment: Comment? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(report.wrongSteps == wrong, comment, sourceLocation: sourceLocation)
    #expect(!report.steps.contains { $0.verdict == .unparsable }, comment, sourceLocation: sourceLocation)
}
