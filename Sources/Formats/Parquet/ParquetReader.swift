import Dispatch
import EngramCore
import Foundation

/// Reads flat Parquet files (as written by pandas/pyarrow or `ParquetWriter`) into a `ParquetTable`.
///
/// Supported: BOOLEAN, INT32, INT64, FLOAT, DOUBLE and UTF-8 BYTE_ARRAY columns, REQUIRED or
/// OPTIONAL without nulls; PLAIN, dictionary (PLAIN_DICTIONARY / RLE_DICTIONARY) and RLE-boolean
/// encodings; data pages v1 and v2; UNCOMPRESSED and SNAPPY pages; any number of row groups.
/// Everything else (nulls, nested schemas, other codecs or encodings) is a clear error naming the
/// file and column. Column chunks are decoded in parallel; the result does not depend on it.
public enum ParquetReader {
    /// Reads the whole table, or only `columns` (in the file's order) when given.
    public static func read(_ url: URL, columns: [String]? = nil) throws -> ParquetTable {
        let file = try MappedFile(url)
        return try withExtendedLifetime(file) { try read(bytes: file.bytes, columns: columns, path: url.path) }
    }

    /// Reads a table from the bytes of a Parquet file; `path` names it in errors.
    public static func read(_ data: Data, columns: [String]? = nil, path: String) throws -> ParquetTable {
        try data.withUnsafeBytes { try read(bytes: $0, columns: columns, path: path) }
    }

    /// The decoded footer metadata (schema, row groups, statistics) without reading any pages.
    public static func metadata(_ url: URL) throws -> ParquetFormat.FileMetaData {
        let file = try MappedFile(url)
        return try withExtendedLifetime(file) { try footer(file.bytes, path: url.path).metadata }
    }

