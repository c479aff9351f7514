import EngramCore
import Foundation
import TestSupport
import XCTest
@testable import Formats

/// Deterministic generator for test data (SplitMix64).
struct ParquetTestRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// A table with every column type, edge values, NaN/±0/±inf and unicode strings.
func parquetSampleTable(rows n: Int, seed: UInt64) -> ParquetTable {
    var r = ParquetTestRNG(seed: seed)
    let words = ["", "a", "héllo", "日本語", "🎉 emoji", "tab\tnew\nline", String(repeating: "x", count: 40), "Zürich", "ß", "e\u{301}"]
    var i32 = (0..<n).map { _ in Int32(truncatingIfNeeded: r.next()) }
    var i64 = (0..<n).map { _ in Int64(bitPattern: r.next()) }
    var f32 = (0..<n).map { _ in Float(r.unit() * 2000 - 1000) }
    var f64 = (0..<n).map { _ in r.unit() * 2e6 - 1e6 }
    let b = (0..<n).map { _ in r.unit() < 0.3 }
    let s = (0..<n).map { i in words[r.int(words.count)] + (i % 3 == 0 ? "" : String(i)) }
    if n >= 8 {
        i32[0] = .min; i32[1] = .max
        i64[0] = .min; i64[1] = .max
        f32[2] = .nan; f32[3] = -0.0; f32[4] = .infinity; f32[5] = -.infinity; f32[6] = .leastNonzeroMagnitude
        f64[2] = .nan; f64[3] = -0.0; f64[4] = .infinity; f64[5] = -.infinity; f64[6] = .leastNonzeroMagnitude
    }
    return ParquetTable([("c_int32", .int32(i32)), ("c_int64", .int64(i64)), ("c_float32", .float(f32)),
                         ("c_float64", .double(f64)), ("c_bool", .bool(b)), ("c_string", .string(s))])
}

/// Bit-exact equality (NaN payloads and the sign of zero included).
func parquetBitwiseEqual(_ a: ParquetColumn, _ b: ParquetColumn) -> Bool {
    switch (a, b) {
    case let (.float(x), .float(y)): return x.map(\.bitPattern) == y.map(\.bitPattern)
    case let (.double(x), .double(y)): return x.map(\.bitPattern) == y.map(\.bitPattern)
    default: return a == b
    }
}

func assertParquetTablesIdentical(_ a: ParquetTable, _ b: ParquetTable, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.columnNames, b.columnNames, message, file: file, line: line)
    for (x, y) in zip(a.columns, b.columns) {
        XCTAssertTrue(parquetBitwiseEqual(x.values, y.values), "\(message) column \(x.name) differs", file: file, line: line)
    }
}

/// The expectation JSON shared with scripts/check_parquet.py (floats as IEEE bit patterns).
enum ParquetExpectation {
    static func json(_ t: ParquetTable, rowGroups: Int, compression: String, dictionaryColumns: [String]? = nil) -> Data {
        let cols: [[String: Any]] = t.columns.map { c in
            let values: [Any]
            switch c.values {
            case let .int32(v): values = v.map { Int($0) }
            case let .int64(v): values = v.map { NSNumber(value: $0) }
            case let .float(v): values = v.map { NSNumber(value: $0.bitPattern) }
            case let .double(v): values = v.map { NSNumber(value: $0.bitPattern) }
            case let .bool(v): values = v
            case let .string(v): values = v
            }
            return ["name": c.name, "type": c.values.typeName, "values": values]
        }
        var obj: [String: Any] = ["columns": cols, "row_groups": rowGroups]
        if rowGroups > 0 { obj["compression"] = compression }
        if let dictionaryColumns { obj["dictionary_columns"] = dictionaryColumns }
        return try! JSONSerialization.data(withJSONObject: obj)
    }

    /// Parses an expectation: the table, and the expected error substring if the file must be rejected.
    static func parse(_ url: URL) throws -> (table: ParquetTable, error: String?) {
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        var table = ParquetTable()
        for c in obj["columns"] as! [[String: Any]] {
            let name = c["name"] as! String
            let v = c["values"] as! [Any]
            let col: ParquetColumn
            switch c["type"] as! String {
            case "int32": col = .int32(v.map { Int32(truncating: $0 as! NSNumber) })
            case "int64": col = .int64(v.map { ($0 as! NSNumber).int64Value })
            case "float32": col = .float(v.map { Float(bitPattern: ($0 as! NSNumber).uint32Value) })
            case "float64": col = .double(v.map { Double(bitPattern: ($0 as! NSNumber).uint64Value) })
            case "bool": col = .bool(v.map { $0 as! Bool })
            case "string": col = .string(v.map { $0 as! String })
            case let other: col = .string([]); XCTAssertNotNil(obj["expect_error"], "unknown type \(other)")
            }
            table.columns.append((name, col))
        }
        return (table, obj["expect_error"] as? String)
    }
}

/// Checks every `<case>.parquet` + `<case>.json` pair in `dir` against `ParquetReader`.
/// - Returns: number of cases checked.
@discardableResult
func checkParquetExpectationCases(in dir: URL, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
    for name in names {
        let base = String(name.dropLast(5))
        let url = dir.appendingPathComponent(base + ".parquet")
        let (expected, error) = try ParquetExpectation.parse(dir.appendingPathComponent(name))
        if let error {
            XCTAssertThrowsError(try ParquetReader.read(url), base, file: file, line: line) { e in
                XCTAssertTrue(e is EngramError, "\(base): \(e)", file: file, line: line)
                XCTAssertTrue("\(e)".contains(error), "\(base): error '\(e)' lacks '\(error)'", file: file, line: line)
                XCTAssertTrue("\(e)".contains(url.path), "\(base): error '\(e)' does not name the file", file: file, line: line)
            }
        } else {
            let got = try ParquetReader.read(url)
            assertParquetTablesIdentical(got, expected, base, file: file, line: line)
        }
    }
    return names.count
}
