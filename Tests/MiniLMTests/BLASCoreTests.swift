import Foundation
import Testing
@testable import MiniLM

/// Issue 16, item 1: which OpenBLAS core ablate runs with. The decision is driven with fake detected names and CPU
/// features; nothing here re-executes the test process.
@Suite struct BLASCoreTests {
    static let sse = CPUFeatures()
    static let avx2 = CPUFeatures(fake: "avx2") ?? CPUFeatures()
    static let avx512 = CPUFeatures(fake: "avx512") ?? CPUFeatures()
    static let avx512bf16 = CPUFeatures(fake: "avx512bf16") ?? CPUFeatures()
    /// What `OPENBLAS_CORETYPE` selects in Debian's 0.3.21 and in 0.3.22 (which added Cooperlake to its name lookup).
    static let v0321 = BLASCore.selectableCores(config: "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64")
    static let v0322 = BLASCore.selectableCores(config: "OpenBLAS 0.3.22 DYNAMIC_ARCH NO_AFFINITY Prescott MAX_THREADS=64")

    struct Row: Sendable, CustomTestStringConvertible {
        var detected: String, cpu: CPUFeatures, user: String?, selectable: Set<String>, expected: String?
        var testDescription: String { "\(detected) on \(cpu), OPENBLAS_CORETYPE=\(user ?? "unset") → \(expected ?? "keep")" }
    }

    /// The decision table: a generic core on an AVX2/AVX-512 CPU is replaced by the best core the CPU runs and this
    /// OpenBLAS can select; everything else is kept.
    static let table: [Row] = [
        // The Intel family 6 model 207 case (docs/PLATFORM.md): Prescott detected on AVX-512 with BF16.
        Row(detected: "Prescott", cpu: avx512bf16, user: nil, selectable: v0321, expected: "SkylakeX"),
        Row(detected: "Prescott", cpu: avx512bf16, user: nil, selectable: v0322, expected: "Cooperlake"),
        Row(detected: "Prescott", cpu: avx512, user: nil, selectable: v0321, expected: "SkylakeX"),
        Row(detected: "Prescott", cpu: avx512, user: nil, selectable: v0322, expected: "SkylakeX"),
        Row(detected: "Prescott", cpu: avx2, user: nil, selectable: v0321, expected: "Haswell"),
        Row(detected: "Core2", cpu: avx2, user: nil, selectable: v0321, expected: "Haswell"),
        Row(detected: "Katmai", cpu: avx512, user: nil, selectable: v0321, expected: "SkylakeX"),
        Row(detected: "Nehalem", cpu: avx2, user: nil, selectable: v0321, expected: "Haswell"),
        Row(detected: "Sandybridge", cpu: avx2, user: nil, selectable: v0321, expected: "Haswell"),
        Row(detected: "Unknown", cpu: avx2, user: nil, selectable: v0321, expected: "Haswell"),
        Row(detected: "PRESCOTT", cpu: avx2, user: nil, selectable: v0321, expected: "Haswell"),
        // A user's OPENBLAS_CORETYPE is never overridden, whatever the CPU (also an empty one: OpenBLAS reads it).
        Row(detected: "Prescott", cpu: avx512bf16, user: "Prescott", selectable: v0321, expected: nil),
        Row(detected: "Prescott", cpu: avx2, user: "Haswell", selectable: v0321, expected: nil),
        Row(detected: "Prescott", cpu: avx512, user: "", selectable: v0321, expected: nil),
        // OpenBLAS's own choice of a real core is kept, even below what the CPU could run.
        Row(detected: "Zen", cpu: avx2, user: nil, selectable: v0321, expected: nil),
        Row(detected: "Zen", cpu: avx512bf16, user: nil, selectable: v0321, expected: nil),
        Row(detected: "Haswell", cpu: avx2, user: nil, selectable: v0321, expected: nil),
        Row(detected: "Haswell", cpu: avx512, user: nil, selectable: v0321, expected: nil),
        Row(detected: "SkylakeX", cpu: avx512, user: nil, selectable: v0321, expected: nil),
        Row(detected: "Cooperlake", cpu: avx512bf16, user: nil, selectable: v0322, expected: nil),
        Row(detected: "Excavator", cpu: avx2, user: nil, selectable: v0321, expected: nil),
        Row(detected: "NEOVERSEN1", cpu: sse, user: nil, selectable: v0321, expected: nil),
        // A generic core on a CPU without usable AVX2 stays; so does one this OpenBLAS cannot replace.
        Row(detected: "Prescott", cpu: sse, user: nil, selectable: v0321, expected: nil),
        Row(detected: "Prescott", cpu: avx2, user: nil, selectable: [], expected: nil),
    ]

