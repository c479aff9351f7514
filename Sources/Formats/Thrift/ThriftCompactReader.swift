import EngramCore

/// Wire types of the Thrift compact protocol (the low nibble of a field header).
public enum ThriftType: UInt8, CustomStringConvertible {
    case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7
    case binary = 8, list = 9, set = 10, map = 11, structure = 12

    public var description: String {
        switch self {
        case .stop: return "stop"
        case .boolTrue, .boolFalse: return "bool"
        case .byte: return "byte"
        case .i16: return "i16"
        case .i32: return "i32"
        case .i64: return "i64"
        case .double: return "double"
        case .binary: return "binary"
        case .list: return "list"
        case .set: return "set"
        case .map: return "map"
        case .structure: return "struct"
        }
    }
}

/// Reads Thrift compact-protocol values from a byte buffer (as Parquet stores its footer and page
/// headers). Every read is bounds-checked; malformed input throws an `EngramError` naming
/// `location` and the absolute byte offset (`baseOffset` + position in the buffer).
/// The buffer must outlive the reader.
public struct ThriftCompactReader {
    public let bytes: UnsafeRawBufferPointer
    /// Position of the next byte to read, relative to `bytes`.
    public var position: Int
    /// Offset of `bytes` inside the file, so error offsets are file offsets.
    public let baseOffset: Int
    public let location: String
    /// Nesting limit for structs/lists/maps (guards the stack against hostile input).
    public static let maxDepth = 64
    private var depth = 0

    public init(_ bytes: UnsafeRawBufferPointer, baseOffset: Int = 0, location: String) {
        self.bytes = bytes
        self.position = 0
        self.baseOffset = baseOffset
        self.location = location
    }

    public var remaining: Int { bytes.count - position }

    /// An error at the current position.
    public func error(_ message: String) -> EngramError {
        EngramError(location, "corrupt Thrift metadata at byte \(baseOffset + position): \(message)")
    }

    // MARK: Primitives

    public mutating func readByte() throws -> UInt8 {
        guard position < bytes.count else { throw error("unexpected end of data") }
        let b = bytes[position]
        position += 1
        return b
    }

    /// Unsigned LEB128 varint of at most `maxBits` bits.
    public mutating func readVarint(maxBits: Int = 64) throws -> UInt64 {
        var value: UInt64 = 0
        var shift = 0
        while true {
            guard shift < maxBits else { throw error("varint longer than \(maxBits) bits") }
            let b = try readByte()
            let payload = UInt64(b & 0x7f)
            if maxBits - shift < 7 && payload >> UInt64(maxBits - shift) != 0 {
                throw error("varint longer than \(maxBits) bits")
            }
            value |= payload << UInt64(shift)
            if b & 0x80 == 0 { return value }
            shift += 7
        }
    }

