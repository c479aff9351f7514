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

    /// Mutations with the frame CRC-16 recomputed, so the subframe parser itself meets the garbage
    /// (no checksum safety net): it must stop with an error or decode; with MD5 verification on,
    /// a decode that succeeds must give the original samples.
    func testMutationsBehindValidCRCsNeverCrash() throws {
        var rng = SplitMix64(seed: 0xC0FFEE)
        var errors = 0, decoded = 0
        var kinds = [String: Int]()
        for name in ["m16_8elaxl32.flac", "s16_5.flac", "s24_8.flac", "m8_5b192.flac"] {
            let (data, expected) = try fixture(name)
            let probe = FLACDecoder()
            probe.recordedFrameOffsets = []
            _ = try probe.decode(data: data)
            let starts = probe.recordedFrameOffsets! + [data.count]
            let bytes = [UInt8](data)
            let decoder = FLACDecoder(verifyMD5: true)
            for trial in 0..<400 {
                var b = bytes
                let f = Int(rng.next() % UInt64(starts.count - 1))
                let lo = starts[f], hi = starts[f + 1]
                // Skip the first 6 bytes (sync, codes) so the header usually stays parseable.
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    let i = lo + 6 + Int(rng.next() % UInt64(hi - lo - 8))
                    b[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                }
                let headerLength = b.withUnsafeBufferPointer { p -> Int? in
                    try? FLACFrameHeader.parse(p.baseAddress! + lo, count: hi - lo, offset: lo, info: FLACStreamInfo.parse(p.baseAddress! + 8, offset: 8)).byteCount
                }
                if headerLength == nil {
                    // Header damaged: fix its CRC-8 by brute force over the original header length.
                    let h = try bytes.withUnsafeBufferPointer { p in
                        try FLACFrameHeader.parse(p.baseAddress! + lo, count: hi - lo, offset: lo, info: FLACStreamInfo.parse(p.baseAddress! + 8, offset: 8)).byteCount
                    }
                    b[lo + h - 1] = b.withUnsafeBufferPointer { FLACCRC.crc8($0.baseAddress! + lo, h - 1) }
                }
                let crc = b.withUnsafeBufferPointer { FLACCRC.crc16($0.baseAddress! + lo, hi - lo - 2) }
                b[hi - 2] = UInt8(crc >> 8); b[hi - 1] = UInt8(crc & 0xFF)
                do {
                    let audio = try decoder.decode(data: Data(b), path: name)
                    XCTAssertTrue(audio.channels == expected, "\(name) trial \(trial): wrong samples without an error")
                    decoded += 1
                } catch let e as EngramError {
                    XCTAssertEqual(e.location, name)
                    XCTAssertTrue(e.message.contains("byte offset"), e.message)
                    errors += 1
                    kinds[e.message.split(separator: " ").prefix(3).joined(separator: " "), default: 0] += 1
                }
            }
        }
        print(kinds.sorted { $0.value > $1.value })
        XCTAssertGreaterThan(errors, 1500)
        print("CRC-fixed mutations: \(errors) errors, \(decoded) harmless")
    }
}
