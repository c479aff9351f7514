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
        out.reserveCapacity(out.count + total)
        for var s in values {
            s.withUTF8 { u in
                let n = UInt32(u.count)
                out.append(UInt8(truncatingIfNeeded: n))
                out.append(UInt8(truncatingIfNeeded: n >> 8))
                out.append(UInt8(truncatingIfNeeded: n >> 16))
                out.append(UInt8(truncatingIfNeeded: n >> 24))
                out.append(contentsOf: u)
            }
        }
    }

    // MARK: Decoding (callers pass a page context for error messages)

    /// Decodes `count` fixed-width values from the start of `buf`; returns the bytes consumed.
    static func decodeFixed<T: ParquetFixedWidth>(_ buf: UnsafeRawBufferPointer, count: Int, into out: inout [T], _ ctx: PageContext) throws -> Int {
        let size = MemoryLayout<T>.size
        guard count <= buf.count / size else {
            throw ctx.error("PLAIN data holds \(buf.count / size) values, page announces \(count)")
        }
        let old = out.count
        let n = count * size
        guard n > 0 else { return 0 }
        out.append(contentsOf: repeatElement(T(), count: count))
        out.withUnsafeMutableBytes { dst in
            (dst.baseAddress! + old * size).copyMemory(from: buf.baseAddress!, byteCount: n)
        }
        return n
    }

    /// Decodes `count` bit-packed booleans; returns the bytes consumed.
    static func decodeBools(_ buf: UnsafeRawBufferPointer, count: Int, into out: inout [Bool], _ ctx: PageContext) throws -> Int {
        let bytes = (count + 7) / 8
        guard bytes <= buf.count else {
            throw ctx.error("PLAIN BOOLEAN data holds \(buf.count * 8) values, page announces \(count)")
        }
        out.reserveCapacity(out.count + count)
        for i in 0..<count {
            out.append(buf[i >> 3] & (1 << UInt8(i & 7)) != 0)
        }
        return bytes
    }

    /// Decodes `count` length-prefixed UTF-8 strings; returns the bytes consumed.
    static func decodeStrings(_ buf: UnsafeRawBufferPointer, count: Int, into out: inout [String], _ ctx: PageContext) throws -> Int {
        // Every value takes at least its 4-byte length: reject impossible counts before reserving.
        guard count <= buf.count / 4 else {
            throw ctx.error("PLAIN BYTE_ARRAY data of \(buf.count) bytes cannot hold \(count) values")
        }
        out.reserveCapacity(out.count + count)
        var p = 0
        for i in 0..<count {
            guard buf.count - p >= 4 else { throw ctx.error("BYTE_ARRAY value \(i) truncated (length prefix)") }
            let n = Int(UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
            p += 4
            guard n <= buf.count - p else {
                throw ctx.error("BYTE_ARRAY value \(i) of \(n) bytes runs past the end of the page")
            }
            guard let s = String(validating: UnsafeRawBufferPointer(rebasing: buf[p..<p + n]), as: UTF8.self) else {
                throw ctx.error("string value \(i) is not valid UTF-8")
            }
            out.append(s)
            p += n
        }
        return p
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
