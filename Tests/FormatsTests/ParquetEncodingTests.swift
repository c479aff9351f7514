import EngramCore
import Foundation
import TestSupport
import XCTest
@testable import Formats

/// The low-level encodings: RLE/bit-packed hybrid (vectors from the Parquet encoding spec),
/// UTF-8 validation and byte ordering (against the Swift standard library).
final class ParquetEncodingTests: XCTestCase {
    let ctx = PageContext(file: "f.parquet", column: "c", rowGroup: 0, pageOffset: 4)

    func decode(_ bytes: [UInt8], bitWidth: Int, count: Int) throws -> [UInt32] {
        try bytes.withUnsafeBytes { try ParquetRLEHybrid.decodeToArray($0, bitWidth: bitWidth, count: count, ctx) }
    }

    func testSpecVectors() throws {
        // Encodings.md: values 0…7 bit-packed with width 3 → header (1 group << 1 | 1), 0x88 0xC6 0xFA.
        XCTAssertEqual(try decode([0x03, 0x88, 0xc6, 0xfa], bitWidth: 3, count: 8), Array(0..<8))
        // RLE run: 100 × value 5 (width 3, one value byte): header 100 << 1 = 200 = varint 0xC8 0x01.
        XCTAssertEqual(try decode([0xc8, 0x01, 0x05], bitWidth: 3, count: 100), Array(repeating: 5, count: 100))
        // Width 0 (one-entry dictionary): all zeros without value bytes.
        XCTAssertEqual(try decode([0x0a], bitWidth: 0, count: 5), [0, 0, 0, 0, 0])
        // Our encoder on the same values gives the spec bytes.
        var out: [UInt8] = []
        Array(UInt32(0)..<8).withUnsafeBufferPointer { ParquetRLEHybrid.encode($0, bitWidth: 3, into: &out) }
        XCTAssertEqual(out, [0x03, 0x88, 0xc6, 0xfa])
    }

    func testHybridRoundTripMixedRuns() throws {
        var r = ParquetTestRNG(seed: 5)
        for width in [1, 2, 7, 8, 13, 20, 32] {
            var values: [UInt32] = []
            while values.count < 5000 {
                let v = UInt32(truncatingIfNeeded: r.next()) & (width == 32 ? .max : (1 << UInt32(width)) - 1)
                values += Array(repeating: v, count: r.int(3) == 0 ? 1 + r.int(40) : 1)
            }
            var out: [UInt8] = []
            values.withUnsafeBufferPointer { ParquetRLEHybrid.encode($0, bitWidth: width, into: &out) }
            XCTAssertEqual(try decode(out, bitWidth: width, count: values.count), values, "width \(width)")
        }
    }

    func testHybridRejectsTruncation() {
        XCTAssertThrowsError(try decode([0x03, 0x88], bitWidth: 3, count: 8)) { XCTAssertTrue("\($0)".contains("f.parquet"), "\($0)") }
        XCTAssertThrowsError(try decode([0xc8], bitWidth: 3, count: 100))
        XCTAssertThrowsError(try decode([0x04], bitWidth: 33, count: 1))
    }

    func testUTF8ValidationMatchesStandardLibrary() {
        var r = ParquetTestRNG(seed: 9)
        let interesting: [UInt8] = [0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xa0, 0x9f, 0xed, 0xef, 0xf0, 0x90, 0x8f, 0xf4, 0xf5, 0xff]
        for _ in 0..<20_000 {
            let n = r.int(12)
            let bytes = (0..<n).map { _ in r.int(3) == 0 ? UInt8(truncatingIfNeeded: r.next()) : interesting[r.int(interesting.count)] }
            let ours = bytes.withUnsafeBufferPointer { UTF8Validation.isValid($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: n) }
            XCTAssertEqual(ours, String(validating: bytes, as: UTF8.self) != nil, "\(bytes.map { String($0, radix: 16) })")
        }
    }

    func testByteOrderMatchesLexicographicUnsigned() {
        var r = ParquetTestRNG(seed: 10)
        for _ in 0..<5000 {
            let a = (0..<r.int(20)).map { _ in UInt8(r.int(3) == 0 ? 0xff : r.int(3)) }
            let b = r.int(2) == 0 ? a.prefix(r.int(a.count + 1)) + (0..<r.int(4)).map { _ in UInt8(r.int(3)) } : (0..<r.int(20)).map { _ in UInt8(r.int(256)) }
            let want = a.lexicographicallyPrecedes(b) ? -1 : (a == Array(b) ? 0 : 1)
            let got = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                ByteCompare.compare(pa.baseAddress ?? UnsafePointer(bitPattern: 1)!, pa.count, pb.baseAddress ?? UnsafePointer(bitPattern: 1)!, pb.count)
            } }
            XCTAssertEqual(got, want)
        }
    }
}
