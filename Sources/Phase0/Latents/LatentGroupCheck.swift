import EngramCore
import Formats
import Foundation

/// Decides whether an utterance group already in the latents store can be kept on a rerun.
///
/// A group is kept when it is complete (`.zgroup`, attributes, the three arrays with consistent
/// shapes and every chunk file; `LatentStore.isComplete`), has the expected width and frame count,
/// and every chunk file is whole: its size equals what its header announces (Blosc `ctbytes`, the
/// LZ4 size prefix, or the raw chunk size). That catches groups truncated by a crash or a full disk
/// when they were written by a tool without atomic group writes; the arrays are not decompressed.
enum LatentGroupCheck {
    enum State: Equatable {
        /// No group for this id.
        case absent
        /// A complete, whole group with these frames.
        case valid(nFrames: Int)
        /// Something is there but incomplete, truncated or of another geometry: redo it.
        case invalid(String)
    }

    static func state(_ store: LatentStore, id: String, latentDim: Int, expectedFrames: Int) -> State {
        guard FileManager.default.fileExists(atPath: store.root.appendingPathComponent(id).path) else { return .absent }
        guard store.isComplete(id), let attrs = try? store.store.attributes(id),
              let t = attrs["n_frames"]?.intValue, let d = attrs["latent_dim"]?.intValue else {
            return .invalid("incomplete group")
        }
        guard d == latentDim else { return .invalid("latent_dim \(d), expected \(latentDim)") }
        guard t == expectedFrames else { return .invalid("\(t) frames, expected \(expectedFrames)") }
        for name in ["x", "energy", "timestamps"] {
            guard let a = try? store.store.array(id + "/" + name) else { return .invalid("\(name) unreadable") }
            if let problem = chunkProblem(a) { return .invalid(problem) }
        }
        return .valid(nFrames: t)
    }

    /// Nil when every chunk file's length matches its header, else what is wrong.
    static func chunkProblem(_ a: ZarrArray) -> String? {
        let m = a.metadata
        let grid = m.chunkGrid
        guard !grid.contains(0) else { return nil }
        let rawBytes = m.chunkCount * m.dtype.byteSize
        var idx = [Int](repeating: 0, count: grid.count)
        while true {
            let file = a.store.path(a.path + "/" + m.chunkKey(idx))
            guard let (size, head) = sizeAndHead(file, count: 16) else { return "chunk \(file) missing" }
            switch m.compressor {
            case nil:
                if size != rawBytes { return "chunk \(file) has \(size) bytes, expected \(rawBytes)" }
            case .blosc:
                guard let h = headerFromPrefix(head) else { return "chunk \(file) has no Blosc header" }
                if h.ctbytes != size || h.nbytes != rawBytes { return "chunk \(file) is truncated (\(size) of \(h.ctbytes) bytes)" }
            case .lz4:
                guard head.count >= 4 else { return "chunk \(file) is truncated" }
                let n = Int(UInt32(head[0]) | UInt32(head[1]) << 8 | UInt32(head[2]) << 16 | UInt32(head[3]) << 24)
                if n != rawBytes || size < 4 { return "chunk \(file) holds \(n) bytes, expected \(rawBytes)" }
            }
            var d = grid.count - 1
            while d >= 0 {
                idx[d] += 1
                if idx[d] < grid[d] { break }
                idx[d] = 0
                d -= 1
            }
            if d < 0 { return nil }
        }
    }

    /// Blosc's size fields from the first 16 bytes of a chunk (without the full-buffer checks of
    /// `Blosc.header`, which needs the whole chunk): nbytes at byte 4, ctbytes at byte 12.
    static func headerFromPrefix(_ head: [UInt8]) -> (nbytes: Int, ctbytes: Int)? {
        guard head.count >= 16, head[0] >= 1, head[0] <= 2 else { return nil }
        func u32(_ o: Int) -> Int { Int(UInt32(head[o]) | UInt32(head[o + 1]) << 8 | UInt32(head[o + 2]) << 16 | UInt32(head[o + 3]) << 24) }
        return (u32(4), u32(12))
    }

    /// File size and its first `count` bytes, or nil when it cannot be opened.
    static func sizeAndHead(_ path: String, count: Int) -> (Int, [UInt8])? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        guard let end = try? h.seekToEnd() else { return nil }
        try? h.seek(toOffset: 0)
        let head = (try? h.read(upToCount: count)).map { [UInt8]($0 ?? Data()) } ?? []
        return (Int(end), head)
    }
}