    @Test(arguments: table)
    func decision(_ row: Row) {
        let d = BLASCore.decide(detectedCore: row.detected, cpuFeatures: row.cpu, userCoretype: row.user,
                                selectable: row.selectable)
        #expect(d.core == row.expected, "\(d)")
    }

    /// Only what the OS saves counts: AVX-512 bits without the ZMM state, or AVX2 without the YMM state, or
    /// AVX-512 without VL/BW/DQ (Knights Landing), fall to the next family down.
    @Test func featuresNeedTheirOSStateAndEveryAVX512Subset() {
        var noZMM = Self.avx512
        noZMM.osZMM = false
        #expect(BLASCore.decide(detectedCore: "Prescott", cpuFeatures: noZMM, userCoretype: nil, selectable: Self.v0321).core == "Haswell")
        var noYMM = Self.avx512
        noYMM.osYMM = false
        #expect(BLASCore.decide(detectedCore: "Prescott", cpuFeatures: noYMM, userCoretype: nil, selectable: Self.v0321).core == nil)
        var knightsLanding = Self.avx512
        knightsLanding.avx512bw = false; knightsLanding.avx512dq = false; knightsLanding.avx512vl = false
        #expect(BLASCore.decide(detectedCore: "Prescott", cpuFeatures: knightsLanding, userCoretype: nil, selectable: Self.v0321).core == "Haswell")
        var noFMA = Self.avx2
        noFMA.fma = false
        #expect(BLASCore.decide(detectedCore: "Prescott", cpuFeatures: noFMA, userCoretype: nil, selectable: Self.v0321).core == nil)
    }

    /// CPUID/XCR0 bits as Intel documents them (a Sapphire Rapids-like AVX-512 + BF16 part, a Zen 1-like AVX2 one).
    @Test func featuresFromRegisters() {
        let spr = CPUFeatures(leaf1ECX: 1 << 28 | 1 << 27 | 1 << 12, leaf7EBX: 1 << 5 | 1 << 16 | 1 << 17 | 1 << 30 | 1 << 31,
                              leaf7Sub1EAX: 1 << 5, xcr0: 0xE7)
        #expect(spr.runsAVX512BF16 && spr.description == "AVX-512 F/BW/DQ/VL + BF16")
        let zen1 = CPUFeatures(leaf1ECX: 1 << 28 | 1 << 27 | 1 << 12, leaf7EBX: 1 << 5, leaf7Sub1EAX: 0, xcr0: 0x7)
        #expect(zen1.runsAVX2 && !zen1.runsAVX512 && zen1.description == "AVX2 + FMA")
        #expect(!CPUFeatures(leaf1ECX: 1 << 28 | 1 << 12, leaf7EBX: 1 << 5, leaf7Sub1EAX: 0, xcr0: 0x3).runsAVX2)
    }

