import MiniLM

/// What a configured reward needs the trainer to compute for each group; composites take the union.
///
/// Token counts and truncation flags are always in a `CompletionGroup` and need no declaration.
public struct SignalNeeds: Equatable, Sendable {
    /// Signals to compute (the trainer computes nothing else).
    public var signals: Set<Signal>
    /// Parameter subsets of the per-sample gradient norms; non-empty iff `signals` contains `.gradNorm`.
    public var gradNormSubsets: Set<ParameterSubset>
    /// Extra completions per prompt sampled only for voting (majority vote's budget; 0 = none).
    public var voteSamples: Int
    /// Whether the gold answer must be put in the group (only the `gold` control and composites holding it).
    public var usesGold: Bool

    public init(signals: Set<Signal> = [], gradNormSubsets: Set<ParameterSubset> = [], voteSamples: Int = 0,
                usesGold: Bool = false) {
        self.signals = signals
        self.gradNormSubsets = gradNormSubsets
        self.voteSamples = voteSamples
        self.usesGold = usesGold
    }

    /// Nothing beyond token counts and truncation flags.
    public static let none = SignalNeeds()

    /// Union of signals and subsets; `voteSamples` is the max (one vote pool serves every reward); `usesGold` or.
    public func union(_ other: SignalNeeds) -> SignalNeeds {
        SignalNeeds(signals: signals.union(other.signals), gradNormSubsets: gradNormSubsets.union(other.gradNormSubsets),
                    voteSamples: max(voteSamples, other.voteSamples), usesGold: usesGold || other.usesGold)
    }

    /// The signals in declaration order.
    public var sortedSignals: [Signal] { signals.sorted() }
}
