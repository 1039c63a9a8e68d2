import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The signal that asked the runner to stop (0 = none). Set by the SIGINT/SIGTERM handlers, read by the loop.
nonisolated(unsafe) var stopSignal: Int32 = 0

/// Runs a study's trials, each as its own process, N at a time, resuming what a previous run left.
///
/// Resume rules, trial by trial (state from `status.json` of `runs/trials/<hash>/`):
/// - complete: never redone;
/// - failed: skipped (and reported) unless `retryFailed`;
/// - interrupted or never started: (re)started;
/// - running with a free lock: left by a dead runner, restarted; running with a held lock: a live process
///   (a trial whose runner was killed, or another runner) owns it, so the runner waits for it and then decides.
/// - running under a Slurm task (its status names the job): alive while Slurm lists the task or its heartbeat is
///   fresh; the Slurm executor then attaches to it (never submits it twice), the local one waits for it; a task that
///   vanished is treated as interrupted and the trial restarts.
/// A study edit that changed the config of a complete trial (its link points at another hash) is refused unless
/// the trial is named in `force` (or `force` has "all"); the link is then re-pointed and the new config runs.
public final class StudyRunner {
    public struct Options: Sendable {
        public var jobs = 1
        public var retryFailed = false
        /// Trial labels (`variant/seed-n`) whose changed config may replace a complete trial, or "all".
        public var force: Set<String> = []
        /// The command of one trial: executable and arguments, given the config path and the trial directory.
        public var command: @Sendable (_ config: String, _ out: String) -> [String]
        /// Added to the inherited environment of every trial.
        public var environment: [String: String] = ["OPENBLAS_NUM_THREADS": "1"]
        /// Seconds between polls of the running processes.
        public var pollInterval = 0.05
        /// Seconds a trial gets to exit after SIGTERM before SIGKILL.
        public var terminationGrace = 5.0
        /// Called once the plan is made, before any trial starts (tests use it to race a second runner).
        public var afterPlanning: (@Sendable () -> Void)? = nil
        /// Evaluate the base model once for every pending trial before any starts (`EvaluationWarmup`), `jobs` at
        /// a time, so the first trials do not all compute the same evaluations side by side (local runs only).
        public var warmEvaluations = false
        /// How trials are launched: as local child processes (default) or as a Slurm job array.
        public var executor: Executor = .local

        public init(command: @escaping @Sendable (_ config: String, _ out: String) -> [String]) {
            self.command = command
        }

        /// `<executable> train --config CONFIG --out DIR`.
        public static func trainCommand(executable: String) -> @Sendable (String, String) -> [String] {
            { config, out in [executable, "train", "--config", config, "--out", out] }
        }
    }

    public enum Executor: Sendable {
        case local
        case slurm(SlurmOptions)
    }

    /// What happened to one trial in this run.
    public enum Outcome: String, Sendable {
        case complete, failed, interrupted
        /// Complete before this run (not touched).
        case alreadyComplete = "already complete"
        /// Failed before this run and not retried.
        case skippedFailed = "failed earlier (not retried)"
        /// Queued or running on Slurm when this run returned (--detach, or Ctrl-C without --cancel-on-interrupt).
        case onSlurm = "left queued or running on Slurm"
    }

    public struct Summary: Sendable {
        public var outcomes: [(trial: String, hash: String, outcome: Outcome)]
        /// SIGINT or SIGTERM when the run was stopped, else nil.
        public var stoppedBy: Int32?
        /// The Slurm array jobs this run submitted (empty with the local executor).
        public var submittedJobs: [String] = []
        public var failed: Int { outcomes.filter { $0.outcome == .failed || $0.outcome == .skippedFailed }.count }
    }

