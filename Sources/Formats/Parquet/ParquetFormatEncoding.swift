/// Thrift compact encoding of the Parquet structures (fields in increasing id order).
extension ParquetFormat {
    static func encode(_ m: FileMetaData, into w: inout ThriftCompactWriter) {
        w.beginStruct()
        w.field(1, m.version)
        w.fieldList(2, .structure, m.schema) { w, e in encode(e, into: &w) }
        w.field(3, m.numRows)
        w.fieldList(4, .structure, m.rowGroups) { w, g in encode(g, into: &w) }
        if let kv = m.keyValueMetadata {
            w.fieldList(5, .structure, kv) { w, p in
                w.beginStruct()
                w.field(1, p.key)
                if let v = p.value { w.field(2, v) }
                w.endStruct()
            }
        }
        if let c = m.createdBy { w.field(6, c) }
        if let n = m.columnOrderCount {
            // ColumnOrder union, member 1 = TYPE_ORDER (an empty struct).
            w.fieldList(7, .structure, Array(repeating: (), count: n)) { w, _ in
                w.beginStruct()
                w.fieldStruct(1) { _ in }
                w.endStruct()
            }
        }
        w.endStruct()
    }

    static func encode(_ e: SchemaElement, into w: inout ThriftCompactWriter) {
        w.beginStruct()
        if let v = e.type { w.field(1, v) }
        if let v = e.typeLength { w.field(2, v) }
        if let v = e.repetitionType { w.field(3, v) }
        w.field(4, e.name)
        if let v = e.numChildren { w.field(5, v) }
        if let v = e.convertedType { w.field(6, v) }
        if let lt = e.logicalType {
            w.fieldStruct(10) { w in
                switch lt {
                case .string: w.fieldStruct(1) { _ in }
                case let .integer(width, signed):
                    w.fieldStruct(10) { w in
                        w.field(1, width)
                        w.field(2, signed)
                    }
                default: preconditionFailure("writer emits only STRING and INTEGER logical types")
                }
            }
        }
        w.endStruct()
    }

    static func encode(_ g: RowGroup, into w: inout ThriftCompactWriter) {
        w.beginStruct()
        w.fieldList(1, .structure, g.columns) { w, c in encode(c, into: &w) }
        w.field(2, g.totalByteSize)
        w.field(3, g.numRows)
        if let v = g.fileOffset { w.field(5, v) }
        if let v = g.totalCompressedSize { w.field(6, v) }
        if let v = g.ordinal {
            w.writeFieldHeader(7, .i16)
            w.writeI32(Int32(v))
        }
        w.endStruct()
    }

    static func encode(_ c: ColumnChunk, into w: inout ThriftCompactWriter) {
        w.beginStruct()
        if let p = c.filePath { w.field(1, p) }
        w.field(2, c.fileOffset)
        if let m = c.metaData {
            w.fieldStruct(3) { w in encodeFields(m, into: &w) }
        }
        w.endStruct()
    }

    static func encodeFields(_ m: ColumnMetaData, into w: inout ThriftCompactWriter) {
        w.field(1, m.type)
        w.fieldList(2, .i32, m.encodings) { w, e in w.writeI32(e) }
        w.fieldList(3, .binary, m.pathInSchema) { w, s in w.writeString(s) }
        w.field(4, m.codec)
        w.field(5, m.numValues)
        w.field(6, m.totalUncompressedSize)
        w.field(7, m.totalCompressedSize)
        w.field(9, m.dataPageOffset)
        if let v = m.indexPageOffset { w.field(10, v) }
        if let v = m.dictionaryPageOffset { w.field(11, v) }
        if let s = m.statistics { w.fieldStruct(12) { w in encodeFields(s, into: &w) } }
    }

    static func encodeFields(_ s: Statistics, into w: inout ThriftCompactWriter) {
        if let v = s.max { w.field(1, v) }
        if let v = s.min { w.field(2, v) }
        if let v = s.nullCount { w.field(3, v) }
        if let v = s.distinctCount { w.field(4, v) }
        if let v = s.maxValue { w.field(5, v) }
        if let v = s.minValue { w.field(6, v) }
    }

    static func encode(_ h: PageHeader, into w: inout ThriftCompactWriter) {
        w.beginStruct()
        w.field(1, h.type)
        w.field(2, h.uncompressedPageSize)
        w.field(3, h.compressedPageSize)
        if let v = h.crc { w.field(4, v) }
        if let d = h.dataPageHeader {
            w.fieldStruct(5) { w in
                w.field(1, d.numValues)
                w.field(2, d.encoding)
                w.field(3, d.definitionLevelEncoding)
                w.field(4, d.repetitionLevelEncoding)
                if let s = d.statistics { w.fieldStruct(5) { w in encodeFields(s, into: &w) } }
            }
        }
        if let d = h.dictionaryPageHeader {
            w.fieldStruct(7) { w in
                w.field(1, d.numValues)
                w.field(2, d.encoding)
                if let v = d.isSorted { w.field(3, v) }
            }
        }
        if let d = h.dataPageHeaderV2 {
            w.fieldStruct(8) { w in
                w.field(1, d.numValues)
                w.field(2, d.numNulls)
                w.field(3, d.numRows)
                w.field(4, d.encoding)
                w.field(5, d.definitionLevelsByteLength)
                w.field(6, d.repetitionLevelsByteLength)
                w.field(7, d.isCompressed)
                if let s = d.statistics { w.fieldStruct(8) { w in encodeFields(s, into: &w) } }
            }
        }
        w.endStruct()
    }
}
