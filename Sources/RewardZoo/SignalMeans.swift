/// Per-completion aggregates of a per-token signal, shared by the rewards and `ablate inspect`.
public enum SignalMeans {
    /// Arithmetic mean over the completion's tokens; an empty completion gives 0 (not NaN), so a reward over an
    /// empty completion stays finite; rewards that must treat empty completions specially (vigor) do so first.
    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : sum(values) / Double(values.count)
    }

    /// Sum over the completion's tokens; empty → 0.
    public static func sum(_ values: [Double]) -> Double {
        var s = 0.0
        for v in values { s += v }
        return s
    }
}
