import Foundation
import Dispatch

/// Decoding many files across cores.
public enum FLACBatch {
    /// Runs `transform(decoder, i)` for i in 0..<count on `threads` worker threads (default: all cores),
    /// each worker with its own `FLACDecoder`. Items are handed out one at a time from a shared counter;
    /// result `i` belongs to item `i`, so the output does not depend on the number of threads.
    public static func map<T>(count n: Int, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                              verifyMD5: Bool = false,
                              _ transform: (FLACDecoder, Int) throws -> T) -> [Result<T, Error>] {
        if n == 0 { return [] }
        let results = UnsafeMutablePointer<Result<T, Error>?>.allocate(capacity: n)
        results.initialize(repeating: nil, count: n)
        defer { results.deinitialize(count: n); results.deallocate() }
        let next = WorkCounter()
        let workers = max(1, min(threads, n))
        withoutActuallyEscaping(transform) { transform in
            let box = UnsafeSendableBox(transform: transform, results: results)
            let work = { (decoder: FLACDecoder) in
                while case let i = next.take(), i < n {
                    box.results[i] = Result { try box.transform(decoder, i) }
                }
            }
            if workers == 1 {
                work(FLACDecoder(verifyMD5: verifyMD5))
            } else {
                DispatchQueue.concurrentPerform(iterations: workers) { _ in work(FLACDecoder(verifyMD5: verifyMD5)) }
            }
        }
        return (0..<n).map { results[$0]! }
    }

    /// Applies `transform` to every file (see `map(count:)`).
    public static func map<T>(_ urls: [URL], threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                              verifyMD5: Bool = false,
                              _ transform: (FLACDecoder, URL) throws -> T) -> [Result<T, Error>] {
        map(count: urls.count, threads: threads, verifyMD5: verifyMD5) { d, i in try transform(d, urls[i]) }
    }

    /// Decodes every file to integer PCM across cores.
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
    let transform: (FLACDecoder, Int) throws -> T
    let results: UnsafeMutablePointer<Result<T, Error>?>
}
