import EngramCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file (`mmap`, `MAP_PRIVATE`). Pages are read on demand, so
/// opening a multi-GB checkpoint costs nothing until tensors are touched. Unmapped on deinit.
public final class MappedFile: @unchecked Sendable {
    public let url: URL
    public let count: Int
    private let base: UnsafeMutableRawPointer?

    public init(_ url: URL) throws {
        self.url = url
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw EngramError(url.path, "cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw EngramError(url.path, "cannot stat (\(String(cString: strerror(errno))))") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw EngramError(url.path, "not a regular file") }
        count = Int(st.st_size)
        if count == 0 {
            base = nil
            return
        }
        let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else { throw EngramError(url.path, "cannot memory-map (\(String(cString: strerror(errno))))") }
        base = p
    }

    deinit {
        if let base { munmap(base, count) }
    }

    /// The mapped bytes; valid while `self` is alive.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
