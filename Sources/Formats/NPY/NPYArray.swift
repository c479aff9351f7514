import EngramCore
import Foundation

/// An n-dimensional array as stored in a `.npy` file: C order, little-endian element bytes.
public struct NPYArray: Equatable, Sendable {
    /// Dimensions, outermost first (`[]` for a 0-d scalar).
    public var shape: [Int]
    public var dtype: ScalarType
    /// Raw little-endian element bytes in C (row-major) order; `count * dtype.byteSize` bytes.
    public var data: Data

    /// Number of elements (product of `shape`; 1 for a scalar).
    public var count: Int { shape.reduce(1, *) }

    /// Wraps raw bytes; checks that their length matches `shape` and `dtype`.
    public init(shape: [Int], dtype: ScalarType, data: Data) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw EngramError("NPYArray", "negative dimension in shape \(shape)") }
        let n = try checkedElementCount(shape, location: "NPYArray")
        guard data.count == n * dtype.byteSize else {
            throw EngramError("NPYArray", "shape \(shape) of \(dtype.rawValue) needs \(n * dtype.byteSize) bytes, got \(data.count)")
        }
        self.shape = shape
        self.dtype = dtype
        self.data = data
    }

    public init(floats: [Float], shape: [Int]) throws { try self.init(shape: shape, dtype: .float32, data: rawBytes(floats)) }
    public init(doubles: [Double], shape: [Int]) throws { try self.init(shape: shape, dtype: .float64, data: rawBytes(doubles)) }
    public init(int32s: [Int32], shape: [Int]) throws { try self.init(shape: shape, dtype: .int32, data: rawBytes(int32s)) }
    public init(int64s: [Int64], shape: [Int]) throws { try self.init(shape: shape, dtype: .int64, data: rawBytes(int64s)) }
    public init(uint8s: [UInt8], shape: [Int]) throws { try self.init(shape: shape, dtype: .uint8, data: Data(uint8s)) }
    public init(bools: [Bool], shape: [Int]) throws { try self.init(shape: shape, dtype: .bool, data: Data(bools.map { $0 ? 1 : 0 })) }

    /// Elements as Float (float16/float32/float64 arrays; integer arrays are an error).
    public func floats() throws -> [Float] {
        try data.withUnsafeBytes { try ScalarDecoding.floats($0, dtype, where: "NPY array") }
    }

    /// Elements as Double (any floating-point dtype).
    public func doubles() throws -> [Double] {
        try data.withUnsafeBytes { try ScalarDecoding.doubles($0, dtype, where: "NPY array") }
    }

    /// Elements as Int64 (any integer or bool dtype).
    public func int64s() throws -> [Int64] {
        try data.withUnsafeBytes { try ScalarDecoding.int64s($0, dtype, where: "NPY array") }
    }

    /// Elements as Int32 (integer dtypes whose values fit).
    public func int32s() throws -> [Int32] {
        try int64s().enumerated().map { i, v in
            guard let x = Int32(exactly: v) else { throw EngramError("NPY array", "element \(i) = \(v) does not fit in Int32") }
            return x
        }
    }

    /// Elements as UInt8 (uint8 or bool arrays).
    public func uint8s() throws -> [UInt8] {
        guard dtype == .uint8 || dtype == .bool else { throw EngramError("NPY array", "expected uint8, found \(dtype.rawValue)") }
        return [UInt8](data)
    }

    /// Elements as Bool (bool arrays; any non-zero byte is true).
    public func bools() throws -> [Bool] {
        guard dtype == .bool else { throw EngramError("NPY array", "expected bool, found \(dtype.rawValue)") }
        return data.map { $0 != 0 }
    }
}

/// Product of dimensions with overflow checking (hostile headers can claim absurd shapes).
func checkedElementCount(_ shape: [Int], location: String) throws -> Int {
    var n = 1
    for d in shape {
        guard d >= 0 else { throw EngramError(location, "negative dimension in shape \(shape)") }
        let (m, o) = n.multipliedReportingOverflow(by: d)
        guard !o, m < (1 << 48) else { throw EngramError(location, "shape \(shape) is too large") }
        n = m
    }
    return n
}
