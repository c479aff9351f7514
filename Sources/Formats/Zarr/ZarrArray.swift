import EngramCore
import Foundation

/// A Zarr v2 array in a `ZarrStore`, read and written whole (C order, little-endian in memory).
/// Missing chunks read as the fill value; edge chunks are stored full-size, padded with it.
public struct ZarrArray: Sendable {
    public let store: ZarrStore
    public let path: String
    public let metadata: ZarrArrayMetadata

    public var shape: [Int] { metadata.shape }
    public var dtype: ScalarType { metadata.dtype }

    var location: String { store.path(path) }

    // MARK: chunk codec

    /// Decodes a stored chunk into `out` (exactly one full chunk of bytes).
    func decodeChunk(_ stored: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, key: String) throws {
        let loc = store.path(ZarrStore.join(path, key))
        switch metadata.compressor {
        case nil:
            guard stored.count == out.count else {
                throw EngramError(loc, "uncompressed chunk has \(stored.count) bytes, expected \(out.count) for chunk shape \(metadata.chunks) \(dtype.rawValue)")
            }
            out.copyMemory(from: stored)
        case .blosc:
            try Blosc.decompress(stored, into: out, location: loc)
        case .lz4:
            guard stored.count >= 4 else { throw EngramError(loc, "LZ4 chunk shorter than its 4-byte size prefix") }
            let n = Int(stored.loadUnaligned(as: UInt32.self).littleEndian)
            guard n == out.count else { throw EngramError(loc, "LZ4 chunk holds \(n) bytes, expected \(out.count)") }
            let got = try LZ4.decompress(UnsafeRawBufferPointer(rebasing: stored[4...]), into: out, location: loc)
            guard got == n else { throw EngramError(loc, "LZ4 chunk decompressed to \(got) bytes, expected \(n)") }
        }
        if metadata.bigEndian, dtype.byteSize > 1 {
            let s = dtype.byteSize
            var i = 0
            while i + s <= out.count {
                var a = i, b = i + s - 1
                while a < b { out.swapAt(a, b); a += 1; b -= 1 }
                i += s
            }
        }
    }

    /// Encodes one full chunk of bytes.
    func encodeChunk(_ raw: UnsafeRawBufferPointer) throws -> Data {
        switch metadata.compressor {
        case nil:
            return Data(raw)
        case let .blosc(cname, clevel, shuffle, _):
            guard cname == "lz4" || cname == "lz4hc" else {
                throw EngramError(location, "cannot write Blosc codec '\(cname)' (this writer supports lz4)")
            }
            return try Blosc.compress(raw, typesize: dtype.byteSize, clevel: clevel, shuffle: shuffle)
        case .lz4:
            var out = Data(count: 4 + LZ4.compressBound(raw.count))
            let n = out.withUnsafeMutableBytes { o -> Int in
                o.storeBytes(of: UInt32(raw.count).littleEndian, as: UInt32.self)
                return LZ4.compress(raw, into: UnsafeMutableRawBufferPointer(rebasing: o[4...]))!
            }
            out.count = 4 + n
            return out
        }
    }

    // MARK: chunk geometry

    /// Calls `body(chunkIndex)` for every chunk of the grid in C order.
    func forEachChunk(_ body: ([Int]) throws -> Void) rethrows {
        let grid = metadata.chunkGrid
        if grid.contains(0) { return }
        var idx = [Int](repeating: 0, count: grid.count)
        while true {
            try body(idx)
            var d = grid.count - 1
            while d >= 0 {
                idx[d] += 1
                if idx[d] < grid[d] { break }
                idx[d] = 0
                d -= 1
            }
            if d < 0 { return }
        }
    }

    /// Copies the part of chunk `index` that lies inside the array between the chunk buffer and
    /// the array buffer (`toArray` chooses the direction). Element size `es`.
    func copyRegion(chunk: UnsafeMutableRawPointer, array: UnsafeMutableRawPointer, index: [Int], toArray: Bool) {
        let es = dtype.byteSize
        let shape = metadata.shape, chunks = metadata.chunks
        let n = shape.count
        if n == 0 {
            if toArray { array.copyMemory(from: chunk, byteCount: es) } else { chunk.copyMemory(from: array, byteCount: es) }
            return
        }
        var extent = [Int](repeating: 0, count: n), origin = [Int](repeating: 0, count: n)
        for d in 0..<n {
            origin[d] = index[d] * chunks[d]
            extent[d] = min(chunks[d], shape[d] - origin[d])
        }
        var cStride = [Int](repeating: es, count: n), aStride = [Int](repeating: es, count: n)
        for d in stride(from: n - 2, through: 0, by: -1) {
            cStride[d] = cStride[d + 1] * chunks[d + 1]
            aStride[d] = aStride[d + 1] * shape[d + 1]
        }
        let rowBytes = extent[n - 1] * es
        var m = [Int](repeating: 0, count: n)  // position inside the chunk, last dim fixed at 0
        while true {
            var co = 0, ao = 0
            for d in 0..<n {
                co += m[d] * cStride[d]
                ao += (origin[d] + m[d]) * aStride[d]
            }
            if toArray { (array + ao).copyMemory(from: chunk + co, byteCount: rowBytes) } else { (chunk + co).copyMemory(from: array + ao, byteCount: rowBytes) }
            var d = n - 2
            while d >= 0 {
                m[d] += 1
                if m[d] < extent[d] { break }
                m[d] = 0
                d -= 1
            }
            if d < 0 { return }
        }
    }