    /// Parses the footer: `…<FileMetaData><u32 length>PAR1`. Returns the metadata and where it starts.
    static func footer(_ bytes: UnsafeRawBufferPointer, path: String) throws -> (metadata: ParquetFormat.FileMetaData, start: Int) {
        let n = bytes.count
        guard n >= 12 else { throw EngramError(path, "not a Parquet file: only \(n) bytes") }
        guard Array(bytes[0..<4]) == ParquetFormat.magic else {
            throw EngramError(path, "not a Parquet file: does not start with PAR1")
        }
        let tail = Array(bytes[(n - 4)...])
        if tail == Array("PARE".utf8) { throw EngramError(path, "encrypted Parquet files are unsupported") }
        guard tail == ParquetFormat.magic else {
            throw EngramError(path, "not a Parquet file or truncated: does not end with PAR1")
        }
        let len = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: n - 8, as: UInt32.self)))
        guard len <= n - 12 else {
            throw EngramError(path, "footer length \(len) exceeds the file size \(n) (truncated file?)")
        }
        let start = n - 8 - len
        var r = ThriftCompactReader(UnsafeRawBufferPointer(rebasing: bytes[start..<(n - 8)]), baseOffset: start, location: path)
        let meta = try ParquetFormat.decodeFileMetaData(&r)
        return (meta, start)
    }

    /// - Parameter preallocationLimit: most values (rows × columns) allocated up front on the
    ///   footer's word; larger tables grow chunk by chunk (default: max(2^24, 256 × file size)).
    static func read(bytes: UnsafeRawBufferPointer, columns wanted: [String]?, path: String,
                     preallocationLimit: Int? = nil) throws -> ParquetTable {
        let (meta, footerStart) = try footer(bytes, path: path)
        let leaves = try ParquetFormat.flatLeaves(of: meta.schema, file: path)
        var selected = Array(leaves.indices)
        if let wanted {
            for name in wanted where !leaves.contains(where: { $0.name == name }) {
                throw EngramError(path, "no column '\(name)' (columns: \(leaves.map(\.name).joined(separator: ", ")))")
            }
            selected = selected.filter { wanted.contains(leaves[$0].name) }
        }
        // Validate row counts before decoding anything.
        var total: Int64 = 0
        for (g, group) in meta.rowGroups.enumerated() {
            guard group.numRows >= 0 else {
                throw EngramError(path, "row group \(g) has an invalid row count \(group.numRows)")
            }
            guard group.columns.count == leaves.count else {
                throw EngramError(path, "row group \(g) has \(group.columns.count) column chunks, schema has \(leaves.count) columns")
            }
            for (c, chunk) in group.columns.enumerated() {
                if let p = chunk.filePath { throw EngramError(path, "column '\(leaves[c].name)' is stored in another file (\(p)); unsupported") }
                guard let m = chunk.metaData else { throw EngramError(path, "row group \(g), column '\(leaves[c].name)' lacks its metadata") }
                guard m.pathInSchema == [leaves[c].name] else {
                    throw EngramError(path, "row group \(g), chunk \(c) has path \(m.pathInSchema), expected [\(leaves[c].name)]")
                }
            }
            let (sum, overflow) = total.addingReportingOverflow(group.numRows)
            guard !overflow else { throw EngramError(path, "row counts overflow") }
            total = sum
        }
        guard total == meta.numRows else {
            throw EngramError(path, "row groups hold \(total) rows, footer says \(meta.numRows)")
        }
        // Decode every (row group, column) chunk; chunks are independent.
        let jobs = meta.rowGroups.indices.flatMap { g in selected.map { (g, $0) } }
        func chunkReader(_ j: Int) -> ParquetColumnChunkReader {
            let (g, c) = jobs[j]
            return ParquetColumnChunkReader(file: bytes, dataEnd: footerStart, path: path, leaf: leaves[c],
                                            meta: meta.rowGroups[g].columns[c].metaData!, rowGroup: g,
                                            numRows: Int(meta.rowGroups[g].numRows))
        }
        let (values, overflow) = total.multipliedReportingOverflow(by: Int64(selected.count))
        if !overflow && values <= Int64(preallocationLimit ?? max(1 << 24, 256 * bytes.count)) {
            // Plausible size: decode straight into the final columns, each chunk into its rows.
            var rowStart = [Int](repeating: 0, count: meta.rowGroups.count)
            for g in 1..<max(1, meta.rowGroups.count) { rowStart[g] = rowStart[g - 1] + Int(meta.rowGroups[g - 1].numRows) }
            var columns = [ParquetColumnStorage?](repeating: nil, count: leaves.count)
            for c in selected { columns[c] = ParquetColumnStorage(kind: leaves[c].kind, count: Int(total)) }
            let storage = columns
            var errors = [Error?](repeating: nil, count: jobs.count)
            errors.withUnsafeMutableBufferPointer { errs in
                let errs = errs
                runParallel(jobs.count) { j in
                    do { try storage[jobs[j].1]!.decode(chunkReader(j), rowOffset: rowStart[jobs[j].0]) } catch { errs[j] = error }
                }
            }
            if let e = errors.first(where: { $0 != nil }) { throw e! }
            return ParquetTable(selected.map { c in (leaves[c].name, storage[c]!.take()) })
        }
        // Row counts too large to allocate up front on the footer's word: grow per chunk, then join.
        var results = [Result<ParquetColumn, Error>?](repeating: nil, count: jobs.count)
        results.withUnsafeMutableBufferPointer { out in
            let out = out
            runParallel(jobs.count) { j in out[j] = Result { try chunkReader(j).read() } }
        }
        var parts = [[ParquetColumn]](repeating: [], count: leaves.count)
        for (j, (_, c)) in jobs.enumerated() {
            parts[c].append(try results[j]!.get())
        }
        return ParquetTable(selected.map { c in (leaves[c].name, concatenate(parts[c], kind: leaves[c].kind)) })
    }

    /// Runs `body(0..<n)` on all cores (inline when there is a single job).
    static func runParallel(_ n: Int, _ body: (Int) -> Void) {
        if n == 1 { body(0) } else if n > 1 { DispatchQueue.concurrentPerform(iterations: n, execute: body) }
    }

    /// Joins the row-group parts of one column.
    static func concatenate(_ parts: [ParquetColumn], kind: ParquetValueKind) -> ParquetColumn {
        if parts.count == 1 { return parts[0] }
        func join<T>(_ extract: (ParquetColumn) -> [T]) -> [T] {
            var out: [T] = []
            out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
            for p in parts { out.append(contentsOf: extract(p)) }
            return out
        }
        switch kind {
        case .int32: return .int32(join { if case let .int32(v) = $0 { return v } else { return [] } })
        case .int64: return .int64(join { if case let .int64(v) = $0 { return v } else { return [] } })
        case .float: return .float(join { if case let .float(v) = $0 { return v } else { return [] } })
        case .double: return .double(join { if case let .double(v) = $0 { return v } else { return [] } })
        case .bool: return .bool(join { if case let .bool(v) = $0 { return v } else { return [] } })
        case .string: return .string(join { if case let .string(v) = $0 { return v } else { return [] } })
        }
    }
}

