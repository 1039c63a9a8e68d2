import Foundation
import MiniLM

/// Runs ablate with the best OpenBLAS core this CPU supports when OpenBLAS fell back to a generic one (issue 16,
/// item 1; `BLASCore` has the decision, the proof and what each run records). OpenBLAS reads `OPENBLAS_CORETYPE`
/// when it loads, before `main`, so another core means re-executing this process with it set. At most two
/// re-executions: to the chosen core, and back to the detected one if the chosen core fails its start-up check.
/// A user's `OPENBLAS_CORETYPE` is never overridden. Child processes (study trials) inherit the environment: they
/// run on the same core and check it again, without re-executing.
enum BLASCoreStartup {
    static func run() {
        #if os(Linux)
        let env = ProcessInfo.processInfo.environment
        switch BLASCore.startState(environment: env) {
        case let .fallback(detected, reason):
            // Said once per run (SIGILL's re-execution cannot say it): children inherit the marker and stay quiet.
            guard env[warnedVariable] == nil else { return }
            warn("warning: \(reason); running on OpenBLAS's detected core (\(detected))")
            setenv(warnedVariable, "1", 1)
        case let .chosen(detected, core):
            let running = BLAS.coreName
            var failure: String?
            if running.lowercased() != core.lowercased() {
                failure = "\(BLASCore.coretypeVariable)=\(core) gave the core \(running)"
            } else {
                let onSIGILL = BLASCore.environment(env, fallingBackBecause: "\(core) raised SIGILL in the start-up GEMM check")
                failure = BLASCore.withIllegalInstructionFallback(environment: onSIGILL) { BLASCore.gemmCheck() }
                if failure == nil, env[BLASCore.fakeCheckFailureVariable] != nil {
                    failure = "failure faked by \(BLASCore.fakeCheckFailureVariable)"
                }
            }
            guard let failure else { return }
            let why = BLASCore.reexecute(environment: BLASCore.environment(env, fallingBackBecause: "\(core) failed the start-up GEMM check: \(failure)"))
            warn("error: OpenBLAS core \(core) failed its start-up check (\(failure)) and \(why); "
                 + "run again with \(BLASCore.coretypeVariable)=\(detected)")
            exit(1)  // never continue on kernels that gave wrong results
        case let .fresh(user):
            let detected = env[BLASCore.fakeDetectedVariable] ?? BLAS.coreName
            let cpu = env[BLASCore.fakeCPUVariable].flatMap(CPUFeatures.init(fake:)) ?? CPUFeatures.current
            guard case let .use(core, _) = BLASCore.decide(detectedCore: detected, cpuFeatures: cpu, userCoretype: user) else { return }
            let why = BLASCore.reexecute(environment: BLASCore.environment(env, choosing: core, detected: detected))
            warn("warning: \(why); running on OpenBLAS's \(detected) kernels instead of \(core)")
        }
        #endif
    }

    /// Set once the fallback warning was printed, so that child processes do not repeat it.
    static let warnedVariable = "REWARDZOO_BLAS_CORE_FALLBACK_WARNED"

    /// Runs before `StandardStreams.prepare()`: a plain write(2) that a closed standard error cannot turn into a trap.
    private static func warn(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
