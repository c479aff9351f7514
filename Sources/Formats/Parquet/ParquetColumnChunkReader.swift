import EngramCore

/// Value types a column chunk decodes into, with their PLAIN decoder. Decoders write into
/// initialized memory (`out[i] = v`).
protocol ParquetPlainDecodable {
    /// The placeholder that output storage is initialized with.
    init()
    /// Smallest PLAIN size of one value in bits, to reject impossible counts before allocating.
    static var minPlainBits: Int { get }
    static func decodePlain(_ buf: UnsafeRawBufferPointer, count: Int, into out: UnsafeMutablePointer<Self>, _ ctx: PageContext) throws -> Int
    /// RLE-encoded values (the hybrid with a 4-byte length prefix); only BOOLEAN supports it.
    static func decodeRLE(_ buf: UnsafeRawBufferPointer, count: Int, into out: UnsafeMutablePointer<Self>, _ ctx: PageContext) throws
}

extension ParquetPlainDecodable {
    static func decodeRLE(_ buf: UnsafeRawBufferPointer, count: Int, into out: UnsafeMutablePointer<Self>, _ ctx: PageContext) throws {
        throw ctx.error("unsupported encoding RLE for this column type")
    }
}

extension ParquetPlainDecodable where Self: ParquetFixedWidth {
    static var minPlainBits: Int { 8 * MemoryLayout<Self>.size }
    static func decodePlain(_ buf: UnsafeRawBufferPointer, count: Int, into out: UnsafeMutablePointer<Self>, _ ctx: PageContext) throws -> Int {
        try ParquetPlain.decodeFixed(buf, count: count, into: out, ctx)
    }
}

extension Int32: ParquetPlainDecodable {}
extension Int64: ParquetPlainDecodable {}
extension Float: ParquetPlainDecodable {}
extension Double: ParquetPlainDecodable {}

extension String: ParquetPlainDecodable {
    static var minPlainBits: Int { 32 }
    static func decodePlain(_ buf: UnsafeRawBufferPointer, count: Int, into out: UnsafeMutablePointer<String>, _ ctx: PageContext) throws -> Int {
        try ParquetPlain.decodeStrings(buf, count: count, into: out, ctx)
    }
}

extension Bool: ParquetPlainDecodable {
    static var minPlainBits: Int { 1 }
    static func decodePlain(_ buf: UnsafeRawBufferPointer, count: Int, into out: UnsafeMutablePointer<Bool>, _ ctx: PageContext) throws -> Int {
        try ParquetPlain.decodeBools(buf, count: count, into: out, ctx)
    }

    static func decodeRLE(_ buf: UnsafeRawBufferPointer, count: Int, into out: UnsafeMutablePointer<Bool>, _ ctx: PageContext) throws {
        guard buf.count >= 4 else { throw ctx.error("RLE boolean data lacks its 4-byte length") }
        let len = Int(UInt32(littleEndian: buf.loadUnaligned(as: UInt32.self)))
        guard len <= buf.count - 4 else { throw ctx.error("RLE boolean length \(len) runs past the end of the page") }
        let bits = try ParquetRLEHybrid.decodeToArray(UnsafeRawBufferPointer(rebasing: buf[4..<4 + len]), bitWidth: 1, count: count, ctx)
        for (i, b) in bits.enumerated() { out[i] = b != 0 }
    }
}

/// Where decoded values go: `write(n)` hands out room for the next `n` values.
protocol ParquetValueSink {
    associatedtype Value: ParquetPlainDecodable
    mutating func write(_ n: Int, _ body: (UnsafeMutablePointer<Value>) throws -> Void) throws
}

/// Writes into preallocated, initialized storage (a row group's slice of the final column).
struct ParquetSliceSink<Value: ParquetPlainDecodable>: ParquetValueSink {
    let base: UnsafeMutablePointer<Value>
    let capacity: Int
    var count = 0

