import Foundation
import XCTest
import TestSupport
import EngramCore
@testable import AudioIO

/// The decoder against files written by the reference `flac` tool (fixtures) and, when installed,
/// against `flac` run live.
final class FLACDecoderTests: XCTestCase {
    func testFixturesCoverTheFormat() throws {
        // Feature counts come from `flac -a` (flac's own analysis) at fixture generation time.
        let m = try FLACManifest.load()
        for key in ["type=CONSTANT", "type=VERBATIM", "residual_type=RICE", "residual_type=RICE2",
                    "channel_assignment=INDEPENDENT", "channel_assignment=LEFT_SIDE",
                    "channel_assignment=RIGHT_SIDE", "channel_assignment=MID_SIDE", "type=LPC order=32"] {
            XCTAssertGreaterThan(m.features[key] ?? 0, 0, key)
        }
        for order in 0...4 { XCTAssertGreaterThan(m.features["type=FIXED order=\(order)"] ?? 0, 0, "fixed order \(order)") }
        XCTAssertTrue(m.features.keys.contains { $0.hasPrefix("wasted_bits=") })
        XCTAssertTrue(m.files.contains { $0.options == "variable block size" })
        XCTAssertGreaterThanOrEqual(m.files.count, 60)
    }

    func testDecodesEveryFixtureSampleExactWithMD5() throws {
        let m = try FLACManifest.load()
        let decoder = FLACDecoder(verifyMD5: true)
        var expectedCache = [String: [[Int32]]]()
        for f in m.files {
            let audio = try decoder.decode(contentsOf: f.url)
            let expected = try expectedCache[f.signal] ?? f.expectedChannels()
            expectedCache[f.signal] = expected
            XCTAssertEqual(audio.sampleRate, f.sampleRate, f.file)
            XCTAssertEqual(audio.bitsPerSample, f.bitsPerSample, f.file)
            XCTAssertEqual(audio.channelCount, f.channels, f.file)
            XCTAssertEqual(audio.frameCount, f.frames, f.file)
            XCTAssertTrue(audio.channels == expected, "\(f.file) (\(f.options)): samples differ")
        }
    }

    func testStreamInfoWithoutDecoding() throws {
        let m = try FLACManifest.load()
        for f in m.files {
            let info = try FLACStreamInfo.read(contentsOf: f.url)
            XCTAssertEqual(info.sampleRate, f.sampleRate, f.file)
            XCTAssertEqual(info.channels, f.channels, f.file)
            XCTAssertEqual(info.bitsPerSample, f.bitsPerSample, f.file)
            XCTAssertEqual(info.totalSamples, f.frames, f.file)
            XCTAssertEqual(hexString(info.md5), f.md5, f.file)
            if f.frames > 0 {
                XCTAssertEqual(info.duration!, Double(f.frames) / Double(f.sampleRate), accuracy: 1e-12, f.file)
            } else {
                XCTAssertNil(info.duration)
            }
        }
    }

    func testMonoFloatFastPathMatchesIntegerDecode() throws {
        let m = try FLACManifest.load()
        let decoder = FLACDecoder()
        for name in ["m16_5.flac", "s16_8.flac", "m24_5.flac", "s8_5.flac", "c3_5.flac"] {
            let f = try XCTUnwrap(m.files.first { $0.file == name })
            let pcm = try decoder.decode(contentsOf: f.url)
            let (mono, rate) = try decoder.decodeMonoFloat(contentsOf: f.url)
            XCTAssertEqual(rate, f.sampleRate)
            XCTAssertEqual(mono.count, f.frames)
            // Reference: scale each channel by 2^-(bits-1), then average (torchaudio load + mean).
            let scale = 1 / Double(1 << (f.bitsPerSample - 1))
            var maxErr = 0.0
            for t in 0..<f.frames {
                let want = pcm.channels.reduce(0.0) { $0 + Double($1[t]) * scale } / Double(f.channels)
                maxErr = max(maxErr, abs(Double(mono[t]) - want))
                XCTAssertLessThanOrEqual(abs(mono[t]), 1)
            }
            XCTAssertLessThan(maxErr, 1e-6, name)
            XCTAssertEqual(mono, pcm.monoFloat(), name)
        }
    }

    func testUnknownTotalSampleCountDecodesToEndOfFile() throws {
        // STREAMINFO may say 0 = "unknown length": decode until the data ends.
        let m = try FLACManifest.load()
        let f = try XCTUnwrap(m.files.first { $0.file == "s16_5b1152.flac" })
        var b = [UInt8](try Data(contentsOf: f.url))
        b[21] &= 0xF0; b[22] = 0; b[23] = 0; b[24] = 0; b[25] = 0
        let a = try FLACDecoder(verifyMD5: true).decode(data: Data(b))
        XCTAssertTrue(a.channels == (try f.expectedChannels()))
        let dir = makeTempDir("flac-unknown")
        defer { try? FileManager.default.removeItem(at: dir) }
        let u = dir.appendingPathComponent("u.flac")
        try Data(b).write(to: u)
        let info = try FLACStreamInfo.read(contentsOf: u)
        XCTAssertEqual(info.totalSamples, 0)
        XCTAssertNil(info.duration)
    }

