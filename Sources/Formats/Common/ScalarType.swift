import EngramCore
import Foundation

/// Element type of a stored array. All stored data is little-endian; decoders here assume a
/// little-endian host (x86-64, arm64).
public enum ScalarType: String, CaseIterable, Sendable, Equatable {
    case bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64
    case float16, bfloat16, float32, float64

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .int8, .uint8: return 1
        case .int16, .uint16, .float16, .bfloat16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64: return 8
        }
    }

    public var isFloatingPoint: Bool {
        switch self {
        case .float16, .bfloat16, .float32, .float64: return true
        default: return false
        }
    }

    /// Integer or bool (values representable as Int64, except uint64 above Int64.max).
    public var isInteger: Bool { !isFloatingPoint }
}

/// Converts IEEE 754 binary16 bits to Float (exact).
@inline(__always)
public func floatFromHalfBits(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exp = UInt32((h >> 10) & 0x1f)
    let mant = UInt32(h & 0x3ff)
    if exp == 0 {
        if mant == 0 { return Float(bitPattern: sign) }
        let v = Float(mant) * 0x1p-24
        return sign != 0 ? -v : v
    }
    if exp == 31 { return Float(bitPattern: sign | 0x7f80_0000 | (mant << 13)) }
    return Float(bitPattern: sign | ((exp + 112) << 23) | (mant << 13))
}

/// Converts Float to IEEE 754 binary16 bits, rounding to nearest even (overflow to ±inf, NaN kept).
public func halfBitsFromFloat(_ f: Float) -> UInt16 {
    let x = f.bitPattern
    let sign = UInt16((x >> 16) & 0x8000)
    let exp = Int((x >> 23) & 0xff)
    let mant = x & 0x7f_ffff
    if exp == 0xff { return sign | 0x7c00 | (mant != 0 ? 0x200 : 0) }
    let e = exp - 127 + 15
    if e >= 31 { return sign | 0x7c00 }
    if e <= 0 {
        if e < -10 { return sign }
        let m = mant | 0x80_0000
        let shift = UInt32(14 - e)
        var r = m >> shift
        let rem = m & ((1 << shift) - 1), half = UInt32(1) << (shift - 1)
        if rem > half || (rem == half && (r & 1) == 1) { r += 1 }
        return sign | UInt16(r)
    }
    var r = UInt32(e) << 10 | (mant >> 13)
    let rem = mant & 0x1fff
    if rem > 0x1000 || (rem == 0x1000 && (r & 1) == 1) { r += 1 }
    return sign | UInt16(r)
}

/// Converts bfloat16 bits to Float (exact).
@inline(__always)
public func floatFromBFloat16Bits(_ b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

/// Converts Float to bfloat16 bits, rounding to nearest even (NaN kept quiet).
public func bfloat16BitsFromFloat(_ f: Float) -> UInt16 {
    let x = f.bitPattern
    if f.isNaN { return UInt16(x >> 16) | 0x40 }
    let rounded = x &+ 0x7fff &+ ((x >> 16) & 1)
    return UInt16(rounded >> 16)
}

/// Element decoding from raw little-endian bytes. `raw.count` must be `count * type.byteSize`.
public enum ScalarDecoding {
    /// Floating-point elements as Float (float64 rounded, float16/bfloat16 exact).
    /// Integer types are rejected (they are not silently converted).
    public static func floats(_ raw: UnsafeRawBufferPointer, _ type: ScalarType, where location: String) throws -> [Float] {
        let n = raw.count / type.byteSize
        switch type {
        case .float32:
            return [Float](unsafeUninitializedCapacity: n) { buf, c in
                if n > 0 { UnsafeMutableRawBufferPointer(buf).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<n * 4])) }
                c = n
            }
        case .float64:
            return [Float](unsafeUninitializedCapacity: n) { buf, c in
                for i in 0..<n { buf[i] = Float(raw.loadUnaligned(fromByteOffset: i * 8, as: Double.self)) }
                c = n
            }
        case .float16:
            return [Float](unsafeUninitializedCapacity: n) { buf, c in
                for i in 0..<n { buf[i] = floatFromHalfBits(raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) }
                c = n
            }
        case .bfloat16:
            return [Float](unsafeUninitializedCapacity: n) { buf, c in
                for i in 0..<n { buf[i] = floatFromBFloat16Bits(raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) }
                c = n
            }
        default:
            throw EngramError(location, "expected a floating-point array, found \(type.rawValue) (not converted to Float)")
        }
    }

    /// Floating-point elements as Double (exact for every float type).
    public static func doubles(_ raw: UnsafeRawBufferPointer, _ type: ScalarType, where location: String) throws -> [Double] {
        let n = raw.count / type.byteSize
        switch type {
        case .float64:
            return (0..<n).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self) }
        case .float32, .float16, .bfloat16:
            return try floats(raw, type, where: location).map(Double.init)
        default:
            throw EngramError(location, "expected a floating-point array, found \(type.rawValue) (not converted to Double)")
        }
    }

    /// Integer or bool elements as Int64 (uint64 above Int64.max is an error).
    public static func int64s(_ raw: UnsafeRawBufferPointer, _ type: ScalarType, where location: String) throws -> [Int64] {
        let n = raw.count / type.byteSize
        func map<T: FixedWidthInteger>(_: T.Type) -> [Int64] {
            (0..<n).map { Int64(raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
        }
        switch type {
        case .bool: return (0..<n).map { raw[$0] != 0 ? 1 : 0 }
        case .int8: return map(Int8.self)
        case .uint8: return map(UInt8.self)
        case .int16: return map(Int16.self)
        case .uint16: return map(UInt16.self)
        case .int32: return map(Int32.self)
        case .uint32: return map(UInt32.self)
        case .int64: return map(Int64.self)
        case .uint64:
            var out = [Int64](); out.reserveCapacity(n)
            for i in 0..<n {
                let v = raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
                guard v <= UInt64(Int64.max) else { throw EngramError(location, "uint64 element \(i) = \(v) exceeds Int64.max") }
                out.append(Int64(v))
            }
            return out
        default:
            throw EngramError(location, "expected an integer array, found \(type.rawValue) (not converted to integers)")
        }
    }
}

/// Raw little-endian bytes of a typed Swift array.
func rawBytes<T>(_ values: [T]) -> Data {
    values.withUnsafeBytes { Data($0) }
}
