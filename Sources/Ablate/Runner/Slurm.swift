import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How `ablate run --executor slurm` submits a study's pending trials: one job array, a task per trial.
public struct SlurmOptions: Sendable {
    public var partition: String?
    /// At most this many tasks of the array at once (`--array=0-(n-1)%N`); nil: as many as Slurm allows.
    public var maxParallel: Int?
    /// `--time` of each task (HH:MM:SS, or any form sbatch takes).
    public var time: String?
    /// `--mem` of each task (e.g. 4G).
    public var mem: String?
    public var cpusPerTrial = 1
    /// More sbatch arguments, passed as given (e.g. --account=X, --qos=Y).
    public var sbatchArguments: [String] = []
    /// `--requeue` (a preempted or failed-node task runs again) instead of `--no-requeue`.
    public var requeue = false
    /// Return once the array is submitted instead of waiting for it.
    public var detach = false
    /// Ctrl-C (or SIGTERM) while waiting cancels the study's tasks; otherwise they are left to run.
    public var cancelOnInterrupt = false
    /// Added to the environment of the Slurm commands (sbatch, squeue, ...): tests set PATH and SLURM_CONF.
    public var environment: [String: String] = [:]
    /// Seconds between polls of squeue while waiting.
    public var pollInterval = 1.0
    /// Seconds between heartbeats a running task writes (`heartbeat` in the trial directory).
    public var heartbeatSeconds = 10
    /// Seconds Slurm may fail to answer while waiting before the run stops with an error (the trials go on).
    public var unansweredLimit = 60.0

    public init() {}

    /// The name of every job of a study (how squeue is filtered, and how a job is known as the study's).
    public static func jobName(study: String) -> String { jobNamePrefix + study }
    static let jobNamePrefix = "ablate-"
}

/// The Slurm client commands, run as child processes with their output captured. Every failure is an error
/// naming the command and its stderr.
public struct SlurmClient: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String] = [:]) { self.environment = environment }

    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    var mergedEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        return env
    }

    /// The executable `name` on PATH (of the merged environment), or nil.
    public func locate(_ name: String) -> String? {
        let path = mergedEnvironment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Runs `argv` (argv[0] looked up on PATH) and returns its exit status and output (each capped at 4 MB).
    public func run(_ argv: [String]) throws -> Result {
        guard let name = argv.first else { throw AblateError.run(reason: "an empty Slurm command") }
        guard let executable = locate(name) else {
            throw AblateError.run(reason: """
                `\(name)` is not on PATH (\(mergedEnvironment["PATH"] ?? "unset")): the Slurm executor needs Slurm's \
                client commands (sbatch, squeue, scancel, scontrol, sinfo). Run on a Slurm login node, or start a \
                single-node Slurm with scripts/local-slurm start, or use --executor local
                """)
        }
        let scratch = NSTemporaryDirectory() + "/ablate-slurm-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try RunStore.makeDirectory(scratch)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let outPath = scratch + "/out", errPath = scratch + "/err"
        guard FileManager.default.createFile(atPath: outPath, contents: nil),
              FileManager.default.createFile(atPath: errPath, contents: nil),
              let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            throw AblateError.io(path: scratch, reason: "cannot create the files that capture `\(name)`'s output")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(argv.dropFirst())
        process.environment = mergedEnvironment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            throw AblateError.run(reason: "cannot start `\(argv.joined(separator: " "))` (\(error.localizedDescription))")
        }
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        func read(_ path: String) -> String {
            guard let h = FileHandle(forReadingAtPath: path) else { return "" }
            defer { try? h.close() }
            let data = (try? h.read(upToCount: 4 << 20)) ?? nil
            return String(decoding: data ?? Data(), as: UTF8.self)
        }
        return Result(status: process.terminationStatus, stdout: read(outPath), stderr: read(errPath))
    }

    /// Runs `argv` and returns its stdout; a non-zero exit is an error naming the command and its stderr.
    @discardableResult
    public func check(_ argv: [String]) throws -> String {
        let r = try run(argv)
        guard r.status == 0 else { throw Self.failure(argv, r) }
        return r.stdout
    }

    static func failure(_ argv: [String], _ r: Result) -> AblateError {
        let err = r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        let out = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let said = err.isEmpty ? (out.isEmpty ? "no output" : out) : err
        return AblateError.run(reason: "`\(argv.joined(separator: " "))` failed (exit \(r.status)): \(String(said.prefix(2000)))")
    }

    /// Checks, before anything is submitted or marked, that the client commands are there, the controller answers
    /// and `partition` (when given) is one of its partitions.
    public func preflight(partition: String?) throws {
        for name in ["sbatch", "squeue", "scancel", "scontrol", "sinfo"] where locate(name) == nil {
            _ = try run([name])  // throws the "not on PATH" error
        }
        let listed = try check(["sinfo", "-h", "-o", "%P"])
        let partitions = listed.split(whereSeparator: \.isNewline).map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "* ")) }
        if let partition, !partitions.contains(partition) {
            throw AblateError.run(reason: """
                --partition \(partition): Slurm has no such partition (`sinfo -h -o %P` lists \
                \(partitions.isEmpty ? "none" : partitions.joined(separator: ", ")))
                """)
        }
    }

    /// The array tasks of ablate's jobs (of any study: studies share trials) Slurm has queued or running, by task id
    /// (`<job>_<task>`) to state (PENDING, RUNNING, COMPLETING, ...). One squeue call; `-r` lists each array task on
    /// its own line.
    public func activeTasks() throws -> [String: String] {
        let out = try check(["squeue", "--me", "-h", "-r", "-o", "%i|%T|%j"])
        var tasks: [String: String] = [:]
        for line in out.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "|", maxSplits: 2)
            guard parts.count == 3, parts[2].hasPrefix(SlurmOptions.jobNamePrefix) else { continue }
            tasks[String(parts[0]).trimmingCharacters(in: .whitespaces)] = String(parts[1])
        }
        return tasks
    }

    /// The final state Slurm still remembers of task `job` (COMPLETED, FAILED, CANCELLED, TIMEOUT, ...), or nil
    /// when it has no record (a cancelled pending task leaves none; finished jobs are forgotten after MinJobAge).
    public func finalState(task job: String) -> String? {
        guard let r = try? run(["squeue", "-h", "-t", "all", "-j", job, "-o", "%T"]), r.status == 0 else { return nil }
        let state = r.stdout.split(whereSeparator: \.isNewline).first.map { String($0).trimmingCharacters(in: .whitespaces) }
        return state?.isEmpty == false ? state : nil
    }
}

