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
        if total > 0, !overflow, values <= Int64(preallocationLimit ?? max(1 << 24, 256 * bytes.count)) {
            // Plausible size: decode straight into the final column arrays, each chunk into its rows.
            var rowStart = [Int](repeating: 0, count: meta.rowGroups.count)
            for g in 1..<max(1, meta.rowGroups.count) { rowStart[g] = rowStart[g - 1] + Int(meta.rowGroups[g - 1].numRows) }
            let slot = Dictionary(uniqueKeysWithValues: selected.enumerated().map { ($1, $0) })
            let columns = try withColumnArrays(selected.map { leaves[$0].kind }, rows: Int(total)) { targets in
                var errors = [Error?](repeating: nil, count: jobs.count)
                errors.withUnsafeMutableBufferPointer { errs in
                    let errs = errs
                    runParallel(jobs.count) { j in
                        do { try targets[slot[jobs[j].1]!].decode(chunkReader(j), rowOffset: rowStart[jobs[j].0]) } catch { errs[j] = error }
                    }
                }
                if let e = errors.first(where: { $0 != nil }) { throw e! }
            }
            return ParquetTable(zip(selected, columns).map { (leaves[$0].name, $1) })
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

/// Where one column's decoded values go: its final array storage (borrowed during the decode).
enum ParquetColumnTarget: @unchecked Sendable {
    case int32(UnsafeMutablePointer<Int32>), int64(UnsafeMutablePointer<Int64>), float(UnsafeMutablePointer<Float>)
    case double(UnsafeMutablePointer<Double>), bool(UnsafeMutablePointer<Bool>), string(UnsafeMutablePointer<String>)

    /// Decodes one chunk into rows `rowOffset ..< rowOffset + reader.numRows`.
    func decode(_ reader: ParquetColumnChunkReader, rowOffset: Int) throws {
        func run<V: ParquetPlainDecodable>(_ base: UnsafeMutablePointer<V>) throws {
            var sink = ParquetSliceSink(base: base + rowOffset, capacity: reader.numRows)
            try reader.decode(into: &sink)
        }
        switch self {
        case let .int32(p): try run(p)
        case let .int64(p): try run(p)
        case let .float(p): try run(p)
        case let .double(p): try run(p)
        case let .bool(p): try run(p)
        case let .string(p): try run(p)
        }
    }
}

extension ParquetReader {
    /// Creates one array of `rows` placeholder values per kind, calls `fill` with their storage
    /// (valid only during the call; written in parallel into disjoint rows) and returns them.
    /// The arrays are built in place (nested `unsafeUninitializedCapacity`), so no copy follows.
    static func withColumnArrays(_ kinds: [ParquetValueKind], rows: Int,
                                 _ fill: ([ParquetColumnTarget]) throws -> Void) throws -> [ParquetColumn] {
        precondition(rows > 0)
        func build(_ k: Int, _ targets: [ParquetColumnTarget]) throws -> [ParquetColumn] {
            guard k < kinds.count else {
                try fill(targets)
                return []
            }
            func make<V: ParquetPlainDecodable>(_ wrap: (UnsafeMutablePointer<V>) -> ParquetColumnTarget,
                                                _ column: ([V]) -> ParquetColumn) throws -> [ParquetColumn] {
                var rest: [ParquetColumn] = []
                let values = try [V](unsafeUninitializedCapacity: rows) { buf, count in
                    buf.baseAddress!.initialize(repeating: V(), count: rows)
                    count = rows
                    rest = try build(k + 1, targets + [wrap(buf.baseAddress!)])
                }
                return [column(values)] + rest
            }
            switch kinds[k] {
            case .int32: return try make({ .int32($0) }, { .int32($0) })
            case .int64: return try make({ .int64($0) }, { .int64($0) })
            case .float: return try make({ .float($0) }, { .float($0) })
            case .double: return try make({ .double($0) }, { .double($0) })
            case .bool: return try make({ .bool($0) }, { .bool($0) })
            case .string: return try make({ .string($0) }, { .string($0) })
            }
        }
        return try build(0, [])
    }
}
