import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The Slurm executor: the same plan, store, resume rules and report as the local one; only the launch differs.
/// Pending trials go out as one job array (held until every trial's status names its task, then released); the
/// runner then polls squeue and the trials' own files until each trial is settled.
extension StudyRunner {
    var slurmClient: SlurmClient {
        if case let .slurm(o) = options.executor { return SlurmClient(environment: o.environment) }
        return SlurmClient()
    }

    var heartbeatSeconds: Int {
        if case let .slurm(o) = options.executor { return o.heartbeatSeconds }
        return SlurmOptions().heartbeatSeconds
    }

    /// squeue's active ablate tasks when some trial of the study is owned by a Slurm task; nil when none is or
    /// Slurm does not answer (then only heartbeats tell).
    func slurmTasksIfAny() -> [String: String]? {
        let owned = trials.contains { t in store.status(hash: t.hash).map { $0.status == .running && $0.job != nil } ?? false }
        guard owned else { return nil }
        return try? slurmClient.activeTasks()
    }

    /// Seconds since the trial's task last touched its heartbeat file, or nil when there is none.
    func heartbeatAge(hash: String) -> Double? {
        var info = stat()
        guard stat(TrialFile.heartbeat.path(in: store.trialDirectory(hash: hash)), &info) == 0 else { return nil }
        return Date().timeIntervalSince1970 - Double(info.st_mtim.tv_sec)
    }

    func heartbeatFresh(hash: String) -> Bool {
        heartbeatAge(hash: hash).map { $0 < Double(3 * max(1, heartbeatSeconds)) } ?? false
    }

    /// A trial whose status names Slurm task `job` is alive while squeue lists the task or its heartbeat is fresh.
    func slurmAlive(hash: String, job: String, active: [String: String]?) -> Bool {
        if let active, active[job] != nil { return true }
        return heartbeatFresh(hash: hash)
    }

    /// Held by a live local process, or running under a live Slurm task (asked at most every 2 s).
    func isOwnedElsewhere(_ t: TrialSpec) -> Bool {
        if TrialLock.isHeld(directory: store.trialDirectory(hash: t.hash)) { return true }
        guard let status = store.status(hash: t.hash), status.status == .running, let job = status.job else { return false }
        if let (at, alive) = slurmAsked[t.hash], Date().timeIntervalSince(at) < 2 { return alive }
        let alive = slurmAlive(hash: t.hash, job: job, active: try? slurmClient.activeTasks())
        slurmAsked[t.hash] = (Date(), alive)
        return alive
    }

    // MARK: Run

