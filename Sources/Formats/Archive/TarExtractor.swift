import EngramCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Extracts a `.tar.gz` (or plain `.tar`) archive into a folder, streaming: gzip → tar → files.
/// Regular files and directories are created under `root` (which should be a fresh staging folder:
/// existing files are replaced); symbolic and hard links, devices and FIFOs are skipped and counted.
/// Write failures (a full disk, a read-only folder) throw naming the file and the system's reason.
public struct TarExtractor {
    public struct Summary: Equatable, Sendable {
        public var files = 0
        public var directories = 0
        public var bytes = 0
        /// Members not extracted (links, devices) or refused by the filter.
        public var skipped = 0
    }

    public let root: URL
    /// Decides which members to extract (default: all).
    public var filter: (TarEntry) -> Bool = { _ in true }
    /// Called after each extracted file with the running byte count.
    public var progress: ((Int) -> Void)? = nil

    public init(root: URL) { self.root = root }

    /// Extracts a gzip-compressed tar file.
    @discardableResult
    public func extractTarGz(_ archive: URL) throws -> Summary {
        var summary = Summary()
        let sink = Sink(root: root, filter: filter, progress: progress)
        let tar = TarReader(location: archive.path) { try sink.handle($0) }
        defer { sink.closeCurrent() }
        try Gzip.decompress(file: archive) { try tar.consume($0) }
        try tar.finish()
        summary = sink.summary
        return summary
    }

    /// Extracts an uncompressed tar held in memory.
    @discardableResult
    public func extractTar(_ bytes: [UInt8], location: String = "<memory>") throws -> Summary {
        let sink = Sink(root: root, filter: filter, progress: progress)
        let tar = TarReader(location: location) { try sink.handle($0) }
        defer { sink.closeCurrent() }
        try bytes.withUnsafeBytes { try tar.consume($0) }
        try tar.finish()
        return sink.summary
    }

    /// Receives the tar events and writes files.
    final class Sink {
        let root: URL
        let filter: (TarEntry) -> Bool
        let progress: ((Int) -> Void)?
        var summary = Summary()
        var fd: Int32 = -1
        var path = ""
        var madeDirs = Set<String>()

        init(root: URL, filter: @escaping (TarEntry) -> Bool, progress: ((Int) -> Void)?) {
            self.root = root; self.filter = filter; self.progress = progress
        }

        func closeCurrent() {
            if fd >= 0 { close(fd); fd = -1 }
        }

        func makeDirectory(_ rel: String) throws {
            if rel.isEmpty || madeDirs.contains(rel) { return }
            let p = root.appendingPathComponent(rel).path
            do { try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true) } catch {
                throw EngramError(p, "cannot create folder: \(Self.reason(error))")
            }
            madeDirs.insert(rel)
        }

        static func reason(_ error: Error) -> String {
            if let e = error as? CocoaError, let u = e.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain {
                return String(cString: strerror(Int32(u.code)))
            }
            return error.localizedDescription
        }

        func handle(_ event: TarReader.Event) throws {
            switch event {
            case .begin(let e):
                guard filter(e) else { summary.skipped += 1; return }
                switch e.kind {
                case .directory:
                    try makeDirectory(e.path)
                    summary.directories += 1
                case .file:
                    try makeDirectory((e.path as NSString).deletingLastPathComponent)
                    path = root.appendingPathComponent(e.path).path
                    if unlink(path) != 0 && errno != ENOENT {
                        throw EngramError(path, "cannot replace (\(String(cString: strerror(errno))))")
                    }
                    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                    guard fd >= 0 else { throw EngramError(path, "cannot create (\(String(cString: strerror(errno))))") }
                    summary.files += 1
                default:
                    summary.skipped += 1
                }
            case .data(let bytes):
                guard fd >= 0 else { return }
                var done = 0
                while done < bytes.count {
                    let r = write(fd, bytes.baseAddress! + done, bytes.count - done)
                    if r < 0 {
                        if errno == EINTR { continue }
                        let why = errno == ENOSPC ? "no space left on the device (disk full)" : String(cString: strerror(errno))
                        throw EngramError(path, "write failed: \(why)")
                    }
                    done += r
                }
                summary.bytes += bytes.count
            case .end:
                if fd >= 0 {
                    let r = close(fd)
                    fd = -1
                    if r != 0 { throw EngramError(path, "write failed on close (\(String(cString: strerror(errno))))") }
                    progress?(summary.bytes)
                }
            }
        }
    }
}