    public let study: Study
    public let trials: [TrialSpec]
    public let store: RunStore
    public let options: Options
    let progress: RunProgress
    /// The verified status of each trial when the plan was made (a failed trial whose status changed since was
    /// run by another runner).
    var planned: [String: TrialStatus] = [:]
    /// When each Slurm-owned trial was last asked about (the local executor asks Slurm at most every 2 s).
    var slurmAsked: [String: (Date, Bool)] = [:]

    public init(study: Study, basePath: String, store: RunStore, options: Options, log: @escaping (String) -> Void,
                interactive: Bool = false) throws {
        self.study = study
        self.trials = try study.trials(basePath: basePath)
        self.store = store
        self.options = options
        self.progress = RunProgress(total: 0, jobs: max(1, options.jobs), interactive: interactive, log: log)
    }

    // MARK: Plan

    /// Trials whose link points at a complete trial of another config, and that `force` does not name.
    public func conflicts() -> [(trial: TrialSpec, old: String)] {
        trials.compactMap { t in
            guard let old = store.linkedHash(study: study.name, trial: t), old != t.hash,
                  store.status(hash: old)?.status == .complete,
                  !options.force.contains(t.label), !options.force.contains("all") else { return nil }
            return (t, old)
        }
    }

    // MARK: Run

    public func run() throws -> Summary {
        try checkForceNames()
        let conflicts = self.conflicts()
        if !conflicts.isEmpty {
            let names = conflicts.map { "\($0.trial.label) (complete trial \($0.old), now \($0.trial.hash))" }
            throw AblateError.run(reason: """
                the study file changed the config of \(conflicts.count) finished trial(s): \(names.joined(separator: ", ")); \
                run them again with the new config with \(conflicts.map { "--force \($0.trial.label)" }.joined(separator: " ")) \
                (the finished results stay in \(store.root)/trials/)
                """)
        }
        // The store trusts nothing it did not write: untrusted trials are refused (or, named by --force, moved
        // to quarantine) before anything is changed, and links pointing anywhere else are re-pointed.
        let notes = try checkTrust()
        for t in trials { try store.link(study: study.name, trial: t) }

        var outcomes: [String: Outcome] = [:]
        var pending: [TrialSpec] = []
        var deferred: [TrialSpec] = []
        var attached: [(trial: TrialSpec, job: String)] = []
        var seen = Set<String>()
        planned = [:]
        let active = slurmTasksIfAny()
        for t in trials where seen.insert(t.hash).inserted {
            let dir = store.trialDirectory(hash: t.hash)
            let check = store.verifiedState(hash: t.hash)
            planned[t.hash] = check.status
            switch check.state {
            case .complete: outcomes[t.hash] = .alreadyComplete
            case .failed: if options.retryFailed { pending.append(t) } else { outcomes[t.hash] = .skippedFailed }
            case .running:
                if let job = check.status?.job {
                    if slurmAlive(hash: t.hash, job: job, active: active) { attached.append((t, job)) } else { pending.append(t) }
                } else if TrialLock.isHeld(directory: dir) { deferred.append(t) } else { pending.append(t) }
            case .interrupted, .missing:
                pending.append(t)
            case .untrusted:
                pending.append(t)  // untrusted without results (checkTrust refused those with results)
            }
        }
        options.afterPlanning?()
        if case let .slurm(slurm) = options.executor {
            return try runOnSlurm(slurm, pending: pending, deferred: deferred, attached: attached, outcomes: outcomes,
                                  total: seen.count, notes: notes)
        }
        deferred += attached.map(\.trial)
        if options.warmEvaluations, !pending.isEmpty {
            let lines = LineCollector()
            _ = try? EvaluationWarmup.warm(pending.map(\.config), jobs: options.jobs, note: { lines.add($0) })
            for line in lines.all { progress.line(line) }
        }
        progress.begin(total: seen.count, done: outcomes.values.filter { $0 == .alreadyComplete }.count,
                       failed: outcomes.values.filter { $0 == .skippedFailed }.count)
        for note in notes { progress.line(note) }
        for t in deferred {
            progress.line("\(t.label): trial \(t.hash) is held by a live process; waiting for it")
        }

        let restoreSignals = Self.catchStopSignals()
        defer { restoreSignals() }

        var running: [pid_t: Running] = [:]
        var startError: Error? = nil
        while stopSignal == 0 && startError == nil && (!pending.isEmpty || !running.isEmpty || !deferred.isEmpty) {
            while running.count < max(1, options.jobs), !pending.isEmpty {
                let t = pending.removeFirst()
                do {
                    switch try start(t) {
                    case let .started(r): running[r.pid] = r; progress.started(t.label)
                    case .busy: deferred.append(t)
                    case let .settled(outcome):
                        // Another runner finished it since this one planned: never run a trial twice.
                        outcomes[t.hash] = outcome
                        progress.finished(t.label, outcome: outcome, seconds: nil,
                                          reason: "settled by another runner meanwhile")
                    }
                } catch {
                    startError = error
                    break
                }
            }
            for (pid, r) in running {
                var status: Int32 = 0
                let w = waitpid(pid, &status, WNOHANG)
                guard w == pid || (w < 0 && errno == ECHILD) else { continue }
                running[pid] = nil
                let outcome = try finish(r, waitStatus: w == pid ? status : 255 << 8)
                outcomes[r.trial.hash] = outcome
                progress.finished(r.trial.label, outcome: outcome, seconds: Date().timeIntervalSince(r.started),
                                  reason: store.status(hash: r.trial.hash)?.reason)
            }
            deferred.removeAll { t in
                guard !isOwnedElsewhere(t) else { return false }
                if store.status(hash: t.hash)?.status == .complete {
                    outcomes[t.hash] = .alreadyComplete
                    progress.finished(t.label, outcome: .alreadyComplete, seconds: nil, reason: nil)
                } else {
                    pending.append(t)
                }
                return true
            }
            progress.tick()
            if running.count > 0 || !deferred.isEmpty { usleep(useconds_t(options.pollInterval * 1_000_000)) }
        }

        let stopped = stopSignal != 0 ? stopSignal : nil
        if stopped != nil || startError != nil {
            try terminate(Array(running.values), outcomes: &outcomes)
        }
        progress.end()
        if let startError { throw startError }
        let ordered = trials.map { ($0.label, $0.hash, outcomes[$0.hash] ?? .interrupted) }
        return Summary(outcomes: ordered, stoppedBy: stopped)
    }

