import EngramCore
import Foundation

/// A chunk codec named in `.zarray` `compressor`.
public enum ZarrCompressor: Equatable, Sendable {
    /// numcodecs `Blosc`: `cname` lz4 / lz4hc are decoded (others raise a clear error);
    /// written as lz4.
    case blosc(cname: String, clevel: Int, shuffle: BloscShuffle, blocksize: Int)
    /// numcodecs `LZ4`: uint32 LE decompressed size, then one LZ4 block.
    case lz4(acceleration: Int)

    /// zarr-python 2's default: `Blosc(cname='lz4', clevel=5, shuffle=SHUFFLE, blocksize=0)`.
    public static let zarrDefault = ZarrCompressor.blosc(cname: "lz4", clevel: 5, shuffle: .byteShuffle, blocksize: 0)

    var json: JSONValue {
        switch self {
        case let .blosc(cname, clevel, shuffle, blocksize):
            return .object(JSONObject([("blocksize", .int(Int64(blocksize))), ("clevel", .int(Int64(clevel))),
                                       ("cname", .string(cname)), ("id", .string("blosc")), ("shuffle", .int(Int64(shuffle.rawValue)))]))
        case let .lz4(acceleration):
            return .object(JSONObject([("acceleration", .int(Int64(acceleration))), ("id", .string("lz4"))]))
        }
    }

    init?(json: JSONValue, location: String) throws {
        if json.isNull { return nil }
        guard let o = json.objectValue, let id = o["id"]?.stringValue else {
            throw EngramError(location, "'compressor' must be null or an object with an 'id'")
        }
        switch id {
        case "blosc":
            let cname = o["cname"]?.stringValue ?? "lz4"
            let shuffleCode = o["shuffle"]?.intValue ?? 1
            // numcodecs' AUTOSHUFFLE (-1) means bit shuffle for 1-byte types, byte shuffle otherwise;
            // the chunk header records which one was used, and decoding follows the header.
            let shuffle = BloscShuffle(rawValue: shuffleCode) ?? (shuffleCode == -1 ? .byteShuffle : nil)
            guard let shuffle else { throw EngramError(location, "Blosc shuffle \(shuffleCode) is not 0, 1, 2 or -1") }
            self = .blosc(cname: cname, clevel: o["clevel"]?.intValue ?? 5, shuffle: shuffle, blocksize: o["blocksize"]?.intValue ?? 0)
        case "lz4":
            self = .lz4(acceleration: o["acceleration"]?.intValue ?? 1)
        default:
            throw EngramError(location, "unsupported Zarr compressor '\(id)' (supported: null, blosc with lz4/lz4hc, lz4)")
        }
    }
}

/// Array fill value: used for chunks that are missing and to pad edge chunks on write.
public enum ZarrFillValue: Equatable, Sendable {
    case none
    case float(Double)
    case int(Int64)
    case bool(Bool)

    /// Equality where NaN equals NaN (a fill value of NaN is one well-defined setting).
    public static func == (a: ZarrFillValue, b: ZarrFillValue) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case let (.float(x), .float(y)): return x == y || (x.isNaN && y.isNaN)
        case let (.int(x), .int(y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        default: return false
        }
    }

    /// Value as Double (NaN/±inf preserved; none → 0).
    var doubleValue: Double {
        switch self {
        case .none: return 0
        case .float(let d): return d
        case .int(let i): return Double(i)
        case .bool(let b): return b ? 1 : 0
        }
    }

    /// JSON as zarr-python 2 writes it: "NaN" / "Infinity" / "-Infinity" strings for non-finite floats.
    func json(for dtype: ScalarType) -> JSONValue {
        switch self {
        case .none: return .null
        case .bool(let b): return dtype == .bool ? .bool(b) : .int(b ? 1 : 0)
        case .int(let i): return dtype.isFloatingPoint ? .double(Double(i)) : .int(i)
        case .float(let d):
            if d.isNaN { return .string("NaN") }
            if d.isInfinite { return .string(d > 0 ? "Infinity" : "-Infinity") }
            if dtype == .bool { return .bool(d != 0) }
            if !dtype.isFloatingPoint, let i = Int64(exactly: d) { return .int(i) }
            return .double(d)
        }
    }

    init(json: JSONValue, dtype: ScalarType, location: String) throws {
        switch json {
        case .null: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = dtype.isFloatingPoint ? .float(Double(i)) : .int(i)
        case .double(let d): self = .float(d)
        case .string(let s):
            switch s {
            case "NaN": self = .float(.nan)
            case "Infinity": self = .float(.infinity)
            case "-Infinity": self = .float(-.infinity)
            default: throw EngramError(location, "unsupported fill_value \"\(s)\" (expected a number, NaN, Infinity, -Infinity, a bool or null)")
            }
        default:
            throw EngramError(location, "unsupported fill_value \(JSON.serialize(json, indent: nil))")
        }
    }

    /// One element's little-endian bytes.
    func bytes(for dtype: ScalarType) -> [UInt8] {
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        let d = doubleValue
        let i: Int64 = {
            if case .int(let x) = self { return x }
            return d.isFinite ? Int64(max(min(d, 9.2e18), -9.2e18)) : 0
        }()
        switch dtype {
        case .bool: return [d != 0 ? 1 : 0]
        case .int8: return le(Int8(truncatingIfNeeded: i))
        case .uint8: return le(UInt8(truncatingIfNeeded: i))
        case .int16: return le(Int16(truncatingIfNeeded: i))
        case .uint16: return le(UInt16(truncatingIfNeeded: i))
        case .int32: return le(Int32(truncatingIfNeeded: i))
        case .uint32: return le(UInt32(truncatingIfNeeded: i))
        case .int64: return le(i)
        case .uint64: return le(UInt64(truncatingIfNeeded: i))
        case .float16: return le(halfBitsFromFloat(Float(d)))
        case .bfloat16: return le(bfloat16BitsFromFloat(Float(d)))
        case .float32: return le(Float(d).bitPattern)
        case .float64: return le(d.bitPattern)
        }
    }
}