/// Output storage of one column while its chunks decode in parallel into disjoint row ranges.
final class ParquetColumnBuffer<V: ParquetPlainDecodable>: @unchecked Sendable {
    let base: UnsafeMutablePointer<V>
    let count: Int
    private var moved = false

    init(count: Int) {
        self.count = count
        base = UnsafeMutablePointer<V>.allocate(capacity: max(1, count))
        base.initialize(repeating: V(), count: count)
    }

    deinit {
        if !moved { base.deinitialize(count: count) }
        base.deallocate()
    }

    func decode(_ reader: ParquetColumnChunkReader, rowOffset: Int) throws {
        var sink = ParquetSliceSink(base: base + rowOffset, capacity: reader.numRows)
        try reader.decode(into: &sink)
    }

    /// Moves the values into an array (once).
    func take() -> [V] {
        precondition(!moved)
        moved = true
        guard count > 0 else { return [] }
        return [V](unsafeUninitializedCapacity: count) { buf, n in
            buf.baseAddress!.moveInitialize(from: base, count: count)
            n = count
        }
    }
}

/// A `ParquetColumnBuffer` of the column's value kind.
enum ParquetColumnStorage: @unchecked Sendable {
    case int32(ParquetColumnBuffer<Int32>), int64(ParquetColumnBuffer<Int64>), float(ParquetColumnBuffer<Float>)
    case double(ParquetColumnBuffer<Double>), bool(ParquetColumnBuffer<Bool>), string(ParquetColumnBuffer<String>)

    init(kind: ParquetValueKind, count: Int) {
        switch kind {
        case .int32: self = .int32(.init(count: count))
        case .int64: self = .int64(.init(count: count))
        case .float: self = .float(.init(count: count))
        case .double: self = .double(.init(count: count))
        case .bool: self = .bool(.init(count: count))
        case .string: self = .string(.init(count: count))
        }
    }

    func decode(_ reader: ParquetColumnChunkReader, rowOffset: Int) throws {
        switch self {
        case let .int32(b): try b.decode(reader, rowOffset: rowOffset)
        case let .int64(b): try b.decode(reader, rowOffset: rowOffset)
        case let .float(b): try b.decode(reader, rowOffset: rowOffset)
        case let .double(b): try b.decode(reader, rowOffset: rowOffset)
        case let .bool(b): try b.decode(reader, rowOffset: rowOffset)
        case let .string(b): try b.decode(reader, rowOffset: rowOffset)
        }
    }

    func take() -> ParquetColumn {
        switch self {
        case let .int32(b): return .int32(b.take())
        case let .int64(b): return .int64(b.take())
        case let .float(b): return .float(b.take())
        case let .double(b): return .double(b.take())
        case let .bool(b): return .bool(b.take())
        case let .string(b): return .string(b.take())
        }
    }
}