    func testInterleavingRoundTrip() throws {
        let m = try FLACManifest.load()
        let f = try XCTUnwrap(m.files.first { $0.file == "c3_5.flac" })
        let pcm = try FLACDecoder.decode(contentsOf: f.url)
        let inter = pcm.interleaved()
        XCTAssertEqual(inter[3 * 5 + 2], pcm.channels[2][5])
        XCTAssertEqual(PCMAudio(interleaved: inter, channelCount: 3, sampleRate: pcm.sampleRate, bitsPerSample: 16), pcm)
    }

    func testNotFLACAndEmptyInputsGiveClearErrors() throws {
        let dir = makeTempDir("flac-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("x.flac")
        try Data("RIFF....WAVEfmt ".utf8).write(to: wav)
        XCTAssertThrowsError(try FLACDecoder.decode(contentsOf: wav)) { e in
            let d = (e as? EngramError)?.description ?? ""
            XCTAssertTrue(d.contains(wav.path) && d.contains("fLaC") && d.contains("byte offset 0"), d)
        }
        let empty = dir.appendingPathComponent("empty.flac")
        try Data().write(to: empty)
        XCTAssertThrowsError(try FLACDecoder.decode(contentsOf: empty)) { e in
            XCTAssertTrue((e as? EngramError)?.description.contains(empty.path) ?? false)
        }
        XCTAssertThrowsError(try FLACStreamInfo.read(contentsOf: empty))
        XCTAssertThrowsError(try FLACDecoder.decode(contentsOf: dir.appendingPathComponent("missing.flac"))) { e in
            XCTAssertTrue(e is EngramError)
        }
    }

    // MARK: - Live comparison with the reference tool

    func testLiveAgainstReferenceEncoder() throws {
        try requireOracle("flac", check: ["flac", "--version"])
        let dir = makeTempDir("flac-live")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(channels: Int, bits: Int, rate: Int, frames: Int, opts: [String])] = [
            (1, 16, 16000, 9000, ["-5"]), (2, 16, 44100, 7000, ["-8"]), (2, 24, 48000, 5000, ["-6", "-b", "2048"]),
            (1, 8, 8000, 4000, ["-3"]), (2, 16, 32000, 6000, ["-1", "-b", "1152"]), (1, 24, 96000, 4000, ["-7", "--lax", "-l", "24"]),
            (2, 8, 22050, 3000, ["-2"]), (1, 16, 24000, 5000, ["-0", "-b", "256"]),
        ]
        let decoder = FLACDecoder(verifyMD5: true)
        for (i, c) in cases.enumerated() {
            let samples = testSignal(frames: c.frames, channels: c.channels, bits: c.bits, seed: UInt64(100 + i))
            let raw = dir.appendingPathComponent("in\(i).raw"), out = dir.appendingPathComponent("out\(i).flac")
            try rawPCM(samples, bytesPerSample: c.bits / 8).write(to: raw)
            let r = try runProcess("flac", ["-f", "-s", "--force-raw-format", "--endian=little", "--sign=signed",
                                            "--channels=\(c.channels)", "--bps=\(c.bits)", "--sample-rate=\(c.rate)"] + c.opts + [raw.path, "-o", out.path])
            XCTAssertEqual(r.status, 0, r.err)
            let audio = try decoder.decode(contentsOf: out)
            XCTAssertEqual(audio.interleaved(), samples, "case \(i) \(c.opts)")
            XCTAssertEqual(audio.sampleRate, c.rate)
        }
    }
}

/// `FLACBatch`: the parallel helper returns, per index, exactly what a sequential decode gives.
final class FLACBatchTests: XCTestCase {
    func testParallelDecodeEqualsSequentialForAnyThreadCount() throws {
        let m = try FLACManifest.load()
        let dir = makeTempDir("flac-batch")
        defer { try? FileManager.default.removeItem(at: dir) }
        let broken = dir.appendingPathComponent("broken.flac")
        let good = try Data(contentsOf: m.files[0].url)
        try good.prefix(good.count - 5).write(to: broken)
        var urls = m.files.map(\.url)
        urls.insert(broken, at: 7)
        let sequential = urls.map { try? FLACDecoder.decode(contentsOf: $0) }
        for threads in [1, 2, 3, 8] {
            let results = FLACBatch.decode(urls, threads: threads, verifyMD5: true)
            XCTAssertEqual(results.count, urls.count)
            for (i, r) in results.enumerated() {
                switch r {
                case .success(let a): XCTAssertEqual(a, sequential[i], "threads \(threads) file \(i)")
                case .failure(let e):
                    XCTAssertEqual(i, 7, "\(e)")
                    XCTAssertEqual((e as? EngramError)?.location, broken.path)
                }
            }
        }
        let rates = FLACBatch.map(urls, threads: 2) { _, u in try FLACStreamInfo.read(contentsOf: u).sampleRate }
        XCTAssertEqual(try rates[0].get(), m.files[0].sampleRate)
    }
}
