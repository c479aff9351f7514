import EngramCore
import Foundation
import TestSupport
import XCTest
@testable import Formats

/// Writer → reader round trips and footer checks (no external oracle; see ParquetOracleTests).
final class ParquetRoundTripTests: XCTestCase {
    func testAllTypesSeveralRowGroupsAndPagesBothCodecs() throws {
        let table = parquetSampleTable(rows: 1000, seed: 7)
        for compression in [ParquetCompression.snappy, .uncompressed] {
            let bytes = try ParquetWriter.encode(table, compression: compression, rowGroupSize: 300, pageSize: 512)
            let back = try ParquetReader.read(Data(bytes), path: "mem")
            assertParquetTablesIdentical(back, table, "\(compression)")
            let meta = try Data(bytes).withUnsafeBytes { try ParquetReader.footer($0, path: "mem").metadata }
            XCTAssertEqual(meta.numRows, 1000)
            XCTAssertEqual(meta.rowGroups.map(\.numRows), [300, 300, 300, 100])
            let codec = compression == .snappy ? ParquetFormat.Codec.snappy : .uncompressed
            XCTAssertTrue(meta.rowGroups.allSatisfy { $0.columns.allSatisfy { $0.metaData?.codec == codec.rawValue } })
        }
    }

    /// Both decoding strategies (straight into preallocated columns, or per chunk then joined)
    /// give the same table, also for column subsets and dictionary files.
    func testGrowingAndPreallocatedDecodingAgree() throws {
        let tables = [parquetSampleTable(rows: 900, seed: 21), Phase0FramesTable.sample(rows: 900, seed: 22).table]
        for table in tables {
            let bytes = try ParquetWriter.encode(table, rowGroupSize: 250, pageSize: 700)
            for columns in [nil, [table.columns[1].name, table.columns[5].name]] {
                let (a, b) = try bytes.withUnsafeBytes { raw in
                    (try ParquetReader.read(bytes: raw, columns: columns, path: "m", preallocationLimit: 0),
                     try ParquetReader.read(bytes: raw, columns: columns, path: "m", preallocationLimit: .max))
                }
                assertParquetTablesIdentical(a, b)
                assertParquetTablesIdentical(a, columns == nil ? table : ParquetTable(table.columns.filter { columns!.contains($0.name) }))
            }
        }
    }

    func testPagesAreSplitBySize() throws {
        let table = ParquetTable([("x", .int64((0..<10_000).map(Int64.init)))])
        let bytes = try ParquetWriter.encode(table, compression: .uncompressed, pageSize: 8000)
        // 10 000 values × 8 bytes in pages of 1000 values: 10 page headers.
        var pages = 0
        try bytes.withUnsafeBytes { raw in
            let (meta, _) = try ParquetReader.footer(raw, path: "mem")
            var pos = Int(meta.rowGroups[0].columns[0].metaData!.dataPageOffset)
            while pos < 4 + Int(meta.rowGroups[0].columns[0].metaData!.totalCompressedSize) {
                var r = ThriftCompactReader(UnsafeRawBufferPointer(rebasing: raw[pos...]), baseOffset: pos, location: "mem")
                let h = try ParquetFormat.decodePageHeader(&r)
                XCTAssertEqual(h.dataPageHeader?.numValues, 1000)
                pos += r.position + Int(h.compressedPageSize)
                pages += 1
            }
        }
        XCTAssertEqual(pages, 10)
        XCTAssertEqual(try ParquetReader.read(Data(bytes), path: "mem"), table)
    }

    func testEmptyTableKeepsColumnTypes() throws {
        let table = parquetSampleTable(rows: 0, seed: 1)
        let url = makeTempDir().appendingPathComponent("empty.parquet")
        try ParquetWriter.write(table, to: url)
        let back = try ParquetReader.read(url)
        XCTAssertEqual(back, table)
        XCTAssertEqual(back.rowCount, 0)
        XCTAssertEqual(back.columns.map(\.values.typeName), ["int32", "int64", "float32", "float64", "bool", "string"])
    }

    func testColumnSubsetInFileOrder() throws {
        let table = parquetSampleTable(rows: 50, seed: 3)
        let back = try ParquetReader.read(Data(try ParquetWriter.encode(table, rowGroupSize: 20)), columns: ["c_string", "c_int64"], path: "mem")
        XCTAssertEqual(back.columnNames, ["c_int64", "c_string"])
        XCTAssertEqual(back["c_string"], table["c_string"])
        XCTAssertThrowsError(try ParquetReader.read(Data(try ParquetWriter.encode(table)), columns: ["nope"], path: "f.parquet")) { e in
            XCTAssertTrue("\(e)".contains("no column 'nope'"), "\(e)")
        }
    }

