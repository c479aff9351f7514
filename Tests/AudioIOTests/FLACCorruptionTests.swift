import Foundation
import XCTest
import TestSupport
import EngramCore
@testable import AudioIO

/// Truncated and mutated files: a clear `EngramError` (or a correct decode), never a crash.
final class FLACCorruptionTests: XCTestCase {
    private func fixture(_ name: String) throws -> (Data, [[Int32]]) {
        let m = try FLACManifest.load()
        let f = try XCTUnwrap(m.files.first { $0.file == name })
        return (try Data(contentsOf: f.url), try f.expectedChannels())
    }

    func testTruncationAtEveryOffsetNamesFileAndOffset() throws {
        for name in ["m16_5.flac", "s16_5b576.flac"] {
            let (data, _) = try fixture(name)
            let path = "/virtual/\(name)"
            let decoder = FLACDecoder()
            var checked = 0
            // Every offset in the header region, then a stride through the frames.
            let offsets = Array(0..<min(200, data.count)) + Array(Swift.stride(from: 200, to: data.count, by: 7))
            for cut in offsets {
                XCTAssertThrowsError(try decoder.decode(data: data.prefix(cut), path: path), "cut at \(cut)") { e in
                    guard let err = e as? EngramError else { return XCTFail("not an EngramError: \(e)") }
                    XCTAssertEqual(err.location, path)
                    XCTAssertTrue(err.message.contains("byte offset"), err.message)
                }
                checked += 1
            }
            XCTAssertGreaterThan(checked, 500)
            // A cut inside the audio frames reports the end of the data as the offset.
            let cut = data.count - 100
            XCTAssertThrowsError(try decoder.decode(data: data.prefix(cut), path: path)) { e in
                let msg = (e as? EngramError)?.message ?? ""
                XCTAssertTrue(msg.contains("truncated") && msg.contains("at byte offset \(cut)"), msg)
            }
        }
    }

    func testRandomByteMutationsNeverCrashOrDecodeWrongSamples() throws {
        var rng = SplitMix64(seed: 0xF1AC)
        var errors = 0, decoded = 0
        for name in ["m16_5.flac", "s16_8.flac", "m24_5b1152.flac", "vb_s16.flac"] {
            let (data, expected) = try fixture(name)
            let decoder = FLACDecoder(verifyMD5: true)
            let bytes = [UInt8](data)
            for trial in 0..<800 {
                var b = bytes
                let flips = 1 + Int(rng.next() % 3)
                for _ in 0..<flips {
                    let i = Int(rng.next() % UInt64(b.count))
                    let bit = UInt8(1) << UInt8(rng.next() % 8)
                    b[i] ^= trial % 4 == 0 ? UInt8(truncatingIfNeeded: rng.next() | 1) : bit
                }
                do {
                    let audio = try decoder.decode(data: Data(b), path: name)
                    // Only harmless bytes (e.g. seek table, frame-size hints) may change without an error.
                    XCTAssertTrue(audio.channels == expected, "\(name) trial \(trial): decoded without error but samples differ")
                    decoded += 1
                } catch let e as EngramError {
                    XCTAssertEqual(e.location, name)
                    XCTAssertTrue(e.message.contains("byte offset"), e.message)
                    errors += 1
                }
            }
        }
        XCTAssertGreaterThan(errors, 2500)
        print("mutations: \(errors) errors, \(decoded) harmless")
    }
}
