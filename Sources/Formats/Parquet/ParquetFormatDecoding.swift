import EngramCore

/// Thrift compact decoding of the Parquet structures. Unknown fields are skipped; a missing
/// required field is an error naming the structure and field.
extension ParquetFormat {
    /// Tracks which required fields of a struct were seen.
    struct Required {
        let structName: String
        var missing: [Int16: String]
        init(_ structName: String, _ fields: [Int16: String]) { self.structName = structName; self.missing = fields }
        mutating func saw(_ id: Int16) { missing[id] = nil }
        func check(_ r: ThriftCompactReader) throws {
            if let (_, name) = missing.min(by: { $0.key < $1.key }) {
                throw r.error("\(structName) lacks required field \(name)")
            }
        }
    }

    static func decodeFileMetaData(_ r: inout ThriftCompactReader) throws -> FileMetaData {
        var m = FileMetaData()
        var req = Required("FileMetaData", [1: "version", 2: "schema", 3: "num_rows", 4: "row_groups"])
        try r.readStruct { r, id, t in
            req.saw(id)
            switch id {
            case 1: m.version = try r.readI32(t)
            case 2: m.schema = try r.readList(t) { r, e in try r.expect(e, .structure); return try decodeSchemaElement(&r) }
            case 3: m.numRows = try r.readI64(t)
            case 4: m.rowGroups = try r.readList(t) { r, e in try r.expect(e, .structure); return try decodeRowGroup(&r) }
            case 5: m.keyValueMetadata = try r.readList(t) { r, e in try r.expect(e, .structure); return try decodeKeyValue(&r) }
            case 6: m.createdBy = try r.readString(t)
            case 7:
                let orders: [Void] = try r.readList(t) { r, e in try r.expect(e, .structure); try r.skip(e) }
                m.columnOrderCount = orders.count
            default: return false
            }
            return true
        }
        try req.check(r)
        return m
    }

    static func decodeKeyValue(_ r: inout ThriftCompactReader) throws -> KeyValue {
        var key: String?
        var value: String?
        try r.readStruct { r, id, t in
            switch id {
            case 1: key = try r.readString(t)
            case 2: value = try r.readString(t)
            default: return false
            }
            return true
        }
        guard let key else { throw r.error("KeyValue lacks required field key") }
        return KeyValue(key: key, value: value)
    }

    static func decodeSchemaElement(_ r: inout ThriftCompactReader) throws -> SchemaElement {
        var e = SchemaElement(name: "")
        var req = Required("SchemaElement", [4: "name"])
        try r.readStruct { r, id, t in
            req.saw(id)
            switch id {
            case 1: e.type = try r.readI32(t)
            case 2: e.typeLength = try r.readI32(t)
            case 3: e.repetitionType = try r.readI32(t)
            case 4: e.name = try r.readString(t)
            case 5: e.numChildren = try r.readI32(t)
            case 6: e.convertedType = try r.readI32(t)
            case 10: try r.expect(t, .structure); e.logicalType = try decodeLogicalType(&r)
            default: return false
            }
            return true
        }
        try req.check(r)
        return e
    }

    static func decodeLogicalType(_ r: inout ThriftCompactReader) throws -> LogicalType? {
        var lt: LogicalType?
        try r.readStruct { r, id, t in
            switch id {
            case 1: lt = .string
            case 2: lt = .map
            case 3: lt = .list
            case 4: lt = .enumType
            case 5: lt = .decimal
            case 6: lt = .date
            case 7: lt = .time
            case 8: lt = .timestamp
            case 10:
                try r.expect(t, .structure)
                var width: Int8 = 0
                var signed = true
                try r.readStruct { r, id, t in
                    switch id {
                    case 1: width = try r.readI8(t)
                    case 2: signed = try r.readBool(t)
                    default: return false
                    }
                    return true
                }
                lt = .integer(bitWidth: width, isSigned: signed)
                return true
            case 11: lt = .unknown
            case 12: lt = .json
            case 13: lt = .bson
            case 14: lt = .uuid
            case 15: lt = .float16
            default: lt = .other(id)
            }
            return false  // skip the member's (parameter) struct
        }
        return lt
    }

    static func decodeRowGroup(_ r: inout ThriftCompactReader) throws -> RowGroup {
        var g = RowGroup()
        var req = Required("RowGroup", [1: "columns", 2: "total_byte_size", 3: "num_rows"])
        try r.readStruct { r, id, t in
            req.saw(id)
            switch id {
            case 1: g.columns = try r.readList(t) { r, e in try r.expect(e, .structure); return try decodeColumnChunk(&r) }
            case 2: g.totalByteSize = try r.readI64(t)
            case 3: g.numRows = try r.readI64(t)
            case 5: g.fileOffset = try r.readI64(t)
            case 6: g.totalCompressedSize = try r.readI64(t)
            case 7: g.ordinal = try r.readI16(t)
            default: return false
            }
            return true
        }
        try req.check(r)
        return g
    }

    static func decodeColumnChunk(_ r: inout ThriftCompactReader) throws -> ColumnChunk {
        var c = ColumnChunk()
        try r.readStruct { r, id, t in
            switch id {
            case 1: c.filePath = try r.readString(t)
            case 2: c.fileOffset = try r.readI64(t)
            case 3: try r.expect(t, .structure); c.metaData = try decodeColumnMetaData(&r)
            default: return false
            }
            return true
        }
        return c
    }

