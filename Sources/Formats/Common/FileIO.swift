import EngramCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small, fast POSIX file helpers for stores made of many small files (a Zarr store of 30k
/// utterances holds ~250k files): one open/fstat/read per file, no Foundation overhead.
enum FileIO {
    /// The whole file, or nil when it does not exist. Other failures throw naming the path.
    static func readFileIfExists(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw EngramError(path, "cannot open (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw EngramError(path, "cannot stat (\(String(cString: strerror(errno))))") }
        if (st.st_mode & S_IFMT) == S_IFDIR { return nil }
        let size = Int(st.st_size)
        var buf = [UInt8](repeating: 0, count: size)
        var got = 0
        try buf.withUnsafeMutableBytes { p in
            while got < size {
                let r = read(fd, p.baseAddress! + got, size - got)
                if r < 0 {
                    if errno == EINTR { continue }
                    throw EngramError(path, "read failed (\(String(cString: strerror(errno))))")
                }
                if r == 0 { break }
                got += r
            }
        }
        if got < size { buf.removeSubrange(got...) }
        return buf
    }

    /// Calls `body` with the file's bytes in a pooled buffer (valid only inside `body`), or with
    /// nil when the file does not exist.
    static func withFileBytes<R>(_ path: String, _ body: (UnsafeRawBufferPointer?) throws -> R) throws -> R {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return try body(nil) }
            throw EngramError(path, "cannot open (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw EngramError(path, "cannot stat (\(String(cString: strerror(errno))))") }
        if (st.st_mode & S_IFMT) == S_IFDIR { return try body(nil) }
        let size = Int(st.st_size)
        return try ScratchPool.shared.with(size) { buf in
            var got = 0
            while got < size {
                let r = read(fd, buf.baseAddress! + got, size - got)
                if r < 0 {
                    if errno == EINTR { continue }
                    throw EngramError(path, "read failed (\(String(cString: strerror(errno))))")
                }
                if r == 0 { break }
                got += r
            }
            return try body(UnsafeRawBufferPointer(rebasing: buf[0..<got]))
        }
    }

    /// The whole file; missing files are an error.
    static func readFile(_ path: String) throws -> [UInt8] {
        guard let b = try readFileIfExists(path) else { throw EngramError(path, "file not found") }
        return b
    }

    /// Writes (creates or replaces) a file, without fsync. Used inside staged folders that are
    /// renamed into place when complete, and for chunk files. An existing file is unlinked first:
    /// truncating a non-empty file on ext4 forces a synchronous flush (`auto_da_alloc`), ~4 ms.
    static func writeFile(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
        if unlink(path) != 0 && errno != ENOENT {
            throw EngramError(path, "cannot replace (\(String(cString: strerror(errno))))")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw EngramError(path, "cannot create (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let r = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if r < 0 {
                if errno == EINTR { continue }
                throw EngramError(path, "write failed (\(String(cString: strerror(errno))))")
            }
            done += r
        }
    }

    static func writeFile(_ data: Data, to path: String) throws {
        try data.withUnsafeBytes { try writeFile($0, to: path) }
    }

    static func writeFile(_ text: String, to path: String) throws {
        try writeFile(Data(text.utf8), to: path)
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates a folder and its parents.
    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw EngramError(path, "cannot create folder: \(error.localizedDescription)")
        }
    }

    /// Names in a folder (no "." / ".."), via readdir; nil when the folder does not exist.
    static func list(_ path: String) throws -> [String]? {
        guard let dir = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw EngramError(path, "cannot list folder (\(String(cString: strerror(errno))))")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let ent = readdir(dir) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) { raw -> String in
                let p = raw.bindMemory(to: CChar.self)
                return String(cString: p.baseAddress!)
            }
            if name == "." || name == ".." { continue }
            names.append(name)
        }
        return names
    }
}