    func testStatisticsFollowParquetOrdering() throws {
        let f: [Float] = [.nan, 3, -0.0, 0.0, 1]
        let allNaN: [Double] = [.nan, .nan, .nan, .nan, .nan]
        let zeros: [Double] = [0.0, -0.0, 0.0, -0.0, 0.0]
        let s: [String] = ["é", "Z", "a", "😀", "ab"]
        let b: [Bool] = [true, true, true, true, true]
        let i: [Int64] = [5, -7, 3, 0, 1]
        let table = ParquetTable([("f", .float(f)), ("allnan", .double(allNaN)), ("zeros", .double(zeros)),
                                  ("s", .string(s)), ("b", .bool(b)), ("i", .int64(i))])
        let meta = try Data(try ParquetWriter.encode(table)).withUnsafeBytes { try ParquetReader.footer($0, path: "mem").metadata }
        let stats = meta.rowGroups[0].columns.map { $0.metaData!.statistics! }
        XCTAssertTrue(stats.allSatisfy { $0.nullCount == 0 })
        func f32(_ b: [UInt8]?) -> Float { b!.withUnsafeBytes { $0.loadUnaligned(as: Float.self) } }
        func f64(_ b: [UInt8]?) -> Double { b!.withUnsafeBytes { $0.loadUnaligned(as: Double.self) } }
        XCTAssertEqual(f32(stats[0].minValue).bitPattern, (-0.0 as Float).bitPattern)  // NaN ignored, zero min is -0.0
        XCTAssertEqual(f32(stats[0].maxValue), 3)
        XCTAssertNil(stats[1].minValue)  // only NaN: no min/max
        XCTAssertEqual(f64(stats[2].minValue).bitPattern, (-0.0).bitPattern)
        XCTAssertEqual(f64(stats[2].maxValue).bitPattern, (0.0).bitPattern)
        // Unsigned UTF-8 byte order: "Z" (0x5A) < "a" < "ab" < "é" (0xC3…) < "😀" (0xF0…).
        XCTAssertEqual(stats[3].minValue, Array("Z".utf8))
        XCTAssertEqual(stats[3].maxValue, Array("😀".utf8))
        XCTAssertNil(stats[3].min, "legacy signed-order string stats must not be written")
        XCTAssertEqual(stats[4].minValue, [1])
        XCTAssertEqual(stats[4].maxValue, [1])
        XCTAssertEqual(stats[5].minValue, ParquetStatisticsBuilder.littleEndianBytes(Int64(-7)))
    }

    func testWriterRejectsMalformedTables() {
        XCTAssertThrowsError(try ParquetWriter.encode(ParquetTable(), path: "t.parquet")) { XCTAssertTrue("\($0)".contains("without columns")) }
        XCTAssertThrowsError(try ParquetWriter.encode(ParquetTable([("a", .int32([1])), ("b", .int32([1, 2]))]), path: "t.parquet")) {
            XCTAssertTrue("\($0)".contains("t.parquet") && "\($0)".contains("'b' has 2 rows"), "\($0)")
        }
        XCTAssertThrowsError(try ParquetWriter.encode(ParquetTable([("a", .int32([1])), ("a", .int32([1]))]))) {
            XCTAssertTrue("\($0)".contains("duplicate column name 'a'"))
        }
        XCTAssertThrowsError(try ParquetWriter.encode(ParquetTable([("a", .int32([1]))]), rowGroupSize: 0))
    }

    func testAtomicWriteReplacesFileAndLeavesNoTemporaries() throws {
        let dir = makeTempDir()
        let url = dir.appendingPathComponent("t.parquet")
        try ParquetWriter.write(parquetSampleTable(rows: 10, seed: 1), to: url)
        try ParquetWriter.write(parquetSampleTable(rows: 20, seed: 2), to: url)
        XCTAssertEqual(try ParquetReader.read(url).rowCount, 20)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["t.parquet"])
    }

    func testOutputIsDeterministic() throws {
        let table = parquetSampleTable(rows: 3000, seed: 11)
        let a = try ParquetWriter.encode(table, rowGroupSize: 500, pageSize: 1000)
        let b = try ParquetWriter.encode(table, rowGroupSize: 500, pageSize: 1000)
        XCTAssertEqual(a, b)
    }
}

