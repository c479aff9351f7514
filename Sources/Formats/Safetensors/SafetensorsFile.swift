import EngramCore
import Foundation

/// One tensor's header entry.
public struct SafetensorsTensorInfo: Equatable, Sendable {
    public var name: String
    public var dtype: ScalarType
    public var shape: [Int]
    /// Byte range inside the data section (after the 8-byte length and the JSON header).
    public var dataOffsets: Range<Int>
    public var count: Int { shape.reduce(1, *) }
}

/// A tensor with its raw little-endian bytes (row-major).
public struct SafetensorsTensor: Equatable, Sendable {
    public var name: String
    public var dtype: ScalarType
    public var shape: [Int]
    public var data: Data

    public init(name: String, dtype: ScalarType, shape: [Int], data: Data) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    /// A float32 tensor.
    public init(name: String, shape: [Int], floats: [Float]) {
        self.init(name: name, dtype: .float32, shape: shape, data: rawBytes(floats))
    }
}

/// A `.safetensors` file opened by memory map: 8-byte little-endian header length N, N bytes of
/// JSON (`{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}`), then
/// the data section. Every entry is validated on open: known dtype, byte length = elements × size,
/// offsets inside the file, no overlaps and no holes (as the reference implementation requires).
public final class SafetensorsFile: @unchecked Sendable {
    public let url: URL
    /// `__metadata__` string map (empty when absent).
    public let metadata: [String: String]
    /// Entries by name.
    public let infos: [String: SafetensorsTensorInfo]
    private let file: MappedFile
    private let dataStart: Int

    /// Tensor names, sorted.
    public var names: [String] { infos.keys.sorted() }

    /// Largest header accepted (the reference library's limit).
    static let maxHeaderSize = 100_000_000

    public init(_ url: URL) throws {
        self.url = url
        file = try MappedFile(url)
        let path = url.path
        let raw = file.bytes
        guard raw.count >= 8 else { throw EngramError(path, "too short for a safetensors file (\(raw.count) bytes)") }
        let n64 = raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self).littleEndian
        guard n64 <= UInt64(Self.maxHeaderSize) else { throw EngramError(path, "safetensors header length \(n64) is larger than the 100 MB limit") }
        let n = Int(n64)
        guard n <= raw.count - 8 else { throw EngramError(path, "safetensors header length \(n) exceeds the file size \(raw.count)") }
        dataStart = 8 + n
        let json = try JSON.parse(UnsafeRawBufferPointer(rebasing: raw[8..<8 + n]), location: path + " (safetensors header)")
        guard let obj = json.objectValue else { throw EngramError(path, "safetensors header is not a JSON object") }
        let dataSize = raw.count - dataStart

        var meta: [String: String] = [:]
        var infos: [String: SafetensorsTensorInfo] = [:]
        for key in obj.keys {
            let v = obj[key]!
            if key == "__metadata__" {
                guard let m = v.objectValue else { throw EngramError(path, "__metadata__ is not an object") }
                for mk in m.keys {
                    guard let s = m[mk]?.stringValue else { throw EngramError(path, "__metadata__ value for '\(mk)' is not a string") }
                    meta[mk] = s
                }
                continue
            }
            let loc = "\(path): tensor '\(key)'"
            guard let e = v.objectValue else { throw EngramError(loc, "header entry is not an object") }
            guard let dt = e["dtype"]?.stringValue else { throw EngramError(loc, "missing string 'dtype'") }
            guard let dtype = Safetensors.scalarType(dt) else { throw EngramError(loc, "unsupported dtype '\(dt)'") }
            guard let dims = e["shape"]?.arrayValue else { throw EngramError(loc, "missing 'shape' array") }
            var shape: [Int] = []
            for d in dims {
                guard let i = d.intValue, i >= 0 else { throw EngramError(loc, "shape \(dims) has a non-integer or negative dimension") }
                shape.append(i)
            }
            guard let offs = e["data_offsets"]?.arrayValue, offs.count == 2,
                  let b = offs[0].intValue, let end = offs[1].intValue else {
                throw EngramError(loc, "missing 'data_offsets' [begin, end]")
            }
            guard b >= 0, end >= b else { throw EngramError(loc, "invalid data_offsets [\(b), \(end)]") }
            guard end <= dataSize else {
                throw EngramError(loc, "data_offsets [\(b), \(end)] run past the end of the data section (\(dataSize) bytes, file \(raw.count) bytes)")
            }
            let count = try checkedElementCount(shape, location: loc)
            guard end - b == count * dtype.byteSize else {
                throw EngramError(loc, "shape \(shape) of \(dt) needs \(count * dtype.byteSize) bytes, data_offsets give \(end - b)")
            }
            infos[key] = SafetensorsTensorInfo(name: key, dtype: dtype, shape: shape, dataOffsets: b..<end)
        }
        // Offsets must tile the data section exactly: no overlap, no gaps.
        var cursor = 0
        var previous = ""
        for info in infos.values.sorted(by: { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound, $0.name) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound, $1.name) }) {
            let r = info.dataOffsets
            if r.lowerBound < cursor {
                throw EngramError("\(path): tensor '\(info.name)'", "data_offsets [\(r.lowerBound), \(r.upperBound)] overlap tensor '\(previous)' (which ends at \(cursor))")
            }
            if r.lowerBound > cursor {
                throw EngramError("\(path): tensor '\(info.name)'", "data_offsets start at \(r.lowerBound), leaving a hole after byte \(cursor) of the data section")
            }
            cursor = r.upperBound
            previous = info.name
        }
        guard cursor == dataSize else {
            throw EngramError(path, "tensors cover \(cursor) bytes but the data section has \(dataSize) (trailing bytes)")
        }
        self.metadata = meta
        self.infos = infos
    }

    /// Header entry of `name`.
    public func info(_ name: String) throws -> SafetensorsTensorInfo {
        guard let i = infos[name] else { throw EngramError(url.path, "no tensor named '\(name)'") }
        return i
    }

    /// Calls `body` with the tensor's raw bytes inside the memory map (no copy).
    public func withRawBytes<R>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let i = try info(name)
        let r = i.dataOffsets
        return try withExtendedLifetime(file) {
            try body(UnsafeRawBufferPointer(rebasing: file.bytes[(dataStart + r.lowerBound)..<(dataStart + r.upperBound)]))
        }
    }

    /// The tensor with a copy of its raw bytes.
    public func tensor(_ name: String) throws -> SafetensorsTensor {
        let i = try info(name)
        let data = try withRawBytes(name) { Data($0) }
        return SafetensorsTensor(name: name, dtype: i.dtype, shape: i.shape, data: data)
    }

    /// Elements as float32, converting F16 / BF16 / F64. Integer tensors are an error.
    public func floats(_ name: String) throws -> [Float] {
        let i = try info(name)
        return try withRawBytes(name) { try ScalarDecoding.floats($0, i.dtype, where: "\(url.path): tensor '\(name)'") }
    }

    /// Elements as Int64 (integer and bool tensors).
    public func int64s(_ name: String) throws -> [Int64] {
        let i = try info(name)
        return try withRawBytes(name) { try ScalarDecoding.int64s($0, i.dtype, where: "\(url.path): tensor '\(name)'") }
    }
}