    mutating func write(_ n: Int, _ body: (UnsafeMutablePointer<Value>) throws -> Void) throws {
        precondition(n <= capacity - count, "chunk reader exceeded the validated row count")
        try body(base + count)
        count += n
    }
}

/// Grows an array page by page (used when the footer's row counts are too large to trust up front).
struct ParquetArraySink<Value: ParquetPlainDecodable>: ParquetValueSink {
    var values: [Value] = []

    mutating func write(_ n: Int, _ body: (UnsafeMutablePointer<Value>) throws -> Void) throws {
        let old = values.count
        values.append(contentsOf: repeatElement(Value(), count: n))
        try values.withUnsafeMutableBufferPointer { try body($0.baseAddress! + old) }
    }
}

extension ParquetRLEHybrid {
    static func decodeToArray(_ buf: UnsafeRawBufferPointer, bitWidth: Int, count: Int, _ ctx: PageContext) throws -> [UInt32] {
        try [UInt32](unsafeUninitializedCapacity: count) { out, initialized in
            if count > 0 { _ = try decode(buf, bitWidth: bitWidth, count: count, into: out.baseAddress!, ctx) }
            initialized = count
        }
    }
}

/// Decodes the pages of one column chunk (one column of one row group) of a flat table.
struct ParquetColumnChunkReader {
    /// The whole file.
    let file: UnsafeRawBufferPointer
    /// End of the column-chunk area (start of the footer metadata).
    let dataEnd: Int
    let path: String
    let leaf: ParquetLeaf
    let meta: ParquetFormat.ColumnMetaData
    let rowGroup: Int
    let numRows: Int

    /// Decodes the chunk into a new column (values appended page by page).
    func read() throws -> ParquetColumn {
        func run<V: ParquetPlainDecodable>(_: V.Type) throws -> [V] {
            var sink = ParquetArraySink<V>()
            try decode(into: &sink)
            return sink.values
        }
        switch leaf.kind {
        case .int32: return .int32(try run(Int32.self))
        case .int64: return .int64(try run(Int64.self))
        case .float: return .float(try run(Float.self))
        case .double: return .double(try run(Double.self))
        case .bool: return .bool(try run(Bool.self))
        case .string: return .string(try run(String.self))
        }
    }

    private func chunkError(_ message: String) -> EngramError {
        EngramError(path, "column '\(leaf.name)', row group \(rowGroup): \(message)")
    }

