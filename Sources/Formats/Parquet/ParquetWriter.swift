import Dispatch
import EngramCore
import Foundation

/// Page compression of written files.
public enum ParquetCompression: Sendable {
    case uncompressed
    case snappy
}

/// Writes flat tables as Parquet files readable by pandas/pyarrow: one REQUIRED leaf per column
/// (strings annotated STRING/UTF8), v1 data pages of about `pageSize` bytes, UNCOMPRESSED or
/// SNAPPY, row groups of `rowGroupSize` rows, per-chunk statistics (min/max/null_count).
/// With `dictionary` on (the default, like pyarrow), a column chunk whose values repeat enough is
/// dictionary-encoded (RLE_DICTIONARY); other chunks and booleans are PLAIN-encoded.
/// Column chunks are encoded in parallel; the bytes do not depend on it.
public enum ParquetWriter {
    /// pyarrow's default row-group length (rows).
    public static let defaultRowGroupSize = 1 << 20
    /// pyarrow's default data-page size (bytes, before compression).
    public static let defaultPageSize = 1 << 20
    /// Recorded in the footer's `created_by`.
    public static let createdBy = "EngramAudio parquet writer version 1.0.0"

    /// Writes `table` to `url` atomically (temporary sibling + rename).
    public static func write(_ table: ParquetTable, to url: URL, compression: ParquetCompression = .snappy,
                             rowGroupSize: Int = defaultRowGroupSize, pageSize: Int = defaultPageSize,
                             dictionary: Bool = true) throws {
        let data = try encodeData(table, compression: compression, rowGroupSize: rowGroupSize, pageSize: pageSize,
                                  dictionary: dictionary, path: url.path)
        try AtomicFile.write(data, to: url)
    }

    /// The bytes of a Parquet file holding `table`; `path` names the destination in errors.
    public static func encode(_ table: ParquetTable, compression: ParquetCompression = .snappy,
                              rowGroupSize: Int = defaultRowGroupSize, pageSize: Int = defaultPageSize,
                              dictionary: Bool = true, path: String = "parquet") throws -> [UInt8] {
        [UInt8](try encodeData(table, compression: compression, rowGroupSize: rowGroupSize, pageSize: pageSize,
                               dictionary: dictionary, path: path))
    }

    /// The bytes of a Parquet file holding `table`, as `Data` (built in place, no final copy).
    public static func encodeData(_ table: ParquetTable, compression: ParquetCompression = .snappy,
                                  rowGroupSize: Int = defaultRowGroupSize, pageSize: Int = defaultPageSize,
                                  dictionary: Bool = true, path: String = "parquet") throws -> Data {
        typealias F = ParquetFormat
        guard !table.columns.isEmpty else { throw EngramError(path, "cannot write a table without columns") }
        guard rowGroupSize >= 1 else { throw EngramError(path, "row-group size must be at least 1 (got \(rowGroupSize))") }
        guard pageSize >= 1, pageSize <= 1 << 30 else {
            throw EngramError(path, "page size must be between 1 byte and 1 GiB (got \(pageSize))")
        }
        let rows = table.rowCount
        var seen = Set<String>()
        for (name, values) in table.columns {
            guard !name.isEmpty else { throw EngramError(path, "column names must not be empty") }
            guard seen.insert(name).inserted else { throw EngramError(path, "duplicate column name '\(name)'") }
            guard values.count == rows else {
                throw EngramError(path, "column '\(name)' has \(values.count) rows, column '\(table.columns[0].name)' has \(rows)")
            }
        }

        // Encode all (row group, column) chunks independently.
        let groups = stride(from: 0, to: rows, by: rowGroupSize).map { $0..<min(rows, $0 + rowGroupSize) }
        let nc = table.columns.count
        var chunks = [ParquetColumnChunkWriter.Encoded?](repeating: nil, count: groups.count * nc)
        chunks.withUnsafeMutableBufferPointer { out in
            let out = out
            DispatchQueue.concurrentPerform(iterations: groups.count * nc) { j in
                let (g, c) = (j / nc, j % nc)
                let writer = ParquetColumnChunkWriter(name: table.columns[c].name, compression: compression, pageSize: pageSize,
                                                      dictionary: dictionary)
                out[j] = writer.encode(table.columns[c].values, rows: groups[g])
            }
        }

        var file = Data(capacity: chunks.reduce(64) { $0 + ($1?.bytes.count ?? 0) } + 4096)
        file.append(contentsOf: F.magic)
        var meta = F.FileMetaData()
        meta.version = 1
        meta.numRows = Int64(rows)
        meta.createdBy = createdBy
        meta.columnOrderCount = nc
        var root = F.SchemaElement(name: "schema")
        root.numChildren = Int32(nc)
        meta.schema = [root] + table.columns.map { schemaElement($0.name, $0.values) }
        for (g, range) in groups.enumerated() {
            var group = F.RowGroup()
            group.numRows = Int64(range.count)
            group.ordinal = Int16(truncatingIfNeeded: g)
            group.fileOffset = Int64(file.count)
            var compressed: Int64 = 0
            for c in 0..<nc {
                let chunk = chunks[g * nc + c]!
                var m = chunk.meta
                m.type = table.columns[c].values.physicalType.rawValue
                let chunkStart = Int64(file.count)
                m.dataPageOffset += chunkStart
                if let d = m.dictionaryPageOffset { m.dictionaryPageOffset = d + chunkStart }
                var cc = F.ColumnChunk()
                cc.fileOffset = chunkStart
                cc.metaData = m
                group.columns.append(cc)
                group.totalByteSize += m.totalUncompressedSize
                compressed += m.totalCompressedSize
                file.append(contentsOf: chunk.bytes)
                chunks[g * nc + c] = nil  // release as we go
            }
            group.totalCompressedSize = compressed
            meta.rowGroups.append(group)
        }
        var w = ThriftCompactWriter()
        F.encode(meta, into: &w)
        file.append(contentsOf: w.bytes)
        let len = UInt32(w.bytes.count)
        for k in 0..<4 { file.append(UInt8(truncatingIfNeeded: len >> UInt32(8 * k))) }
        file.append(contentsOf: F.magic)
        return file
    }

    static func schemaElement(_ name: String, _ values: ParquetColumn) -> ParquetFormat.SchemaElement {
        var e = ParquetFormat.SchemaElement(name: name)
        e.type = values.physicalType.rawValue
        e.repetitionType = ParquetFormat.Repetition.required.rawValue
        if case .string = values {
            e.convertedType = ParquetFormat.ConvertedType.utf8
            e.logicalType = .string
        }
        return e
    }
}
