import EngramCore
import Foundation

/// numpy `.npy` files (format versions 1.0, 2.0, 3.0): C-order arrays of bool, int8…uint64,
/// float16/32/64. Fortran-order files and structured dtypes are rejected; big-endian data
/// ('>f4') is converted to little-endian on read. Files are written as version 1.0 (2.0 when the
/// header exceeds 64 KiB) with numpy's 64-byte header alignment.
public enum NPY {
    static let magic: [UInt8] = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]  // "\x93NUMPY"

    /// Reads a `.npy` file.
    public static func read(_ url: URL) throws -> NPYArray {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EngramError(url.path, "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, location: url.path)
    }

    /// Decodes `.npy` bytes; `location` names the source in errors.
    public static func decode(_ data: Data, location: String) throws -> NPYArray {
        try data.withUnsafeBytes { raw -> NPYArray in
            guard raw.count >= 10 else { throw EngramError(location, "too short for an NPY file (\(raw.count) bytes)") }
            for i in 0..<6 where raw[i] != magic[i] {
                throw EngramError(location, "not an NPY file (bad magic at byte \(i))")
            }
            let major = raw[6], minor = raw[7]
            let headerLen: Int, headerStart: Int
            switch major {
            case 1:
                headerLen = Int(raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self).littleEndian); headerStart = 10
            case 2, 3:
                guard raw.count >= 12 else { throw EngramError(location, "truncated NPY v\(major) header length") }
                headerLen = Int(raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian); headerStart = 12
            default:
                throw EngramError(location, "unsupported NPY format version \(major).\(minor)")
            }
            guard headerLen <= raw.count - headerStart else {
                throw EngramError(location, "NPY header length \(headerLen) at byte 8 exceeds file size \(raw.count)")
            }
            let headerBytes = UnsafeRawBufferPointer(rebasing: raw[headerStart..<headerStart + headerLen])
            // v1/v2 headers are latin-1 (ASCII in practice); v3 is UTF-8.
            let text = major == 3 ? String(decoding: headerBytes, as: UTF8.self) : String(headerBytes.map { Character(Unicode.Scalar($0)) })
            let h = try NPYHeader.parse(text, location: location)
            if h.fortranOrder {
                throw EngramError(location, "Fortran-order NPY arrays are not supported (save with np.ascontiguousarray or order='C')")
            }
            let n = try checkedElementCount(h.shape, location: location)
            let dataStart = headerStart + headerLen
            let need = n * h.dtype.byteSize
            let have = raw.count - dataStart
            guard have == need else {
                throw EngramError(location, "NPY data for shape \(h.shape) \(h.dtype.rawValue) needs \(need) bytes after the header (byte \(dataStart)), file has \(have)")
            }
            var bytes = Data(UnsafeRawBufferPointer(rebasing: raw[dataStart..<raw.count]))
            if h.bigEndian { byteSwapInPlace(&bytes, elementSize: h.dtype.byteSize) }
            return try NPYArray(shape: h.shape, dtype: h.dtype, data: bytes)
        }
    }

    /// Encodes an array as `.npy` bytes.
    public static func encode(_ array: NPYArray) throws -> Data {
        guard let descr = NPYHeader.descr(array.dtype) else {
            throw EngramError("NPY", "dtype \(array.dtype.rawValue) has no numpy equivalent")
        }
        let text = NPYHeader.text(descr: descr, shape: array.shape)
        var out = Data(magic)
        var lenFieldSize = 2
        // Pad so that magic + version + length field + header (ending in '\n') is a multiple of 64.
        func padded(_ fieldSize: Int) -> [UInt8] {
            let base = 6 + 2 + fieldSize + text.utf8.count + 1
            let pad = (64 - base % 64) % 64
            return Array(text.utf8) + [UInt8](repeating: 0x20, count: pad) + [0x0a]
        }
        var header = padded(2)
        if header.count > 65535 { lenFieldSize = 4; header = padded(4) }
        if lenFieldSize == 2 {
            out.append(contentsOf: [1, 0])
            withUnsafeBytes(of: UInt16(header.count).littleEndian) { out.append(contentsOf: $0) }
        } else {
            out.append(contentsOf: [2, 0])
            withUnsafeBytes(of: UInt32(header.count).littleEndian) { out.append(contentsOf: $0) }
        }
        out.append(contentsOf: header)
        out.append(array.data)
        return out
    }

    /// Writes an array atomically.
    public static func write(_ array: NPYArray, to url: URL) throws {
        try AtomicFile.write(try encode(array), to: url)
    }

    /// Writes float32 values with `shape` (row-major) atomically.
    public static func write(floats: [Float], shape: [Int], to url: URL) throws {
        try write(try located(url) { try NPYArray(floats: floats, shape: shape) }, to: url)
    }

    public static func write(doubles: [Double], shape: [Int], to url: URL) throws {
        try write(try located(url) { try NPYArray(doubles: doubles, shape: shape) }, to: url)
    }

    public static func write(int32s: [Int32], shape: [Int], to url: URL) throws {
        try write(try located(url) { try NPYArray(int32s: int32s, shape: shape) }, to: url)
    }

    public static func write(int64s: [Int64], shape: [Int], to url: URL) throws {
        try write(try located(url) { try NPYArray(int64s: int64s, shape: shape) }, to: url)
    }

    public static func write(uint8s: [UInt8], shape: [Int], to url: URL) throws {
        try write(try located(url) { try NPYArray(uint8s: uint8s, shape: shape) }, to: url)
    }

    public static func write(bools: [Bool], shape: [Int], to url: URL) throws {
        try write(try located(url) { try NPYArray(bools: bools, shape: shape) }, to: url)
    }

    /// Re-labels an array-construction error with the target file.
    private static func located<T>(_ url: URL, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as EngramError { throw EngramError(url.path, e.message) }
    }
}

/// Reverses the bytes of each `elementSize`-byte element.
func byteSwapInPlace(_ data: inout Data, elementSize: Int) {
    guard elementSize > 1 else { return }
    data.withUnsafeMutableBytes { (p: UnsafeMutableRawBufferPointer) in
        var i = 0
        while i + elementSize <= p.count {
            var a = i, b = i + elementSize - 1
            while a < b { p.swapAt(a, b); a += 1; b -= 1 }
            i += elementSize
        }
    }
}
