import EngramCore
import Foundation
import TestSupport
import XCTest
@testable import Formats

/// Seeded random corruption of valid Parquet files (bit flips, byte overwrites, truncations,
/// footer damage). The reader must either decode or throw an `EngramError` naming the file —
/// never crash, hang or allocate absurd amounts.
final class ParquetFuzzTests: XCTestCase {
    func testCorruptedFilesThrowNamedErrorsAndNeverCrash() throws {
        let ours = try ParquetWriter.encode(parquetSampleTable(rows: 120, seed: 8), compression: .snappy, rowGroupSize: 50, pageSize: 300)
        let sources: [(String, [UInt8])] = [
            ("ours.parquet", ours),
            ("ours_dictionary.parquet", try ParquetWriter.encode(Phase0FramesTable.sample(rows: 300, seed: 2).table, rowGroupSize: 160, pageSize: 200)),
            ("dictionary_v2_pages.parquet", [UInt8](try Data(contentsOf: fixtureURL("parquet/dictionary_v2_pages.parquet")))),
            ("small_pages_dictionary_fallback.parquet", [UInt8](try Data(contentsOf: fixtureURL("parquet/small_pages_dictionary_fallback.parquet")))),
        ]
        // ENGRAM_FUZZ_ITERATIONS / ENGRAM_FUZZ_SEED run longer campaigns locally.
        let env = ProcessInfo.processInfo.environment
        let iterations = Int(env["ENGRAM_FUZZ_ITERATIONS"] ?? "") ?? 3000
        var r = ParquetTestRNG(seed: UInt64(env["ENGRAM_FUZZ_SEED"] ?? "") ?? 77)
        var thrown = 0, decoded = 0
        let start = Date()
        for i in 0..<iterations {
            let (name, original) = sources[i % sources.count]
            var b = original
            let footerLen = Int(b[b.count - 8]) | Int(b[b.count - 7]) << 8 | Int(b[b.count - 6]) << 16
            let footerStart = b.count - 8 - footerLen
            switch r.int(5) {
            case 0:  // bit flips anywhere
                for _ in 0...r.int(3) { let k = r.int(b.count); b[k] ^= 1 << UInt8(r.int(8)) }
            case 1:  // bit flips in the Thrift footer
                for _ in 0...r.int(2) { let k = footerStart + r.int(footerLen); b[k] ^= 1 << UInt8(r.int(8)) }
            case 2:  // random byte in the footer or a page header region
                let k = r.int(2) == 0 ? footerStart + r.int(footerLen) : 4 + r.int(min(64, footerStart - 4))
                b[k] = UInt8(truncatingIfNeeded: r.next())
            case 3:  // truncation (keeps or loses the trailing magic)
                b = Array(b.prefix(r.int(b.count)))
            default:  // damaged footer length
                let v = UInt32(truncatingIfNeeded: r.next() % UInt64(b.count * 2))
                for k in 0..<4 { b[b.count - 8 + k] = UInt8(truncatingIfNeeded: v >> UInt32(8 * k)) }
            }
            do {
                // Alternate the two decoding strategies (preallocated columns / growing chunks).
                let t = try b.withUnsafeBytes { try ParquetReader.read(bytes: $0, columns: nil, path: name, preallocationLimit: i % 2 == 0 ? nil : 0) }
                XCTAssertLessThanOrEqual(t.rowCount, 1000)
                decoded += 1
            } catch let e as EngramError {
                XCTAssertTrue(e.description.contains(name), "error does not name the file: \(e)")
                thrown += 1
            } catch {
                XCTFail("non-EngramError \(error)")
            }
        }
        XCTAssertGreaterThan(thrown, iterations / 2, "decoded \(decoded)")
        if iterations <= 3000 { XCTAssertLessThan(Date().timeIntervalSince(start), 20) }
    }
}