/// The `.zarray` document of a Zarr v2 array (C order, no filters).
public struct ZarrArrayMetadata: Equatable, Sendable {
    public var shape: [Int]
    public var chunks: [Int]
    public var dtype: ScalarType
    /// True when the stored elements are big-endian ('>'); converted on read.
    public var bigEndian: Bool = false
    public var compressor: ZarrCompressor?
    public var fillValue: ZarrFillValue
    /// "." (default) or "/": separator between chunk indices in chunk keys.
    public var dimensionSeparator: String

    public init(shape: [Int], chunks: [Int], dtype: ScalarType, compressor: ZarrCompressor? = .zarrDefault,
                fillValue: ZarrFillValue = .float(0), dimensionSeparator: String = ".") {
        self.shape = shape
        self.chunks = chunks
        self.dtype = dtype
        self.compressor = compressor
        self.fillValue = fillValue
        self.dimensionSeparator = dimensionSeparator
    }

    /// Number of chunks along each dimension.
    public var chunkGrid: [Int] { zip(shape, chunks).map { s, c in (s + c - 1) / c } }
    /// Elements in one (full) chunk.
    public var chunkCount: Int { chunks.reduce(1, *) }
    public var count: Int { shape.reduce(1, *) }

    /// The key of a chunk relative to the array folder, e.g. "0.3" (or "0/3"); "0" for 0-d arrays.
    public func chunkKey(_ index: [Int]) -> String {
        index.isEmpty ? "0" : index.map(String.init).joined(separator: dimensionSeparator)
    }

    /// Parses and validates `.zarray` JSON.
    public init(json: JSONValue, location: String) throws {
        guard let o = json.objectValue else { throw EngramError(location, ".zarray is not a JSON object") }
        guard o["zarr_format"]?.intValue == 2 else {
            throw EngramError(location, "zarr_format is \(o["zarr_format"].map { JSON.serialize($0, indent: nil) } ?? "missing"), expected 2")
        }
        func ints(_ key: String) throws -> [Int] {
            guard let a = o[key]?.arrayValue else { throw EngramError(location, "'\(key)' must be an array of integers") }
            return try a.map { v in
                guard let i = v.intValue else { throw EngramError(location, "'\(key)' must be an array of integers") }
                return i
            }
        }
        shape = try ints("shape")
        chunks = try ints("chunks")
        guard shape.count == chunks.count else {
            throw EngramError(location, "'shape' has \(shape.count) dimensions but 'chunks' has \(chunks.count)")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw EngramError(location, "negative dimension in shape \(shape)") }
        guard chunks.allSatisfy({ $0 >= 1 }) else { throw EngramError(location, "chunk dimensions must be ≥ 1, got \(chunks)") }
        _ = try checkedElementCount(shape, location: location)
        let perChunk = try checkedElementCount(chunks, location: location)
        guard let dt = o["dtype"]?.stringValue else {
            throw EngramError(location, "'dtype' must be a type string such as \"<f4\" (structured dtypes are not supported)")
        }
        guard let (t, big) = NPYHeader.parseDescr(dt) else {
            throw EngramError(location, "unsupported dtype '\(dt)' (supported: |b1 |i1 |u1 <i2 <u2 <i4 <u4 <i8 <u8 <f2 <f4 <f8)")
        }
        dtype = t
        bigEndian = big
        guard perChunk * t.byteSize < (1 << 31) else { throw EngramError(location, "chunks \(chunks) exceed 2 GB") }
        let order = o["order"]?.stringValue ?? "C"
        guard order == "C" else { throw EngramError(location, "order '\(order)' is not supported (only C order)") }
        if let f = o["filters"], !f.isNull, f.arrayValue?.isEmpty != true {
            throw EngramError(location, "filters \(JSON.serialize(f, indent: nil)) are not supported (only null)")
        }
        compressor = try ZarrCompressor(json: o["compressor"] ?? .null, location: location)
        fillValue = try ZarrFillValue(json: o["fill_value"] ?? .null, dtype: t, location: location)
        let sep = o["dimension_separator"]?.stringValue ?? "."
        guard sep == "." || sep == "/" else { throw EngramError(location, "dimension_separator '\(sep)' must be '.' or '/'") }
        dimensionSeparator = sep
    }

    /// `.zarray` JSON as zarr-python 2 writes it.
    public var json: JSONValue {
        var o = JSONObject()
        o["chunks"] = .array(chunks.map { .int(Int64($0)) })
        o["compressor"] = compressor?.json ?? .null
        if dimensionSeparator != "." { o["dimension_separator"] = .string(dimensionSeparator) }
        o["dtype"] = .string(NPYHeader.descr(dtype) ?? "<f4")
        o["fill_value"] = fillValue.json(for: dtype)
        o["filters"] = .null
        o["order"] = .string("C")
        o["shape"] = .array(shape.map { .int(Int64($0)) })
        o["zarr_format"] = .int(2)
        return .object(o)
    }
}
