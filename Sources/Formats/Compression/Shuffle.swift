import Foundation

/// Blosc's pre-compression filters, applied per block.
///
/// Byte shuffle: for `n = size / typesize` elements, byte j of element i goes to `j * n + i`
/// (all first bytes, then all second bytes, …); the `size % typesize` tail bytes are copied as is.
///
/// Bit shuffle (bitshuffle's `trans_bit_elem`): with n elements (n a multiple of 8), bit b of byte
/// j of element i goes to bit `i % 8` of byte `(j * 8 + b) * n / 8 + i / 8`; tail bytes copied.
/// Blocks whose element count is not a multiple of 8 are stored unshuffled (as c-blosc does).
enum Shuffle {
    static func byteShuffle(typesize: Int, _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, count size: Int) {
        let n = size / typesize
        for j in 0..<typesize {
            let out = dst + j * n
            var p = src + j
            for i in 0..<n { out[i] = p.pointee; p += typesize }
        }
        let tail = n * typesize
        if tail < size { (dst + tail).update(from: src + tail, count: size - tail) }
    }

    /// Byte unshuffle from `planes[j]` (byte j of each of `n` elements) into `dst` (n × planes.count bytes).
    static func byteUnshuffle(planes: [UnsafePointer<UInt8>], _ dst: UnsafeMutablePointer<UInt8>, elements n: Int) {
        let typesize = planes.count
        if typesize == 4 {
            let p0 = planes[0], p1 = planes[1], p2 = planes[2], p3 = planes[3]
            let out = UnsafeMutableRawPointer(dst)
            for i in 0..<n {
                let v = UInt32(p0[i]) | UInt32(p1[i]) << 8 | UInt32(p2[i]) << 16 | UInt32(p3[i]) << 24
                out.storeBytes(of: v.littleEndian, toByteOffset: i * 4, as: UInt32.self)
            }
        } else if typesize == 8 {
            let out = UnsafeMutableRawPointer(dst)
            let p0 = planes[0], p1 = planes[1], p2 = planes[2], p3 = planes[3]
            let p4 = planes[4], p5 = planes[5], p6 = planes[6], p7 = planes[7]
            for i in 0..<n {
                let lo = UInt64(p0[i]) | UInt64(p1[i]) << 8 | UInt64(p2[i]) << 16 | UInt64(p3[i]) << 24
                let hi = UInt64(p4[i]) | UInt64(p5[i]) << 8 | UInt64(p6[i]) << 16 | UInt64(p7[i]) << 24
                out.storeBytes(of: (lo | hi << 32).littleEndian, toByteOffset: i * 8, as: UInt64.self)
            }
        } else {
            for j in 0..<typesize {
                let inp = planes[j]
                var p = dst + j
                for i in 0..<n { p.pointee = inp[i]; p += typesize }
            }
        }
    }

    static func byteUnshuffle(typesize: Int, _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, count size: Int) {
        let n = size / typesize
        if typesize == 4 {
            // The common float32 case: assemble each element from its four byte planes.
            let p0 = src, p1 = src + n, p2 = src + 2 * n, p3 = src + 3 * n
            let out = UnsafeMutableRawPointer(dst)
            for i in 0..<n {
                let v = UInt32(p0[i]) | UInt32(p1[i]) << 8 | UInt32(p2[i]) << 16 | UInt32(p3[i]) << 24
                out.storeBytes(of: v.littleEndian, toByteOffset: i * 4, as: UInt32.self)
            }
        } else if typesize == 8 {
            let out = UnsafeMutableRawPointer(dst)
            for i in 0..<n {
                var v: UInt64 = 0
                for j in 0..<8 { v |= UInt64(src[j * n + i]) << (8 * j) }
                out.storeBytes(of: v.littleEndian, toByteOffset: i * 8, as: UInt64.self)
            }
        } else {
            for j in 0..<typesize {
                let inp = src + j * n
                var p = dst + j
                for i in 0..<n { p.pointee = inp[i]; p += typesize }
            }
        }
        let tail = n * typesize
        if tail < size { (dst + tail).update(from: src + tail, count: size - tail) }
    }

    /// Transposes an 8×8 bit matrix held in a UInt64 (row r = byte r, column c = bit c).
    @inline(__always)
    static func transpose8x8(_ x: UInt64) -> UInt64 {
        var x = x
        var t = (x ^ (x >> 7)) & 0x00AA_00AA_00AA_00AA
        x = x ^ t ^ (t << 7)
        t = (x ^ (x >> 14)) & 0x0000_CCCC_0000_CCCC
        x = x ^ t ^ (t << 14)
        t = (x ^ (x >> 28)) & 0x0000_0000_F0F0_F0F0
        x = x ^ t ^ (t << 28)
        return x
    }

    static func bitShuffle(typesize: Int, _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, count size: Int) {
        let n = size / typesize
        guard n % 8 == 0 else { dst.update(from: src, count: size); return }
        let rowBytes = n / 8
        for j in 0..<typesize {
            for g in 0..<rowBytes {
                // Gather byte j of elements 8g..8g+7 as rows, transpose: byte b = bit-plane b.
                var x: UInt64 = 0
                for k in 0..<8 { x |= UInt64(src[(8 * g + k) * typesize + j]) << (8 * k) }
                x = transpose8x8(x)
                for b in 0..<8 { dst[(j * 8 + b) * rowBytes + g] = UInt8(truncatingIfNeeded: x >> (8 * b)) }
            }
        }
        let tail = n * typesize
        if tail < size { (dst + tail).update(from: src + tail, count: size - tail) }
    }

    static func bitUnshuffle(typesize: Int, _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, count size: Int) {
        let n = size / typesize
        guard n % 8 == 0 else { dst.update(from: src, count: size); return }
        let rowBytes = n / 8
        for j in 0..<typesize {
            for g in 0..<rowBytes {
                var x: UInt64 = 0
                for b in 0..<8 { x |= UInt64(src[(j * 8 + b) * rowBytes + g]) << (8 * b) }
                x = transpose8x8(x)
                for k in 0..<8 { dst[(8 * g + k) * typesize + j] = UInt8(truncatingIfNeeded: x >> (8 * k)) }
            }
        }
        let tail = n * typesize
        if tail < size { (dst + tail).update(from: src + tail, count: size - tail) }
    }
}
