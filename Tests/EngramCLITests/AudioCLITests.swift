import XCTest
import Foundation
import TestSupport

/// `engram audio decode` and `engram bench flac` run as a user would; outputs checked with python's
/// `wave` module and numpy against the FLAC fixtures' expected samples.
final class AudioCLITests: XCTestCase {
    func testDecodeWritesExactPCMAndResampledFloat() throws {
        let engram = try requireEngram()
        try requireOracle("numpy", check: ["python3", "-c", "import numpy, wave"])
        let dir = makeTempDir("cli-audio")
        defer { try? FileManager.default.removeItem(at: dir) }
        let flac = fixtureURL("flac/s16_5.flac").path, expected = fixtureURL("flac/s16.s32").path
        let pcm = dir.appendingPathComponent("pcm.wav").path
        let r = try runProcess(engram, ["audio", "decode", flac, "--out", pcm])
        XCTAssertEqual(r.status, 0, r.err)
        let check = """
        import sys, wave, numpy as np
        w = wave.open(sys.argv[1])
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, 44100), w.getparams()
        got = np.frombuffer(w.readframes(w.getnframes()), dtype='<i2').astype(np.int32)
        want = np.fromfile(sys.argv[2], dtype='<i4')
        assert np.array_equal(got, want), 'samples differ'
        print('ok')
        """
        let c = try runProcess("python3", ["-c", check, pcm, expected])
        XCTAssertEqual(c.out.trimmingCharacters(in: .whitespacesAndNewlines), "ok", c.err)

        // --mono: float32 mean of the channels, exactly (a + b) / 2 / 32768.
        let mono = dir.appendingPathComponent("mono.wav").path
        let r2 = try runProcess(engram, ["audio", "decode", flac, "--out", mono, "--mono"])
        XCTAssertEqual(r2.status, 0, r2.err)
        let readFloat = """
        import sys, struct, numpy as np
        def read(path):
            b = open(path, 'rb').read()
            tag, ch, rate = struct.unpack('<HHI', b[20:28])
            bits = struct.unpack('<H', b[34:36])[0]
            i = b.index(b'data'); n = struct.unpack('<I', b[i + 4:i + 8])[0]
            return (tag, ch, rate, bits), np.frombuffer(b[i + 8:i + 8 + n], dtype='<f4')
        """
        let check2 = readFloat + "\n" + """
        head, x = read(sys.argv[1])
        want = (np.fromfile(sys.argv[2], dtype='<i4').reshape(-1, 2).mean(axis=1) / 32768).astype(np.float32)
        assert head == (3, 1, 44100, 32), head
        assert np.array_equal(x, want), np.abs(x - want).max()
        print('ok')
        """
        let c2 = try runProcess("python3", ["-c", check2, mono, expected])
        XCTAssertEqual(c2.out.trimmingCharacters(in: .whitespacesAndNewlines), "ok", c2.err)

        // --rate 24000 on 16 kHz audio: ceil(6000 * 3 / 2) = 9000 samples; upsampling keeps the band
        // except the sinc kernel's transition just below 8 kHz, which takes ~1 % of the RMS of this
        // fixture's full-band noise burst (sample-exact resampling is the Resampler's own test).
        let up = dir.appendingPathComponent("up.wav").path
        let r3 = try runProcess(engram, ["audio", "decode", fixtureURL("flac/m16_8.flac").path, "--out", up, "--rate", "24000"])
        XCTAssertEqual(r3.status, 0, r3.err)
        let check3 = readFloat + "\n" + """
        head, x = read(sys.argv[1])
        want = np.fromfile(sys.argv[2], dtype='<i4') / 32768
        assert head == (3, 1, 24000, 32) and len(x) == 9000, (head, len(x))
        r = np.sqrt(np.mean(x.astype(np.float64) ** 2)) / np.sqrt(np.mean(want ** 2))
        assert abs(r - 1) < 0.02, r
        print('ok')
        """
        let c3 = try runProcess("python3", ["-c", check3, up, fixtureURL("flac/m16.s32").path])
        XCTAssertEqual(c3.out.trimmingCharacters(in: .whitespacesAndNewlines), "ok", c3.err)
    }

    func testDecodeOfCorruptFileFailsCleanly() throws {
        let engram = try requireEngram()
        let dir = makeTempDir("cli-audio-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("cut.flac")
        let data = try Data(contentsOf: fixtureURL("flac/m16_5.flac"))
        try data.prefix(data.count / 2).write(to: bad)
        let r = try runProcess(engram, ["audio", "decode", bad.path, "--out", dir.appendingPathComponent("o.wav").path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.err.contains(bad.path) && r.err.contains("truncated") && r.err.contains("byte offset \(data.count / 2)"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("o.wav").path))
    }

    func testBenchFLACRunsOnFixtures() throws {
        let engram = try requireEngram()
        let r = try runProcess(engram, ["bench", "flac", fixtureURL("flac").path, "--passes", "1", "--threads", "2"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("68 files") && r.out.contains("Msamples/s") && r.out.contains("2 threads"), r.out)
    }
}
