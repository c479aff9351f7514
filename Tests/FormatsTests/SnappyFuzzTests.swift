import EngramCore
import Foundation
import TestSupport
import XCTest
@testable import Formats

/// Seeded random mutations of valid Snappy streams: the decoder must throw an `EngramError` or
/// return exactly the announced number of bytes — never crash or read out of bounds.
final class SnappyFuzzTests: XCTestCase {
    func testMutatedStreamsNeverCrash() {
        // ENGRAM_FUZZ_ITERATIONS / ENGRAM_FUZZ_SEED run longer campaigns locally.
        let env = ProcessInfo.processInfo.environment
        let iterations = Int(env["ENGRAM_FUZZ_ITERATIONS"] ?? "") ?? 3000
        var r = ParquetTestRNG(seed: UInt64(env["ENGRAM_FUZZ_SEED"] ?? "") ?? 2024)
        let sources = SnappyTests.inputs().map(\.1).filter { !$0.isEmpty }.map { Array($0.prefix(3000)) }
        let streams = sources.map { Snappy.compress($0) }
        var thrown = 0, decoded = 0
        for i in 0..<iterations {
            var s = streams[i % streams.count]
            switch r.int(4) {
            case 0:  // flip 1–3 bits
                for _ in 0...r.int(3) { let k = r.int(s.count); s[k] ^= 1 << UInt8(r.int(8)) }
            case 1:  // truncate
                s = Array(s.prefix(r.int(s.count)))
            case 2:  // overwrite a byte (bias towards the preamble and tags near the start)
                let k = r.int(min(s.count, r.int(2) == 0 ? 8 : s.count)); s[k] = UInt8(truncatingIfNeeded: r.next())
            default:  // insert or delete a byte
                let k = r.int(s.count)
                if r.int(2) == 0 { s.insert(UInt8(truncatingIfNeeded: r.next()), at: k) } else { s.remove(at: k) }
            }
            do {
                let out = try Snappy.decompress(s, location: "fuzz")
                let announced = try s.withUnsafeBytes { try Snappy.uncompressedLength($0, location: "fuzz").length }
                XCTAssertEqual(out.count, announced)
                decoded += 1
            } catch let e as EngramError {
                XCTAssertTrue(e.location == "fuzz", "\(e)")
                thrown += 1
            } catch {
                XCTFail("unexpected error type \(error)")
            }
        }
        XCTAssertGreaterThan(thrown, iterations / 3, "most mutations must be detected (decoded \(decoded))")
    }
}