    /// CPUID as read here agrees with the kernel's view of this machine (/proc/cpuinfo flags).
    @Test func currentFeaturesMatchProcCpuinfo() throws {
        #if os(Linux) && arch(x86_64)
        let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let line = try #require(info.split(separator: "\n").first { $0.hasPrefix("flags") })
        let flags = Set(line.split(separator: " ").map(String.init))
        let cpu = CPUFeatures.current
        #expect(cpu.avx == flags.contains("avx") && cpu.avx2 == flags.contains("avx2") && cpu.fma == flags.contains("fma"))
        #expect(cpu.avx512f == flags.contains("avx512f") && cpu.avx512bw == flags.contains("avx512bw")
                && cpu.avx512dq == flags.contains("avx512dq") && cpu.avx512vl == flags.contains("avx512vl")
                && cpu.avx512bf16 == flags.contains("avx512_bf16"))
        #expect(cpu.osYMM == flags.contains("avx"), "Linux lists avx only when it saves the YMM state")
        #endif
    }

    @Test func selectableCoresByVersion() {
        #expect(Self.v0321 == ["Haswell", "SkylakeX"])
        #expect(Self.v0322 == ["Haswell", "SkylakeX", "Cooperlake"])
        #expect(BLASCore.selectableCores(config: "OpenBLAS 0.3.28 DYNAMIC_ARCH Zen").contains("Cooperlake"))
        #expect(BLASCore.selectableCores(config: "OpenBLAS 0.3.21 NO_AFFINITY HASWELL MAX_THREADS=64").isEmpty,
                "a build without DYNAMIC_ARCH ignores OPENBLAS_CORETYPE")
    }

    /// The process states the environment markers encode, and what a run records in each.
    @Test func startStateAndRecord() {
        let fresh: [String: String] = ["PATH": "/bin"]
        #expect(BLASCore.startState(environment: fresh) == .fresh(userCoretype: nil))
        #expect(BLASCore.record(environment: fresh, coreName: "Zen") == .init(detected: "Zen", core: "Zen", choice: "openblas"))

        let chosen = BLASCore.environment(fresh, choosing: "Haswell", detected: "Prescott")
        #expect(chosen["OPENBLAS_CORETYPE"] == "Haswell")
        #expect(BLASCore.startState(environment: chosen) == .chosen(detected: "Prescott", core: "Haswell"))
        let r = BLASCore.record(environment: chosen, coreName: "Haswell")
        #expect(r == .init(detected: "Prescott", core: "Haswell", choice: "chosen"))
        #expect(r.description == "Haswell (chosen by ablate; OpenBLAS detected Prescott)")

        let back = BLASCore.environment(chosen, fallingBackBecause: "Haswell raised SIGILL")
        #expect(back["OPENBLAS_CORETYPE"] == nil)
        #expect(BLASCore.startState(environment: back) == .fallback(detected: "Prescott", reason: "Haswell raised SIGILL"))
        #expect(BLASCore.record(environment: back, coreName: "Prescott").choice == "fallback: Haswell raised SIGILL")

        // A user who changes OPENBLAS_CORETYPE under an inherited marker is a user: never treated as ablate's.
        var user = chosen
        user["OPENBLAS_CORETYPE"] = "SkylakeX"
        #expect(BLASCore.startState(environment: user) == .fresh(userCoretype: "SkylakeX"))
        #expect(BLASCore.record(environment: user, coreName: "SkylakeX") == .init(detected: nil, core: "SkylakeX", choice: "user"))
    }

    /// The start-up proof passes on the running core and catches kernels that give wrong numbers.
    @Test func gemmCheckAgreesHereAndCatchesWrongKernels() {
        #expect(BLASCore.gemmCheck() == nil)
        let ignoresTranspose: BLASCore.SGEMM = { _, _, m, n, k, alpha, a, b, beta, c in
            BLAS.sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: alpha, a: a, lda: k, b: b, ldb: n,
                       beta: beta, c: c)
        }
        #expect(BLASCore.gemmCheck(sgemm: ignoresTranspose) != nil)
        let slightlyOff: BLASCore.SGEMM = { ta, tb, m, n, k, alpha, a, b, beta, c in
            BLAS.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c)
            c[m * n / 2] += 0.01
        }
        #expect(BLASCore.gemmCheck(sgemm: slightlyOff) != nil)
        let nan: BLASCore.SGEMM = { _, _, m, n, _, _, _, _, _, c in c[m * n - 1] = .nan }
        #expect(BLASCore.gemmCheck(sgemm: nan) != nil)
        #expect(BLASCore.gemmCheck(dsdot: { _, _, _ in 1 }) != nil)
    }
}
