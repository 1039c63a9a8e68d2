import Seeded

/// The generator of test data: the project's SplitMix64, so every random test replays exactly on every machine.
public typealias SeededRandom = SplitMix64

extension SplitMix64 {
    /// A standard normal draw (`gaussian()`).
    public mutating func normal() -> Double { gaussian() }
}
