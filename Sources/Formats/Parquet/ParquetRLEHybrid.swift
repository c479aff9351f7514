/// The RLE / bit-packing hybrid encoding used for definition levels, dictionary indices and
/// RLE-encoded booleans. A sequence of runs, each introduced by a varint header:
/// - `header & 1 == 0`: RLE run of `header >> 1` copies of one value stored in ⌈bitWidth/8⌉ bytes;
/// - `header & 1 == 1`: `header >> 1` groups of 8 values, bit-packed LSB first, `bitWidth` bytes per group.
enum ParquetRLEHybrid {
    /// Decodes `count` values of `bitWidth` (0…32) bits from `buf` into `out`.
    /// - Returns: the number of bytes consumed (up to the end of the last run used).
    static func decode(_ buf: UnsafeRawBufferPointer, bitWidth: Int, count: Int, into out: UnsafeMutablePointer<UInt32>, _ ctx: PageContext) throws -> Int {
        guard (0...32).contains(bitWidth) else { throw ctx.error("bit width \(bitWidth) outside 0…32") }
        var p = 0
        var done = 0
        let valueBytes = (bitWidth + 7) / 8
        let mask: UInt64 = bitWidth == 32 ? 0xffff_ffff : (1 << UInt64(bitWidth)) - 1
        while done < count {
            // Run header (varint, at most 32 bits).
            var header: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard p < buf.count else {
                    throw ctx.error("RLE/bit-packed data ends after \(done) of \(count) values")
                }
                let b = buf[p]
                p += 1
                header |= UInt64(b & 0x7f) << shift
                if b & 0x80 == 0 { break }
                shift += 7
                guard shift < 35 else { throw ctx.error("RLE/bit-packed run header too long") }
            }
            if header & 1 == 0 {
                let run = Int(header >> 1)
                guard valueBytes <= buf.count - p else { throw ctx.error("RLE run value truncated") }
                var v: UInt32 = 0
                for k in 0..<valueBytes { v |= UInt32(buf[p + k]) << UInt32(8 * k) }
                p += valueBytes
                let n = min(run, count - done)
                (out + done).update(repeating: v, count: n)
                done += n
            } else {
                let groups = Int(header >> 1)
                let available = groups * 8
                let n = min(available, count - done)
                // Only the bytes holding the values used must be present (writers may truncate).
                let needBytes = (n * bitWidth + 7) / 8
                guard needBytes <= buf.count - p else { throw ctx.error("bit-packed run truncated") }
                let base = buf.baseAddress! + p
                if bitWidth == 0 {
                    (out + done).update(repeating: 0, count: n)
                } else {
                    var acc: UInt64 = 0
                    var bits: UInt64 = 0
                    var q = 0
                    let w = UInt64(bitWidth)
                    for i in 0..<n {
                        while bits < w {
                            acc |= UInt64(base.load(fromByteOffset: q, as: UInt8.self)) << bits
                            q += 1
                            bits += 8
                        }
                        out[done + i] = UInt32(truncatingIfNeeded: acc & mask)
                        acc >>= w
                        bits -= w
                    }
                }
                done += n
                // Skip the whole run when it is fully present, else stop at the last byte used.
                p += min(groups * bitWidth, buf.count - p)
            }
        }
        return p
    }

    /// Appends `values` (each < 2^bitWidth) encoded as RLE runs where a value repeats at least 8
    /// times and as bit-packed groups elsewhere.
    static func encode(_ values: UnsafeBufferPointer<UInt32>, bitWidth: Int, into out: inout [UInt8]) {
        let n = values.count
        let valueBytes = (bitWidth + 7) / 8
        var packedStart = 0  // start of pending bit-packed values (a multiple of 8 of them, or the tail)
        var i = 0
        func flushPacked(upTo end: Int) {
            let count = end - packedStart
            guard count > 0 else { return }
            let groups = (count + 7) / 8
            appendVarint(UInt64(groups) << 1 | 1, to: &out)
            var acc: UInt64 = 0
            var bits = 0
            for k in 0..<(groups * 8) {
                let v = packedStart + k < end ? UInt64(values[packedStart + k]) : 0
                acc |= v << UInt64(bits)
                bits += bitWidth
                while bits >= 8 {
                    out.append(UInt8(truncatingIfNeeded: acc))
                    acc >>= 8
                    bits -= 8
                }
            }
            packedStart = end
        }
        while i < n {
            var run = 1
            while i + run < n && values[i + run] == values[i] { run += 1 }
            if run >= 8 {
                flushPacked(upTo: i)
                appendVarint(UInt64(run) << 1, to: &out)
                let v = values[i]
                for k in 0..<valueBytes { out.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * k))) }
                i += run
                packedStart = i
            } else {
                i = min(i + 8, n)
            }
        }
        flushPacked(upTo: n)
    }

    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// Bits needed for values 0…maxValue.
    static func bitWidth(forMax maxValue: Int) -> Int {
        maxValue == 0 ? 0 : Int.bitWidth - maxValue.leadingZeroBitCount
    }
}