    /// True when chunk `index` maps onto one contiguous byte range of the array
    /// (all dimensions after the first are unchunked and the chunk is not cut at the edge).
    func contiguousOffset(_ index: [Int]) -> Int? {
        let shape = metadata.shape, chunks = metadata.chunks
        guard !shape.isEmpty else { return 0 }
        for d in 1..<shape.count where chunks[d] != shape[d] { return nil }
        guard (index[0] + 1) * chunks[0] <= shape[0] else { return nil }
        return index[0] * chunks[0] * metadata.chunkCount / chunks[0] * dtype.byteSize
    }

    // MARK: read

    /// Reads the whole array into `out` (`count * byteSize` bytes, C order, little-endian).
    public func read(into out: UnsafeMutableRawBufferPointer) throws {
        let es = dtype.byteSize
        let total = metadata.count * es
        guard out.count == total else { throw EngramError(location, "read buffer of \(out.count) bytes, array needs \(total)") }
        guard total > 0, let base = out.baseAddress else { return }
        let chunkBytes = metadata.chunkCount * es
        var scratch: UnsafeMutableRawBufferPointer? = nil
        defer { scratch?.deallocate() }
        func tmp() -> UnsafeMutableRawBufferPointer {
            if let s = scratch { return s }
            let s = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkBytes, alignment: 16)
            scratch = s
            return s
        }
        try forEachChunk { idx in
            let key = metadata.chunkKey(idx)
            try store.dir.withFileBytes(ZarrStore.join(path, key)) { stored in
                guard let s = stored else {
                    let c = tmp()
                    fillChunk(c)
                    copyRegion(chunk: c.baseAddress!, array: base, index: idx, toArray: true)
                    return
                }
                if let off = contiguousOffset(idx) {
                    try decodeChunk(s, into: UnsafeMutableRawBufferPointer(rebasing: out[off..<(off + chunkBytes)]), key: key)
                } else {
                    let c = tmp()
                    try decodeChunk(s, into: c, key: key)
                    copyRegion(chunk: c.baseAddress!, array: base, index: idx, toArray: true)
                }
            }
        }
    }

    func fillChunk(_ c: UnsafeMutableRawBufferPointer) {
        let v = metadata.fillValue.bytes(for: dtype)
        if v.allSatisfy({ $0 == 0 }) {
            c.initializeMemory(as: UInt8.self, repeating: 0)
            return
        }
        var i = 0
        while i + v.count <= c.count {
            for k in 0..<v.count { c[i + k] = v[k] }
            i += v.count
        }
    }

    /// The whole array's raw little-endian bytes.
    public func readRaw() throws -> Data {
        var d = Data(count: metadata.count * dtype.byteSize)
        try d.withUnsafeMutableBytes { try read(into: $0) }
        return d
    }

    /// Elements as Float (float16/32/64 arrays).
    public func readFloats() throws -> [Float] {
        let n = metadata.count
        if dtype == .float32 {
            return try [Float](unsafeUninitializedCapacity: n) { buf, c in
                try read(into: UnsafeMutableRawBufferPointer(buf))
                c = n
            }
        }
        let raw = try readRaw()
        return try raw.withUnsafeBytes { try ScalarDecoding.floats($0, dtype, where: location) }
    }

    /// Elements as Double (floating-point arrays).
    public func readDoubles() throws -> [Double] {
        try readRaw().withUnsafeBytes { try ScalarDecoding.doubles($0, dtype, where: location) }
    }

    /// Elements as Int64 (integer and bool arrays).
    public func readInt64s() throws -> [Int64] {
        try readRaw().withUnsafeBytes { try ScalarDecoding.int64s($0, dtype, where: location) }
    }

    // MARK: write

    /// Writes the whole array from `raw` (`count * byteSize` bytes, C order, little-endian),
    /// one file per chunk; edge chunks padded with the fill value.
    public func write(raw: UnsafeRawBufferPointer) throws {
        let es = dtype.byteSize
        let total = metadata.count * es
        guard raw.count == total else { throw EngramError(location, "array needs \(total) bytes, got \(raw.count)") }
        guard total > 0, let base = raw.baseAddress else { return }
        let chunkBytes = metadata.chunkCount * es
        let c = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkBytes, alignment: 16)
        defer { c.deallocate() }
        var madeDirs = Set<String>()
        try forEachChunk { idx in
            let key = metadata.chunkKey(idx)
            let encoded: Data
            if let off = contiguousOffset(idx) {
                encoded = try encodeChunk(UnsafeRawBufferPointer(rebasing: raw[off..<(off + chunkBytes)]))
            } else {
                fillChunk(c)
                copyRegion(chunk: c.baseAddress!, array: UnsafeMutableRawPointer(mutating: base), index: idx, toArray: false)
                encoded = try encodeChunk(UnsafeRawBufferPointer(c))
            }
            let file = ZarrStore.join(path, key)
            if metadata.dimensionSeparator == "/" {
                let dir = (file as NSString).deletingLastPathComponent
                if madeDirs.insert(dir).inserted { try store.dir.makeDirectories(dir) }
            }
            try store.dir.writeFile(encoded, file)
        }
    }

    public func write(floats: [Float]) throws {
        guard dtype == .float32 else { throw EngramError(location, "array dtype is \(dtype.rawValue), not float32") }
        try floats.withUnsafeBytes { try write(raw: $0) }
    }

    public func write(raw: Data) throws {
        try raw.withUnsafeBytes { try write(raw: $0) }
    }
}
