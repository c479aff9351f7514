/// MSB-first bit reader over a byte buffer the caller keeps alive.
///
/// Bits are held left-aligned in a 64-bit `cache`; `avail` of them are valid. The bits below
/// `avail` are either zero or the true next bits of the stream (the branch-free refill may load them
/// early and OR them in again later, which is harmless). Reading past the end throws
/// `FLACFormatError` with the byte offset where data ran out; nothing is read outside the buffer.
struct BitReader {
    let base: UnsafePointer<UInt8>
    /// Number of readable bytes at `base`.
    let count: Int
    /// Byte offset of `base` in the file, for error messages.
    let fileOffset: Int
    /// Next byte to move into the cache.
    var pos: Int
    var cache: UInt64 = 0
    var avail: Int = 0

    init(_ base: UnsafePointer<UInt8>, count: Int, fileOffset: Int = 0) {
        self.base = base
        self.count = count
        self.fileOffset = fileOffset
        self.pos = 0
    }

    /// Bits consumed since `base`.
    @inline(__always) var bitPosition: Int { pos &* 8 &- avail }
    /// Byte offset (from `base`) of the next unread bit, rounded down.
    @inline(__always) var bytePosition: Int { bitPosition >> 3 }
    @inline(__always) var isByteAligned: Bool { avail & 7 == 0 }

    /// Tops the cache up to at least 57 valid bits when 8 bytes remain, else as far as data allows.
    @inline(__always) mutating func refill() {
        if pos &+ 8 <= count {
            let word = UInt64(bigEndian: UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self))
            cache |= word &>> UInt64(avail)
            let bytes = (63 &- avail) &>> 3
            pos &+= bytes
            avail &+= bytes &<< 3
        } else {
            refillTail()
        }
    }

    @inline(never) mutating func refillTail() {
        while avail <= 56 && pos < count {
            cache |= UInt64(base[pos]) &<< UInt64(56 &- avail)
            pos &+= 1
            avail &+= 8
        }
    }

    func truncated() -> FLACFormatError {
        FLACFormatError("truncated stream: unexpected end of data", at: fileOffset + count)
    }

    /// Reads `n` bits (0...32) as an unsigned value.
    @inline(__always) mutating func read(_ n: Int) throws -> UInt32 {
        if n == 0 { return 0 }
        if avail < n {
            refill()
            if avail < n { throw truncated() }
        }
        let v = cache &>> UInt64(64 &- n)
        cache = cache &<< UInt64(n)
        avail &-= n
        return UInt32(truncatingIfNeeded: v)
    }

    /// Reads `n` bits (0...32) as a two's-complement signed value.
    @inline(__always) mutating func readSigned(_ n: Int) throws -> Int32 {
        if n == 0 { return 0 }
        if avail < n {
            refill()
            if avail < n { throw truncated() }
        }
        let v = Int64(bitPattern: cache) &>> Int64(64 &- n)
        cache = cache &<< UInt64(n)
        avail &-= n
        return Int32(truncatingIfNeeded: v)
    }

    /// Reads `n` bits (0...64) as an unsigned 64-bit value.
    mutating func read64(_ n: Int) throws -> UInt64 {
        if n <= 32 { return UInt64(try read(n)) }
        let hi = UInt64(try read(n - 32))
        return hi << 32 | UInt64(try read(32))
    }

    /// Counts zero bits up to and including the terminating one bit; returns the number of zeros.
    /// `limit` bounds the count (corrupt data), throwing past it.
    @inline(__always) mutating func readUnary(limit: Int = Int.max) throws -> Int {
        var zeros = 0
        while true {
            if avail == 0 || cache == 0 {
                // Every valid bit (if any) is zero: consume them and load more.
                zeros &+= avail
                cache = 0
                avail = 0
                refill()
                if avail == 0 { throw truncated() }
                if zeros > limit { throw FLACFormatError("unary code too long", at: fileOffset + bytePosition) }
                continue
            }
            let lz = cache.leadingZeroBitCount
            if lz >= avail {
                zeros &+= avail
                cache = 0
                avail = 0
                refill()
                if avail == 0 { throw truncated() }
                if zeros > limit { throw FLACFormatError("unary code too long", at: fileOffset + bytePosition) }
                continue
            }
            zeros &+= lz
            cache = (cache &<< UInt64(lz)) &<< 1
            avail &-= lz &+ 1
            if zeros > limit { throw FLACFormatError("unary code too long", at: fileOffset + bytePosition) }
            return zeros
        }
    }

    /// Skips to the next byte boundary, returning the skipped bits (which FLAC requires to be zero).
    mutating func alignToByte() -> UInt32 {
        let r = avail & 7
        if r == 0 { return 0 }
        let v = cache &>> UInt64(64 - r)
        cache = cache &<< UInt64(r)
        avail -= r
        return UInt32(truncatingIfNeeded: v)
    }
}
