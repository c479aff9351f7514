import EngramCore
import Foundation

/// safetensors dtype names and the writer.
public enum Safetensors {
    /// safetensors dtype string → element type.
    public static func scalarType(_ name: String) -> ScalarType? {
        switch name {
        case "BOOL": return .bool
        case "I8": return .int8
        case "U8": return .uint8
        case "I16": return .int16
        case "U16": return .uint16
        case "I32": return .int32
        case "U32": return .uint32
        case "I64": return .int64
        case "U64": return .uint64
        case "F16": return .float16
        case "BF16": return .bfloat16
        case "F32": return .float32
        case "F64": return .float64
        default: return nil
        }
    }

    /// Element type → safetensors dtype string.
    public static func dtypeName(_ t: ScalarType) -> String {
        switch t {
        case .bool: return "BOOL"
        case .int8: return "I8"
        case .uint8: return "U8"
        case .int16: return "I16"
        case .uint16: return "U16"
        case .int32: return "I32"
        case .uint32: return "U32"
        case .int64: return "I64"
        case .uint64: return "U64"
        case .float16: return "F16"
        case .bfloat16: return "BF16"
        case .float32: return "F32"
        case .float64: return "F64"
        }
    }

    /// Writes float32 tensors (`values` row-major with `shape`) atomically.
    public static func write(_ tensors: [(name: String, shape: [Int], values: [Float])], metadata: [String: String] = [:], to url: URL) throws {
        try write(tensors: tensors.map { SafetensorsTensor(name: $0.name, shape: $0.shape, floats: $0.values) }, metadata: metadata, to: url)
    }

    /// Writes tensors of any dtype atomically. Tensors are laid out in name order; the header is
    /// padded with spaces to a multiple of 8 bytes (as the reference writer does).
    public static func write(tensors: [SafetensorsTensor], metadata: [String: String] = [:], to url: URL) throws {
        try AtomicFile.write(try encode(tensors: tensors, metadata: metadata, location: url.path), to: url)
    }

    /// Encodes tensors as safetensors bytes.
    public static func encode(tensors: [SafetensorsTensor], metadata: [String: String] = [:], location: String = "safetensors") throws -> Data {
        var header = JSONObject()
        if !metadata.isEmpty {
            var m = JSONObject()
            for k in metadata.keys.sorted() { m[k] = .string(metadata[k]!) }
            header["__metadata__"] = .object(m)
        }
        let sorted = tensors.sorted { $0.name < $1.name }
        var offset = 0
        var seen = Set<String>()
        for t in sorted {
            guard t.name != "__metadata__" else { throw EngramError(location, "'__metadata__' is reserved and cannot name a tensor") }
            guard seen.insert(t.name).inserted else { throw EngramError(location, "duplicate tensor name '\(t.name)'") }
            let n = try checkedElementCount(t.shape, location: "\(location): tensor '\(t.name)'")
            guard t.data.count == n * t.dtype.byteSize else {
                throw EngramError("\(location): tensor '\(t.name)'", "shape \(t.shape) needs \(n * t.dtype.byteSize) bytes of \(dtypeName(t.dtype)), got \(t.data.count)")
            }
            header[t.name] = .object(JSONObject([
                ("dtype", .string(dtypeName(t.dtype))),
                ("shape", .array(t.shape.map { .int(Int64($0)) })),
                ("data_offsets", .array([.int(Int64(offset)), .int(Int64(offset + t.data.count))])),
            ]))
            offset += t.data.count
        }
        var json = Array(JSON.serialize(.object(header), indent: nil, sortKeys: false).utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: json)
        for t in sorted { out.append(t.data) }
        return out
    }
}
