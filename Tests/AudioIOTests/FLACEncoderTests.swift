import Foundation
import XCTest
import TestSupport
import EngramCore
@testable import AudioIO

/// The encoder: round trips through our decoder, and through the reference `flac` (`-t` accepts the
/// file and its MD5 check passes; `-d` reproduces the samples).
final class FLACEncoderTests: XCTestCase {
    struct Case {
        var channels: Int, bits: Int, rate: Int, frames: Int
        var encoder = FLACEncoder()
        var seed: UInt64 = 1
        var name: String
    }

    /// Signals that exercise every subframe kind: noise + tone, silence (CONSTANT), full-scale noise
    /// (VERBATIM / escapes), multiples of 4 (wasted bits), identical channels (side = 0).
    static func signal(_ c: Case) -> [Int32] {
        var s = testSignal(frames: c.frames, channels: c.channels, bits: c.bits, seed: c.seed)
        var rng = SplitMix64(seed: c.seed ^ 0xABCDEF)
        let full = Int64(1) << (c.bits - 1)
        let q = c.frames / 8
        for t in (5 * q)..<(5 * q + q / 2) {
            for ch in 0..<c.channels { s[t * c.channels + ch] = Int32(Int64(rng.next() % UInt64(2 * full)) - full) }
        }
        for t in (6 * q)..<(7 * q) { for ch in 0..<c.channels { s[t * c.channels + ch] &= ~3 } }
        if c.channels >= 2 { for t in (7 * q)..<c.frames { s[t * c.channels + 1] = s[t * c.channels] } }
        return s
    }

    static let cases: [Case] = [
        Case(channels: 1, bits: 16, rate: 16000, frames: 20000, name: "mono16"),
        Case(channels: 2, bits: 16, rate: 44100, frames: 12000, name: "stereo16"),
        Case(channels: 2, bits: 24, rate: 48000, frames: 9000, name: "stereo24"),
        Case(channels: 1, bits: 24, rate: 96000, frames: 7000, encoder: FLACEncoder(blockSize: 1152), name: "mono24-b1152"),
        Case(channels: 1, bits: 8, rate: 8000, frames: 5000, encoder: FLACEncoder(blockSize: 576), name: "mono8-b576"),
        Case(channels: 2, bits: 8, rate: 22050, frames: 4000, name: "stereo8"),
        Case(channels: 3, bits: 16, rate: 16000, frames: 5000, name: "3ch16"),
        Case(channels: 1, bits: 12, rate: 12000, frames: 3000, name: "mono12"),
        Case(channels: 2, bits: 20, rate: 11025, frames: 3000, name: "stereo20"),
        Case(channels: 1, bits: 16, rate: 24000, frames: 10000, encoder: FLACEncoder(blockSize: 1000), name: "mono16-b1000"),
        Case(channels: 1, bits: 16, rate: 37800, frames: 2000, encoder: FLACEncoder(blockSize: 100), name: "mono16-b100"),
        Case(channels: 2, bits: 16, rate: 16000, frames: 9000, encoder: FLACEncoder(variableBlockSizes: [4096, 576, 1000, 192, 2304]), name: "variable"),
        Case(channels: 2, bits: 16, rate: 16000, frames: 5000, encoder: FLACEncoder(stereoDecorrelation: false), name: "no-decorrelation"),
        Case(channels: 1, bits: 16, rate: 16000, frames: 5000, encoder: FLACEncoder(maxPartitionOrder: 0), name: "partition-order-0"),
        Case(channels: 1, bits: 16, rate: 16000, frames: 10, name: "ten-samples"),
        Case(channels: 1, bits: 16, rate: 200000, frames: 3000, name: "rate-200k"),
    ]

    func testRoundTripThroughOurDecoder() throws {
        let decoder = FLACDecoder(verifyMD5: true)
        for c in Self.cases {
            let s = Self.signal(c)
            let data = try c.encoder.encode(samples: s, channels: c.channels, sampleRate: c.rate, bitsPerSample: c.bits)
            let a = try decoder.decode(data: data, path: c.name)
            XCTAssertEqual(a.interleaved(), s, c.name)
            XCTAssertEqual(a.sampleRate, c.rate, c.name)
            XCTAssertEqual(a.bitsPerSample, c.bits, c.name)
            XCTAssertLessThan(data.count, s.count * c.bits / 8 + 2000, "\(c.name): no bigger than PCM plus overhead")
        }
    }

