import TestSupport
import Testing

@testable import Statistics

@Suite("Wilson interval")
struct WilsonTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let k: Int, n: Int, low: Double, high: Double
        var testDescription: String { "\(k)/\(n)" }
    }

    /// Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I, method 3 (Wilson
    /// score without continuity correction), to the four decimals printed there.
    static let newcombe: [Case] = [
        Case(k: 81, n: 263, low: 0.2553, high: 0.3662),
        Case(k: 15, n: 148, low: 0.0624, high: 0.1605),
        Case(k: 0, n: 20, low: 0.0000, high: 0.1611),
        Case(k: 1, n: 29, low: 0.0061, high: 0.1718),
    ]

    @Test("textbook values (Newcombe 1998, Table I)", arguments: newcombe)
    func textbook(_ c: Case) {
        let ci = Wilson.interval(successes: c.k, trials: c.n)
        expectClose(ci.low, c.low, rel: 1e-6, abs: 5e-5, "low")
        expectClose(ci.high, c.high, rel: 1e-6, abs: 5e-5, "high")
    }

    @Test("bounds lie in [0, 1], contain k/n, are exact at 0 and n, and mirror under k → n − k")
    func properties() {
        for n in [1, 2, 7, 50, 500] {
            for k in 0...n {
                let ci = Wilson.interval(successes: k, trials: n)
                let p = Double(k) / Double(n)
                #expect(0 <= ci.low && ci.low <= p && p <= ci.high && ci.high <= 1, "\(k)/\(n): \(ci)")
                let mirror = Wilson.interval(successes: n - k, trials: n)
                expectClose(ci.low, 1 - mirror.high, rel: 1e-6, abs: 1e-12, "mirror \(k)/\(n)")
            }
            #expect(Wilson.interval(successes: 0, trials: n).low == 0)
            #expect(Wilson.interval(successes: n, trials: n).high == 1)
        }
        #expect(Wilson.interval(successes: 0, trials: 0) == (0, 1))
    }
}
