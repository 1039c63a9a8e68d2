import Foundation

/// Seeded randomness and stable hashing shared by every module (MiniLM's initialisation and sampling, Tasks'
/// problem generation, Ablate's data order).
///
/// Everything here is defined bit-for-bit by this file, never by the standard library: `Int.random(in:using:)`
/// and `Hasher`/`hashValue` may change between toolchains (and `hashValue` is randomly seeded per process), which
/// would silently change weights, datasets and train/test splits.

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, seedable generator. A seed fixes every draw on every
/// machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return StableHash.mix(state)
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Standard normal by Box–Muller (one value per call; the pair's second value is discarded for simplicity).
    public mutating func gaussian() -> Double {
        let u1 = max(uniform(), 1e-300)
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Uniform integer in `range`. Modulo reduction: the bias is at most span / 2^64, far below anything a
    /// dataset of millions of draws could show, and the result depends only on this file.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(bitPattern: Int64(range.upperBound) &- Int64(range.lowerBound)) &+ 1
        if span == 0 { return Int(truncatingIfNeeded: next()) }  // the full 64-bit range
        return range.lowerBound &+ Int(truncatingIfNeeded: next() % span)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { uniform() < p }

    /// One element of a non-empty array (an empty array is a programmer error).
    public mutating func pick<T>(_ items: [T]) -> T {
        precondition(!items.isEmpty, "SplitMix64.pick from an empty array")
        return items[int(in: 0...(items.count - 1))]
    }

    /// Index drawn with probability proportional to `weights` (non-negative, positive sum).
    public mutating func weightedIndex(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var u = uniform() * total
        for (i, w) in weights.enumerated() {
            if u < w { return i }
            u -= w
        }
        return weights.lastIndex(where: { $0 > 0 }) ?? 0
    }
}

/// Stable 64-bit hashing.
public enum StableHash {
    /// FNV-1a 64 (Fowler–Noll–Vo: offset basis 0xcbf29ce484222325, prime 0x100000001b3) of a byte sequence.
    public static func fnv1a64<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            h ^= UInt64(byte)
            h &*= 0x0000_0100_0000_01B3
        }
        return h
    }

    /// FNV-1a 64 of the UTF-8 bytes of `text`, then `mix`, whose avalanche makes the low bits as good as the
    /// high ones (train/test splits use them).
    public static func hash(_ text: String) -> UInt64 { mix(fnv1a64(text.utf8)) }

    /// The SplitMix64 finaliser (a bijection on UInt64).
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