    func testReferenceDecoderAcceptsOurFiles() throws {
        try requireOracle("flac", check: ["flac", "--version"])
        let dir = makeTempDir("flac-enc")
        defer { try? FileManager.default.removeItem(at: dir) }
        for c in Self.cases {
            let s = Self.signal(c)
            let url = dir.appendingPathComponent("\(c.name).flac")
            try c.encoder.encode(samples: s, channels: c.channels, sampleRate: c.rate, bitsPerSample: c.bits).write(to: url)
            // -t decodes and checks the decoded samples against our STREAMINFO MD5 of the input.
            let t = try runProcess("flac", ["-t", "-w", url.path])
            XCTAssertEqual(t.status, 0, "\(c.name): flac -t: \(t.err)")
            XCTAssertTrue(t.err.contains("ok"), "\(c.name): \(t.err)")
            XCTAssertFalse(t.err.contains("MD5 signature mismatch") || t.err.contains("WARNING"), "\(c.name): \(t.err)")
            guard c.bits % 8 == 0 else { continue } // raw output needs whole bytes
            let raw = dir.appendingPathComponent("\(c.name).raw")
            let d = try runProcess("flac", ["-d", "-f", "-s", "--force-raw-format", "--endian=little", "--sign=signed", url.path, "-o", raw.path])
            XCTAssertEqual(d.status, 0, "\(c.name): flac -d: \(d.err)")
            XCTAssertEqual(parseRawPCM(try Data(contentsOf: raw), bytesPerSample: c.bits / 8), s, "\(c.name): flac -d samples differ")
        }
    }

    func testEscapeCodedPartitionsAreWrittenAndDecoded() throws {
        // Quiet noise with an all-zero stretch: a zero-width escape beats Rice k = 0 there,
        // and a burst of wide values where a wide escape beats the small Rice parameter.
        var rng = SplitMix64(seed: 9)
        var s = (0..<4096).map { _ in Int32(Int64(rng.next() % 7) - 3) }
        for i in 1024..<2048 { s[i] = 0 }
        let plan = FLACSubframeEncoder().planResidual(s.map { Int64($0) }, blockSize: 4096, order: 0)!
        XCTAssertTrue(plan.escapeBits.contains(0), "an all-zero partition should be escape-coded: \(plan.escapeBits)")
        let data = try FLACEncoder.encode(samples: s, channels: 1, sampleRate: 16000, bitsPerSample: 16)
        XCTAssertEqual(try FLACDecoder(verifyMD5: true).decode(data: data).channels[0], s)
        try requireOracle("flac", check: ["flac", "--version"])
        let dir = makeTempDir("flac-esc")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("esc.flac"), raw = dir.appendingPathComponent("esc.raw")
        try data.write(to: url)
        let d = try runProcess("flac", ["-d", "-f", "-s", "--force-raw-format", "--endian=little", "--sign=signed", url.path, "-o", raw.path])
        XCTAssertEqual(d.status, 0, d.err)
        XCTAssertEqual(parseRawPCM(try Data(contentsOf: raw), bytesPerSample: 2), s)
    }

    func testEmptyInputGivesAValidEmptyStream() throws {
        let data = try FLACEncoder.encode(samples: [], channels: 2, sampleRate: 16000, bitsPerSample: 16)
        let a = try FLACDecoder().decode(data: data)
        XCTAssertEqual(a.channelCount, 2)
        XCTAssertEqual(a.frameCount, 0)
    }

    func testInvalidInputsAreRejected() {
        XCTAssertThrowsError(try FLACEncoder.encode(samples: [40000], channels: 1, sampleRate: 16000, bitsPerSample: 16)) { e in
            XCTAssertTrue((e as? EngramError)?.message.contains("outside the 16-bit range") ?? false, "\(e)")
        }
        XCTAssertThrowsError(try FLACEncoder.encode(samples: [1, 2, 3], channels: 2, sampleRate: 16000, bitsPerSample: 16))
        XCTAssertThrowsError(try FLACEncoder.encode(samples: [1], channels: 1, sampleRate: 16000, bitsPerSample: 32))
        XCTAssertThrowsError(try FLACEncoder.encode(samples: [1], channels: 9, sampleRate: 16000, bitsPerSample: 16))
        XCTAssertThrowsError(try FLACEncoder(blockSize: 8).encode(samples: [1], channels: 1, sampleRate: 16000, bitsPerSample: 16))
    }

    func testCodedNumbersMatchTheRFCTable() {
        XCTAssertEqual(FLACEncoder.codedNumber(0), [0x00])
        XCTAssertEqual(FLACEncoder.codedNumber(0x7F), [0x7F])
        XCTAssertEqual(FLACEncoder.codedNumber(0x80), [0xC2, 0x80])
        XCTAssertEqual(FLACEncoder.codedNumber(0x7FF), [0xDF, 0xBF])
        XCTAssertEqual(FLACEncoder.codedNumber(0x800), [0xE0, 0xA0, 0x80])
        XCTAssertEqual(FLACEncoder.codedNumber(0xF_FFFF_FFFF), [0xFE, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF])
    }
}
