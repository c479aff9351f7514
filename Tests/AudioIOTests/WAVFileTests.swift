import Foundation
import XCTest
import TestSupport
import EngramCore
@testable import AudioIO

/// WAV reading/writing: round trips, cross-checks with the reference `flac` tool (which reads and
/// writes WAV, including WAVE_FORMAT_EXTENSIBLE) and with python's struct-packed float WAV.
final class WAVFileTests: XCTestCase {
    func pcm(channels: Int, bits: Int, frames: Int, seed: UInt64) -> PCMAudio {
        var rng = SplitMix64(seed: seed)
        let full = Int64(1) << (bits - 1)
        let chans = (0..<channels).map { _ in (0..<frames).map { _ in Int32(Int64(rng.next() % UInt64(2 * full)) - full) } }
        var a = PCMAudio(channels: chans, sampleRate: 16000 + 1000 * channels, bitsPerSample: bits)
        a.channels[0][0] = Int32(-full); a.channels[0][1] = Int32(full - 1) // extremes
        return a
    }

    func testIntegerRoundTrip() throws {
        for (bits, ch) in [(8, 1), (8, 2), (12, 1), (16, 1), (16, 2), (20, 2), (24, 1), (24, 3), (32, 2), (16, 6)] {
            let a = pcm(channels: ch, bits: bits, frames: 301, seed: UInt64(bits * 10 + ch))
            let back = try WAVFile.read(data: try WAVFile.encode(a))
            XCTAssertEqual(back, .pcm(a), "\(bits) bits \(ch) ch")
        }
    }

    func testFloatRoundTripAndIntConversion() throws {
        let f = FloatAudio(channels: [[0, 0.5, -1, 0.999, 1.5, -2], [0.25, -0.25, 1e-6, 0, 0, 0]], sampleRate: 24000)
        XCTAssertEqual(try WAVFile.read(data: try WAVFile.encode(f)), .float(f))
        guard case .pcm(let p) = try WAVFile.read(data: try WAVFile.encode(f, format: .int(bits: 16))) else { return XCTFail() }
        XCTAssertEqual(p.channels[0], [0, 16384, -32768, 32735, 32767, -32768]) // rounded, clipped
        XCTAssertEqual(p.channels[1], [8192, -8192, 0, 0, 0, 0])
    }

    func testWAVFilesWrittenByFlacAreReadExactly() throws {
        try requireOracle("flac", check: ["flac", "--version"])
        let dir = makeTempDir("wav-flac")
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = try FLACManifest.load()
        for name in ["m8_5.flac", "s16_5.flac", "m24_5.flac", "s24_5.flac", "m12_5.flac", "s20_5.flac", "c3_5.flac", "m32_5.flac"] {
            let f = try XCTUnwrap(m.files.first { $0.file == name })
            let wav = dir.appendingPathComponent(name + ".wav")
            let r = try runProcess("flac", ["-d", "-f", "-s", f.url.path, "-o", wav.path])
            XCTAssertEqual(r.status, 0, r.err)
            let got = try WAVFile.read(contentsOf: wav)
            let want = PCMAudio(channels: try f.expectedChannels(), sampleRate: f.sampleRate, bitsPerSample: f.bitsPerSample)
            XCTAssertEqual(got, .pcm(want), name)
        }
    }

    func testFlacReadsOurWAVFiles() throws {
        try requireOracle("flac", check: ["flac", "--version"])
        let dir = makeTempDir("wav-ours")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (bits, ch) in [(8, 1), (16, 2), (24, 2), (12, 1), (20, 2), (16, 3)] {
            let a = pcm(channels: ch, bits: bits, frames: 999, seed: UInt64(bits + ch))
            let wav = dir.appendingPathComponent("x\(bits)_\(ch).wav"), flac = dir.appendingPathComponent("x\(bits)_\(ch).flac")
            try WAVFile.write(a, to: wav)
            let r = try runProcess("flac", ["-f", "-s", wav.path, "-o", flac.path])
            XCTAssertEqual(r.status, 0, "\(bits)/\(ch): \(r.err)")
            XCTAssertEqual(try FLACDecoder.decode(contentsOf: flac, verifyMD5: true), a, "\(bits) bits \(ch) ch")
        }
    }

