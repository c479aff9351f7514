/// Encodes one column of one row group as PLAIN data pages (v1, REQUIRED: no levels), optionally
/// Snappy-compressed, plus the chunk's statistics. Offsets in `meta` are relative to the chunk
/// start; the file writer rebases them.
struct ParquetColumnChunkWriter {
    let name: String
    let compression: ParquetCompression
    /// Target uncompressed size of one data page in bytes.
    let pageSize: Int

    struct Encoded {
        var bytes: [UInt8]
        var meta: ParquetFormat.ColumnMetaData
    }

    func encode(_ column: ParquetColumn, rows: Range<Int>) -> Encoded {
        switch column {
        case let .int32(v):
            let s = v[rows]
            return encodePages(s, width: 4, stats: ParquetStatisticsBuilder.integers(s)) { ParquetPlain.encodeFixed($0, into: &$1) }
        case let .int64(v):
            let s = v[rows]
            return encodePages(s, width: 8, stats: ParquetStatisticsBuilder.integers(s)) { ParquetPlain.encodeFixed($0, into: &$1) }
        case let .float(v):
            let s = v[rows]
            return encodePages(s, width: 4, stats: ParquetStatisticsBuilder.floats(s)) { ParquetPlain.encodeFixed($0, into: &$1) }
        case let .double(v):
            let s = v[rows]
            return encodePages(s, width: 8, stats: ParquetStatisticsBuilder.floats(s)) { ParquetPlain.encodeFixed($0, into: &$1) }
        case let .bool(v):
            let s = v[rows]
            return encodePages(s, rowsPerPage: max(8, pageSize * 8), stats: ParquetStatisticsBuilder.bools(s)) { ParquetPlain.encodeBools($0, into: &$1) }
        case let .string(v):
            let s = v[rows]
            return encodeStringPages(s)
        }
    }

    private func encodePages<T>(_ values: ArraySlice<T>, width: Int, stats: ParquetFormat.Statistics,
                                _ plain: (ArraySlice<T>, inout [UInt8]) -> Void) -> Encoded {
        encodePages(values, rowsPerPage: max(1, pageSize / width), stats: stats, plain)
    }

    private func encodePages<T>(_ values: ArraySlice<T>, rowsPerPage: Int, stats: ParquetFormat.Statistics,
                                _ plain: (ArraySlice<T>, inout [UInt8]) -> Void) -> Encoded {
        var pages: [Range<Int>] = []
        var i = values.startIndex
        while i < values.endIndex {
            let e = min(values.endIndex, i + rowsPerPage)
            pages.append(i..<e)
            i = e
        }
        return assemble(pages, stats: stats) { range, raw in plain(values[range], &raw) }
    }

    private func encodeStringPages(_ values: ArraySlice<String>) -> Encoded {
        // Cut pages by encoded size (4-byte length + UTF-8 bytes per value).
        var pages: [Range<Int>] = []
        var start = values.startIndex
        var bytes = 0
        for i in values.indices {
            bytes += 4 + values[i].utf8.count
            if bytes >= pageSize {
                pages.append(start..<(i + 1))
                start = i + 1
                bytes = 0
            }
        }
        if start < values.endIndex { pages.append(start..<values.endIndex) }
        return assemble(pages, stats: ParquetStatisticsBuilder.strings(values)) { range, raw in
            ParquetPlain.encodeStrings(values[range], into: &raw)
        }
    }

    /// Writes each page (header + possibly compressed PLAIN values) and fills the chunk metadata.
    private func assemble(_ pages: [Range<Int>], stats: ParquetFormat.Statistics, _ encodeValues: (Range<Int>, inout [UInt8]) -> Void) -> Encoded {
        typealias F = ParquetFormat
        var out: [UInt8] = []
        var raw: [UInt8] = []
        var compressed: [UInt8] = []
        var uncompressedTotal = 0
        var numValues = 0
        for range in pages {
            raw.removeAll(keepingCapacity: true)
            encodeValues(range, &raw)
            var header = F.PageHeader()
            header.type = F.PageType.dataPage.rawValue
            header.uncompressedPageSize = Int32(raw.count)
            var dph = F.DataPageHeader()
            dph.numValues = Int32(range.count)
            dph.encoding = F.Encoding.plain.rawValue
            dph.definitionLevelEncoding = F.Encoding.rle.rawValue
            dph.repetitionLevelEncoding = F.Encoding.rle.rawValue
            header.dataPageHeader = dph
            var w = ThriftCompactWriter()
            switch compression {
            case .uncompressed:
                header.compressedPageSize = Int32(raw.count)
                F.encode(header, into: &w)
                out.append(contentsOf: w.bytes)
                out.append(contentsOf: raw)
            case .snappy:
                let cap = Snappy.maxCompressedLength(raw.count)
                if compressed.count < cap { compressed = [UInt8](repeating: 0, count: cap) }
                let n = raw.withUnsafeBytes { src in
                    compressed.withUnsafeMutableBufferPointer { Snappy.compress(src, into: $0.baseAddress!) }
                }
                header.compressedPageSize = Int32(n)
                F.encode(header, into: &w)
                out.append(contentsOf: w.bytes)
                out.append(contentsOf: compressed[0..<n])
            }
            uncompressedTotal += w.bytes.count + raw.count
            numValues += range.count
        }
        var meta = F.ColumnMetaData()
        meta.encodings = [F.Encoding.plain.rawValue, F.Encoding.rle.rawValue]
        meta.pathInSchema = [name]
        meta.codec = compression == .snappy ? F.Codec.snappy.rawValue : F.Codec.uncompressed.rawValue
        meta.numValues = Int64(numValues)
        meta.totalUncompressedSize = Int64(uncompressedTotal)
        meta.totalCompressedSize = Int64(out.count)
        meta.dataPageOffset = 0
        meta.statistics = stats
        return Encoded(bytes: out, meta: meta)
    }
}
