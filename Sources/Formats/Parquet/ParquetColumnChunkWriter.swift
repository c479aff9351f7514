/// Encodes one column of one row group: v1 data pages of a REQUIRED column (no levels),
/// optionally Snappy-compressed, plus the chunk's statistics. With `dictionary` on, a chunk
/// whose values repeat enough (see `dictionaryLimit`) gets a PLAIN dictionary page followed by
/// RLE_DICTIONARY data pages (bit-packed/RLE indices), as pyarrow writes by default; otherwise,
/// and always for booleans, values are PLAIN-encoded.
/// Offsets in `meta` are relative to the chunk start; the file writer rebases them.
struct ParquetColumnChunkWriter {
    let name: String
    let compression: ParquetCompression
    /// Target uncompressed size of one data page in bytes.
    let pageSize: Int
    /// Dictionary-encode string columns when it pays off (see `dictionaryLimit`).
    var dictionary = true

    /// A chunk is dictionary-encoded only when its distinct values are at most half its rows
    /// (checked as a running ratio after the first 4096 rows, to give up early on unique data)
    /// and their PLAIN encoding fits in 1 MiB (pyarrow's default dictionary page limit).
    static let dictionaryLimit = 1 << 20

    struct Encoded {
        var bytes: [UInt8]
        var meta: ParquetFormat.ColumnMetaData
    }

    func encode(_ column: ParquetColumn, rows: Range<Int>) -> Encoded {
        switch column {
        case let .int32(v):
            let s = v[rows]
            return dictionaryEncoded(s, key: { $0 }, width: { _ in 4 }, stats: ParquetStatisticsBuilder.integers)
                ?? encodePlain(s, width: 4, stats: ParquetStatisticsBuilder.integers(s)) { ParquetPlain.encodeFixed($0, into: &$1) }
        case let .int64(v):
            let s = v[rows]
            return dictionaryEncoded(s, key: { $0 }, width: { _ in 8 }, stats: ParquetStatisticsBuilder.integers)
                ?? encodePlain(s, width: 8, stats: ParquetStatisticsBuilder.integers(s)) { ParquetPlain.encodeFixed($0, into: &$1) }
        case let .float(v):
            let s = v[rows]
            return dictionaryEncoded(s, key: { $0.bitPattern }, width: { _ in 4 }, stats: ParquetStatisticsBuilder.floats)
                ?? encodePlain(s, width: 4, stats: ParquetStatisticsBuilder.floats(s)) { ParquetPlain.encodeFixed($0, into: &$1) }
        case let .double(v):
            let s = v[rows]
            return dictionaryEncoded(s, key: { $0.bitPattern }, width: { _ in 8 }, stats: ParquetStatisticsBuilder.floats)
                ?? encodePlain(s, width: 8, stats: ParquetStatisticsBuilder.floats(s)) { ParquetPlain.encodeFixed($0, into: &$1) }
        case let .bool(v):
            let s = v[rows]
            return encodePlain(s, rowsPerPage: min(1 << 30, max(8, pageSize * 8)), stats: ParquetStatisticsBuilder.bools(s)) {
                ParquetPlain.encodeBools($0, into: &$1)
            }
        case let .string(v):
            let s = v[rows]
            return dictionaryEncoded(s, key: { $0 }, width: { 4 + $0.utf8.count }, stats: ParquetStatisticsBuilder.strings)
                ?? encodePlainStrings(s)
        }
    }

    /// Dictionary encoding when enabled and worthwhile, else nil.
    private func dictionaryEncoded<T: ParquetPlainEncodable, K: Hashable>(_ values: ArraySlice<T>, key: (T) -> K, width: (T) -> Int,
                                                                         stats: (ArraySlice<T>) -> ParquetFormat.Statistics) -> Encoded? {
        guard dictionary, values.count >= 2 else { return nil }
        return encodeDictionary(values, key: key, width: width, stats: stats)
    }

    // MARK: PLAIN

    private func encodePlain<T>(_ values: ArraySlice<T>, width: Int, stats: ParquetFormat.Statistics,
                                _ plain: (ArraySlice<T>, inout [UInt8]) -> Void) -> Encoded {
        encodePlain(values, rowsPerPage: max(1, pageSize / width), rawBytes: values.count * width, stats: stats, plain)
    }