    /// Decodes every page of the chunk into `sink`: exactly `numRows` values, or an error.
    func decode<S: ParquetValueSink>(into sink: inout S) throws {
        typealias V = S.Value
        typealias F = ParquetFormat
        guard meta.type == leaf.physicalType.rawValue else {
            throw chunkError("chunk type \(F.PhysicalType.name(meta.type)) differs from schema type \(F.PhysicalType.name(leaf.physicalType.rawValue))")
        }
        let codec = meta.codec
        guard codec == F.Codec.uncompressed.rawValue || codec == F.Codec.snappy.rawValue else {
            throw EngramError(path, "unsupported compression \(F.Codec.name(codec)) in column '\(leaf.name)' (supported: UNCOMPRESSED, SNAPPY)")
        }
        guard meta.numValues == Int64(numRows) else {
            throw chunkError("chunk holds \(meta.numValues) values, row group has \(numRows) rows")
        }
        // Writers leave the page offsets of empty chunks unset (0); there is nothing to read.
        if numRows == 0 { return }
        var start = meta.dataPageOffset
        if let d = meta.dictionaryPageOffset, d > 0, d < start { start = d }
        guard start >= 4, start <= Int64(dataEnd), meta.totalCompressedSize >= 0, meta.totalCompressedSize <= Int64(dataEnd) - start else {
            throw chunkError("chunk bytes \(start)..<\(start &+ meta.totalCompressedSize) lie outside the data area 4..<\(dataEnd)")
        }
        let end = Int(start + meta.totalCompressedSize)
        var pos = Int(start)
        var ctx = PageContext(file: path, column: leaf.name, rowGroup: rowGroup, pageOffset: pos)
        var dictionary: [V]?
        var done = 0
        while done < numRows {
            ctx.pageOffset = pos
            guard pos < end else { throw ctx.error("column chunk ends after \(done) of \(numRows) values") }
            var r = ThriftCompactReader(UnsafeRawBufferPointer(rebasing: file[pos..<end]), baseOffset: pos, location: path)
            let header = try F.decodePageHeader(&r)
            let dataStart = pos + r.position
            let csize = Int(header.compressedPageSize)
            let usize = Int(header.uncompressedPageSize)
            guard csize >= 0, usize >= 0, csize <= end - dataStart else {
                throw ctx.error("page of \(csize) bytes (uncompressed \(usize)) does not fit in the column chunk")
            }
            let page = UnsafeRawBufferPointer(rebasing: file[dataStart..<dataStart + csize])
            pos = dataStart + csize
            switch F.PageType(rawValue: header.type) {
            case .dictionaryPage:
                guard let dh = header.dictionaryPageHeader else { throw ctx.error("dictionary page without its header") }
                guard dictionary == nil, done == 0 else { throw ctx.error("dictionary page after data pages or a second dictionary") }
                guard dh.encoding == F.Encoding.plain.rawValue || dh.encoding == F.Encoding.plainDictionary.rawValue else {
                    throw ctx.error("unsupported dictionary encoding \(F.Encoding.name(dh.encoding))")
                }
                let count = Int(dh.numValues)
                guard count >= 0 else { throw ctx.error("negative dictionary size") }
                var dict: [V] = []
                try withPageData(page, uncompressedSize: usize, compressed: true, ctx) { data in
                    guard count <= data.count * 8 / V.minPlainBits else {
                        throw ctx.error("dictionary page of \(data.count) bytes cannot hold \(count) values")
                    }
                    dict = [V](repeating: V(), count: count)
                    _ = try dict.withUnsafeMutableBufferPointer { try V.decodePlain(data, count: count, into: $0.baseAddress!, ctx) }
                }
                dictionary = dict
            case .dataPage:
                guard let dh = header.dataPageHeader else { throw ctx.error("data page without its header") }
                let n = Int(dh.numValues)
                guard n >= 0, n <= numRows - done else { throw ctx.error("page announces \(n) values, \(numRows - done) remain in the row group") }
                try withPageData(page, uncompressedSize: usize, compressed: true, ctx) { data in
                    var p = 0
                    if leaf.isOptional {
                        guard dh.definitionLevelEncoding == F.Encoding.rle.rawValue else {
                            throw ctx.error("unsupported definition-level encoding \(F.Encoding.name(dh.definitionLevelEncoding))")
                        }
                        guard data.count >= 4 else { throw ctx.error("definition levels lack their 4-byte length") }
                        let len = Int(UInt32(littleEndian: data.loadUnaligned(as: UInt32.self)))
                        guard len <= data.count - 4 else { throw ctx.error("definition levels of \(len) bytes run past the page end") }
                        try checkNoNulls(UnsafeRawBufferPointer(rebasing: data[4..<4 + len]), count: n, ctx)
                        p = 4 + len
                    }
                    try sink.write(n) { out in
                        try decodeValues(dh.encoding, UnsafeRawBufferPointer(rebasing: data[p...]), count: n, dictionary, into: out, ctx)
                    }
                }
                done += n
            case .dataPageV2:
                guard let dh = header.dataPageHeaderV2 else { throw ctx.error("data page v2 without its header") }
                let n = Int(dh.numValues)
                guard n >= 0, n <= numRows - done else { throw ctx.error("page announces \(n) values, \(numRows - done) remain in the row group") }
                guard dh.numNulls == 0 else {
                    throw ctx.error("\(dh.numNulls) null values; nulls are not supported")
                }
                let repLen = Int(dh.repetitionLevelsByteLength), defLen = Int(dh.definitionLevelsByteLength)
                guard repLen >= 0, defLen >= 0, repLen + defLen <= csize, repLen + defLen <= usize else {
                    throw ctx.error("level lengths \(repLen) + \(defLen) exceed the page size \(csize)")
                }
                guard repLen == 0 else { throw ctx.error("repetition levels in a flat column") }
                if leaf.isOptional {
                    try checkNoNulls(UnsafeRawBufferPointer(rebasing: page[0..<defLen]), count: n, ctx)
                } else if defLen != 0 {
                    throw ctx.error("definition levels in a REQUIRED column")
                }
                let body = UnsafeRawBufferPointer(rebasing: page[(repLen + defLen)...])
                try withPageData(body, uncompressedSize: usize - repLen - defLen, compressed: dh.isCompressed, ctx) { data in
                    try sink.write(n) { out in try decodeValues(dh.encoding, data, count: n, dictionary, into: out, ctx) }
                }
                done += n
            default:
                continue  // index pages and unknown page types carry no values
            }
        }
    }

