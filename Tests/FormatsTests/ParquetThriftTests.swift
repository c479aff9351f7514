import EngramCore
import Foundation
import TestSupport
import XCTest
@testable import Formats

/// Thrift compact protocol: byte-exact encodings from the protocol description, round trips of
/// the Parquet structures, forward compatibility (unknown fields skipped) and hostile input.
final class ParquetThriftTests: XCTestCase {
    private func decode<T>(_ bytes: [UInt8], _ body: (inout ThriftCompactReader) throws -> T) throws -> T {
        try bytes.withUnsafeBytes { raw in
            var r = ThriftCompactReader(raw, location: "meta.bin")
            return try body(&r)
        }
    }

    func testByteExactSchemaElement() throws {
        var e = ParquetFormat.SchemaElement(name: "a")
        e.type = 1
        var w = ThriftCompactWriter()
        ParquetFormat.encode(e, into: &w)
        // field 1 (delta 1, i32=5): 0x15, zigzag(1)=2; field 4 (delta 3, binary=8): 0x38, len 1, "a"; stop.
        XCTAssertEqual(w.bytes, [0x15, 0x02, 0x38, 0x01, 0x61, 0x00])
        XCTAssertEqual(try decode(w.bytes) { try ParquetFormat.decodeSchemaElement(&$0) }, e)
    }

    func testVarintAndZigzag() throws {
        var w = ThriftCompactWriter()
        w.writeI64(-1); w.writeI64(1); w.writeI64(.min); w.writeI32(-64); w.writeI32(.max)
        // zigzag: -1 → 1, 1 → 2, min → 2^64 - 1 (ten bytes), -64 → 127, Int32.max → 2^32 - 2.
        XCTAssertEqual(Array(w.bytes.prefix(2)), [0x01, 0x02])
        XCTAssertEqual(w.bytes.count, 2 + 10 + 1 + 5)
        let v = try decode(w.bytes) { r in [try r.readI64(), try r.readI64(), try r.readI64(), Int64(try r.readI32()), Int64(try r.readI32())] }
        XCTAssertEqual(v, [-1, 1, .min, -64, Int64(Int32.max)])
    }

    func testFileMetaDataRoundTrip() throws {
        var m = ParquetFormat.FileMetaData()
        m.version = 2
        var root = ParquetFormat.SchemaElement(name: "schema")
        root.numChildren = 2
        var a = ParquetFormat.SchemaElement(name: "größe")
        a.type = 6; a.repetitionType = 1; a.convertedType = 0; a.logicalType = .string
        var b = ParquetFormat.SchemaElement(name: "n")
        b.type = 1; b.logicalType = .integer(bitWidth: 16, isSigned: false)
        m.schema = [root, a, b]
        m.numRows = 1 << 40
        var cm = ParquetFormat.ColumnMetaData()
        cm.type = 6; cm.encodings = [0, 3, 8]; cm.pathInSchema = ["größe"]; cm.codec = 1; cm.numValues = 7
        cm.totalUncompressedSize = 100; cm.totalCompressedSize = 90; cm.dataPageOffset = 4; cm.dictionaryPageOffset = 4
        var st = ParquetFormat.Statistics()
        st.nullCount = 0; st.minValue = [1, 2]; st.maxValue = [3]
        cm.statistics = st
        var cc = ParquetFormat.ColumnChunk()
        cc.fileOffset = 4; cc.metaData = cm
        var g = ParquetFormat.RowGroup()
        g.columns = Array(repeating: cc, count: 20)  // long list header form (≥ 15 elements)
        g.numRows = 7; g.totalByteSize = 100; g.ordinal = 3; g.fileOffset = 4; g.totalCompressedSize = 90
        m.rowGroups = [g, g]
        m.keyValueMetadata = [.init(key: "k", value: "v"), .init(key: "only", value: nil)]
        m.createdBy = "test"
        m.columnOrderCount = 2
        var w = ThriftCompactWriter()
        ParquetFormat.encode(m, into: &w)
        XCTAssertEqual(try decode(w.bytes) { try ParquetFormat.decodeFileMetaData(&$0) }, m)
    }

    func testPageHeaderRoundTrip() throws {
        var h = ParquetFormat.PageHeader()
        h.type = 3; h.uncompressedPageSize = 1000; h.compressedPageSize = 900; h.crc = -5
        var v2 = ParquetFormat.DataPageHeaderV2()
        v2.numValues = 10; v2.numRows = 10; v2.encoding = 8; v2.definitionLevelsByteLength = 3; v2.isCompressed = false
        h.dataPageHeaderV2 = v2
        var w = ThriftCompactWriter()
        ParquetFormat.encode(h, into: &w)
        XCTAssertEqual(try decode(w.bytes) { try ParquetFormat.decodePageHeader(&$0) }, h)
    }