    /// Sets `stopSignal` on SIGINT/SIGTERM until the returned closure restores the previous handlers.
    static func catchStopSignals() -> () -> Void {
        stopSignal = 0
        // A parent may hand us SIGINT/SIGTERM blocked (the mask survives exec); unblock them, or Ctrl-C would do nothing.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        let previousINT = signal(SIGINT) { stopSignal = $0 }
        let previousTERM = signal(SIGTERM) { stopSignal = $0 }
        return {
            signal(SIGINT, previousINT)
            signal(SIGTERM, previousTERM)
        }
    }

    // MARK: Trials

    private struct Running {
        let trial: TrialSpec
        let pid: pid_t
        let lock: TrialLock
        let started: Date
        let startedText: String
    }

    private enum Start {
        case started(Running)
        /// Another live process holds the lock.
        case busy
        /// Under the lock the trial turned out complete, or failed by another runner since the plan was made.
        case settled(Outcome)
    }

    /// Locks the trial, reads its state again under the lock (another runner may have finished it since the
    /// plan was made), then prepares and spawns it.
    private func start(_ t: TrialSpec) throws -> Start {
        let dir = store.trialDirectory(hash: t.hash)
        try RunStore.makeDirectory(dir)
        guard let lock = try TrialLock.acquire(directory: dir) else { return .busy }
        let check = store.verifiedState(hash: t.hash)
        switch check.state {
        case .complete:
            lock.release()
            return .settled(.alreadyComplete)
        case .failed where check.status != planned[t.hash]:
            lock.release()
            return .settled(.skippedFailed)
        case .untrusted where check.hasResults:
            lock.release()
            throw changedMeanwhile(t, check)
        default:
            break
        }
        // A restart begins from nothing: outputs of an interrupted or failed attempt would mix with the new ones.
        for name in TrialFile.attemptOutputs.map(\.rawValue) {
            let p = dir + "/" + name
            if unlink(p) != 0 && errno != ENOENT {
                throw AblateError.io(path: p, reason: "cannot remove the output of an earlier attempt (\(String(cString: strerror(errno))))")
            }
        }
        try store.writeConfig(t)
        try store.writeStatus(TrialStatus(status: .running, step: 0, hash: t.hash))
        let argv = options.command(dir + "/config.json", dir)
        let pid = try Self.spawn(argv: argv, environment: options.environment, log: TrialFile.log.path(in: dir), lockFD: lock.fd)
        return .started(Running(trial: t, pid: pid, lock: lock, started: Date(), startedText: ISO8601DateFormatter().string(from: Date())))
    }