    func runOnSlurm(_ o: SlurmOptions, pending: [TrialSpec], deferred: [TrialSpec], attached: [(trial: TrialSpec, job: String)],
                    outcomes initial: [String: Outcome], total: Int, notes: [String]) throws -> Summary {
        var outcomes = initial
        let client = SlurmClient(environment: o.environment)
        // Before anything is marked: the commands are there, the controller answers, the partition exists.
        if !pending.isEmpty || !attached.isEmpty { try client.preflight(partition: o.partition) }
        let limit = o.maxParallel.map { "at most \($0) at a time" } ?? "as many at a time as Slurm allows"
        progress.begin(total: total, done: outcomes.values.filter { $0 == .alreadyComplete }.count,
                       failed: outcomes.values.filter { $0 == .skippedFailed }.count, how: "on Slurm, \(limit)")
        for note in notes { progress.line(note) }
        var watched = attached
        for w in attached { progress.line("\(w.trial.label): attached to Slurm task \(w.job) (submitted earlier)") }
        var local = deferred
        for t in deferred { progress.line("\(t.label): trial \(t.hash) is held by a live local process; waiting for it") }

        var submittedJobs: [String] = []
        if let job = try submit(pending, o, client, outcomes: &outcomes, watched: &watched, local: &local) {
            submittedJobs.append(job)
        }
        if o.detach {
            for w in watched { outcomes[w.trial.hash] = .onSlurm }
            progress.end()
            return Summary(outcomes: trials.map { ($0.label, $0.hash, outcomes[$0.hash] ?? .interrupted) }, stoppedBy: nil,
                           submittedJobs: submittedJobs)
        }

        let restoreSignals = Self.catchStopSignals()
        defer { restoreSignals() }
        var missing: [String: Int] = [:]
        var lastAnswer = Date()
        while stopSignal == 0 && (!watched.isEmpty || !local.isEmpty) {
            let active: [String: String]?
            do {
                active = try client.activeTasks()
                lastAnswer = Date()
            } catch {
                if Date().timeIntervalSince(lastAnswer) > o.unansweredLimit {
                    throw AblateError.run(reason: """
                        Slurm has not answered for \(Int(o.unansweredLimit)) s: \(error). The trials stay recorded as \
                        running on their tasks (\(watched.map(\.job).joined(separator: ", "))); `ablate run` again attaches \
                        to them once Slurm answers
                        """)
                }
                active = nil
            }
            try settle(&watched, active: active, missing: &missing, client: client, outcomes: &outcomes)
            if let active {
                let states = watched.compactMap { active[$0.job] }
                let queued = states.filter { $0 == "PENDING" || $0 == "REQUEUED" || $0 == "CONFIGURING" }.count
                progress.slurmCounts(queued: queued, running: states.count - queued)
            }
            local.removeAll { t in
                guard !isOwnedElsewhere(t) else { return false }
                let done = store.status(hash: t.hash)?.status == .complete
                outcomes[t.hash] = done ? .alreadyComplete : .interrupted
                progress.finished(t.label, outcome: outcomes[t.hash] ?? .interrupted, seconds: nil,
                                  reason: done ? nil : "a local process held it and left it unfinished; run again to run it")
                return true
            }
            if !watched.isEmpty || !local.isEmpty { Self.pause(o.pollInterval) }
        }

        let stopped = stopSignal != 0 ? stopSignal : nil
        if stopped != nil, !watched.isEmpty {
            if o.cancelOnInterrupt {
                let tasks = watched.map(\.job)
                progress.line("cancelling \(tasks.count) Slurm task(s) (--cancel-on-interrupt): \(tasks.joined(separator: " "))")
                try client.check(["scancel"] + tasks)
                // Running tasks get SIGTERM and their trials write interrupted; pending ones vanish.
                let deadline = Date().addingTimeInterval(45)
                while !watched.isEmpty && Date() < deadline {
                    Self.pause(o.pollInterval)
                    try settle(&watched, active: try? client.activeTasks(), missing: &missing, client: client, outcomes: &outcomes)
                }
                for w in watched { outcomes[w.trial.hash] = .onSlurm }
            } else {
                for w in watched { outcomes[w.trial.hash] = .onSlurm }
                progress.line("""
                    left \(watched.count) trial(s) queued or running on Slurm (\(watched.map(\.job).joined(separator: " "))): \
                    `ablate run` again attaches to them, `ablate cancel` cancels them
                    """)
            }
        }
        progress.end()
        return Summary(outcomes: trials.map { ($0.label, $0.hash, outcomes[$0.hash] ?? .interrupted) }, stoppedBy: stopped,
                       submittedJobs: submittedJobs)
    }

    /// Sleeps `seconds` in short naps, returning early on a stop signal.
    static func pause(_ seconds: Double) {
        var left = seconds
        while left > 0 && stopSignal == 0 {
            usleep(useconds_t(min(left, 0.1) * 1_000_000))
            left -= 0.1
        }
    }

