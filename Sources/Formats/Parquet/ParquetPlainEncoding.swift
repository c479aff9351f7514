import EngramCore

/// PLAIN encoding: fixed-width values little-endian back to back; BOOLEAN bit-packed LSB first;
/// BYTE_ARRAY as a 4-byte little-endian length followed by the bytes.
enum ParquetPlain {
    // MARK: Encoding

    /// Appends fixed-width values (Int32, Int64, Float, Double) in little-endian order.
    static func encodeFixed<T>(_ values: ArraySlice<T>, into out: inout [UInt8]) {
        values.withUnsafeBytes { raw in
            #if _endian(big)
            fatalError("big-endian hosts are not supported")
            #else
            out.append(contentsOf: raw)
            #endif
        }
    }

    /// Appends booleans bit-packed, LSB first, padded with zero bits to a whole byte.
    static func encodeBools(_ values: ArraySlice<Bool>, into out: inout [UInt8]) {
        var byte: UInt8 = 0
        var bit = 0
        for v in values {
            if v { byte |= 1 << UInt8(bit) }
            bit += 1
            if bit == 8 {
                out.append(byte)
                byte = 0
                bit = 0
            }
        }
        if bit > 0 { out.append(byte) }
    }

    /// Appends length-prefixed UTF-8 strings.
    static func encodeStrings(_ values: ArraySlice<String>, into out: inout [UInt8]) {
        var total = 0
        for s in values { total += 4 + s.utf8.count }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: total))
        out.withUnsafeMutableBytes { raw in
            var p = raw.baseAddress! + start
            for var s in values {
                s.withUTF8 { u in
                    p.storeBytes(of: UInt32(u.count).littleEndian, as: UInt32.self)
                    if u.count > 0 { (p + 4).copyMemory(from: u.baseAddress!, byteCount: u.count) }
                    p += 4 + u.count
                }
            }
        }
    }

    // MARK: Decoding (callers pass a page context for error messages)

    /// Decodes `count` fixed-width values from the start of `buf` into `out`; returns the bytes consumed.
    static func decodeFixed<T: ParquetFixedWidth>(_ buf: UnsafeRawBufferPointer, count: Int, into out: UnsafeMutablePointer<T>, _ ctx: PageContext) throws -> Int {
        let size = MemoryLayout<T>.size
        guard count <= buf.count / size else {
            throw ctx.error("PLAIN data holds \(buf.count / size) values, page announces \(count)")
        }
        let n = count * size
        if n > 0 { UnsafeMutableRawPointer(out).copyMemory(from: buf.baseAddress!, byteCount: n) }
        return n
    }

    /// Decodes `count` bit-packed booleans into `out`; returns the bytes consumed.
    static func decodeBools(_ buf: UnsafeRawBufferPointer, count: Int, into out: UnsafeMutablePointer<Bool>, _ ctx: PageContext) throws -> Int {
        let bytes = (count + 7) / 8
        guard bytes <= buf.count else {
            throw ctx.error("PLAIN BOOLEAN data holds \(buf.count * 8) values, page announces \(count)")
        }
        for i in 0..<count {
            out[i] = buf[i >> 3] & (1 << UInt8(i & 7)) != 0
        }
        return bytes
    }

    /// Decodes `count` length-prefixed UTF-8 strings into `out` (initialized memory); returns the
    /// bytes consumed. A value equal to the previous one reuses its `String` (runs of repeated ids
    /// are common).
    static func decodeStrings(_ buf: UnsafeRawBufferPointer, count: Int, into out: UnsafeMutablePointer<String>, _ ctx: PageContext) throws -> Int {
        // Every value takes at least its 4-byte length: reject impossible counts.
        guard count <= buf.count / 4 else {
            throw ctx.error("PLAIN BYTE_ARRAY data of \(buf.count) bytes cannot hold \(count) values")
        }
        guard count > 0 else { return 0 }
        let base = buf.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var p = 0
        var previous = ""
        var previousStart = -1
        var previousLength = -1
        for i in 0..<count {
            guard buf.count - p >= 4 else { throw ctx.error("BYTE_ARRAY value \(i) truncated (length prefix)") }
            let n = Int(UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
            p += 4
            guard n <= buf.count - p else {
                throw ctx.error("BYTE_ARRAY value \(i) of \(n) bytes runs past the end of the page")
            }
            if n != previousLength || !ByteCompare.equal(base + p, base + previousStart, count: n) {
                guard UTF8Validation.isValid(base + p, count: n) else {
                    throw ctx.error("string value \(i) is not valid UTF-8")
                }
                previous = String(decoding: UnsafeBufferPointer(start: base + p, count: n), as: UTF8.self)
                previousStart = p
                previousLength = n
            }
            out[i] = previous
            p += n
        }
        return p
    }
}