    /// Reads how a trial ended and records it; the runner writes `failed` when the process did not say.
    private func finish(_ r: Running, waitStatus: Int32) throws -> Outcome {
        defer { r.lock.release() }
        let exitCode: Int32 = (waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f)
        let record = RunnerRecord(started: r.startedText, seconds: (Date().timeIntervalSince(r.started) * 10).rounded() / 10,
                                  exitCode: exitCode)
        try RunStore.writeJSON(record, to: store.trialDirectory(hash: r.trial.hash) + "/runner.json")
        let status = store.status(hash: r.trial.hash)
        if exitCode == 0, status?.status == .complete { return .complete }
        if status?.status == .failed { return .failed }
        let how = (waitStatus & 0x7f) == 0 ? "exited with code \(exitCode)" : "was killed by signal \(waitStatus & 0x7f)"
        let reason = "the trial process \(how) at step \(status?.step ?? 0) without reporting complete or failed "
            + "(see train.log)"
        try store.writeStatus(TrialStatus(status: .failed, step: status?.step ?? 0, reason: reason, hash: r.trial.hash))
        return .failed
    }

    /// SIGTERM to every running trial's process group, SIGKILL after the grace period; each is marked
    /// interrupted unless it managed to finish.
    private func terminate(_ running: [Running], outcomes: inout [String: Outcome]) throws {
        for r in running { kill(-r.pid, SIGTERM) }
        var left = Set(running.map(\.pid))
        let deadline = Date().addingTimeInterval(options.terminationGrace)
        while !left.isEmpty {
            for pid in left {
                var status: Int32 = 0
                let w = waitpid(pid, &status, WNOHANG)
                if w == pid || w < 0 { left.remove(pid) }
            }
            if left.isEmpty { break }
            if Date() > deadline {
                for pid in left { kill(-pid, SIGKILL); var s: Int32 = 0; waitpid(pid, &s, 0) }
                break
            }
            usleep(20_000)
        }
        for r in running {
            defer { r.lock.release() }
            let status = store.status(hash: r.trial.hash)
            if status?.status == .complete { outcomes[r.trial.hash] = .complete; continue }
            try store.writeStatus(TrialStatus(status: .interrupted, step: status?.step ?? 0,
                                              reason: "stopped by signal \(stopSignal)", hash: r.trial.hash))
            outcomes[r.trial.hash] = .interrupted
            progress.finished(r.trial.label, outcome: .interrupted, seconds: nil, reason: nil)
        }
    }