    /// Submits `pending` as one held array, marks each trial running on its task, then releases the array. Each
    /// trial is locked and read again under its lock first (another runner may have finished or submitted it).
    /// Returns the array's job id, or nil when nothing was submitted.
    private func submit(_ pending: [TrialSpec], _ o: SlurmOptions, _ client: SlurmClient, outcomes: inout [String: Outcome],
                        watched: inout [(trial: TrialSpec, job: String)], local: inout [TrialSpec]) throws -> String? {
        var locked: [(trial: TrialSpec, lock: TrialLock)] = []
        defer { for l in locked { l.lock.release() } }
        for t in pending {
            let dir = store.trialDirectory(hash: t.hash)
            try RunStore.makeDirectory(dir)
            guard let lock = try TrialLock.acquire(directory: dir) else {
                local.append(t)
                progress.line("\(t.label): trial \(t.hash) is held by a live local process; not submitted, waiting for it")
                continue
            }
            let check = store.verifiedState(hash: t.hash)
            switch check.state {
            case .complete:
                lock.release()
                outcomes[t.hash] = .alreadyComplete
                progress.finished(t.label, outcome: .alreadyComplete, seconds: nil, reason: "settled by another runner meanwhile")
                continue
            case .failed where check.status != planned[t.hash]:
                lock.release()
                outcomes[t.hash] = .skippedFailed
                progress.finished(t.label, outcome: .skippedFailed, seconds: nil, reason: "settled by another runner meanwhile")
                continue
            case .running where check.status != planned[t.hash]:
                lock.release()
                if let job = check.status?.job, slurmAlive(hash: t.hash, job: job, active: try? client.activeTasks()) {
                    watched.append((t, job))
                    progress.line("\(t.label): submitted meanwhile by another runner as Slurm task \(job); attached")
                    continue
                }
                throw AblateError.run(reason: "\(t.label) (trial \(t.hash)) started elsewhere while this run planned; run again")
            case .untrusted where check.hasResults:
                lock.release()
                throw changedMeanwhile(t, check)
            default:
                break
            }
            try store.writeConfig(t)
            locked.append((t, lock))
        }
        guard !locked.isEmpty else { return nil }

        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : cwd + "/" + p }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let submission = absolute("\(store.root)/slurm/\(study.name)/\(formatter.string(from: Date()))-\(getpid())")
        try RunStore.makeDirectory(submission)
        let tasks = locked.map { l -> (directory: String, argv: [String]) in
            let dir = absolute(store.trialDirectory(hash: l.trial.hash))
            return (dir, options.command(dir + "/config.json", dir))
        }
        let script = submission + "/task.sh"
        try RunStore.writeAtomically(text: slurmBatchScript(tasks: tasks, environment: options.environment,
                                                            heartbeat: o.heartbeatSeconds), to: script)
        guard chmod(script, 0o755) == 0 else {
            throw AblateError.io(path: script, reason: "cannot make the batch script executable (\(String(cString: strerror(errno))))")
        }
        var argv = ["sbatch", "--parsable", "--hold", "--job-name=\(SlurmOptions.jobName(study: study.name))",
                    "--array=0-\(locked.count - 1)" + (o.maxParallel.map { "%\($0)" } ?? ""),
                    "--output=\(submission)/slurm-%A_%a.out", "--chdir=\(cwd)", "--cpus-per-task=\(max(1, o.cpusPerTrial))",
                    o.requeue ? "--requeue" : "--no-requeue"]
        if let p = o.partition { argv.append("--partition=\(p)") }
        if let t = o.time { argv.append("--time=\(t)") }
        if let m = o.mem { argv.append("--mem=\(m)") }
        argv += o.sbatchArguments
        argv.append(script)
        let answer = try client.check(argv).trimmingCharacters(in: .whitespacesAndNewlines)
        let job = String(answer.split(separator: ";").first ?? "")
        guard !job.isEmpty, job.utf8.count < 32, job.allSatisfy(\.isNumber) else {
            throw AblateError.run(reason: "`\(argv.joined(separator: " "))` printed '\(answer.prefix(200))', not a job id; check `squeue --me` for a held job named \(SlurmOptions.jobName(study: study.name)) and scancel it")
        }
        var marked: [String] = []
        do {
            for (i, l) in locked.enumerated() {
                let dir = store.trialDirectory(hash: l.trial.hash)
                // A restart begins from nothing: outputs of an earlier attempt would mix with the new ones.
                for name in (TrialFile.attemptOutputs + [.heartbeat]).map(\.rawValue) {
                    let p = dir + "/" + name
                    if unlink(p) != 0 && errno != ENOENT {
                        throw AblateError.io(path: p, reason: "cannot remove the output of an earlier attempt (\(String(cString: strerror(errno))))")
                    }
                }
                try store.writeStatus(TrialStatus(status: .running, step: 0, hash: l.trial.hash, job: "\(job)_\(i)"))
                marked.append(l.trial.hash)
            }
            try client.check(["scontrol", "release", job])
        } catch {
            _ = try? client.run(["scancel", job])
            for hash in marked {
                try? store.writeStatus(TrialStatus(status: .interrupted, step: 0, reason: "its submission failed: \(error)", hash: hash, job: nil))
            }
            throw error
        }
        for (i, l) in locked.enumerated() { watched.append((l.trial, "\(job)_\(i)")) }
        progress.line("submitted \(locked.count) trial(s) as Slurm job array \(job) (batch script \(script))")
        return job
    }

    /// Removes from `watched` every trial that has settled, recording its outcome. A trial settles when its status
    /// says complete or failed, or when Slurm no longer lists its task (twice in a row, to tolerate lag) and no fresh
    /// heartbeat says otherwise: then its exit record or Slurm's final state decides between interrupted and failed.
    func settle(_ watched: inout [(trial: TrialSpec, job: String)], active: [String: String]?, missing: inout [String: Int],
                client: SlurmClient, outcomes: inout [String: Outcome]) throws {
        var kept: [(trial: TrialSpec, job: String)] = []
        for w in watched {
            let hash = w.trial.hash
            let status = store.status(hash: hash)
            var outcome: Outcome? = nil
            var reason = status?.reason
            if let status, status.job != nil, status.job != w.job, status.status == .running {
                outcome = .onSlurm  // another runner resubmitted it since: that run owns it now
                reason = "resubmitted by another run as Slurm task \(status.job ?? "?")"
            } else if let status, status.status == .complete || status.status == .failed {
                // Settled once its task has ended too (its exit record is written last), so a run never returns
                // while a task of it still runs.
                if store.runnerRecord(hash: hash) != nil || (active != nil && active?[w.job] == nil) {
                    outcome = status.status == .complete ? .complete : .failed
                }
            } else if let active, active[w.job] == nil {
                missing[w.job, default: 0] += 1
                if status?.status == .interrupted {
                    outcome = .interrupted
                } else if let record = store.runnerRecord(hash: hash) {
                    // The batch script recorded how the trial process ended, and the trial did not say.
                    let signalled = record.exitCode == 143 || record.exitCode == 130
                    reason = "the trial process exited with code \(record.exitCode) at step \(status?.step ?? 0) without reporting complete or failed (Slurm task \(w.job); see train.log)"
                    outcome = signalled ? .interrupted : .failed
                } else if missing[w.job, default: 0] >= 2 && !heartbeatFresh(hash: hash) {
                    let final = client.finalState(task: w.job)
                    let gone = ["CANCELLED", "TIMEOUT", "PREEMPTED", "NODE_FAIL", "DEADLINE", "BOOT_FAIL"]
                    if let final, !gone.contains(where: { final.hasPrefix($0) }) {
                        outcome = .failed
                        reason = "Slurm task \(w.job) ended \(final) without the trial reporting complete or failed (see train.log and \(store.root)/slurm/)"
                    } else {
                        outcome = .interrupted
                        reason = "Slurm task \(w.job) " + (final.map { "ended \($0)" } ?? "vanished without a record (cancelled before it started?)")
                    }
                }
                if let outcome, outcome != .complete, status?.status == .running {
                    try store.writeStatus(TrialStatus(status: outcome == .failed ? .failed : .interrupted, step: status?.step ?? 0,
                                                      reason: reason, hash: hash, job: w.job))
                }
            } else if active != nil {
                missing[w.job] = 0
            }
            guard let outcome else { kept.append(w); continue }
            outcomes[hash] = outcome
            let seconds = store.runnerRecord(hash: hash)?.seconds
            progress.finished(w.trial.label, outcome: outcome, seconds: outcome == .complete ? (seconds ?? 0) : seconds,
                              reason: outcome == .complete ? nil : reason)
        }
        watched = kept
    }

    // MARK: Status and cancel

    /// One trial of the study as `ablate status` shows it.
    public struct TrialState: Sendable {
        public var label: String
        public var hash: String
        /// never run, complete, failed, interrupted, queued, running, running (local), stale.
        public var state: String
        public var step: Int?
        public var job: String?
        public var reason: String?
    }

    /// Every trial's state, from its status and (for trials on Slurm) squeue. Errors of squeue are thrown when
    /// some trial is on Slurm and it cannot be asked.
    public func states() throws -> [TrialState] {
        var rows: [TrialState] = []
        var active: [String: String]? = nil
        if trials.contains(where: { store.status(hash: $0.hash).map { $0.status == .running && $0.job != nil } ?? false }) {
            active = try slurmClient.activeTasks()
        }
        for t in trials {
            guard let status = store.status(hash: t.hash) else {
                rows.append(TrialState(label: t.label, hash: t.hash, state: "never run", step: nil, job: nil, reason: nil))
                continue
            }
            var state = status.status.rawValue
            if status.status == .running {
                if let job = status.job {
                    switch active?[job] {
                    case "PENDING"?, "REQUEUED"?, "CONFIGURING"?: state = "queued"
                    case .some: state = "running"
                    case nil: state = heartbeatFresh(hash: t.hash) ? "running" : "stale (its Slurm task is gone; the next run restarts it)"
                    }
                } else {
                    state = TrialLock.isHeld(directory: store.trialDirectory(hash: t.hash)) ? "running (local)" : "stale (the next run restarts it)"
                }
            }
            rows.append(TrialState(label: t.label, hash: t.hash, state: state, step: status.step, job: status.job, reason: status.reason))
        }
        return rows
    }

    /// Cancels the Slurm tasks of the study's trials that are queued or running; trials that had not started are
    /// marked interrupted at once (the running ones write it themselves on SIGTERM). Returns the cancelled tasks.
    public func cancelOnSlurm() throws -> [String] {
        let client = slurmClient
        let active = try client.activeTasks()
        var tasks: [(hash: String, job: String, pending: Bool)] = []
        var seen = Set<String>()
        for t in trials where seen.insert(t.hash).inserted {
            guard let status = store.status(hash: t.hash), status.status == .running, let job = status.job,
                  let state = active[job] else { continue }
            tasks.append((t.hash, job, state == "PENDING"))
        }
        guard !tasks.isEmpty else { return [] }
        try client.check(["scancel"] + tasks.map(\.job))
        for task in tasks where task.pending {
            guard let status = store.status(hash: task.hash), status.status == .running, status.job == task.job else { continue }
            try store.writeStatus(TrialStatus(status: .interrupted, step: status.step, reason: "cancelled (ablate cancel) before it started",
                                              hash: task.hash, job: task.job))
        }
        return tasks.map(\.job)
    }
}
