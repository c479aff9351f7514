import Foundation
import Dispatch

/// Decoding many files across cores.
public enum FLACBatch {
    /// Applies `transform` to every URL on `threads` worker threads (default: all cores), each worker
    /// with its own `FLACDecoder`. Files are handed out one at a time from a shared counter; result `i`
    /// belongs to `urls[i]`, so the output does not depend on the number of threads.
    public static func map<T>(_ urls: [URL], threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                              verifyMD5: Bool = false,
                              _ transform: (FLACDecoder, URL) throws -> T) -> [Result<T, Error>] {
        let n = urls.count
        if n == 0 { return [] }
        let results = UnsafeMutablePointer<Result<T, Error>?>.allocate(capacity: n)
        results.initialize(repeating: nil, count: n)
        defer { results.deinitialize(count: n); results.deallocate() }
        let next = WorkCounter()
        let workers = max(1, min(threads, n))
        withoutActuallyEscaping(transform) { transform in
            let box = UnsafeSendableBox(transform: transform, results: results)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                let decoder = FLACDecoder(verifyMD5: verifyMD5)
                while case let i = next.take(), i < n {
                    box.results[i] = Result { try box.transform(decoder, urls[i]) }
                }
            }
        }
        return (0..<n).map { results[$0]! }
    }

    /// Decodes every file to integer PCM across cores (see `map`).
    public static func decode(_ urls: [URL], threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                              verifyMD5: Bool = false) -> [Result<PCMAudio, Error>] {
        map(urls, threads: threads, verifyMD5: verifyMD5) { d, u in try d.decode(contentsOf: u) }
    }
}

/// Hands out 0, 1, 2, … to concurrent workers.
final class WorkCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func take() -> Int {
        lock.lock(); defer { lock.unlock() }
        let v = value
        value += 1
        return v
    }
}

private struct UnsafeSendableBox<T>: @unchecked Sendable {
    let transform: (FLACDecoder, URL) throws -> T
    let results: UnsafeMutablePointer<Result<T, Error>?>
}
