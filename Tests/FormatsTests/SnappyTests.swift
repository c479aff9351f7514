import EngramCore
import Foundation
import TestSupport
import XCTest
@testable import Formats

/// Snappy raw blocks: round trips, hand-assembled streams from the format description, and
/// rejection of malformed streams (see SnappyOracleTests for the reference implementation).
final class SnappyTests: XCTestCase {
    static func inputs() -> [(String, [UInt8])] {
        var r = ParquetTestRNG(seed: 42)
        let text = Array(String(repeating: "the quick brown fox jumps over the lazy dog; ", count: 400).utf8)
        let random = (0..<70_000).map { _ in UInt8(truncatingIfNeeded: r.next()) }
        var mixed: [UInt8] = []
        while mixed.count < 200_000 {
            if r.int(2) == 0 { mixed += random[0..<(1 + r.int(300))] } else { mixed += text[0..<(1 + r.int(500))] }
        }
        let ints = (0..<20_000).flatMap { i in withUnsafeBytes(of: Int64(i / 7).littleEndian) { Array($0) } }
        return [
            ("empty", []), ("one", [7]), ("sixteen", Array(0..<16)), ("seventeen", Array(0..<17)),
            ("run", Array(repeating: 0xab, count: 100_000)), ("text", text), ("random", random),
            ("block-1", Array(text.prefix(65_535))), ("block", Array(mixed.prefix(65_536))), ("block+1", Array(mixed.prefix(65_537))),
            ("mixed", mixed), ("int64s", ints),
        ]
    }

    func testRoundTrip() throws {
        for (name, input) in Self.inputs() {
            let c = Snappy.compress(input)
            XCTAssertLessThanOrEqual(c.count, Snappy.maxCompressedLength(input.count), name)
            XCTAssertEqual(try Snappy.decompress(c, location: name), input, name)
        }
    }

    func testCompressesRedundantData() {
        let inputs = Dictionary(uniqueKeysWithValues: Self.inputs())
        XCTAssertLessThan(Snappy.compress(inputs["run"]!).count, 5000)  // 100 000 equal bytes
        XCTAssertLessThan(Snappy.compress(inputs["text"]!).count, inputs["text"]!.count / 10)
        // Incompressible data costs only the literal headers.
        XCTAssertLessThan(Snappy.compress(inputs["random"]!).count, 70_000 + 70_000 / 60 + 64)
    }

    /// Streams assembled by hand from the format description.
    func testHandAssembledStreams() throws {
        // Preamble 3, literal "abc" (tag (3-1)<<2).
        XCTAssertEqual(try Snappy.decompress([3, 0x08, 97, 98, 99], location: "t"), Array("abc".utf8))
        // "ab" then a 1-byte-offset copy of length 6 at offset 2 (overlapping): "abababab".
        XCTAssertEqual(try Snappy.decompress([8, 0x04, 97, 98, 0x01 | (2 << 2), 2], location: "t"), Array("abababab".utf8))
        // "x" then a 2-byte-offset copy of length 9, offset 1: ten x.
        XCTAssertEqual(try Snappy.decompress([10, 0x00, 120, 0x02 | (8 << 2), 1, 0], location: "t"), Array(repeating: 120, count: 10))
        // 4-byte-offset copy.
        XCTAssertEqual(try Snappy.decompress([5, 0x00, 65, 0x03 | (3 << 2), 1, 0, 0, 0], location: "t"), Array(repeating: 65, count: 5))
        // Literal with a 1-byte extended length (tag 60): 100 bytes.
        let lit = Array(repeating: UInt8(9), count: 100)
        XCTAssertEqual(try Snappy.decompress([100, 60 << 2, 99] + lit, location: "t"), lit)
        // Empty stream.
        XCTAssertEqual(try Snappy.decompress([0], location: "t"), [])
        // Varint preamble of 300 (0xAC 0x02): literal of 300.
        let big = Array(repeating: UInt8(1), count: 300)
        XCTAssertEqual(try Snappy.decompress([0xac, 0x02, 61 << 2, 0x2b, 0x01] + big, location: "t"), big)
    }

    func testMalformedStreamsThrowWithLocation() {
        let cases: [(String, [UInt8], String)] = [
            ("empty input", [], "truncated length preamble"),
            ("endless preamble", [0x80, 0x80, 0x80, 0x80, 0x80, 0x01], "longer than 5 bytes"),
            ("copy offset 0", [4, 0x00, 1, 0x01, 0], "offset 0"),
            ("copy before start", [8, 0x00, 1, 0x01, 5], "outside"),
            ("literal past input", [5, 0x10, 1, 2], "past the end of the input"),
            ("literal past length", [2, 0x08, 1, 2, 3], "overflows the announced length"),
            ("short stream", [9, 0x08, 1, 2, 3], "ends after 3 of 9"),
            ("truncated copy", [9, 0x00, 1, 0x02], "truncated copy"),
            ("truncated literal length", [70, 61 << 2, 1], "truncated literal length"),
            ("absurd length", [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 1], "cannot hold"),
            ("data after empty", [0, 0x00, 1], "after an empty stream"),
        ]
        for (name, bytes, message) in cases {
            XCTAssertThrowsError(try Snappy.decompress(bytes, location: "FILE.parquet"), name) { e in
                XCTAssertTrue(e is EngramError, name)
                XCTAssertTrue("\(e)".contains("FILE.parquet") && "\(e)".contains(message), "\(name): \(e)")
            }
        }
        XCTAssertThrowsError(try Snappy.decompress(Snappy.compress(Array(0..<100)), expectedLength: 99, location: "p")) {
            XCTAssertTrue("\($0)".contains("expected 99"), "\($0)")
        }
    }
}