/// Dictionary encoding (writer side) and reader errors on non-Parquet input.
final class ParquetDictionaryWriterTests: XCTestCase {
    func testRepeatedValuesAreDictionaryEncodedUniqueOnesPlain() throws {
        let frames = Phase0FramesTable.sample(rows: 5000, seed: 12).table
        for compression in [ParquetCompression.snappy, .uncompressed] {
            let bytes = try ParquetWriter.encode(frames, compression: compression, rowGroupSize: 2000, pageSize: 600)
            XCTAssertEqual(try ParquetReader.read(Data(bytes), path: "mem"), frames)
            let meta = try Data(bytes).withUnsafeBytes { try ParquetReader.footer($0, path: "mem").metadata }
            for g in meta.rowGroups {
                let dictionaryColumns = g.columns.filter { $0.metaData!.encodings.contains(ParquetFormat.Encoding.rleDictionary.rawValue) }
                    .map { $0.metaData!.pathInSchema[0] }
                XCTAssertEqual(dictionaryColumns, ["utterance_id", "speaker_id", "t", "split"])
                for c in g.columns {
                    let m = c.metaData!
                    if let d = m.dictionaryPageOffset { XCTAssertTrue(d == c.fileOffset && d < m.dataPageOffset) }
                }
            }
            let plain = try ParquetWriter.encode(frames, compression: compression, rowGroupSize: 2000, pageSize: 600, dictionary: false)
            XCTAssertLessThan(bytes.count, plain.count)
            XCTAssertEqual(try ParquetReader.read(Data(plain), path: "mem"), frames)
        }
        // Unique strings fall back to PLAIN.
        let unique = ParquetTable([("id", .string((0..<300).map { "utt-\($0)" }))])
        let meta = try Data(try ParquetWriter.encode(unique)).withUnsafeBytes { try ParquetReader.footer($0, path: "mem").metadata }
        XCTAssertNil(meta.rowGroups[0].columns[0].metaData!.dictionaryPageOffset)
    }

    func testSingleValueDictionaryHasBitWidthZero() throws {
        let t = ParquetTable([("split", .string(Array(repeating: "train", count: 1000))), ("e", .string(Array(repeating: "", count: 1000)))])
        XCTAssertEqual(try ParquetReader.read(Data(try ParquetWriter.encode(t)), path: "mem"), t)
    }

    func testNonParquetInputsNameTheFile() throws {
        let dir = makeTempDir()
        let cases: [(String, [UInt8], String)] = [
            ("empty.parquet", [], "only 0 bytes"),
            ("text.parquet", Array("hello, this is not parquet at all".utf8), "does not start with PAR1"),
            ("truncated.parquet", Array(try ParquetWriter.encode(parquetSampleTable(rows: 10, seed: 1)).dropLast(3)), "does not end with PAR1"),
        ]
        for (name, bytes, message) in cases {
            let url = dir.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            XCTAssertThrowsError(try ParquetReader.read(url)) { e in
                XCTAssertTrue("\(e)".contains(url.path) && "\(e)".contains(message), "\(e)")
            }
        }
        XCTAssertThrowsError(try ParquetReader.read(dir.appendingPathComponent("missing.parquet"))) { e in
            XCTAssertTrue("\(e)".contains("missing.parquet"), "\(e)")
        }
    }
}

final class ParquetDictionaryNumbersTests: XCTestCase {
    /// Repeated numbers with the awkward values (±0, NaN, ±inf, extremes) survive dictionary encoding bit-exactly.
    func testNumericDictionariesKeepEveryBit() throws {
        let f: [Float] = [0.0, -0.0, .nan, .infinity, -.infinity, 1.5]
        let d: [Double] = [0.0, -0.0, .nan, Double(bitPattern: 0x7ff8_0000_0000_0001), .leastNonzeroMagnitude, -1]
        let i32: [Int32] = [.min, .max, 0, -1]
        let i64: [Int64] = [.min, .max, 0, 42]
        let n = 1200
        let t = ParquetTable([("f", .float((0..<n).map { f[$0 % f.count] })), ("d", .double((0..<n).map { d[$0 / 200] })),
                              ("i32", .int32((0..<n).map { i32[$0 % i32.count] })), ("i64", .int64((0..<n).map { i64[$0 / 300] }))])
        let bytes = try ParquetWriter.encode(t, rowGroupSize: 500, pageSize: 100)
        assertParquetTablesIdentical(try ParquetReader.read(Data(bytes), path: "mem"), t)
        let meta = try Data(bytes).withUnsafeBytes { try ParquetReader.footer($0, path: "mem").metadata }
        XCTAssertTrue(meta.rowGroups.allSatisfy { $0.columns.allSatisfy { $0.metaData!.dictionaryPageOffset != nil } })
        // Statistics come from the distinct values: rows 0..<500 of d are 0.0, -0.0 and NaN, so
        // min = -0.0 and max = +0.0 (NaN ignored).
        let s = meta.rowGroups[0].columns[1].metaData!.statistics!
        XCTAssertEqual(s.minValue, ParquetStatisticsBuilder.littleEndianBytes(-0.0))
        XCTAssertEqual(s.maxValue, ParquetStatisticsBuilder.littleEndianBytes(0.0))
    }
}