    /// A SchemaElement from a "future" writer: unknown fields of every wire type around known ones.
    func testUnknownFieldsOfEveryTypeAreSkipped() throws {
        var w = ThriftCompactWriter()
        w.beginStruct()
        w.field(1, Int32(2))                       // type = INT64
        w.field(2, true)                           // type_length is an i32, not a bool
        w.endStruct()
        // Wrong wire type for a known field is an error, not a silent skip.
        XCTAssertThrowsError(try decode(w.bytes) { try ParquetFormat.decodeSchemaElement(&$0) }) {
            XCTAssertTrue("\($0)".contains("meta.bin") && "\($0)".contains("expected i32"), "\($0)")
        }

        w = ThriftCompactWriter()
        w.beginStruct()
        w.field(1, Int32(2))
        w.field(4, "speaker_id")
        w.field(11, true)                                          // bool
        w.field(12, Int8(-3))                                      // byte
        w.writeFieldHeader(13, .i16); w.writeI32(300)              // i16
        w.field(14, Int64.min)                                     // i64
        w.writeFieldHeader(15, .double); w.writeDouble(1.0)
        w.field(40, [UInt8](repeating: 7, count: 20))              // long-form header (delta > 15), binary
        w.fieldList(41, .structure, [1, 2]) { w, x in w.beginStruct(); w.field(1, Int32(x)); w.fieldStruct(2) { $0.field(1, "deep") }; w.endStruct() }
        w.fieldList(42, .boolTrue, [true, false, true]) { w, x in w.writeByte(x ? 1 : 2) }
        w.writeFieldHeader(43, .set); w.writeListHeader(.i64, count: 16); for k in 0..<16 { w.writeI64(Int64(k)) }
        w.writeFieldHeader(44, .map); w.writeVarint(2); w.writeByte(0x85)  // map<binary, i32>
        w.writeString("x"); w.writeI32(1); w.writeString("y"); w.writeI32(2)
        w.writeFieldHeader(45, .map); w.writeVarint(0)                    // empty map
        w.fieldStruct(46) { w in w.fieldStruct(1) { w in w.fieldList(1, .binary, ["a", "b"]) { $0.writeString($1) } } }
        w.writeFieldHeader(5, .i32); w.writeI32(0)                 // known field after unknown ones (negative delta → long form)
        w.endStruct()
        let e = try decode(w.bytes) { r -> ParquetFormat.SchemaElement in
            let e = try ParquetFormat.decodeSchemaElement(&r)
            XCTAssertEqual(r.remaining, 0)
            return e
        }
        XCTAssertEqual(e.type, 2)
        XCTAssertEqual(e.name, "speaker_id")
        XCTAssertEqual(e.numChildren, 0)
    }

    func testHostileInputThrowsWithOffset() throws {
        // 100 nested structs (field 1 of type struct, repeated): depth limit.
        let deep = [UInt8](repeating: 0x1c, count: 100) + [UInt8](repeating: 0, count: 101)
        XCTAssertThrowsError(try decode(deep) { try $0.skip(.structure) }) { XCTAssertTrue("\($0)".contains("nesting deeper"), "\($0)") }
        // List claiming 1 000 000 elements in 5 bytes.
        XCTAssertThrowsError(try decode([0xf5, 0xc0, 0x84, 0x3d]) { try $0.readList(.list) { r, t in try r.readI32(t) } }) {
            XCTAssertTrue("\($0)".contains("cannot fit"), "\($0)")
        }
        // Binary longer than the buffer.
        XCTAssertThrowsError(try decode([0x48, 0x7f, 0x61]) { r in try r.readStruct { r, _, t in _ = try r.readBinary(t); return true } }) {
            XCTAssertTrue("\($0)".contains("byte 2") && "\($0)".contains("runs past the end"), "\($0)")
        }
        // Varint of 11 bytes.
        XCTAssertThrowsError(try decode([UInt8](repeating: 0xff, count: 11)) { _ = try $0.readI64() }) {
            XCTAssertTrue("\($0)".contains("varint longer"), "\($0)")
        }
        // Missing required field.
        XCTAssertThrowsError(try decode([0x15, 0x02, 0x00]) { try ParquetFormat.decodeSchemaElement(&$0) }) {
            XCTAssertTrue("\($0)".contains("lacks required field name"), "\($0)")
        }
        // Unknown wire type 13.
        XCTAssertThrowsError(try decode([0x1d, 0x00]) { try $0.skip(.structure) }) { XCTAssertTrue("\($0)".contains("unknown wire type"), "\($0)") }
    }
}
