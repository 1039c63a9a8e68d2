import Dispatch

/// Wraps a value whose thread safety the caller guarantees (disjoint writes per worker).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}

/// Runs body(0..<n) on Dispatch's worker threads and returns when all are done. Callers guarantee that the
/// iterations write disjoint memory.
func parallelFor(_ n: Int, _ body: (Int) -> Void) {
    if n <= 1 { if n == 1 { body(0) }; return }
    withoutActuallyEscaping(body) { escapable in
        let box = UncheckedSendable(value: escapable)
        DispatchQueue.concurrentPerform(iterations: n) { i in box.value(i) }
    }
}
