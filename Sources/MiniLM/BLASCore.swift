import CBLAS
import Foundation

/// What the CPU can run, as far as OpenBLAS's x86 kernel families care: CPUID feature bits and the register state the
/// OS saves (XCR0). All false on other architectures.
public struct CPUFeatures: Sendable, Equatable, CustomStringConvertible {
    public var avx = false, avx2 = false, fma = false
    public var avx512f = false, avx512bw = false, avx512dq = false, avx512vl = false, avx512bf16 = false
    /// AVX-512 CD: not needed by OpenBLAS, but part of x86-64-v4, the target of MiniLM's AVX-512 kernels.
    public var avx512cd = false
    /// The OS saves the YMM state (XCR0 bits 1–2) / also the opmask and ZMM state (XCR0 bits 5–7).
    public var osYMM = false, osZMM = false

    public init(avx: Bool = false, avx2: Bool = false, fma: Bool = false, avx512f: Bool = false, avx512bw: Bool = false,
                avx512dq: Bool = false, avx512vl: Bool = false, avx512bf16: Bool = false, osYMM: Bool = false,
                osZMM: Bool = false, avx512cd: Bool = false) {
        self.avx = avx; self.avx2 = avx2; self.fma = fma
        self.avx512f = avx512f; self.avx512bw = avx512bw; self.avx512dq = avx512dq; self.avx512vl = avx512vl
        self.avx512bf16 = avx512bf16; self.osYMM = osYMM; self.osZMM = osZMM; self.avx512cd = avx512cd
    }

    /// From the raw registers: CPUID.1:ECX, CPUID.(7,0):EBX, CPUID.(7,1):EAX and XCR0.
    public init(leaf1ECX: UInt32, leaf7EBX: UInt32, leaf7Sub1EAX: UInt32, xcr0: UInt64) {
        func bit(_ r: UInt32, _ i: UInt32) -> Bool { r & (1 << i) != 0 }
        self.init(avx: bit(leaf1ECX, 28), avx2: bit(leaf7EBX, 5), fma: bit(leaf1ECX, 12),
                  avx512f: bit(leaf7EBX, 16), avx512bw: bit(leaf7EBX, 30), avx512dq: bit(leaf7EBX, 17),
                  avx512vl: bit(leaf7EBX, 31), avx512bf16: bit(leaf7Sub1EAX, 5),
                  osYMM: xcr0 & 0x6 == 0x6, osZMM: xcr0 & 0xE6 == 0xE6, avx512cd: bit(leaf7EBX, 28))
    }

    /// This machine's features.
    public static var current: CPUFeatures {
        var r1: [UInt32] = [0, 0, 0, 0], r7: [UInt32] = [0, 0, 0, 0], r71: [UInt32] = [0, 0, 0, 0]
        _ = rz_cpuid(1, 0, &r1)
        _ = rz_cpuid(7, 0, &r7)
        if r7[0] >= 1 { _ = rz_cpuid(7, 1, &r71) }  // subleaf 1 exists when CPUID.(7,0):EAX ≥ 1
        return CPUFeatures(leaf1ECX: r1[2], leaf7EBX: r7[1], leaf7Sub1EAX: r71[0], xcr0: rz_xcr0())
    }

    /// AVX2 and FMA present and their registers saved by the OS: OpenBLAS's Haswell kernels run.
    public var runsAVX2: Bool { avx && avx2 && fma && osYMM }
    /// AVX-512 F, BW, DQ and VL present and the ZMM state saved: OpenBLAS's SkylakeX kernels run.
    public var runsAVX512: Bool { runsAVX2 && avx512f && avx512bw && avx512dq && avx512vl && osZMM }
    /// AVX-512 F, BW, CD, DQ and VL with the ZMM state saved: code compiled for x86-64-v4 runs (`KernelPath.avx512`).
    public var runsX86_64V4: Bool { runsAVX512 && avx512cd }
    /// AVX-512 with BF16 as well: OpenBLAS's Cooperlake kernels run.
    public var runsAVX512BF16: Bool { runsAVX512 && avx512bf16 }

    public var description: String {
        if runsAVX512BF16 { return "AVX-512 F/BW/DQ/VL + BF16" }
        if runsAVX512 { return "AVX-512 F/BW/DQ/VL" }
        if runsAVX2 { return "AVX2 + FMA" }
        return "no usable AVX2"
    }