    static func decodeColumnMetaData(_ r: inout ThriftCompactReader) throws -> ColumnMetaData {
        var m = ColumnMetaData()
        var req = Required("ColumnMetaData", [1: "type", 2: "encodings", 3: "path_in_schema", 4: "codec", 5: "num_values",
                                              6: "total_uncompressed_size", 7: "total_compressed_size", 9: "data_page_offset"])
        try r.readStruct { r, id, t in
            req.saw(id)
            switch id {
            case 1: m.type = try r.readI32(t)
            case 2: m.encodings = try r.readList(t) { r, e in try r.readI32(e) }
            case 3: m.pathInSchema = try r.readList(t) { r, e in try r.readString(e) }
            case 4: m.codec = try r.readI32(t)
            case 5: m.numValues = try r.readI64(t)
            case 6: m.totalUncompressedSize = try r.readI64(t)
            case 7: m.totalCompressedSize = try r.readI64(t)
            case 9: m.dataPageOffset = try r.readI64(t)
            case 10: m.indexPageOffset = try r.readI64(t)
            case 11: m.dictionaryPageOffset = try r.readI64(t)
            case 12: try r.expect(t, .structure); m.statistics = try decodeStatistics(&r)
            default: return false
            }
            return true
        }
        try req.check(r)
        return m
    }

    static func decodeStatistics(_ r: inout ThriftCompactReader) throws -> Statistics {
        var s = Statistics()
        try r.readStruct { r, id, t in
            switch id {
            case 1: s.max = try r.readBinary(t)
            case 2: s.min = try r.readBinary(t)
            case 3: s.nullCount = try r.readI64(t)
            case 4: s.distinctCount = try r.readI64(t)
            case 5: s.maxValue = try r.readBinary(t)
            case 6: s.minValue = try r.readBinary(t)
            default: return false
            }
            return true
        }
        return s
    }

    static func decodePageHeader(_ r: inout ThriftCompactReader) throws -> PageHeader {
        var h = PageHeader()
        var req = Required("PageHeader", [1: "type", 2: "uncompressed_page_size", 3: "compressed_page_size"])
        try r.readStruct { r, id, t in
            req.saw(id)
            switch id {
            case 1: h.type = try r.readI32(t)
            case 2: h.uncompressedPageSize = try r.readI32(t)
            case 3: h.compressedPageSize = try r.readI32(t)
            case 4: h.crc = try r.readI32(t)
            case 5: try r.expect(t, .structure); h.dataPageHeader = try decodeDataPageHeader(&r)
            case 7: try r.expect(t, .structure); h.dictionaryPageHeader = try decodeDictionaryPageHeader(&r)
            case 8: try r.expect(t, .structure); h.dataPageHeaderV2 = try decodeDataPageHeaderV2(&r)
            default: return false
            }
            return true
        }
        try req.check(r)
        return h
    }

    static func decodeDataPageHeader(_ r: inout ThriftCompactReader) throws -> DataPageHeader {
        var h = DataPageHeader()
        var req = Required("DataPageHeader", [1: "num_values", 2: "encoding", 3: "definition_level_encoding", 4: "repetition_level_encoding"])
        try r.readStruct { r, id, t in
            req.saw(id)
            switch id {
            case 1: h.numValues = try r.readI32(t)
            case 2: h.encoding = try r.readI32(t)
            case 3: h.definitionLevelEncoding = try r.readI32(t)
            case 4: h.repetitionLevelEncoding = try r.readI32(t)
            case 5: try r.expect(t, .structure); h.statistics = try decodeStatistics(&r)
            default: return false
            }
            return true
        }
        try req.check(r)
        return h
    }

    static func decodeDictionaryPageHeader(_ r: inout ThriftCompactReader) throws -> DictionaryPageHeader {
        var h = DictionaryPageHeader()
        var req = Required("DictionaryPageHeader", [1: "num_values", 2: "encoding"])
        try r.readStruct { r, id, t in
            req.saw(id)
            switch id {
            case 1: h.numValues = try r.readI32(t)
            case 2: h.encoding = try r.readI32(t)
            case 3: h.isSorted = try r.readBool(t)
            default: return false
            }
            return true
        }
        try req.check(r)
        return h
    }

    static func decodeDataPageHeaderV2(_ r: inout ThriftCompactReader) throws -> DataPageHeaderV2 {
        var h = DataPageHeaderV2()
        var req = Required("DataPageHeaderV2", [1: "num_values", 2: "num_nulls", 3: "num_rows", 4: "encoding",
                                                5: "definition_levels_byte_length", 6: "repetition_levels_byte_length"])
        try r.readStruct { r, id, t in
            req.saw(id)
            switch id {
            case 1: h.numValues = try r.readI32(t)
            case 2: h.numNulls = try r.readI32(t)
            case 3: h.numRows = try r.readI32(t)
            case 4: h.encoding = try r.readI32(t)
            case 5: h.definitionLevelsByteLength = try r.readI32(t)
            case 6: h.repetitionLevelsByteLength = try r.readI32(t)
            case 7: h.isCompressed = try r.readBool(t)
            case 8: try r.expect(t, .structure); h.statistics = try decodeStatistics(&r)
            default: return false
            }
            return true
        }
        try req.check(r)
        return h
    }
}