/// Shell quoting for the batch script: 'text' with every ' written as '\''.
func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

/// The batch script of one submission: array task i runs trial i with the same command as the local executor,
/// its stdout and stderr in the trial's train.log, a heartbeat file touched while it runs, SIGTERM passed on to
/// the trial (which writes status interrupted), and `runner.json` (exit code, seconds) written when it ends.
func slurmBatchScript(tasks: [(directory: String, argv: [String])], environment: [String: String], heartbeat: Int) -> String {
    var s = """
        #!/bin/sh
        # Written by `ablate run --executor slurm`: array task i runs trial i (the trial command of the local executor).
        case "${SLURM_ARRAY_TASK_ID:-}" in

        """
    for (i, t) in tasks.enumerated() {
        s += "\(i)) dir=\(shellQuote(t.directory)); set -- \(t.argv.map(shellQuote).joined(separator: " ")) ;;\n"
    }
    s += """
        *) echo "ablate: no trial for array task ${SLURM_ARRAY_TASK_ID:-unset}" >&2; exit 2 ;;
        esac

        """
    for (k, v) in environment.sorted(by: { $0.key < $1.key }) where k.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
        s += "export \(k)=\(shellQuote(v))\n"
    }
    s += """
        # A requeued task whose trial completed meanwhile has nothing to do, nor one whose trial another run has
        # taken over since (its status no longer names this task).
        if grep -q '"status" *: *"complete"' "$dir/\(TrialFile.status.rawValue)" 2>/dev/null; then exit 0; fi
        me="${SLURM_ARRAY_JOB_ID:-}_${SLURM_ARRAY_TASK_ID:-}"
        if ! grep -q '"job" *: *"'"$me"'"' "$dir/\(TrialFile.status.rawValue)" 2>/dev/null; then
          echo "ablate: $dir no longer names task $me in its status; another run owns it, nothing to do" >&2
          exit 0
        fi
        # A (re)start begins from nothing, as with the local executor.
        rm -f \(TrialFile.attemptOutputs.map { "\"$dir/\($0.rawValue)\"" }.joined(separator: " ")) "$dir"/\(TrialFile.stepModelGlob)
        started=$(date -u +%Y-%m-%dT%H:%M:%SZ); t0=$(date +%s)
        touch "$dir/\(TrialFile.heartbeat.rawValue)"
        ( while sleep \(max(1, heartbeat)); do touch "$dir/\(TrialFile.heartbeat.rawValue)" || exit 0; done ) </dev/null >/dev/null 2>&1 &
        beat=$!
        "$@" </dev/null >"$dir/\(TrialFile.log.rawValue)" 2>&1 &
        child=$!
        trap 'kill -TERM "$child" 2>/dev/null' TERM INT
        wait "$child"; rc=$?
        while kill -0 "$child" 2>/dev/null; do wait "$child"; rc=$?; done
        kill "$beat" 2>/dev/null
        printf '{"exit_code":%d,"seconds":%d,"started":"%s"}\\n' "$rc" $(( $(date +%s) - t0 )) "$started" \\
          > "$dir/\(TrialFile.runner.rawValue).tmp" && mv -f "$dir/\(TrialFile.runner.rawValue).tmp" "$dir/\(TrialFile.runner.rawValue)"
        exit "$rc"

        """
    return s
}
