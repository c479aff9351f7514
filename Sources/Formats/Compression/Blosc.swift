import EngramCore
import Foundation

/// Pre-compression filter codes, as numcodecs' `Blosc(shuffle=…)` spells them.
public enum BloscShuffle: Int, Sendable {
    case noShuffle = 0, byteShuffle = 1, bitShuffle = 2
}

/// Blosc 1 codec numbers (bits 5–7 of the flags byte). lz4 and lz4hc share one stream format.
public enum BloscCodec: Int, Sendable {
    case blosclz = 0, lz4 = 1, snappy = 2, zlib = 3, zstd = 4

    public var name: String {
        switch self {
        case .blosclz: return "blosclz"
        case .lz4: return "lz4 (or lz4hc)"
        case .snappy: return "snappy"
        case .zlib: return "zlib"
        case .zstd: return "zstd"
        }
    }
}

/// The 16-byte header of a Blosc 1 chunk.
public struct BloscHeader: Equatable, Sendable {
    /// Blosc format version (1 or 2 for Blosc 1.x).
    public var version: UInt8
    /// Codec format version.
    public var versionLZ: UInt8
    public var flags: UInt8
    /// Element size in bytes, used by the shuffle filters.
    public var typesize: Int
    /// Uncompressed size in bytes.
    public var nbytes: Int
    /// Uncompressed bytes per block (the last block may be shorter).
    public var blocksize: Int
    /// Total compressed size including this header.
    public var ctbytes: Int

    public var byteShuffled: Bool { flags & 0x01 != 0 }
    public var memcpyed: Bool { flags & 0x02 != 0 }
    public var bitShuffled: Bool { flags & 0x04 != 0 }
    public var dontSplit: Bool { flags & 0x10 != 0 }
    public var codecCode: Int { Int(flags >> 5) }
}

/// Blosc 1 chunks (the format numcodecs' `Blosc` codec and zarr-python 2 write by default):
/// header, block start table, then per block one stream (or `typesize` streams when split),
/// each `[int32 compressed size][bytes]`, stored raw when the size equals the stream length.
/// Decoding supports noshuffle / byte shuffle / bit shuffle, memcpyed chunks, split and unsplit
/// blocks, and the LZ4 codec (also written by `lz4hc`); other codecs raise a clear error.
/// Every offset and size is checked against the buffer, so corrupt chunks throw, never crash.
public enum Blosc {
    static let headerSize = 16
    static let minBufferSize = 128
    static let maxSplits = 16
    static let maxBufferSize = Int(Int32.max) - headerSize

    /// Reads and validates the header. `location` names the source in errors.
    public static func header(_ src: UnsafeRawBufferPointer, location: String) throws -> BloscHeader {
        guard src.count >= headerSize else {
            throw EngramError(location, "Blosc chunk too short (\(src.count) bytes, header needs 16)")
        }
        func i32(_ off: Int) -> Int { Int(Int32(littleEndian: src.loadUnaligned(fromByteOffset: off, as: Int32.self))) }
        let h = BloscHeader(version: src[0], versionLZ: src[1], flags: src[2], typesize: Int(src[3]),
                            nbytes: i32(4), blocksize: i32(8), ctbytes: i32(12))
        guard h.version >= 1 && h.version <= 2 else {
            if h.version >= 3 { throw EngramError(location, "Blosc format version \(h.version) (Blosc2) is not supported; expected Blosc 1 (version 1 or 2)") }
            throw EngramError(location, "not a Blosc chunk (format version byte 0 = \(h.version))")
        }
        guard h.flags & 0x08 == 0 else { throw EngramError(location, "Blosc flags 0x\(String(h.flags, radix: 16)) at byte 2 use an unknown (future) feature") }
        guard h.typesize >= 1 else { throw EngramError(location, "Blosc typesize 0 at byte 3") }
        guard h.nbytes >= 0 else { throw EngramError(location, "negative Blosc uncompressed size \(h.nbytes) at byte 4") }
        guard h.ctbytes >= headerSize else { throw EngramError(location, "invalid Blosc compressed size \(h.ctbytes) at byte 12") }
        guard h.ctbytes == src.count else {
            throw EngramError(location, "Blosc header says \(h.ctbytes) compressed bytes (byte 12) but the chunk has \(src.count)")
        }
        if h.nbytes > 0 {
            guard h.blocksize >= 1 && h.blocksize <= h.nbytes else {
                throw EngramError(location, "invalid Blosc block size \(h.blocksize) at byte 8 for \(h.nbytes) bytes")
            }
        }
        if h.memcpyed {
            guard h.ctbytes == h.nbytes + headerSize else {
                throw EngramError(location, "memcpyed Blosc chunk of \(h.nbytes) bytes must be \(h.nbytes + headerSize) bytes long, header says \(h.ctbytes)")
            }
        } else if h.nbytes > 0 {
            guard let codec = BloscCodec(rawValue: h.codecCode) else {
                throw EngramError(location, "unknown Blosc codec number \(h.codecCode) in flags byte 2")
            }
            guard codec == .lz4 else {
                throw EngramError(location, "unsupported Blosc codec \(codec.name) in \(location) (supported: lz4, lz4hc, or uncompressed)")
            }
        }
        return h
    }

