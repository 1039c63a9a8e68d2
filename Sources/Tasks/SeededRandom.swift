import Seeded

/// The generator behind every draw in `Tasks` (SplitMix64, shared with MiniLM through the `Seeded` module).
public typealias TaskRNG = SplitMix64