    func testFloatWAVWrittenByPython() throws {
        try requireOracle("python3", check: ["python3", "-c", "import struct"])
        let dir = makeTempDir("wav-py")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("f.wav").path
        // WAVE_FORMAT_EXTENSIBLE float32 stereo, x[t, c] = sin(0.01 t + c) / (1 + c), plus a LIST chunk before data.
        let script = """
        import math, struct, sys
        n, C = 500, 2
        data = b''.join(struct.pack('<f', math.sin(0.01 * t + c) / (1 + c)) for t in range(n) for c in range(C))
        guid = bytes([3, 0, 0, 0, 0, 0, 16, 0, 128, 0, 0, 170, 0, 56, 155, 113])
        fmt = struct.pack('<HHIIHHHHI', 0xFFFE, C, 22050, 22050 * C * 4, C * 4, 32, 22, 32, 3) + guid
        lst = b'INFOISFT' + struct.pack('<I', 5) + b'test\\0' + b'\\0'
        body = b'WAVE' + b'fmt ' + struct.pack('<I', len(fmt)) + fmt + b'LIST' + struct.pack('<I', len(lst)) + lst + b'data' + struct.pack('<I', len(data)) + data
        open(sys.argv[1], 'wb').write(b'RIFF' + struct.pack('<I', len(body)) + body)
        """
        let r = try runProcess("python3", ["-c", script, path])
        XCTAssertEqual(r.status, 0, r.err)
        guard case .float(let f) = try WAVFile.read(contentsOf: URL(fileURLWithPath: path)) else { return XCTFail("expected float audio") }
        XCTAssertEqual(f.sampleRate, 22050)
        XCTAssertEqual(f.channelCount, 2)
        for t in [0, 1, 250, 499] {
            for c in 0..<2 { XCTAssertEqual(f.channels[c][t], Float(sin(0.01 * Double(t) + Double(c)) / Double(1 + c)), "t=\(t) c=\(c)") }
        }
    }

    func testBadWAVFilesGiveClearErrors() throws {
        let good = [UInt8](try WAVFile.encode(pcm(channels: 2, bits: 16, frames: 100, seed: 1)))
        func expectError(_ bytes: [UInt8], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try WAVFile.read(data: Data(bytes), path: "bad.wav"), file: file, line: line) { e in
                let err = e as? EngramError
                XCTAssertEqual(err?.location, "bad.wav", file: file, line: line)
                XCTAssertTrue(err?.message.contains(fragment) ?? false, "\(e)", file: file, line: line)
                XCTAssertTrue(err?.message.contains("byte offset") ?? false, "\(e)", file: file, line: line)
            }
        }
        expectError(Array(good.prefix(8)), "truncated")
        expectError(Array(good.prefix(good.count - 10)), "truncated: data chunk")
        var notWav = good; notWav[8] = 0x58
        expectError(notWav, "not a WAV file")
        var mp3 = good; mp3[20] = 0x55; mp3[21] = 0
        expectError(mp3, "unsupported WAV format tag 0x55")
        var odd = good; odd[34] = 13
        expectError(odd, "inconsistent fmt")
        // Every truncation point errors (never crashes).
        for cut in 0..<good.count { XCTAssertThrowsError(try WAVFile.read(data: Data(good.prefix(cut)), path: "cut.wav")) }
    }

    func testAudioFileDetectsFormatBySignature() throws {
        let dir = makeTempDir("audiofile")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = pcm(channels: 1, bits: 16, frames: 50, seed: 5)
        let w = dir.appendingPathComponent("a.flac") // WAV content, misleading extension
        try WAVFile.write(a, to: w)
        XCTAssertEqual(try AudioFile.read(contentsOf: w), .pcm(a))
        let f = dir.appendingPathComponent("b.wav")
        try FLACEncoder.encode(a).write(to: f)
        XCTAssertEqual(try AudioFile.read(contentsOf: f), .pcm(a))
        let junk = dir.appendingPathComponent("c.ogg")
        try Data("OggS0000000000".utf8).write(to: junk)
        XCTAssertThrowsError(try AudioFile.read(contentsOf: junk)) { e in
            XCTAssertTrue("\(e)".contains("unrecognised audio format"))
        }
    }
}
