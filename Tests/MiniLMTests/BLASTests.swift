import Seeded
import Testing
@testable import MiniLM

@Suite struct BLASTests {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func sgemmMatchesNaiveMatmul(transA: Bool, transB: Bool) {
        let m = 5, n = 7, k = 3
        var rng = SplitMix64(seed: 1)
        let a = (0..<m * k).map { _ in Float(rng.uniform() * 2 - 1) }
        let b = (0..<k * n).map { _ in Float(rng.uniform() * 2 - 1) }
        var c = [Float](repeating: 0.5, count: m * n)
        BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 2, a: a, b: b, beta: 1, c: &c)
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for p in 0..<k {
                    let aip = transA ? a[p * m + i] : a[i * k + p]
                    let bpj = transB ? b[j * k + p] : b[p * n + j]
                    s += aip * bpj
                }
                #expect(abs(c[i * n + j] - (0.5 + 2 * s)) < 1e-5)
            }
        }
    }
}