    /// A stand-in for the debug hook `REWARDZOO_BLAS_FAKE_CPU`: `avx2`, `avx512`, `avx512bf16` or `none`.
    public init?(fake name: String) {
        let avx2 = CPUFeatures(avx: true, avx2: true, fma: true, osYMM: true)
        var avx512 = avx2
        avx512.avx512f = true; avx512.avx512bw = true; avx512.avx512dq = true; avx512.avx512vl = true; avx512.osZMM = true
        avx512.avx512cd = true
        switch name.lowercased() {
        case "none": self.init()
        case "avx2": self = avx2
        case "avx512": self = avx512
        case "avx512bf16": self = avx512; avx512bf16 = true
        default: return nil
        }
    }
}

/// Which OpenBLAS kernel family ("core") the process runs with, and why (issue 16, item 1).
///
/// OpenBLAS picks its core when the library loads, from `OPENBLAS_CORETYPE` or its CPU model table. Version 0.3.21
/// does not know some CPUs and falls back to a generic SSE core (e.g. Prescott on an Intel family 6 model 207 with
/// AVX-512: a third of the speed). `decide` says whether to run with another core; the `ablate` CLI then re-executes
/// itself with `OPENBLAS_CORETYPE` set, marking the environment so that it happens at most once, proves the core with
/// `gemmCheck` and falls back to the detected core if the check disagrees (or the kernels raise SIGILL).
/// Child processes inherit the environment and so the same core. Tests never re-execute: they drive `decide` and
/// `record` with fake names.
public enum BLASCore {
    /// Read by OpenBLAS at load time; when the user set it, ablate never overrides it.
    public static let coretypeVariable = "OPENBLAS_CORETYPE"
    /// The core ablate put in `OPENBLAS_CORETYPE` (so a process can tell its own setting from the user's).
    public static let setVariable = "REWARDZOO_BLAS_CORE_SET"
    /// The core OpenBLAS detected before ablate replaced it.
    public static let detectedVariable = "REWARDZOO_BLAS_CORE_DETECTED"
    /// Why the chosen core was abandoned (set when re-executing on the detected core).
    public static let fallbackVariable = "REWARDZOO_BLAS_CORE_FALLBACK"
    /// Debug hooks (manual end-to-end checks only): pretend OpenBLAS detected this core; pretend the CPU has these
    /// features (`CPUFeatures(fake:)`); make the start-up GEMM check report a disagreement.
    public static let fakeDetectedVariable = "REWARDZOO_BLAS_FAKE_DETECTED_CORE"
    public static let fakeCPUVariable = "REWARDZOO_BLAS_FAKE_CPU"
    public static let fakeCheckFailureVariable = "REWARDZOO_BLAS_FAKE_CHECK_FAILURE"

    /// OpenBLAS's x86 cores whose kernels predate AVX2 (and "Unknown"): what it reports for a CPU it does not know.
    /// Names outside this set (Haswell, Zen, SkylakeX, the AMD family-15h cores, other architectures' cores, names of
    /// later versions) are OpenBLAS's deliberate choice and kept.
    public static let genericCores: Set<String> = [
        "unknown", "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn", "dunnington",
        "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "nano", "sandybridge", "bobcat",
    ]

    public enum Decision: Equatable, Sendable {
        /// Run with the core OpenBLAS (or the user) chose.
        case keep(reason: String)
        /// Re-execute with `OPENBLAS_CORETYPE` set to `core`.
        case use(core: String, reason: String)

        public var core: String? { if case let .use(core, _) = self { return core } else { return nil } }
    }

    /// The decision, a pure function of its inputs. `selectable`: the cores this OpenBLAS accepts in
    /// `OPENBLAS_CORETYPE` among Haswell, SkylakeX and Cooperlake (`selectableCores(config:)`).
    public static func decide(detectedCore: String, cpuFeatures cpu: CPUFeatures, userCoretype: String?,
                              selectable: Set<String> = selectableCores) -> Decision {
        if let user = userCoretype {
            return .keep(reason: "\(coretypeVariable)=\(user) set by the user")
        }
        guard genericCores.contains(detectedCore.lowercased()) else {
            return .keep(reason: "OpenBLAS detected \(detectedCore)")
        }
        var candidates: [String] = []
        if cpu.runsAVX512BF16 { candidates.append("Cooperlake") }
        if cpu.runsAVX512 { candidates.append("SkylakeX") }
        if cpu.runsAVX2 { candidates.append("Haswell") }
        guard !candidates.isEmpty else {
            return .keep(reason: "OpenBLAS detected the generic core \(detectedCore) and the CPU has no usable AVX2")
        }
        let lowered = Set(selectable.map { $0.lowercased() })
        guard let core = candidates.first(where: { lowered.contains($0.lowercased()) }) else {
            return .keep(reason: "OpenBLAS detected the generic core \(detectedCore); this OpenBLAS cannot select \(candidates[0])")
        }
        return .use(core: core, reason: "OpenBLAS detected the generic core \(detectedCore) on a CPU with \(cpu)")
    }

