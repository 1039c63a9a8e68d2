/// The files of a trial directory (`runs/trials/<hash>/`): the trial contract's one list of names. The writer
/// (`TrainRun`, or the runner for `runner.json`, `train.log` and Slurm's `heartbeat`) and every reader
/// (`TrialResult`, `TrialCheck`, the runners' restarts and the Slurm task script) spell them through this type.
public enum TrialFile: String, CaseIterable, Sendable {
    /// The resolved config, its hash and the run's provenance; written once when the trial starts.
    case config = "config.json"
    /// running / complete / failed / interrupted, with the step and reason (`TrialStatus`).
    case status = "status.json"
    /// One train line per step and one eval line per evaluation.
    case metrics = "metrics.jsonl"
    /// A few sampled rollouts per step.
    case rollouts = "rollouts.jsonl"
    /// The final evaluation on the test split (the format of `ablate eval --json`).
    case evaluation = "eval.json"
    /// The trained policy.
    case model = "model.safetensors"
    /// Who ran it and how long it took (the runner's record).
    case runner = "runner.json"
    /// The trial process's standard output and error.
    case log = "train.log"
    /// Touched by a Slurm task while it runs, so a lost node shows as a stale heartbeat.
    case heartbeat = "heartbeat"
    /// Held by the process that owns the directory (flock), so two runners never write one trial.
    case lock = ".lock"

    /// The outputs of one attempt, removed before a restart begins from nothing (with the step checkpoints,
    /// `isStepModel`, which `TrainRun` removes when it starts).
    public static let attemptOutputs: [TrialFile] = [.metrics, .evaluation, .rollouts, .model, .runner]

    /// The policy after `step` (`checkpoint_steps`): `model-step-<step>.safetensors`.
    public static func stepModel(_ step: Int) -> String { "model-step-\(step).safetensors" }

    /// The shell glob of every step checkpoint.
    public static let stepModelGlob = "model-step-*.safetensors"

    /// Whether `name` is a step checkpoint's file name (an output of an attempt, like `model`).
    public static func isStepModel(_ name: String) -> Bool { name.hasPrefix("model-step-") && name.hasSuffix(".safetensors") }

    /// This file in `directory`.
    public func path(in directory: String) -> String { directory + "/" + rawValue }
}
