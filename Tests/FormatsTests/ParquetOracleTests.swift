import EngramCore
import Foundation
import TestSupport
import XCTest
@testable import Formats

/// pyarrow and pandas as the oracle: they must read what we write (types, values, statistics),
/// and we must read what they write (plain, dictionary, v1/v2 pages, optional columns).
final class ParquetOracleTests: XCTestCase {
    let script = repoRoot.appendingPathComponent("scripts/check_parquet.py").path

    /// Writes `table` and its expectation JSON; returns the two paths for `check_parquet.py verify`.
    private func writeCase(_ table: ParquetTable, name: String, compression: ParquetCompression, rowGroupSize: Int,
                           pageSize: Int = ParquetWriter.defaultPageSize, dictionary: Bool = true, dictionaryColumns: [String] = [],
                           in dir: URL) throws -> [String] {
        let url = dir.appendingPathComponent("\(name).parquet")
        try ParquetWriter.write(table, to: url, compression: compression, rowGroupSize: rowGroupSize, pageSize: pageSize, dictionary: dictionary)
        let groups = (table.rowCount + rowGroupSize - 1) / rowGroupSize
        let expected = dir.appendingPathComponent("\(name).json")
        try ParquetExpectation.json(table, rowGroups: groups, compression: compression == .snappy ? "SNAPPY" : "UNCOMPRESSED",
                                    dictionaryColumns: dictionaryColumns).write(to: expected)
        return [url.path, expected.path]
    }

    func testPyarrowAndPandasReadOurFiles() throws {
        try requireOracle("pyarrow", check: ["python3", "-c", "import pyarrow, pandas"])
        let dir = makeTempDir("parquet-oracle")
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = parquetSampleTable(rows: 2500, seed: 99)
        var args = [script, "verify"]
        args += try writeCase(table, name: "snappy_rowgroups", compression: .snappy, rowGroupSize: 700, pageSize: 2000, in: dir)
        args += try writeCase(table, name: "uncompressed_one_group", compression: .uncompressed, rowGroupSize: 10_000, in: dir)
        args += try writeCase(parquetSampleTable(rows: 0, seed: 1), name: "empty", compression: .snappy, rowGroupSize: 100, in: dir)
        args += try writeCase(parquetSampleTable(rows: 1, seed: 5), name: "one_row", compression: .snappy, rowGroupSize: 100, in: dir)
        let frames = Phase0FramesTable.sample(rows: 1200, seed: 3).table
        args += try writeCase(frames, name: "phase0_frames", compression: .snappy, rowGroupSize: 600,
                              dictionaryColumns: ["utterance_id", "speaker_id", "t", "split"], in: dir)
        args += try writeCase(frames, name: "phase0_frames_plain", compression: .uncompressed, rowGroupSize: 500, pageSize: 1000,
                              dictionary: false, in: dir)
        args += try writeCase(LatentsIndexTable.sample(rows: 40, seed: 4).table, name: "latents_index",
                              compression: .snappy, rowGroupSize: 1 << 20, dictionaryColumns: ["speaker_id"], in: dir)
        let r = try runProcess("python3", args)
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertEqual(r.out.split(separator: "\n").filter { $0.hasPrefix("OK ") }.count, 7, r.out)
    }

    func testWeReadFreshPyarrowFiles() throws {
        try requireOracle("pyarrow", check: ["python3", "-c", "import pyarrow, pandas"])
        let dir = makeTempDir("parquet-pyarrow")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try runProcess("python3", [script, "write", dir.path])
        XCTAssertEqual(r.status, 0, r.err)
        let n = try checkParquetExpectationCases(in: dir)
        XCTAssertGreaterThanOrEqual(n, 15)
    }
}