    /// The cores among Haswell, SkylakeX and Cooperlake that `OPENBLAS_CORETYPE` selects in the OpenBLAS described by
    /// `openblas_get_config()`: none without DYNAMIC_ARCH; Cooperlake from 0.3.22 (0.3.21's name lookup stops one
    /// entry short of it, "Core not found", and falls back to feature detection).
    public static func selectableCores(config: String) -> Set<String> {
        let words = config.split(separator: " ")
        guard words.contains("DYNAMIC_ARCH") else { return [] }
        var cores: Set<String> = ["Haswell", "SkylakeX"]
        if let i = words.firstIndex(of: "OpenBLAS"), i + 1 < words.count {
            let v = words[i + 1].split(separator: ".").map { Int($0) ?? 0 }
            if !v.lexicographicallyPrecedes([0, 3, 22]) { cores.insert("Cooperlake") }
        }
        return cores
    }

    /// `selectableCores(config:)` of the linked OpenBLAS.
    public static var selectableCores: Set<String> { selectableCores(config: BLAS.config) }

    // MARK: - The state a process starts in, from its environment

    public enum StartState: Equatable, Sendable {
        /// Nothing chosen yet (`userCoretype`: `OPENBLAS_CORETYPE` when set by the user).
        case fresh(userCoretype: String?)
        /// Re-executed with the chosen `core` (OpenBLAS had detected `detected`); not yet proven in this process.
        case chosen(detected: String, core: String)
        /// Re-executed on the detected core after `core` was abandoned.
        case fallback(detected: String, reason: String)
    }

    public static func startState(environment env: [String: String]) -> StartState {
        let coretype = env[coretypeVariable]
        if let set = env[setVariable], let coretype, coretype == set {
            return .chosen(detected: env[detectedVariable] ?? "unknown", core: set)
        }
        if coretype == nil, let reason = env[fallbackVariable] {
            return .fallback(detected: env[detectedVariable] ?? "unknown", reason: reason)
        }
        return .fresh(userCoretype: coretype)
    }

    /// The environment to re-execute with for `decision`'s core.
    public static func environment(_ env: [String: String], choosing core: String, detected: String) -> [String: String] {
        var e = env
        e[coretypeVariable] = core
        e[setVariable] = core
        e[detectedVariable] = detected
        e[fallbackVariable] = nil
        return e
    }

    /// The environment to re-execute with on the detected core after a chosen one failed for `reason`.
    public static func environment(_ env: [String: String], fallingBackBecause reason: String) -> [String: String] {
        var e = env
        e[coretypeVariable] = nil
        e[setVariable] = nil
        e[fallbackVariable] = reason
        return e
    }

    // MARK: - What a run records

    /// The detected and the running core, and how the one running was chosen.
    public struct Record: Codable, Equatable, Sendable, CustomStringConvertible {
        /// What OpenBLAS detected; nil when the user's `OPENBLAS_CORETYPE` replaced detection.
        public var detected: String?
        /// The core running (`openblas_get_corename()`).
        public var core: String
        /// `openblas` (its detection kept), `chosen` (ablate replaced a generic core), `user` (`OPENBLAS_CORETYPE`
        /// set by the user) or `fallback: <reason>`.
        public var choice: String

        public init(detected: String?, core: String, choice: String) {
            self.detected = detected; self.core = core; self.choice = choice
        }

        public var description: String {
            switch choice {
            case "openblas": return core
            case "chosen": return "\(core) (chosen by ablate; OpenBLAS detected \(detected ?? "unknown"))"
            case "user": return "\(core) (\(coretypeVariable) set by the user)"
            default: return "\(core) (detected; \(choice))"
            }
        }
    }

    public static func record(environment env: [String: String], coreName: String) -> Record {
        switch startState(environment: env) {
        case let .chosen(detected, _): return Record(detected: detected, core: coreName, choice: "chosen")
        case let .fallback(detected, reason): return Record(detected: detected, core: coreName, choice: "fallback: \(reason)")
        case .fresh(userCoretype: .some): return Record(detected: nil, core: coreName, choice: "user")
        case .fresh(userCoretype: nil): return Record(detected: coreName, core: coreName, choice: "openblas")
        }
    }

