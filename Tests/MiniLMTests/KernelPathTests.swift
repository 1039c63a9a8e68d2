import Seeded
import TestSupport
import Testing
@testable import MiniLM

/// The choice of MiniLM's kernel path (`KernelPath`), and the AVX-512 tile against the oracles and the AVX2 tile.
@Suite struct KernelPathTests {
    static let avx2CPU = CPUFeatures(fake: "avx2") ?? CPUFeatures()
    static let avx512CPU = CPUFeatures(fake: "avx512") ?? CPUFeatures()
    static let both: [KernelPath] = [.avx2, .avx512]

    /// Whether this build has the AVX-512 path and this CPU runs it.
    static let runsAVX512 = KernelPath.supported().contains(.avx512)

    @Test func automaticChoiceIsTheFastestPathTheCPURuns() throws {
        #expect(try KernelPath.select(environment: [:], cpu: Self.avx512CPU, built: Self.both) == .avx512)
        #expect(try KernelPath.select(environment: [KernelPath.variable: "auto"], cpu: Self.avx512CPU, built: Self.both) == .avx512)
        #expect(try KernelPath.select(environment: [:], cpu: Self.avx2CPU, built: Self.both) == .avx2)
        #expect(try KernelPath.select(environment: [:], cpu: CPUFeatures(), built: [.portable]) == .portable)
        var noCD = Self.avx512CPU
        noCD.avx512cd = false
        #expect(try KernelPath.select(environment: [:], cpu: noCD, built: Self.both) == .avx2, "x86-64-v4 includes AVX-512 CD")
    }

    @Test func overrideForcesAPathTheCPURuns() throws {
        #expect(try KernelPath.select(environment: [KernelPath.variable: "avx2"], cpu: Self.avx512CPU, built: Self.both) == .avx2)
        #expect(try KernelPath.select(environment: [KernelPath.variable: " AVX512 "], cpu: Self.avx512CPU, built: Self.both) == .avx512)
    }

    @Test func overrideRefusesWhatTheCPUOrBuildLacks() {
        #expect(throws: KernelPath.Refusal.self) {
            try KernelPath.select(environment: [KernelPath.variable: "avx512"], cpu: Self.avx2CPU, built: Self.both)
        }
        #expect(throws: KernelPath.Refusal.self) {
            try KernelPath.select(environment: [KernelPath.variable: "avx512"], cpu: Self.avx512CPU, built: [.portable])
        }
        #expect(throws: KernelPath.Refusal.self) {
            try KernelPath.select(environment: [KernelPath.variable: "sse"], cpu: Self.avx512CPU, built: Self.both)
        }
        do {
            _ = try KernelPath.select(environment: [KernelPath.variable: "avx512"], cpu: Self.avx2CPU, built: Self.both)
        } catch {
            #expect(error.description.contains("AVX-512") && error.description.contains("\(KernelPath.variable)=avx2"))
        }
    }

    @Test func activePathIsSupported() {
        #expect(KernelPath.supported().contains(KernelPath.active))
    }

    // MARK: - The AVX-512 tile

    /// The oracle tests of every tile user (packed layers, transposed maps, ghost-norm Grams) on the AVX-512 path.
    @Test(.enabled(if: runsAVX512, "this build has no AVX-512 path or this CPU lacks AVX-512 F/BW/CD/DQ/VL"))
    func avx512MatchesOracles() {
        for (K, N) in [(3, 5), (8, 16), (17, 21), (32, 40)] { PackedLinearTests.checkForward(inFeatures: K, outFeatures: N, kernels: .avx512) }
        for (C, OC) in [(3, 5), (16, 8), (21, 17), (40, 32)] { PackedLinearTests.checkTransposed(inFeatures: C, outFeatures: OC, kernels: .avx512) }
        for (C, OC) in [(6, 5), (16, 24), (21, 19)] { PerSampleNormTests.checkLinearNorms(inFeatures: C, outFeatures: OC, kernels: .avx512) }
    }

    /// The 16 outputs of rows `start..<m` against one packed panel, as `multiplyRows` emits them.
    static func tile(_ a: [Float], rows m: Int, stride: Int, from start: Int, panel: [Float], k K: Int,
                     kernels: KernelPath) -> [Float] {
        var out = [Float](repeating: .nan, count: (m - start) * 16)
        a.withUnsafeBufferPointer { ap in
            panel.withUnsafeBufferPointer { pp in
                PackedLinear.multiplyRows(ap.baseAddress!, rows: m, stride: stride, from: start, panel: pp.baseAddress!,
                                          k: K, kernels: kernels) { r, lo, hi in
                    for j in 0..<8 { out[(r - start) * 16 + j] = lo[j]; out[(r - start) * 16 + 8 + j] = hi[j] }
                }
            }
        }
        return out
    }

    static let tileShapes = [(1, 0, 1), (5, 0, 7), (12, 0, 9), (13, 2, 16), (31, 0, 33), (53, 3, 20), (100, 0, 5)]

    /// Same fused multiply-add chain per output, so the AVX-512 path gives the AVX2 path's bits (row counts that take
    /// every block size of both tiles, starting rows, and more rows than one chunk of `multiplyRowsAVX512`).
    @Test(.enabled(if: runsAVX512, "this build has no AVX-512 path or this CPU lacks AVX-512 F/BW/CD/DQ/VL"))
    func avx512GivesTheAVX2Bits() {
        for (m, start, K) in Self.tileShapes {
            let stride = K + 2, a = randomFloats(m * stride, seed: UInt64(m)), panel = randomFloats(K * 16, seed: UInt64(K))
            let avx2 = Self.tile(a, rows: m, stride: stride, from: start, panel: panel, k: K, kernels: .avx2)
            let avx512 = Self.tile(a, rows: m, stride: stride, from: start, panel: panel, k: K, kernels: .avx512)
            #expect(avx2.map(\.bitPattern) == avx512.map(\.bitPattern), "m \(m) from \(start) K \(K)")
        }
    }

    /// The AVX-512 tile's source compiled here without the x86-64-v4 flag (`PanelTileV4Copy.swift` is a symlink to
    /// it), so every machine checks its algorithm (blocks of 12, 8 and 4 rows, repeated last rows, the output
    /// layout) bit for bit against the AVX2 tile. What it cannot check is the AVX-512 code generation: that is
    /// `avx512GivesTheAVX2Bits` on a CPU with AVX-512.
    @Test(.enabled(if: KernelPath.built.contains(.avx2), "the portable build's tile multiplies and adds unfused"))
    func avx512TileSourceGivesTheAVX2Bits() {
        for (m, start, K) in Self.tileShapes {
            let stride = K + 2, a = randomFloats(m * stride, seed: UInt64(m)), panel = randomFloats(K * 16, seed: UInt64(K))
            let avx2 = Self.tile(a, rows: m, stride: stride, from: start, panel: panel, k: K, kernels: .avx2)
            var copy = [Float](repeating: .nan, count: (m - start) * 16)
            a.withUnsafeBufferPointer { ap in
                panel.withUnsafeBufferPointer { pp in
                    PanelTileV4.multiplyRows(ap.baseAddress!, rows: m, stride: stride, from: start, panel: pp.baseAddress!,
                                             k: K, out: &copy)
                }
            }
            #expect(avx2.map(\.bitPattern) == copy.map(\.bitPattern), "m \(m) from \(start) K \(K)")
        }
    }
}
