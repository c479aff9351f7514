import Foundation

/// Thread-count setting for the Numerics module.
///
/// Every parallel routine takes an optional `threads:` argument; `nil` means `Parallelism.defaultThreads`.
/// Results never depend on the thread count: work is cut into fixed chunks whose size depends only on
/// the problem shape, and partial results are combined in chunk order.
public enum Parallelism {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var _defaultThreads = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Threads used when a call passes `threads: nil` (initially the number of active processors).
    public static var defaultThreads: Int {
        get { lock.lock(); defer { lock.unlock() }; return _defaultThreads }
        set { lock.lock(); _defaultThreads = max(1, newValue); lock.unlock() }
    }

    /// `threads ?? defaultThreads`, at least 1.
    public static func resolve(_ threads: Int?) -> Int { max(1, threads ?? defaultThreads) }
}

/// Runs `body(i)` for every `i` in `0..<count` on up to `threads` threads (dynamic scheduling:
/// each worker pulls the next index). `body` must only write state owned by its index.
func parallelFor(_ count: Int, threads: Int, _ body: (Int) -> Void) {
    parallelFor(count, threads: threads) { _, i in body(i) }
}

/// `parallelFor` that also passes the worker number (in `0..<workerCount(count, threads)`), so workers
/// can reuse their own scratch buffers. Which worker runs which index varies between runs.
func parallelFor(_ count: Int, threads: Int, _ body: (_ worker: Int, _ index: Int) -> Void) {
    if count <= 0 { return }
    let workers = workerCount(count, threads: threads)
    if workers <= 1 {
        for i in 0..<count { body(0, i) }
        return
    }
    let next = IndexCounter()
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        while true {
            let i = next.take()
            if i >= count { break }
            body(w, i)
        }
    }
}

/// Number of workers `parallelFor` uses for `count` items.
func workerCount(_ count: Int, threads: Int) -> Int { max(1, min(threads, count)) }

/// A lock-protected shared counter for `parallelFor`'s work distribution.
private final class IndexCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take() -> Int { lock.lock(); defer { lock.unlock() }; let v = value; value += 1; return v }
}

/// A mutable pointer that may be captured by concurrent closures (each writes a disjoint part).
struct SharedMutablePointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}