    /// Decompresses a chunk into `dst`, whose size must equal the header's `nbytes`.
    public static func decompress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer, location: String) throws {
        let h = try header(src, location: location)
        guard dst.count == h.nbytes else {
            throw EngramError(location, "Blosc chunk holds \(h.nbytes) bytes, expected \(dst.count)")
        }
        if h.nbytes == 0 { return }
        guard let out = dst.baseAddress?.assumingMemoryBound(to: UInt8.self),
              let base = src.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        if h.memcpyed {
            out.update(from: base + headerSize, count: h.nbytes)
            return
        }
        let typesize = h.typesize
        let nblocks = (h.nbytes + h.blocksize - 1) / h.blocksize
        let leftover = h.nbytes % h.blocksize
        let tableEnd = headerSize + 4 * nblocks
        guard nblocks <= (h.ctbytes - headerSize) / 4 else {
            throw EngramError(location, "Blosc block table (\(nblocks) blocks) does not fit in \(h.ctbytes) bytes")
        }
        let needTmp = h.byteShuffled || h.bitShuffled
        try ScratchPool.shared.with(needTmp ? h.blocksize : 0) { scratch in
            let tmp = scratch.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? out
            // Where each stream's bytes are: in the chunk itself (stored raw) or decompressed in tmp/out.
            var streams = [UnsafePointer<UInt8>](repeating: UnsafePointer(out), count: max(typesize, 1))
            var planes = [UnsafePointer<UInt8>](repeating: UnsafePointer(out), count: typesize)
            for j in 0..<nblocks {
                let isLeftover = j == nblocks - 1 && leftover > 0
                let bsize = isLeftover ? leftover : h.blocksize
                let blockOut = out + j * h.blocksize
                let doShuffle = h.byteShuffled && typesize > 1
                let doBitShuffle = !doShuffle && h.bitShuffled && bsize >= typesize
                let filtered = doShuffle || doBitShuffle
                let target = filtered ? tmp : blockOut
                var offset = Int(Int32(littleEndian: src.loadUnaligned(fromByteOffset: headerSize + 4 * j, as: Int32.self)))
                guard offset >= tableEnd && offset < h.ctbytes else {
                    throw EngramError(location, "Blosc block \(j) starts at byte \(offset), outside the data area [\(tableEnd), \(h.ctbytes))")
                }
                let split = !h.dontSplit && typesize <= maxSplits && h.blocksize / typesize >= minBufferSize && !isLeftover
                let nsplits = split ? typesize : 1
                let neblock = bsize / nsplits
                guard neblock * nsplits == bsize else {
                    throw EngramError(location, "Blosc block \(j) of \(bsize) bytes cannot be split into \(nsplits) streams")
                }
                // Raw streams are used in place when the unshuffle can read them from the chunk.
                let inPlace = filtered && (doShuffle || nsplits == 1)
                for k in 0..<nsplits {
                    guard offset <= h.ctbytes - 4 else {
                        throw EngramError(location, "Blosc stream \(k) of block \(j): size field at byte \(offset) is past the end")
                    }
                    let cbytes = Int(Int32(littleEndian: src.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
                    offset += 4
                    guard cbytes >= 0 && cbytes <= h.ctbytes - offset else {
                        throw EngramError(location, "Blosc stream \(k) of block \(j) at byte \(offset - 4) claims \(cbytes) bytes, past the end of the chunk")
                    }
                    let dstStream = target + k * neblock
                    if cbytes == neblock {
                        if inPlace {
                            streams[k] = UnsafePointer(base + offset)
                        } else {
                            dstStream.update(from: base + offset, count: neblock)
                            streams[k] = UnsafePointer(dstStream)
                        }
                    } else {
                        let streamIn = UnsafeRawBufferPointer(start: base + offset, count: cbytes)
                        let got: Int
                        do {
                            got = try LZ4.decompress(streamIn, into: UnsafeMutableRawBufferPointer(start: dstStream, count: neblock), location: location)
                        } catch let e as EngramError {
                            throw EngramError(location, "Blosc block \(j) stream \(k) (LZ4 data at chunk byte \(offset)): \(e.message)")
                        }
                        guard got == neblock else {
                            throw EngramError(location, "Blosc block \(j) stream \(k) at byte \(offset) decompressed to \(got) bytes, expected \(neblock)")
                        }
                        streams[k] = UnsafePointer(dstStream)
                    }
                    offset += cbytes
                }
                if doShuffle {
                    let n = bsize / typesize
                    for p in 0..<typesize { planes[p] = nsplits == typesize ? streams[p] : streams[0] + p * n }
                    Shuffle.byteUnshuffle(planes: planes, blockOut, elements: n)
                    let tail = n * typesize
                    if tail < bsize { (blockOut + tail).update(from: streams[0] + tail, count: bsize - tail) }
                } else if doBitShuffle {
                    Shuffle.bitUnshuffle(typesize: typesize, nsplits == 1 ? streams[0] : UnsafePointer(tmp), blockOut, count: bsize)
                }
            }
        }
    }

    /// Decompresses a chunk of known uncompressed size (`expectedSize`; nil accepts the header's).
    public static func decompress(_ data: Data, expectedSize: Int? = nil, location: String) throws -> Data {
        try data.withUnsafeBytes { src -> Data in
            let h = try header(src, location: location)
            if let e = expectedSize, e != h.nbytes {
                throw EngramError(location, "Blosc chunk holds \(h.nbytes) bytes, expected \(e)")
            }
            var out = Data(count: h.nbytes)
            try out.withUnsafeMutableBytes { try decompress(src, into: $0, location: location) }
            return out
        }
    }

    /// Block size c-blosc 1.21 chooses for a non-HCR codec such as LZ4 (`compute_blocksize`).
    static func blocksize(clevel: Int, typesize: Int, nbytes: Int) -> Int {
        if nbytes < typesize { return 1 }
        var bs = nbytes
        let l1 = 32 * 1024
        if nbytes >= l1 {
            bs = l1
            switch clevel {
            case 0: bs /= 4
            case 1: bs /= 2
            case 2: break
            case 3: bs *= 2
            case 4, 5: bs *= 4
            default: bs *= 8
            }
            if clevel > 0 && splits(typesize: typesize, blocksize: bs) {
                bs = min(bs, 1 << 18) * typesize
                bs = max(bs, 1 << 16)
                bs = min(bs, 1 << 20)
            }
        }
        bs = min(bs, nbytes)
        if bs > typesize { bs = bs / typesize * typesize }
        return bs
    }

    /// c-blosc's forward-compatible split rule (streams per typesize byte).
    static func splits(typesize: Int, blocksize: Int) -> Bool {
        typesize <= maxSplits && blocksize / typesize >= minBufferSize
    }

    /// Compresses `src` as a Blosc 1 chunk with the LZ4 codec, as numcodecs'
    /// `Blosc(cname='lz4', clevel=5, shuffle=SHUFFLE)` lays it out (same block size and split rule).
    /// `clevel` 0 stores the data memcpyed. Streams that do not shrink are stored raw.
    public static func compress(_ src: UnsafeRawBufferPointer, typesize: Int, clevel: Int = 5, shuffle: BloscShuffle = .byteShuffle) throws -> Data {
        let nbytes = src.count
        guard nbytes <= maxBufferSize else { throw EngramError("Blosc", "buffer of \(nbytes) bytes exceeds Blosc's 2 GB limit") }
        let typesize = (1...255).contains(typesize) ? typesize : 1
        let clevel = max(0, min(9, clevel))
        let bs = blocksize(clevel: clevel, typesize: typesize, nbytes: nbytes)
        var flags: UInt8 = UInt8(BloscCodec.lz4.rawValue << 5)
        switch shuffle {
        case .noShuffle: break
        case .byteShuffle: flags |= 0x01
        case .bitShuffle: flags |= 0x04
        }
        let split = splits(typesize: typesize, blocksize: bs)
        if !split { flags |= 0x10 }

        func makeHeader(_ flags: UInt8, _ ctbytes: Int) -> [UInt8] {
            var h: [UInt8] = [2, 1, flags, UInt8(typesize)]
            for v in [nbytes, bs, ctbytes] { withUnsafeBytes(of: Int32(v).littleEndian) { h.append(contentsOf: $0) } }
            return h
        }
        func memcpyed() -> Data {
            var d = Data(makeHeader(flags | 0x02, nbytes + headerSize))
            d.append(contentsOf: src)
            return d
        }
        if clevel == 0 || nbytes < minBufferSize { return memcpyed() }
        guard let base = src.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return memcpyed() }

        let nblocks = (nbytes + bs - 1) / bs
        let leftover = nbytes % bs
        let limit = nbytes + headerSize  // beyond this, store memcpyed
        let streamsTotal = split ? (nblocks - (leftover > 0 ? 1 : 0)) * typesize + (leftover > 0 ? 1 : 0) : nblocks
        let worst = headerSize + 4 * nblocks + 4 * streamsTotal + nbytes
        var out = Data(count: worst)
        let used: Int? = out.withUnsafeMutableBytes { o -> Int? in
            let ob = o.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var pos = headerSize + 4 * nblocks
            return ScratchPool.shared.with(bs) { shuffledBuf -> Int? in
                let shuffled = shuffledBuf.baseAddress!.assumingMemoryBound(to: UInt8.self)
                for j in 0..<nblocks {
                    let isLeftover = j == nblocks - 1 && leftover > 0
                    let bsize = isLeftover ? leftover : bs
                    o.storeBytes(of: Int32(pos).littleEndian, toByteOffset: headerSize + 4 * j, as: Int32.self)
                    let blockIn = base + j * bs
                    var data: UnsafePointer<UInt8> = blockIn
                    if shuffle == .byteShuffle && typesize > 1 {
                        Shuffle.byteShuffle(typesize: typesize, blockIn, shuffled, count: bsize)
                        data = UnsafePointer(shuffled)
                    } else if shuffle == .bitShuffle && bsize >= typesize {
                        Shuffle.bitShuffle(typesize: typesize, blockIn, shuffled, count: bsize)
                        data = UnsafePointer(shuffled)
                    }
                    let nsplits = split && !isLeftover ? typesize : 1
                    let neblock = bsize / nsplits
                    for k in 0..<nsplits {
                        let stream = UnsafeRawBufferPointer(start: data + k * neblock, count: neblock)
                        // Compressed output must be smaller than the stream, else it is stored raw:
                        // give LZ4 only neblock - 1 bytes so it gives up early on incompressible data.
                        let room = UnsafeMutableRawBufferPointer(start: ob + pos + 4, count: max(0, neblock - 1))
                        if let c = LZ4.compress(stream, into: room) {
                            o.storeBytes(of: Int32(c).littleEndian, toByteOffset: pos, as: Int32.self)
                            pos += 4 + c
                        } else {
                            o.storeBytes(of: Int32(neblock).littleEndian, toByteOffset: pos, as: Int32.self)
                            (ob + pos + 4).update(from: data + k * neblock, count: neblock)
                            pos += 4 + neblock
                        }
                    }
                    if pos > limit { return nil }
                }
                return pos
            }
        }
        guard let used else { return memcpyed() }
        out.count = used
        out.replaceSubrange(0..<headerSize, with: makeHeader(flags, used))
        return out
    }

    /// Compresses `data` (see `compress(_:typesize:clevel:shuffle:)`).
    public static func compress(_ data: Data, typesize: Int, clevel: Int = 5, shuffle: BloscShuffle = .byteShuffle) throws -> Data {
        try data.withUnsafeBytes { try compress($0, typesize: typesize, clevel: clevel, shuffle: shuffle) }
    }
}