    private func encodePlain<T>(_ values: ArraySlice<T>, rowsPerPage: Int, rawBytes: Int? = nil, stats: ParquetFormat.Statistics,
                                _ plain: (ArraySlice<T>, inout [UInt8]) -> Void) -> Encoded {
        let pages = stride(from: values.startIndex, to: values.endIndex, by: rowsPerPage).map { $0..<min(values.endIndex, $0 + rowsPerPage) }
        return encodeDataPages(pages, encoding: .plain, rawBytes: rawBytes, stats: stats) { range, raw in plain(values[range], &raw) }
    }

    /// PLAIN strings: the whole chunk is encoded once; pages are cut from that buffer at value
    /// boundaries (about `pageSize` bytes each) and min/max come from its bytes.
    private func encodePlainStrings(_ values: ArraySlice<String>) -> Encoded {
        guard !values.isEmpty else { return encodeDataPages([], encoding: .plain, stats: ParquetStatisticsBuilder.strings(values)) { _, _ in } }
        var all: [UInt8] = []
        ParquetPlain.encodeStrings(values, into: &all)
        var pages: [Range<Int>] = []    // row ranges
        var spans: [Range<Int>] = []    // byte ranges in `all`
        var minMax = ByteArrayMinMax()
        all.withUnsafeBytes { buf in
            let base = buf.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var p = 0, pageStart = 0, rowStart = values.startIndex, row = values.startIndex
            while p < buf.count {
                let n = Int(UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
                minMax.update(base + p + 4, n)
                p += 4 + n
                row += 1
                if p - pageStart >= pageSize || p == buf.count {
                    pages.append(rowStart..<row)
                    spans.append(pageStart..<p)
                    pageStart = p
                    rowStart = row
                }
            }
        }
        var stats = ParquetFormat.Statistics()
        stats.nullCount = 0
        stats.minValue = minMax.lo
        stats.maxValue = minMax.hi
        var next = 0
        return encodeDataPages(pages, encoding: .plain, rawBytes: all.count, stats: stats) { _, raw in
            raw.append(contentsOf: all[spans[next]])
            next += 1
        }
    }

    // MARK: Dictionary

    /// Dictionary encoding of a chunk, or nil when it would not pay off. `key` identifies equal
    /// values (floats by bit pattern, so -0.0, 0.0 and NaN payloads survive exactly); `width` is a
    /// value's PLAIN size; `stats` is computed over the distinct values only.
    private func encodeDictionary<T: ParquetPlainEncodable, K: Hashable>(_ values: ArraySlice<T>, key: (T) -> K, width: (T) -> Int,
                                                                        stats: (ArraySlice<T>) -> ParquetFormat.Statistics) -> Encoded? {
        let maxDistinct = values.count / 2
        var ids: [K: UInt32] = [:]
        var dict: [T] = []
        var dictBytes = 0
        var indices = [UInt32](repeating: 0, count: values.count)
        var last: K? = nil
        var lastId: UInt32 = 0
        for (k, v) in values.enumerated() {
            let kv = key(v)
            if kv != last {
                if let id = ids[kv] {
                    lastId = id
                } else {
                    guard dict.count < maxDistinct, k < 4096 || dict.count * 2 <= k else { return nil }
                    dictBytes += width(v)
                    guard dictBytes <= Self.dictionaryLimit else { return nil }
                    lastId = UInt32(dict.count)
                    ids[kv] = lastId
                    dict.append(v)
                }
                last = kv
            }
            indices[k] = lastId
        }
        typealias F = ParquetFormat
        var out: [UInt8] = []
        var scratch: [UInt8] = []
        var dictPage: [UInt8] = []
        T.encodePlain(dict[...], into: &dictPage)
        var header = F.PageHeader()
        header.type = F.PageType.dictionaryPage.rawValue
        var dph = F.DictionaryPageHeader()
        dph.numValues = Int32(dict.count)
        dph.encoding = F.Encoding.plain.rawValue
        header.dictionaryPageHeader = dph
        let dictUncompressed = appendPage(&header, body: dictPage, to: &out, scratch: &scratch)
        let dataStart = out.count
        // Data pages: bit width byte + hybrid-encoded indices; ≈ pageSize bytes of 4-byte indices each.
        let bitWidth = ParquetRLEHybrid.bitWidth(forMax: max(0, dict.count - 1))
        let rowsPerPage = max(1, pageSize / 4)
        let pages = stride(from: 0, to: indices.count, by: rowsPerPage).map { $0..<min(indices.count, $0 + rowsPerPage) }
        var data = encodeDataPages(pages, encoding: .rleDictionary, stats: stats(dict[...])) { range, raw in
            raw.append(UInt8(bitWidth))
            indices[range].withUnsafeBufferPointer { ParquetRLEHybrid.encode($0, bitWidth: bitWidth, into: &raw) }
        }
        out.append(contentsOf: data.bytes)
        data.bytes = out
        data.meta.encodings = [F.Encoding.plain.rawValue, F.Encoding.rle.rawValue, F.Encoding.rleDictionary.rawValue]
        data.meta.dictionaryPageOffset = 0
        data.meta.dataPageOffset = Int64(dataStart)
        data.meta.totalUncompressedSize += Int64(dictUncompressed)
        data.meta.totalCompressedSize = Int64(out.count)
        return data
    }

    // MARK: Pages

    /// Writes one v1 data page per range (values encoded by `encodeValues`) and fills the chunk metadata.
    /// - Parameter rawBytes: the values' total encoded size when known, to size the output once.
    private func encodeDataPages(_ pages: [Range<Int>], encoding: ParquetFormat.Encoding, rawBytes: Int? = nil,
                                 stats: ParquetFormat.Statistics, _ encodeValues: (Range<Int>, inout [UInt8]) -> Void) -> Encoded {
        typealias F = ParquetFormat
        var out: [UInt8] = []
        if let rawBytes { out.reserveCapacity(Snappy.maxCompressedLength(rawBytes) + 64 * pages.count) }
        var raw: [UInt8] = []
        var scratch: [UInt8] = []
        var uncompressedTotal = 0
        var numValues = 0
        for range in pages {
            raw.removeAll(keepingCapacity: true)
            encodeValues(range, &raw)
            var header = F.PageHeader()
            header.type = F.PageType.dataPage.rawValue
            var dph = F.DataPageHeader()
            dph.numValues = Int32(range.count)
            dph.encoding = encoding.rawValue
            dph.definitionLevelEncoding = F.Encoding.rle.rawValue
            dph.repetitionLevelEncoding = F.Encoding.rle.rawValue
            header.dataPageHeader = dph
            uncompressedTotal += appendPage(&header, body: raw, to: &out, scratch: &scratch)
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

    /// Appends the page header and the (compressed) body; returns the uncompressed size incl. header.
    private func appendPage(_ header: inout ParquetFormat.PageHeader, body: [UInt8], to out: inout [UInt8], scratch: inout [UInt8]) -> Int {
        header.uncompressedPageSize = Int32(body.count)
        var w = ThriftCompactWriter()
        switch compression {
        case .uncompressed:
            header.compressedPageSize = Int32(body.count)
            ParquetFormat.encode(header, into: &w)
            out.append(contentsOf: w.bytes)
            out.append(contentsOf: body)
        case .snappy:
            let cap = Snappy.maxCompressedLength(body.count)
            if scratch.count < cap { scratch = [UInt8](repeating: 0, count: cap) }
            let n = body.withUnsafeBytes { src in
                scratch.withUnsafeMutableBufferPointer { Snappy.compress(src, into: $0.baseAddress!) }
            }
            header.compressedPageSize = Int32(n)
            ParquetFormat.encode(header, into: &w)
            out.append(contentsOf: w.bytes)
            out.append(contentsOf: scratch[0..<n])
        }
        return w.bytes.count + body.count
    }
}

/// Value types with a PLAIN encoder (for dictionary pages).
protocol ParquetPlainEncodable {
    static func encodePlain(_ values: ArraySlice<Self>, into out: inout [UInt8])
}

extension Int32: ParquetPlainEncodable {
    static func encodePlain(_ values: ArraySlice<Int32>, into out: inout [UInt8]) { ParquetPlain.encodeFixed(values, into: &out) }
}

extension Int64: ParquetPlainEncodable {
    static func encodePlain(_ values: ArraySlice<Int64>, into out: inout [UInt8]) { ParquetPlain.encodeFixed(values, into: &out) }
}

extension Float: ParquetPlainEncodable {
    static func encodePlain(_ values: ArraySlice<Float>, into out: inout [UInt8]) { ParquetPlain.encodeFixed(values, into: &out) }
}

extension Double: ParquetPlainEncodable {
    static func encodePlain(_ values: ArraySlice<Double>, into out: inout [UInt8]) { ParquetPlain.encodeFixed(values, into: &out) }
}

extension String: ParquetPlainEncodable {
    static func encodePlain(_ values: ArraySlice<String>, into out: inout [UInt8]) { ParquetPlain.encodeStrings(values, into: &out) }
}