    @inline(__always) static func zigzag(_ v: UInt64) -> Int64 {
        Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    public mutating func readI16() throws -> Int16 {
        let v = Self.zigzag(try readVarint(maxBits: 16))
        return Int16(truncatingIfNeeded: v)
    }

    public mutating func readI32() throws -> Int32 {
        Int32(truncatingIfNeeded: Self.zigzag(try readVarint(maxBits: 32)))
    }

    public mutating func readI64() throws -> Int64 {
        Self.zigzag(try readVarint(maxBits: 64))
    }

    public mutating func readDouble() throws -> Double {
        guard remaining >= 8 else { throw error("unexpected end of data in a double") }
        let v = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return Double(bitPattern: UInt64(littleEndian: v))
    }

    /// A length-prefixed byte string.
    public mutating func readBinary() throws -> [UInt8] {
        let n = try readLength()
        defer { position += n }
        return Array(bytes[position..<position + n])
    }

    /// A length-prefixed UTF-8 string (invalid UTF-8 is an error).
    public mutating func readString() throws -> String {
        let n = try readLength()
        let start = position
        guard let s = String(validating: bytes[start..<start + n], as: UTF8.self) else {
            throw error("string is not valid UTF-8")
        }
        position += n
        return s
    }

    /// A varint length that must fit in the remaining bytes.
    private mutating func readLength() throws -> Int {
        let n = try readVarint(maxBits: 32)
        guard n <= UInt64(remaining) else { throw error("length \(n) runs past the end of the data (\(remaining) bytes left)") }
        return Int(n)
    }

    // MARK: Typed field values

    /// Fails unless the wire type of a field is the expected one.
    public func expect(_ type: ThriftType, _ expected: ThriftType...) throws {
        if expected.contains(type) { return }
        throw error("field has wire type \(type), expected \(expected.map(\.description).joined(separator: " or "))")
    }

    public mutating func readBool(_ type: ThriftType) throws -> Bool {
        try expect(type, .boolTrue, .boolFalse)
        return type == .boolTrue
    }

    public mutating func readI16(_ type: ThriftType) throws -> Int16 { try expect(type, .i16); return try readI16() }
    public mutating func readI32(_ type: ThriftType) throws -> Int32 { try expect(type, .i32); return try readI32() }
    public mutating func readI64(_ type: ThriftType) throws -> Int64 { try expect(type, .i64); return try readI64() }
    public mutating func readBinary(_ type: ThriftType) throws -> [UInt8] { try expect(type, .binary); return try readBinary() }
    public mutating func readString(_ type: ThriftType) throws -> String { try expect(type, .binary); return try readString() }

    /// A byte-sized field (Thrift `byte`/`i8`), stored raw.
    public mutating func readI8(_ type: ThriftType) throws -> Int8 {
        try expect(type, .byte)
        return Int8(bitPattern: try readByte())
    }

    // MARK: Containers

    /// Reads a struct: calls `field` for each field header with its id and wire type. `field`
    /// returns false for ids it does not know; those fields are skipped (forward compatibility).
    public mutating func readStruct(_ field: (inout ThriftCompactReader, Int16, ThriftType) throws -> Bool) throws {
        try enter()
        defer { depth -= 1 }
        var lastId: Int16 = 0
        while true {
            let header = try readByte()
            guard let type = ThriftType(rawValue: header & 0x0f) else { throw error("unknown wire type \(header & 0x0f)") }
            if type == .stop { return }
            let delta = Int16(header >> 4)
            let id: Int16
            if delta == 0 {
                id = try readI16()
            } else {
                let (sum, overflow) = lastId.addingReportingOverflow(delta)
                guard !overflow else { throw error("field id overflow") }
                id = sum
            }
            lastId = id
            if try !field(&self, id, type) {
                try skip(type)
            }
        }
    }

    /// Reads a list (or set) header: element type and count. The count is checked against the
    /// remaining bytes (each element takes at least one byte).
    public mutating func readListHeader(_ type: ThriftType) throws -> (ThriftType, Int) {
        try expect(type, .list, .set)
        let header = try readByte()
        guard let elem = ThriftType(rawValue: header & 0x0f), elem != .stop else {
            throw error("unknown list element type \(header & 0x0f)")
        }
        var count = Int(header >> 4)
        if count == 15 {
            count = Int(try readVarint(maxBits: 31))
        }
        guard count <= remaining else { throw error("list of \(count) elements cannot fit in \(remaining) bytes") }
        return (elem, count)
    }

    /// Reads a list, decoding each element with `element` (given the element wire type).
    public mutating func readList<T>(_ type: ThriftType, _ element: (inout ThriftCompactReader, ThriftType) throws -> T) throws -> [T] {
        let (elem, count) = try readListHeader(type)
        try enter()
        defer { depth -= 1 }
        var out: [T] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try element(&self, elem)) }
        return out
    }

    /// A bool as a list element: one byte (1 = true; 0 or 2 = false).
    public mutating func readListBool() throws -> Bool {
        let b = try readByte()
        guard b <= 2 else { throw error("invalid bool byte \(b)") }
        return b == 1
    }

    /// Skips one value of wire type `type`.
    public mutating func skip(_ type: ThriftType) throws {
        switch type {
        case .stop: throw error("unexpected stop")
        case .boolTrue, .boolFalse: return
        case .byte: _ = try readByte()
        case .i16, .i32, .i64: _ = try readVarint()
        case .double:
            guard remaining >= 8 else { throw error("unexpected end of data in a double") }
            position += 8
        case .binary: position += try readLength()
        case .list, .set:
            let (elem, count) = try readListHeader(type)
            try enter()
            defer { depth -= 1 }
            for _ in 0..<count { try skipElement(elem) }
        case .map:
            let count = Int(try readVarint(maxBits: 31))
            guard count > 0 else { return }
            guard count <= remaining else { throw error("map of \(count) entries cannot fit in \(remaining) bytes") }
            let kv = try readByte()
            guard let k = ThriftType(rawValue: kv >> 4), k != .stop, let v = ThriftType(rawValue: kv & 0x0f), v != .stop else {
                throw error("unknown map key/value types \(kv)")
            }
            try enter()
            defer { depth -= 1 }
            for _ in 0..<count {
                try skipElement(k)
                try skipElement(v)
            }
        case .structure:
            try readStruct { _, _, _ in false }
        }
    }

    /// Skips a container element (bools are one byte inside containers).
    private mutating func skipElement(_ type: ThriftType) throws {
        if type == .boolTrue || type == .boolFalse { _ = try readListBool() } else { try skip(type) }
    }

    private mutating func enter() throws {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
        depth += 1
    }
}