    /// This process's record.
    public static var current: Record { record(environment: ProcessInfo.processInfo.environment, coreName: BLAS.coreName) }

    // MARK: - The proof

    public typealias SGEMM = (_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                              _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ beta: Float,
                              _ c: UnsafeMutablePointer<Float>) -> Void

    public typealias DSDOT = (_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Double

    /// Row-major GEMMs of a few shapes (both transpositions, alpha and beta ≠ 1, one large enough for several
    /// threads) and the one other OpenBLAS routine MiniLM calls (dsdot) against naive double-precision loops.
    /// Returns nil when every element agrees within 1e-4 · Σ|a·b| (float rounding is ~k·6e-8 of that), or what
    /// disagreed.
    public static func gemmCheck(sgemm: SGEMM = { ta, tb, m, n, k, alpha, a, b, beta, c in
        BLAS.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c)
    }, dsdot: DSDOT = { n, x, y in cblas_dsdot(Int32(n), x, 1, y, 1) }) -> String? {
        let shapes = [(64, 64, 64, false, false), (37, 29, 53, false, true), (45, 70, 33, true, false),
                      (19, 23, 130, true, true), (192, 160, 128, false, true)]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Float {  // xorshift in [-1, 1)
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Float(state >> 40) / Float(1 << 23) - 1
        }
        for (m, n, k, ta, tb) in shapes {
            let a = (0..<m * k).map { _ in next() }, b = (0..<k * n).map { _ in next() }
            let c0 = (0..<m * n).map { _ in next() }
            let alpha: Float = 1.5, beta: Float = 0.5
            var c = c0
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { cp in
                        if let a = ap.baseAddress, let b = bp.baseAddress, let c = cp.baseAddress {
                            sgemm(ta, tb, m, n, k, alpha, a, b, beta, c)
                        }
                    }
                }
            }
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0.0, mag = 0.0
                    for p in 0..<k {
                        let x = Double(ta ? a[p * m + i] : a[i * k + p]), y = Double(tb ? b[j * k + p] : b[p * n + j])
                        s += x * y
                        mag += abs(x * y)
                    }
                    let want = Double(alpha) * s + Double(beta) * Double(c0[i * n + j])
                    let err = abs(Double(c[i * n + j]) - want)
                    let tolerance = 1e-4 * (Double(alpha) * mag + Double(beta) * abs(Double(c0[i * n + j]))) + 1e-30
                    if !(err <= tolerance) {
                        return "sgemm \(m)×\(n)×\(k)\(ta ? " Aᵀ" : "")\(tb ? " Bᵀ" : "") gave C[\(i),\(j)] = \(c[i * n + j]), the naive loop \(Float(want))"
                    }
                }
            }
        }
        let x = (0..<1001).map { _ in next() }, y = (0..<1001).map { _ in next() }
        let dot = x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                guard let xb = xp.baseAddress, let yb = yp.baseAddress else { return Double.nan }
                return dsdot(x.count, xb, yb)
            }
        }
        let want = zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let mag = zip(x, y).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
        if !(abs(dot - want) <= 1e-4 * mag) { return "dsdot of \(x.count) gave \(dot), the naive loop \(want)" }
        return nil
    }

    // MARK: - Re-execution (for the CLI's start-up only)

    #if os(Linux)
    /// A NUL-terminated C array of strdup'ed strings (never freed: the process image is replaced, or a signal handler
    /// may still read them; a few hundred bytes once per process).
    private static func cArray(_ strings: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: strings.count + 1)
        for (i, s) in strings.enumerated() { p[i] = strdup(s) }
        p[strings.count] = nil
        return p
    }

    private static func envp(_ env: [String: String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        cArray(env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
    }

    /// Replaces the process by this executable with the same arguments and `environment`. Returns only on failure,
    /// with the reason.
    public static func reexecute(environment env: [String: String]) -> String {
        execve("/proc/self/exe", CommandLine.unsafeArgv, envp(env))
        return "cannot re-execute /proc/self/exe: \(String(cString: strerror(errno)))"
    }

    /// Runs `body` with SIGILL turned into a re-execution with `fallback` (an illegal instruction in the chosen
    /// core's kernels must not kill the run).
    public static func withIllegalInstructionFallback<T>(environment fallback: [String: String], _ body: () -> T) -> T {
        let armed = rz_arm_sigill_fallback(strdup("/proc/self/exe"), CommandLine.unsafeArgv, envp(fallback)) == 0
        defer { if armed { rz_disarm_sigill_fallback() } }
        return body()
    }
    #endif
}
