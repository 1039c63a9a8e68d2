import Testing
@testable import Ablate

@Suite struct BenchmarkTests {
    /// The benchmark runs end to end on a tiny workload: every figure is present and positive, the batched norms
    /// agree with the naive loop, and sampling generated every requested token (EOS is disabled).
    @Test func tinyWorkloadProducesEveryFigure() throws {
        var w = Benchmark.Workload()
        w.vocab = 16; w.context = 16; w.dModel = 16; w.layers = 1; w.heads = 2; w.mlp = 32
        w.batch = 3; w.time = 16; w.promptTokens = 4; w.newTokens = 12
        w.repetitions = 1; w.naiveRepetitions = 1
        let r = try Benchmark(workload: w).run()
        let train = try #require(r.train), norms = try #require(r.grad_norms), sampling = try #require(r.sampling)
        #expect(train.tokens_per_s > 0 && train.gflops > 0 && train.sgemm_gflops > 0)
        #expect(norms.batched_s > 0 && norms.naive_s > 0 && norms.fwd_bwd_s > 0 && norms.batched_over_fwd_bwd > 0)
        #expect(norms.max_rel_diff < 1e-4)
        #expect(abs(sampling.tokens_per_s * sampling.seconds - Double(w.batch * w.newTokens)) < 1e-6 * sampling.tokens_per_s)
        #expect(r.threads == w.threads && r.parameters > 0)
        #expect(r.blas_core == r.openblas_core && !r.blas_core.isEmpty && !r.blas_core_choice.isEmpty)
    }
}
