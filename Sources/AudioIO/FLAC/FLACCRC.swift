/// The two checksums of the FLAC frame format (RFC 9639 §9.1.8, §9.3):
/// CRC-8 (polynomial x⁸+x²+x+1, 0x07) over the frame header and
/// CRC-16 (polynomial x¹⁶+x¹⁵+x²+1, 0x8005) over the whole frame; both MSB-first, initial value 0.
enum FLACCRC {
    /// CRC-8 lookup table, one entry per byte value.
    static let crc8Table: [UInt8] = (0..<256).map { i in
        var c = UInt8(i)
        for _ in 0..<8 { c = (c & 0x80) != 0 ? (c << 1) ^ 0x07 : c << 1 }
        return c
    }

    /// CRC-16 tables for slicing-by-8: `crc16Tables[k * 256 + b]` is the CRC of byte `b` followed by `k` zero bytes.
    static let crc16Tables: [UInt16] = {
        var t = [UInt16](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt16(i) << 8
            for _ in 0..<8 { c = (c & 0x8000) != 0 ? (c << 1) ^ 0x8005 : c << 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let prev = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (prev << 8) ^ t[Int(prev >> 8)]
            }
        }
        return t
    }()

    /// CRC-8 of `count` bytes at `p`.
    static func crc8(_ p: UnsafePointer<UInt8>, _ count: Int, initial: UInt8 = 0) -> UInt8 {
        crc8Table.withUnsafeBufferPointer { t in
            var c = initial
            for i in 0..<count { c = t[Int(c ^ p[i])] }
            return c
        }
    }

    /// CRC-16 of `count` bytes at `p` (slicing-by-8: eight table look-ups per 8 input bytes).
    static func crc16(_ p: UnsafePointer<UInt8>, _ count: Int, initial: UInt16 = 0) -> UInt16 {
        crc16Tables.withUnsafeBufferPointer { tb in
            let t = tb.baseAddress!
            var c = initial
            var i = 0
            while i + 8 <= count {
                let b0 = UInt16(p[i]) << 8 | UInt16(p[i + 1])
                let x = c ^ b0
                c = t[7 * 256 + Int(x >> 8)] ^ t[6 * 256 + Int(x & 0xFF)]
                    ^ t[5 * 256 + Int(p[i + 2])] ^ t[4 * 256 + Int(p[i + 3])]
                    ^ t[3 * 256 + Int(p[i + 4])] ^ t[2 * 256 + Int(p[i + 5])]
                    ^ t[1 * 256 + Int(p[i + 6])] ^ t[Int(p[i + 7])]
                i += 8
            }
            while i < count {
                c = (c << 8) ^ t[Int((c >> 8) ^ UInt16(p[i]))]
                i += 1
            }
            return c
        }
    }
}
