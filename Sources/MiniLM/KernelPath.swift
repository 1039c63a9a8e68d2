import Foundation

/// Which build of MiniLM's own SIMD kernels runs (OpenBLAS picks its own kernels separately: `BLASCore`).
///
/// The default x86-64 build compiles MiniLM for x86-64-v3 (AVX2 + FMA) and, in the separate target
/// `MiniLMKernelsV4`, an x86-64-v4 (AVX-512) copy of the packed 6×16 tile (`PackedLinear.multiplyRows`: the decode
/// GEMM, the transposed backward maps, the ghost-norm Grams). The AVX-512 tile computes every output as the same
/// fused multiply-add chain as the AVX2 one, so the two paths give identical bits; the choice affects speed only.
/// `REWARDZOO_KERNELS=auto|avx2|avx512` forces a path; a path the CPU cannot run is refused with a message rather
/// than dying of an illegal instruction.
public enum KernelPath: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Built without a target CPU (`REWARDZOO_PORTABLE=1`, or not x86-64): the architecture's baseline vectors.
    case portable
    /// x86-64-v3: SIMD8 with fused multiply-adds (the default x86-64 build).
    case avx2
    /// The AVX2 path with the packed tile from `MiniLMKernelsV4` (x86-64-v4, SIMD16).
    case avx512

    /// The override: `auto` (or unset) picks the fastest path the CPU runs; `avx2` or `avx512` forces one.
    public static let variable = "REWARDZOO_KERNELS"

    public var description: String { rawValue }

    /// The paths this build holds, slowest first.
    public static var built: [KernelPath] {
        #if REWARDZOO_KERNELS_V4
        return [.avx2, .avx512]
        #else
        return [.portable]
        #endif
    }

    /// Whether a CPU with `cpu` can execute this path's instructions.
    public func runs(on cpu: CPUFeatures) -> Bool {
        switch self {
        case .portable: return true
        case .avx2: return cpu.runsAVX2
        case .avx512: return cpu.runsX86_64V4
        }
    }

    /// The paths of this build that `cpu` runs: what the tests exercise.
    public static func supported(on cpu: CPUFeatures = .current) -> [KernelPath] {
        built.filter { $0.runs(on: cpu) }
    }

    /// Why a requested path cannot be used.
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The path for `environment[variable]` on `cpu`, a pure function of its inputs. Unset, empty or `auto`: the
    /// last path of `built` the CPU runs (the first path of `built` when it runs none, which the CLI refuses at
    /// start-up anyway). A named path must be built and run on the CPU.
    public static func select(environment: [String: String], cpu: CPUFeatures,
                              built: [KernelPath] = built) throws(Refusal) -> KernelPath {
        let fallback = built.last(where: { $0.runs(on: cpu) }) ?? built[0]
        let requested = environment[variable]?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        if requested.isEmpty || requested == "auto" { return fallback }
        let names = (["auto"] + built.map(\.rawValue)).joined(separator: ", ")
        guard let path = KernelPath(rawValue: requested), built.contains(path) else {
            throw Refusal(description: "\(variable)=\(requested) is not a kernel path of this build (expected one of: \(names))")
        }
        guard path.runs(on: cpu) else {
            throw Refusal(description: "\(variable)=\(requested): this CPU cannot run the \(requested) kernels (it has \(cpu)"
                          + (path == .avx512 ? "; they need AVX-512 F/BW/CD/DQ/VL" : "") + "); use \(variable)=\(fallback)")
        }
        return path
    }

    /// The path this process uses, chosen once from its environment and CPU. An invalid `REWARDZOO_KERNELS` falls
    /// back to the automatic choice here (never to a path the CPU lacks); the `ablate` CLI refuses it at start-up
    /// with `select`'s message.
    public static let active: KernelPath = {
        let cpu = CPUFeatures.current, env = ProcessInfo.processInfo.environment
        do { return try select(environment: env, cpu: cpu) } catch {
            return (try? select(environment: [:], cpu: cpu)) ?? built[0]
        }
    }()
}
