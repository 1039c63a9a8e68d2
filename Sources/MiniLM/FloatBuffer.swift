import Foundation

/// A zero-initialised, 64-byte aligned float32 allocation with reference semantics: the storage for parameters,
/// gradients, optimiser moments and activations (the llm.c pattern of one allocation with named views).
public final class FloatBuffer: @unchecked Sendable {
    public let count: Int
    public let base: UnsafeMutablePointer<Float>
    /// The buffer whose memory a view borrows (kept alive by the view); nil for an owning buffer.
    private let owner: FloatBuffer?

    public init(count: Int) {
        precondition(count >= 0, "FloatBuffer count must be non-negative")
        self.count = count
        var raw: UnsafeMutableRawPointer?
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        if posix_memalign(&raw, 64, bytes) != 0 || raw == nil {
            // Allocation failure is not recoverable for a numeric kernel; report it plainly.
            preconditionFailure("FloatBuffer: cannot allocate \(bytes) bytes")
        }
        base = raw!.bindMemory(to: Float.self, capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
        owner = nil
    }

    /// A view of `count` floats of `buffer` from `offset`, sharing its memory.
    init(viewing buffer: FloatBuffer, offset: Int, count: Int) {
        precondition(offset >= 0 && offset + count <= buffer.count, "FloatBuffer view out of range")
        self.count = count
        base = buffer.base + offset
        owner = buffer.owner ?? buffer
    }

    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { src in
            if let start = src.baseAddress { base.update(from: start, count: values.count) }
        }
    }

    deinit { if owner == nil { free(base) } }

    public subscript(i: Int) -> Float {
        get { base[i] }
        set { base[i] = newValue }
    }

    public func zero() { base.update(repeating: 0, count: count) }

    public func copy(from other: FloatBuffer) {
        precondition(other.count == count, "FloatBuffer.copy: size mismatch")
        base.update(from: other.base, count: count)
    }

    public var array: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }

    public func array(_ range: Range<Int>) -> [Float] {
        Array(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
    }
}