/// Byte-string comparisons for short values (ids, labels), inlined instead of `memcmp` calls.
enum ByteCompare {
    @inline(__always) static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, count n: Int) -> Bool {
        var i = 0
        while i + 8 <= n {
            if UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self) { return false }
            i += 8
        }
        while i < n {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    /// Unsigned lexicographic order (-1, 0, 1), as Parquet orders BYTE_ARRAY statistics.
    @inline(__always) static func compare(_ a: UnsafePointer<UInt8>, _ na: Int, _ b: UnsafePointer<UInt8>, _ nb: Int) -> Int {
        let n = min(na, nb)
        var i = 0
        while i + 8 <= n {
            let x = UInt64(bigEndian: UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self))
            let y = UInt64(bigEndian: UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self))
            if x != y { return x < y ? -1 : 1 }
            i += 8
        }
        while i < n {
            if a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
            i += 1
        }
        return na < nb ? -1 : na > nb ? 1 : 0
    }
}

/// Strict UTF-8 validation (no overlongs, no surrogates, ≤ U+10FFFF), with an ASCII fast path.
enum UTF8Validation {
    static func isValid(_ p: UnsafePointer<UInt8>, count n: Int) -> Bool {
        var i = 0
        while i + 8 <= n {
            if UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < n {
            let b = p[i]
            if b < 0x80 {
                i += 1
            } else if b < 0xc2 {
                return false
            } else if b < 0xe0 {
                guard i + 1 < n, p[i + 1] & 0xc0 == 0x80 else { return false }
                i += 2
            } else if b < 0xf0 {
                guard i + 2 < n else { return false }
                let b1 = p[i + 1], b2 = p[i + 2]
                guard b1 & 0xc0 == 0x80, b2 & 0xc0 == 0x80 else { return false }
                if b == 0xe0 && b1 < 0xa0 { return false }  // overlong
                if b == 0xed && b1 >= 0xa0 { return false }  // UTF-16 surrogates
                i += 3
            } else if b < 0xf5 {
                guard i + 3 < n else { return false }
                let b1 = p[i + 1], b2 = p[i + 2], b3 = p[i + 3]
                guard b1 & 0xc0 == 0x80, b2 & 0xc0 == 0x80, b3 & 0xc0 == 0x80 else { return false }
                if b == 0xf0 && b1 < 0x90 { return false }  // overlong
                if b == 0xf4 && b1 >= 0x90 { return false }  // above U+10FFFF
                i += 4
            } else {
                return false
            }
        }
        return true
    }
}

/// Fixed-width little-endian physical types (INT32, INT64, FLOAT, DOUBLE).
protocol ParquetFixedWidth: BitwiseCopyable { init() }
extension Int32: ParquetFixedWidth {}
extension Int64: ParquetFixedWidth {}
extension Float: ParquetFixedWidth {}
extension Double: ParquetFixedWidth {}

/// Where a page is, for error messages: file, column, row group and the page's byte offset.
struct PageContext {
    let file: String
    let column: String
    let rowGroup: Int
    var pageOffset: Int

    func error(_ message: String) -> EngramError {
        EngramError(file, "column '\(column)', row group \(rowGroup), page at byte \(pageOffset): \(message)")
    }
}
