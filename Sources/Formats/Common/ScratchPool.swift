import Foundation

/// Reusable temporary buffers for chunk decoding. Reading thousands of ~0.5 MB chunks with fresh
/// allocations costs page faults and zero-filling on every chunk (measured ~20 % of read CPU);
/// a small pool keeps a few buffers warm. Thread-safe.
final class ScratchPool: @unchecked Sendable {
    static let shared = ScratchPool()

    private let lock = NSLock()
    private var free: [UnsafeMutableRawBufferPointer] = []
    private let maxPooled = 16
    private let maxPooledBytes = 64 << 20

    /// Runs `body` with a buffer of at least `count` bytes (contents undefined).
    func with<R>(_ count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        let buf = take(count)
        defer { give(buf) }
        return try body(UnsafeMutableRawBufferPointer(rebasing: buf[0..<count]))
    }

    private func take(_ count: Int) -> UnsafeMutableRawBufferPointer {
        lock.lock()
        if let i = free.firstIndex(where: { $0.count >= count }) {
            let b = free.remove(at: i)
            lock.unlock()
            return b
        }
        lock.unlock()
        // Round up so slightly different sizes share buffers.
        let size = max(4096, (count + 65535) & ~65535)
        return UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
    }

    private func give(_ b: UnsafeMutableRawBufferPointer) {
        guard b.count <= maxPooledBytes else { b.deallocate(); return }
        lock.lock()
        if free.count < maxPooled {
            free.append(b)
            lock.unlock()
        } else {
            // Keep the larger buffers.
            if let (i, smallest) = free.enumerated().min(by: { $0.element.count < $1.element.count }), smallest.count < b.count {
                free[i] = b
                lock.unlock()
                smallest.deallocate()
            } else {
                lock.unlock()
                b.deallocate()
            }
        }
    }
}
