import EngramCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open folder whose files are read and written relative to it (`openat`, `mkdirat`, …):
/// small, fast POSIX helpers for stores made of many small files (a Zarr store of 30k utterances
/// holds ~250k files). Relative paths spare the kernel a walk of the store's absolute path per
/// file, and no Foundation objects are made. Errors name the full path.
final class Directory: @unchecked Sendable {
    /// Absolute (or as given) path of the folder, for messages.
    let path: String
    let fd: Int32

    init(_ path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw EngramError(path, "cannot open folder (\(String(cString: strerror(errno))))") }
    }

    deinit { close(fd) }

    /// Full path of `rel` for messages ("" is the folder itself).
    func full(_ rel: String) -> String { rel.isEmpty ? path : path + "/" + rel }

    private func openFile(_ rel: String) -> Int32 { openat(fd, rel.isEmpty ? "." : rel, O_RDONLY) }

    /// Calls `body` with the file's bytes in a pooled buffer (valid only inside `body`), or with
    /// nil when the file does not exist.
    func withFileBytes<R>(_ rel: String, _ body: (UnsafeRawBufferPointer?) throws -> R) throws -> R {
        let f = openFile(rel)
        if f < 0 {
            if errno == ENOENT || errno == ENOTDIR { return try body(nil) }
            throw EngramError(full(rel), "cannot open (\(String(cString: strerror(errno))))")
        }
        defer { close(f) }
        var st = stat()
        guard fstat(f, &st) == 0 else { throw EngramError(full(rel), "cannot stat (\(String(cString: strerror(errno))))") }
        if (st.st_mode & S_IFMT) == S_IFDIR { return try body(nil) }
        let size = Int(st.st_size)
        return try ScratchPool.shared.with(size) { buf in
            var got = 0
            while got < size {
                let r = read(f, buf.baseAddress! + got, size - got)
                if r < 0 {
                    if errno == EINTR { continue }
                    throw EngramError(full(rel), "read failed (\(String(cString: strerror(errno))))")
                }
                if r == 0 { break }
                got += r
            }
            return try body(UnsafeRawBufferPointer(rebasing: buf[0..<got]))
        }
    }

    /// The whole file, or nil when it does not exist.
    func readFileIfExists(_ rel: String) throws -> [UInt8]? {
        try withFileBytes(rel) { $0.map { [UInt8]($0) } }
    }

    /// Writes (creates or replaces) a file, without fsync. Used inside staged folders that are
    /// renamed into place when complete, and for chunk files. An existing file is unlinked first:
    /// truncating a non-empty file on ext4 forces a synchronous flush (`auto_da_alloc`), ~4 ms.
    func writeFile(_ bytes: UnsafeRawBufferPointer, _ rel: String) throws {
        if unlinkat(fd, rel, 0) != 0 && errno != ENOENT {
            throw EngramError(full(rel), "cannot replace (\(String(cString: strerror(errno))))")
        }
        let f = openat(fd, rel, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard f >= 0 else { throw EngramError(full(rel), "cannot create (\(String(cString: strerror(errno))))") }
        defer { close(f) }
        var done = 0
        while done < bytes.count {
            let r = write(f, bytes.baseAddress! + done, bytes.count - done)
            if r < 0 {
                if errno == EINTR { continue }
                throw EngramError(full(rel), "write failed (\(String(cString: strerror(errno))))")
            }
            done += r
        }
    }

    func writeFile(_ data: Data, _ rel: String) throws {
        try data.withUnsafeBytes { try writeFile($0, rel) }
    }

    func writeFile(_ text: String, _ rel: String) throws {
        var t = text
        try t.withUTF8 { try writeFile(UnsafeRawBufferPointer($0), rel) }
    }

    func exists(_ rel: String) -> Bool { faccessat(fd, rel.isEmpty ? "." : rel, F_OK, 0) == 0 }

    /// Creates folder `rel` (its parent must exist); an existing folder is fine.
    func makeDirectory(_ rel: String) throws {
        if mkdirat(fd, rel, 0o755) != 0 && errno != EEXIST {
            throw EngramError(full(rel), "cannot create folder (\(String(cString: strerror(errno))))")
        }
    }

    /// Creates folder `rel` and any missing parents.
    func makeDirectories(_ rel: String) throws {
        var prefix = ""
        for part in rel.split(separator: "/") {
            prefix = prefix.isEmpty ? String(part) : prefix + "/" + part
            try makeDirectory(prefix)
        }
    }

    /// Removes file `rel`; a missing file is fine.
    func removeFile(_ rel: String) throws {
        if unlinkat(fd, rel, 0) != 0 && errno != ENOENT {
            throw EngramError(full(rel), "cannot remove (\(String(cString: strerror(errno))))")
        }
    }

    /// Names in folder `rel` (no "." / ".."), or nil when it does not exist.
    func list(_ rel: String) throws -> [String]? {
        let f = openat(fd, rel.isEmpty ? "." : rel, O_RDONLY | O_DIRECTORY)
        if f < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw EngramError(full(rel), "cannot list folder (\(String(cString: strerror(errno))))")
        }
        guard let dir = fdopendir(f) else {
            close(f)
            throw EngramError(full(rel), "cannot list folder (\(String(cString: strerror(errno))))")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let ent = readdir(dir) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) { raw -> String in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name == "." || name == ".." { continue }
            names.append(name)
        }
        return names
    }
}

/// Path-based helpers.
enum FileIO {
    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Creates a folder and its parents.
    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw EngramError(path, "cannot create folder: \(error.localizedDescription)")
        }
    }

    /// Writes a file (see `Directory.writeFile`).
    static func writeFile(_ data: Data, to path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        try Directory(parent.isEmpty ? "." : parent).writeFile(data, (path as NSString).lastPathComponent)
    }
}
