import Foundation
import JSON
import MiniLM

/// What one trial left on disk, as the report reads it (Study → Trial → TrialResult).
public struct TrialResult: Sendable {
    public var variant: String
    public var seed: Int
    public var label: String { "\(variant)/seed-\(seed)" }
    public var hash: String
    /// Recorded in status.json, or `missing` (never started) or `untrusted` (`reason` says why).
    public var state: TrialState
    public var step: Int
    public var reason: String?
    /// Final evaluation: suite → metric → value (from eval.json).
    public var eval: [String: [String: Double]]
    /// The evaluation before training (metrics.jsonl's step-0 eval line): the base model's suite → metric → value.
    public var baseEval: [String: [String: Double]] = [:]
    /// Validation-split evaluations of metrics.jsonl (the base model at step 0, periodic ones, the final one):
    /// step → suite → metric → value. Every choice made on data reads these, never the test split.
    public var validation: [(step: Int, suites: [String: [String: Double]])] = []
    /// The train lines of metrics.jsonl, in step order.
    public var train: [TrainMetrics]
    /// Wall seconds from runner.json.
    public var seconds: Double?
    public var codeVersion: String?
    public var machine: String?
    /// Every scalar of config.json's `run_info` as text (code version, machine, BLAS core, toolchain, OS, ...).
    public var runInfo: [String: String] = [:]
    /// The base checkpoint and thread count of the resolved config.
    public var basePath: String?
    public var threads: Int?
    /// The OpenBLAS core the trial ran with and how it was chosen (config.json's run_info), e.g. "Zen" or
    /// "Haswell (chosen by ablate; OpenBLAS detected Prescott)"; older trials give their `openblas_core`.
    public var blasCore: String?
    /// The hash the study file resolves this trial to now, when the caller gave the study's trials; a complete
    /// trial whose `hash` differs was trained under another config (the study changed since it ran).
    public var currentHash: String? = nil

    /// True when the study file now resolves this trial to another config than the one it was trained under.
    public var trainedUnderAnotherConfig: Bool { currentHash.map { !hash.isEmpty && $0 != hash } ?? false }

    /// Reads every trial of a train study through its links `runs/<study>/<variant>/seed-<n>/`, in grid order.
    /// With `verify` (the default) a trial the store cannot vouch for (`RunStore.linkState`, `verifiedState`) is
    /// `.untrusted` with the problem as its reason and none of its numbers; `trials` (the study's grid as it
    /// resolves now) sets `currentHash`, so a trial trained under an older config is marked.
    public static func load(study: Study, store: RunStore, trials: [TrialSpec]? = nil, verify: Bool = true) -> [TrialResult] {
        let current = Dictionary((trials ?? []).map { ($0.label, $0.hash) }, uniquingKeysWith: { a, _ in a })
        return study.variants.flatMap { v in
            study.seeds.map { seed in
                let link = "\(store.studyDirectory(study.name))/\(v.name)/seed-\(seed)"
                var r = verify ? read(link: link, store: store, variant: v.name, seed: seed)
                               : read(directory: link, variant: v.name, seed: seed)
                r.currentHash = current["\(v.name)/seed-\(seed)"]
                return r
            }
        }
    }

    /// One trial through its link, checked: only a link into the store's own `trials/<hash>` whose directory
    /// passes `verifiedState` is read.
    static func read(link: String, store: RunStore, variant: String, seed: Int) -> TrialResult {
        var r = TrialResult(variant: variant, seed: seed, hash: "", state: .missing, step: 0, reason: nil, eval: [:],
                            train: [], seconds: nil, codeVersion: nil, machine: nil)
        switch store.linkState(at: link) {
        case .none:
            return r
        case let .foreign(what):
            r.state = .untrusted
            r.reason = "the trial link is \(what)"
            return r
        case let .store(hash):
            let check = store.verifiedState(hash: hash)
            guard check.status != nil else {
                r.hash = hash
                r.state = check.state
                r.reason = check.problem
                return r
            }
            return read(directory: store.trialDirectory(hash: hash), variant: variant, seed: seed)
        }
    }

    /// An evaluation's `suites` object as suite → metric → value (numbers only).
    static func suiteMetrics(_ eval: JSONValue) -> [String: [String: Double]] {
        guard case let .object(suites)? = eval["suites"] else { return [:] }
        var out: [String: [String: Double]] = [:]
        for (suite, body) in suites {
            guard case let .object(fields) = body else { continue }
            var m: [String: Double] = [:]
            for (k, v) in fields { if case let .number(d) = v { m[k] = d } }
            out[suite] = m
        }
        return out
    }

    /// `BLASCore.Record`'s description from a config.json run_info object.
    static func blasCore(runInfo: JSONValue?) -> String? {
        guard let info = runInfo else { return nil }
        guard case let .string(core)? = info["blas_core"] else {
            if case let .string(core)? = info["openblas_core"] { return core }
            return nil
        }
        var detected: String?
        if case let .string(d)? = info["blas_core_detected"] { detected = d }
        var choice = "openblas"
        if case let .string(c)? = info["blas_core_choice"] { choice = c }
        return BLASCore.Record(detected: detected, core: core, choice: choice).description
    }

    /// Reads one trial directory; a missing or unreadable file leaves its part empty.
    public static func read(directory dir: String, variant: String, seed: Int) -> TrialResult {
        let fm = FileManager.default
        var r = TrialResult(variant: variant, seed: seed, hash: "", state: .missing, step: 0, reason: nil, eval: [:],
                            train: [], seconds: nil, codeVersion: nil, machine: nil)
        if let data = fm.contents(atPath: TrialFile.status.path(in: dir)),
           let s = try? JSONDecoder().decode(TrialStatus.self, from: data) {
            r.state = s.status
            r.step = s.step
            r.reason = s.reason
            r.hash = s.hash
        }
        if let data = fm.contents(atPath: TrialFile.config.path(in: dir)), let config = try? JSONValue.parse(data) {
            if case let .string(h)? = config["hash"], r.hash.isEmpty { r.hash = h }
            if case let .string(v)? = config["run_info"]?["code_version"] { r.codeVersion = v }
            if case let .string(m)? = config["run_info"]?["machine"] { r.machine = m }
            if case let .object(info)? = config["run_info"] {
                for (k, v) in info {
                    switch v {
                    case let .string(s): r.runInfo[k] = s
                    case let .number(d): r.runInfo[k] = d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
                    case let .bool(b): r.runInfo[k] = String(b)
                    default: break
                    }
                }
            }
            if case let .string(b)? = config["config"]?["base"] { r.basePath = b }
            if case let .number(t)? = config["config"]?["threads"] { r.threads = Int(t) }
            r.blasCore = blasCore(runInfo: config["run_info"])
        }
        if let data = fm.contents(atPath: TrialFile.evaluation.path(in: dir)), let eval = try? JSONValue.parse(data) {
            r.eval = suiteMetrics(eval)
        }
        if let data = fm.contents(atPath: TrialFile.metrics.path(in: dir)) {
            for line in MetricsLine.lines(of: data) {
                switch line {
                case let .eval(e) where e.split == .validation: r.validation.append((e.step, e.values))
                case let .eval(e) where e.split == .test && e.step == 0: r.baseEval = e.values
                case .eval: break
                case let .train(t): r.train.append(t)
                }
            }
        }
        if let data = fm.contents(atPath: TrialFile.runner.path(in: dir)), let rec = try? JSONDecoder().decode(RunnerRecord.self, from: data) {
            r.seconds = rec.seconds
        }
        return r
    }
}
