/// Writes Thrift compact-protocol values into a growing byte array.
///
/// Usage: `w.beginStruct()`, then `w.field(id, value)` calls in increasing id order, `w.endStruct()`.
/// Nested structs: `w.fieldStruct(id) { … }`; lists: `w.fieldList(id, .i32, values) { w, v in … }`.
public struct ThriftCompactWriter {
    public private(set) var bytes: [UInt8] = []
    /// Last field id of each open struct (delta encoding of field headers is per struct).
    private var lastIds: [Int16] = []

    public init() {}

    // MARK: Primitives

    public mutating func writeByte(_ b: UInt8) { bytes.append(b) }

    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    @inline(__always) static func zigzag(_ v: Int64) -> UInt64 {
        UInt64(bitPattern: (v << 1) ^ (v >> 63))
    }

    public mutating func writeI32(_ v: Int32) { writeVarint(Self.zigzag(Int64(v))) }
    public mutating func writeI64(_ v: Int64) { writeVarint(Self.zigzag(v)) }

    public mutating func writeDouble(_ v: Double) {
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func writeBinary(_ b: [UInt8]) {
        writeVarint(UInt64(b.count))
        bytes.append(contentsOf: b)
    }

    public mutating func writeString(_ s: String) {
        writeVarint(UInt64(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }

    // MARK: Structs and fields

    public mutating func beginStruct() { lastIds.append(0) }

    public mutating func endStruct() {
        bytes.append(ThriftType.stop.rawValue)
        lastIds.removeLast()
    }

    /// Field header: short form (id delta 1…15 in the high nibble) when possible.
    public mutating func writeFieldHeader(_ id: Int16, _ type: ThriftType) {
        let last = lastIds[lastIds.count - 1]
        let delta = Int(id) - Int(last)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta << 4) | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            writeVarint(Self.zigzag(Int64(id)))
        }
        lastIds[lastIds.count - 1] = id
    }

    public mutating func field(_ id: Int16, _ v: Bool) { writeFieldHeader(id, v ? .boolTrue : .boolFalse) }
    public mutating func field(_ id: Int16, _ v: Int8) { writeFieldHeader(id, .byte); writeByte(UInt8(bitPattern: v)) }
    public mutating func field(_ id: Int16, _ v: Int32) { writeFieldHeader(id, .i32); writeI32(v) }
    public mutating func field(_ id: Int16, _ v: Int64) { writeFieldHeader(id, .i64); writeI64(v) }
    public mutating func field(_ id: Int16, _ v: [UInt8]) { writeFieldHeader(id, .binary); writeBinary(v) }
    public mutating func field(_ id: Int16, _ v: String) { writeFieldHeader(id, .binary); writeString(v) }

    /// A struct-valued field whose fields `body` writes.
    public mutating func fieldStruct(_ id: Int16, _ body: (inout ThriftCompactWriter) -> Void) {
        writeFieldHeader(id, .structure)
        beginStruct()
        body(&self)
        endStruct()
    }

    /// A list header: element type and count.
    public mutating func writeListHeader(_ elem: ThriftType, count: Int) {
        if count < 15 {
            bytes.append(UInt8(count << 4) | elem.rawValue)
        } else {
            bytes.append(0xf0 | elem.rawValue)
            writeVarint(UInt64(count))
        }
    }

    /// A list-valued field; `element` writes each value (for structs: `beginStruct`/…/`endStruct`).
    public mutating func fieldList<T>(_ id: Int16, _ elem: ThriftType, _ values: [T], _ element: (inout ThriftCompactWriter, T) -> Void) {
        writeFieldHeader(id, .list)
        writeListHeader(elem, count: values.count)
        for v in values { element(&self, v) }
    }
}
