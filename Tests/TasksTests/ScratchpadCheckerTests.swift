import TestSupport
import Testing
@testable import Tasks

@Suite struct ScratchpadCheckerTests {
    static let steps: [Named<String, ScratchpadReport.Verdict>] = [
        Named("sum", "37+96=133", .correct),
        Named("wrong sum", "37+96=134", .wrong),
        Named("product", "48*2=96", .correct),
        Named("difference to negative", "5-8=-3", .correct),
        Named("negative operand", "-3*2=-6", .correct),
        Named("minus negative", "-3--2=-1", .correct),
        Named("exact division", "16/2=8", .correct),
        Named("inexact division", "7/2=3", .wrong),
        Named("division by zero", "7/0=0", .wrong),
        Named("assignment with operation", "b=3*2=6", .correct),
        Named("wrong assignment with operation", "b=3*2=7", .wrong),
        Named("plain assignment", "a=3", .unchecked),
        Named("comparison yes", "6>5 yes", .correct),
        Named("comparison wrong verdict", "6>5 no", .wrong),
        Named("equality", "4==4 yes", .correct),
        Named("greater or equal", "32>=32 yes", .correct),
        Named("less than no", "21<10 no", .correct),
        Named("prose", "she has more", .unparsable),
        Named("missing result", "3+4=", .unparsable),
        Named("two operations", "3+4*2=11", .unparsable),
        Named("huge number", "99999999999999999999+1=0", .unparsable),
        Named("overflowing product", "9000000000000000000*2=0", .wrong),
    ]

    @Test(arguments: steps)
    func verdictOfOneStep(_ c: Named<String, ScratchpadReport.Verdict>) {
        #expect(ScratchpadChecker.verdict(of: c.input) == c.expected)
    }

    @Test func reportOverAWholeSolution() {
        let good = ScratchpadChecker.check("48*2=96. 37+96=133. #### 133")
        #expect(good.steps.map(\.text) == ["48*2=96", "37+96=133"])
        #expect(good.allStepsCorrect)
        #expect(good.firstBadStep == nil)

        let slipped = ScratchpadChecker.check("48*2=97. 37+97=134. #### 134")
        expectFlags(slipped, wrong: [0])
        #expect(!slipped.allStepsCorrect)
        #expect(slipped.firstBadStep == 0)

        #expect(!ScratchpadChecker.check("#### 5").allStepsCorrect, "no steps at all is not a checked scratchpad")
        #expect(ScratchpadChecker.check("1+1=2. hmm. #### 2").firstBadStep == 1)
    }
}