    /// posix_spawn in a new process group, stdin from /dev/null, stdout and stderr appended to `log`, and the
    /// locked descriptor as fd 3 (the only inherited descriptor beyond 0–2: the runner opens everything close-on-exec).
    static func spawn(argv: [String], environment: [String: String], log: String, lockFD: Int32) throws -> pid_t {
        guard let executable = argv.first else { throw AblateError.run(reason: "the trial command is empty") }
        // A copy above 3, so that dup2 onto 3 always makes a fresh descriptor without close-on-exec.
        let high = fcntl(lockFD, F_DUPFD_CLOEXEC, 10)
        guard high >= 0 else { throw AblateError.io(path: log, reason: "cannot duplicate the lock descriptor") }
        defer { close(high) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_adddup2(&actions, high, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)  // the trial starts with no signal blocked

        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in cArgs + cEnv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, executable, &actions, &attributes, cArgs, cEnv)
        guard rc == 0 else {
            throw AblateError.run(reason: "cannot start the trial command '\(executable)' (\(String(cString: strerror(rc))))")
        }
        return pid
    }
}

// MARK: - Progress

/// The runner's display: on a terminal one status line redrawn in place (done / running / failed, ETA) with
/// events above it; otherwise one plain line per event.
final class RunProgress {
    private var total = 0, done = 0, failed = 0, runningCount = 0
    /// Trials waiting in Slurm's queue (nil with the local executor: not shown).
    private var queued: Int? = nil
    private let jobs: Int
    private let interactive: Bool
    private let log: (String) -> Void
    private var durations: [Double] = []
    private var lastDraw = Date.distantPast

    init(total: Int, jobs: Int, interactive: Bool, log: @escaping (String) -> Void) {
        self.total = total
        self.jobs = jobs
        self.interactive = interactive
        self.log = log
    }

    func begin(total: Int, done: Int, failed: Int, how: String? = nil) {
        self.total = total
        self.done = done
        self.failed = failed
        line("\(total) trial(s): \(done) complete, \(failed) failed earlier, \(total - done - failed) to run, \(how ?? "\(jobs) at a time")")
    }

    func line(_ text: String) {
        if interactive { log("\r\u{1B}[K" + text + "\n" + statusLine()) } else { log(text + "\n") }
    }

    func started(_ label: String) {
        runningCount += 1
        if !interactive { log("start \(label)\n") }
        tick(force: true)
    }

    func finished(_ label: String, outcome: StudyRunner.Outcome, seconds: Double?, reason: String?) {
        if seconds != nil || outcome == .interrupted { runningCount = max(0, runningCount - 1) }
        switch outcome {
        case .complete, .alreadyComplete: done += 1
        case .failed, .skippedFailed: failed += 1
        case .interrupted, .onSlurm: break
        }
        if let seconds, outcome == .complete { durations.append(seconds) }
        let time = seconds.map { String(format: " (%.1f s)", $0) } ?? ""
        // Without a terminal there is no status line: each finished trial carries it (done, running, failed, ETA).
        let status = interactive ? "" : "  [\(statusLine())]"
        line("\(outcome.rawValue) \(label)\(time)\(reason.map { ": \($0)" } ?? "")\(status)")
    }

    func tick(force: Bool = false) {
        guard interactive, force || Date().timeIntervalSince(lastDraw) > 0.5 else { return }
        lastDraw = Date()
        log("\r\u{1B}[K" + statusLine())
    }

    /// The Slurm executor's counts, from squeue.
    func slurmCounts(queued: Int, running: Int) {
        self.queued = queued
        runningCount = running
        tick()
    }

    func end() { if interactive { log("\r\u{1B}[K" + statusLine() + "\n") } }

    func statusLine() -> String {
        var s = "done \(done)/\(total) · " + (queued.map { "queued \($0) · " } ?? "") + "running \(runningCount) · failed \(failed)"
        let remaining = total - done - failed
        if !durations.isEmpty, remaining > 0 {
            let eta = durations.reduce(0, +) / Double(durations.count) * Double(remaining) / Double(jobs)
            s += String(format: " · ETA %dm%02ds", Int(eta) / 60, Int(eta) % 60)
        }
        return s
    }
}
