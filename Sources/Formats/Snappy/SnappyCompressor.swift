extension Snappy {
    /// Compresses `input` into a raw Snappy block.
    public static func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        let cap = maxCompressedLength(input.count)
        return [UInt8](unsafeUninitializedCapacity: cap) { out, initialized in
            initialized = compress(input, into: out.baseAddress!)
        }
    }

    /// Compresses `input` into a raw Snappy block.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBytes { compress($0) }
    }

    /// Compresses `input` into `dst`, which must hold `maxCompressedLength(input.count)` bytes.
    /// The input must be shorter than 4 GiB (the format's length preamble is 32-bit).
    /// - Returns: the number of bytes written.
    public static func compress(_ input: UnsafeRawBufferPointer, into dst: UnsafeMutablePointer<UInt8>) -> Int {
        precondition(input.count <= Int(UInt32.max), "Snappy blocks hold at most 2^32 - 1 bytes")
        var op = 0
        // Preamble: uncompressed length as a little-endian base-128 varint.
        var v = UInt64(input.count)
        while v >= 0x80 {
            dst[op] = UInt8(truncatingIfNeeded: v) | 0x80
            v >>= 7
            op += 1
        }
        dst[op] = UInt8(v)
        op += 1
        guard let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count > 0 else { return op }
        let table = UnsafeMutablePointer<UInt16>.allocate(capacity: 1 << maxHashBits)
        defer { table.deallocate() }
        var start = 0
        while start < input.count {
            let len = min(blockSize, input.count - start)
            op += compressBlock(base + start, count: len, into: dst + op, table: table)
            start += len
        }
        return op
    }

    static let maxHashBits = 14
    /// Inputs shorter than this are emitted as one literal (the match finder reads ahead 15 bytes).
    static let inputMargin = 15

    @inline(__always) static func load32(_ p: UnsafePointer<UInt8>) -> UInt32 {
        UnsafeRawPointer(p).loadUnaligned(as: UInt32.self).littleEndian
    }

    @inline(__always) static func load64(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UnsafeRawPointer(p).loadUnaligned(as: UInt64.self).littleEndian
    }

    @inline(__always) static func hash(_ x: UInt32, shift: UInt32) -> Int {
        Int((x &* 0x1e35_a7bd) >> shift)
    }

    /// Greedy LZ77 over one block (≤ 64 KiB, so positions fit the UInt16 hash table).
    static func compressBlock(_ src: UnsafePointer<UInt8>, count: Int, into dst: UnsafeMutablePointer<UInt8>, table: UnsafeMutablePointer<UInt16>) -> Int {
        var op = 0
        guard count >= inputMargin + 2 else {
            return emitLiteral(src, count: count, into: dst)
        }
        var bits = 8
        while bits < maxHashBits && (1 << bits) < count { bits += 1 }
        table.update(repeating: 0, count: 1 << bits)
        let shift = UInt32(32 - bits)
        let ipLimit = count - inputMargin
        let end = src + count
        var nextEmit = 0
        var ip = 1
        var nextHash = hash(load32(src + ip), shift: shift)
        outer: while true {
            // Find a 4-byte match, probing ever more sparsely through incompressible data.
            var skip = 32
            var nextIp = ip
            var candidate = 0
            repeat {
                ip = nextIp
                let h = nextHash
                nextIp = ip + (skip >> 5)
                skip += 1
                if nextIp > ipLimit { break outer }
                nextHash = hash(load32(src + nextIp), shift: shift)
                candidate = Int(table[h])
                table[h] = UInt16(truncatingIfNeeded: ip)
            } while load32(src + candidate) != load32(src + ip)

            op += emitLiteral(src + nextEmit, count: ip - nextEmit, into: dst + op)
            // Emit copies while the position right after a copy also matches.
            repeat {
                let matched = 4 + matchLength(src + candidate + 4, src + ip + 4, end: end)
                op += emitCopy(offset: ip - candidate, length: matched, into: dst + op)
                ip += matched
                nextEmit = ip
                if ip >= ipLimit { break outer }
                table[hash(load32(src + ip - 1), shift: shift)] = UInt16(truncatingIfNeeded: ip - 1)
                let h = hash(load32(src + ip), shift: shift)
                candidate = Int(table[h])
                table[h] = UInt16(truncatingIfNeeded: ip)
            } while load32(src + candidate) == load32(src + ip)
            ip += 1
            nextHash = hash(load32(src + ip), shift: shift)
        }
        if nextEmit < count {
            op += emitLiteral(src + nextEmit, count: count - nextEmit, into: dst + op)
        }
        return op
    }

    /// Length of the common prefix of `a` and `b`, where `b` may not run past `end` (`a` < `b`).
    @inline(__always) static func matchLength(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) -> Int {
        var n = 0
        while b + n + 8 <= end {
            let x = load64(a + n) ^ load64(b + n)
            if x != 0 { return n + x.trailingZeroBitCount >> 3 }
            n += 8
        }
        while b + n < end && a[n] == b[n] { n += 1 }
        return n
    }

    static func emitLiteral(_ src: UnsafePointer<UInt8>, count: Int, into dst: UnsafeMutablePointer<UInt8>) -> Int {
        guard count > 0 else { return 0 }
        let n = count - 1
        var op = 1
        if n < 60 {
            dst[0] = UInt8(n << 2)
        } else {
            var bytes = 0
            var v = n
            while v > 0 {
                dst[1 + bytes] = UInt8(truncatingIfNeeded: v)
                v >>= 8
                bytes += 1
            }
            dst[0] = UInt8((59 + bytes) << 2)
            op += bytes
        }
        (dst + op).update(from: src, count: count)
        return op + count
    }

    static func emitCopy(offset: Int, length: Int, into dst: UnsafeMutablePointer<UInt8>) -> Int {
        var op = 0
        var len = length
        // Long matches become 64-byte copies, keeping at least 4 bytes for the last element.
        while len >= 68 {
            op += emitCopy2(offset: offset, length: 64, into: dst + op)
            len -= 64
        }
        if len > 64 {
            op += emitCopy2(offset: offset, length: 60, into: dst + op)
            len -= 60
        }
        if len < 12 && offset < 2048 {
            dst[op] = Tag.copy1.rawValue | UInt8((len - 4) << 2) | UInt8((offset >> 8) << 5)
            dst[op + 1] = UInt8(truncatingIfNeeded: offset)
            return op + 2
        }
        return op + emitCopy2(offset: offset, length: len, into: dst + op)
    }

    @inline(__always) static func emitCopy2(offset: Int, length: Int, into dst: UnsafeMutablePointer<UInt8>) -> Int {
        dst[0] = Tag.copy2.rawValue | UInt8((length - 1) << 2)
        dst[1] = UInt8(truncatingIfNeeded: offset)
        dst[2] = UInt8(truncatingIfNeeded: offset >> 8)
        return 3
    }
}