    /// Calls `body` with the page's uncompressed bytes.
    private func withPageData(_ page: UnsafeRawBufferPointer, uncompressedSize: Int, compressed: Bool, _ ctx: PageContext,
                              _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if meta.codec == ParquetFormat.Codec.snappy.rawValue && compressed {
            let data = try Snappy.decompress(page, expectedLength: uncompressedSize,
                                             location: "\(path), column '\(leaf.name)', row group \(rowGroup), page at byte \(ctx.pageOffset)")
            try data.withUnsafeBytes(body)
        } else {
            guard page.count == uncompressedSize else {
                throw ctx.error("uncompressed page has \(page.count) bytes, header says \(uncompressedSize)")
            }
            try body(page)
        }
    }

    /// Decodes `count` definition levels (bit width 1, max level 1) and fails on any null.
    private func checkNoNulls(_ levels: UnsafeRawBufferPointer, count: Int, _ ctx: PageContext) throws {
        let defs = try ParquetRLEHybrid.decodeToArray(levels, bitWidth: 1, count: count, ctx)
        var nulls = 0
        for d in defs where d == 0 { nulls += 1 }
        if nulls > 0 {
            throw ctx.error("\(nulls) null values; nulls are not supported")
        }
    }

    private func decodeValues<V: ParquetPlainDecodable>(_ encoding: Int32, _ data: UnsafeRawBufferPointer, count: Int, _ dictionary: [V]?,
                                                        into out: UnsafeMutablePointer<V>, _ ctx: PageContext) throws {
        typealias E = ParquetFormat.Encoding
        switch E(rawValue: encoding) {
        case .plain:
            _ = try V.decodePlain(data, count: count, into: out, ctx)
        case .plainDictionary, .rleDictionary:
            guard let dictionary else { throw ctx.error("dictionary-encoded page without a dictionary page") }
            guard count > 0 else { return }
            guard data.count >= 1 else { throw ctx.error("dictionary indices lack their bit width") }
            let width = Int(data[0])
            let indices = try ParquetRLEHybrid.decodeToArray(UnsafeRawBufferPointer(rebasing: data[1...]), bitWidth: width, count: count, ctx)
            let dictCount = dictionary.count
            try dictionary.withUnsafeBufferPointer { dict in
                for (k, i) in indices.enumerated() {
                    guard Int(i) < dictCount else { throw ctx.error("dictionary index \(i) outside the dictionary of \(dictCount) values") }
                    out[k] = dict[Int(i)]
                }
            }
        case .rle:
            try V.decodeRLE(data, count: count, into: out, ctx)
        default:
            throw EngramError(path, "unsupported encoding \(E.name(encoding)) in column '\(leaf.name)' (row group \(rowGroup), page at byte \(ctx.pageOffset))")
        }
    }
}
