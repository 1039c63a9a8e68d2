import TestSupport
import Testing
@testable import Tasks

@Suite struct AnswerParserTests {
    static let wellFormed: [Named<String, String>] = [
        Named("gold format", "48*2=96. 37+96=133. #### 133", "133"),
        Named("marker only", "#### 7", "7"),
        Named("no space after marker", "1+1=2. ####2", "2"),
        Named("negative", "5-8=-3. #### -3", "-3"),
        Named("minus zero", "#### -0", "0"),
        Named("leading zeros", "#### 0042", "42"),
        Named("trailing newline and spaces", "#### 12 \n", "12"),
        Named("eighteen digits", "#### 999999999999999999", "999999999999999999"),
        Named("text before marker", "I think. #### 5", "5"),
    ]

    @Test(arguments: wellFormed)
    func parsesWellFormed(_ c: Named<String, String>) {
        #expect(AnswerParser.parse(c.input) == c.expected)
    }

    static let malformed: [Named<String, String?>] = [
        Named("empty", "", nil),
        Named("whitespace", "  \n", nil),
        Named("no marker", "48*2=96. 133", nil),
        Named("three hashes", "### 133", nil),
        Named("five hashes", "##### 133", nil),
        Named("two markers", "#### 12 #### 13", nil),
        Named("two markers same answer", "#### 12. #### 12", nil),
        Named("stray hash", "a#b #### 12", nil),
        Named("marker without number", "1+1=2. ####", nil),
        Named("marker then spaces", "#### ", nil),
        Named("word", "#### twelve", nil),
        Named("plus sign", "#### +12", nil),
        Named("lone minus", "#### -", nil),
        Named("double minus", "#### --3", nil),
        Named("decimal", "#### 3.5", nil),
        Named("thousands comma", "#### 1,000", nil),
        Named("trailing text", "#### 12 apples", nil),
        Named("trailing period", "#### 12.", nil),
        Named("answer then more steps", "#### 12 13", nil),
        Named("nineteen digits", "#### 1234567890123456789", nil),
        Named("beyond Int64", "#### 99999999999999999999999999", nil),
        Named("absurdly long", "#### " + String(repeating: "9", count: 10_000), nil),
        Named("non-ASCII digits", "#### ١٢", nil),
        Named("tab before number", "####\t12", nil),
    ]

    @Test(arguments: malformed)
    func rejectsMalformed(_ c: Named<String, String?>) {
        #expect(AnswerParser.parse(c.input) == nil)
    }

    @Test func verifierIsExactAndCanonical() {
        #expect(AnswerParser.verify("#### 133", gold: "133"))
        #expect(AnswerParser.verify("#### 0133", gold: "133"))
        #expect(!AnswerParser.verify("#### 134", gold: "133"))
        #expect(!AnswerParser.verify("133", gold: "133"))
        #expect(!AnswerParser.verify("#### 133", gold: "not a number"))
    }

    @Test func neverTrapsOnRandomText() {
        var rng = TaskRNG(seed: 11)
        let pieces = ["#", "##", "####", "-", "0", "9", " ", "\n", "a", "=", ".", "99999999999", "é"]
        for _ in 0..<3000 {
            let text = (0..<rng.int(in: 0...12)).map { _ in rng.pick(pieces) }.joined()
            if let answer = AnswerParser.parse(text) {
                #expect(Int64(answer) != nil, "\(text)")
                #expect(text.filter { $0 == "#" }.count == 4, "\(text)")
            }
            _ = ScratchpadChecker.check(text)
        }
    }
}
