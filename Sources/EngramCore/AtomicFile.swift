import Foundation

/// Atomic file-system writes: data goes to a temporary sibling and is renamed over the target only
/// when complete, so an interrupted run never leaves a half-written file that looks finished.
public enum AtomicFile {
    /// Writes `data` to `url` atomically (temporary sibling + fsync + rename). Creates parent folders.
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw EngramError(dir.path, "cannot create folder: \(error.localizedDescription)")
        }
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
            throw EngramError(url.path, "cannot create file (\(String(cString: strerror(errno))))")
        }
        do {
            let handle = try FileHandle(forWritingTo: tmp)
            do {
                try handle.write(contentsOf: data)
                try handle.synchronize()
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
            if rename(tmp.path, url.path) != 0 {
                throw EngramError(url.path, "cannot rename temporary file into place (\(String(cString: strerror(errno))))")
            }
        } catch let e as EngramError {
            try? FileManager.default.removeItem(at: tmp)
            throw e
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw EngramError(url.path, "write failed: \(error.localizedDescription)")
        }
    }

    /// Writes UTF-8 text atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// Replaces folder `url` with the fully written temporary folder `staged` (same parent) in one rename.
    /// An existing target is moved aside first and removed after the swap.
    public static func commitDirectory(_ staged: URL, to url: URL) throws {
        let fm = FileManager.default
        var aside: URL? = nil
        if fm.fileExists(atPath: url.path) {
            let a = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).old-\(getpid())")
            try? fm.removeItem(at: a)
            if rename(url.path, a.path) != 0 {
                throw EngramError(url.path, "cannot move old folder aside (\(String(cString: strerror(errno))))")
            }
            aside = a
        }
        if rename(staged.path, url.path) != 0 {
            throw EngramError(url.path, "cannot rename staged folder into place (\(String(cString: strerror(errno))))")
        }
        if let a = aside { try? fm.removeItem(at: a) }
    }
}
