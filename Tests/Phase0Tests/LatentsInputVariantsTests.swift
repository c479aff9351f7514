import AudioIO
import Encoders
import EngramCore
import Formats
import Foundation
import XCTest
import TestSupport
@testable import Phase0

/// Audio that is not 16 kHz mono in a LibriSpeech-layout corpus. The research pipeline's
/// `load_audio` averages the channels and resamples from the file's own rate to 24 kHz; the
/// latents step does the same (so these are handled, not errors), and the index records the true
/// duration. A file that cannot be decoded is an error naming it, or is skipped and recorded.
final class LatentsInputVariantsTests: XCTestCase {
    func wav(_ channels: [[Int16]], rate: Int) -> Data {
        let n = channels[0].count, c = channels.count
        var d = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Array("RIFF".utf8)); u32(36 + 2 * n * c); d.append(contentsOf: Array("WAVEfmt ".utf8))
        u32(16); u16(1); u16(c); u32(rate); u32(2 * rate * c); u16(2 * c); u16(16)
        d.append(contentsOf: Array("data".utf8)); u32(2 * n * c)
        for i in 0..<n { for ch in channels { withUnsafeBytes(of: ch[i].littleEndian) { d.append(contentsOf: $0) } } }
        return d
    }

    func tone(_ n: Int, rate: Int, f: Double, seed: UInt64) -> [Int16] {
        var g = SplitMix64(seed: seed)
        return (0..<n).map { i in
            let t = Double(i) / Double(rate)
            let v = 0.3 * sin(2 * Double.pi * f * t) * (0.3 + 0.7 * abs(sin(2 * Double.pi * 2 * t))) + 0.02 * (Double(g.nextInt(below: 2001)) / 1000 - 1)
            return Int16((v * 32767).rounded())
        }
    }

    func testStereoAndOtherRatesAreDownmixedAndResampledLikeTheResearchPipeline() throws {
        try requireOracle("flac", check: ["flac", "--version"])
        let root = makeTempDir("latents-variants")
        defer { try? FileManager.default.removeItem(at: root) }
        let sub = root.appendingPathComponent("LibriSpeech/mixed")
        // Speaker 11: 16 kHz mono; speaker 22: 16 kHz stereo; speaker 33: 22.05 kHz mono; speaker 44: corrupt.
        let left = tone(52000, rate: 16000, f: 180, seed: 1), right = tone(52000, rate: 16000, f: 260, seed: 2)
        let odd = tone(75000, rate: 22050, f: 200, seed: 3)
        let files: [(String, [[Int16]], Int)] = [("11-1-0000", [left], 16000), ("22-1-0000", [left, right], 16000), ("33-1-0000", [odd], 22050),
                                                  ("44-1-0000", [right], 16000)]
        for (id, ch, rate) in files {
            let p = id.split(separator: "-")
            let dir = sub.appendingPathComponent("\(p[0])/\(p[1])")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try wav(ch, rate: rate).write(to: dir.appendingPathComponent(id + ".wav"))
            let r = try runProcess("flac", ["--silent", "--force", "--delete-input-file", dir.appendingPathComponent(id + ".wav").path])
            XCTAssertEqual(r.status, 0, r.err)
            try "\(id) WORDS\n".write(to: dir.appendingPathComponent("\(p[0])-\(p[1]).trans.txt"), atomically: true, encoding: .utf8)
        }
        // Corrupt the last file's audio frames (its header still says 3.25 s, so the scan keeps it).
        let bad = sub.appendingPathComponent("44/1/44-1-0000.flac")
        var bytes = [UInt8](try Data(contentsOf: bad))
        for i in stride(from: bytes.count / 3, to: bytes.count / 2, by: 97) { bytes[i] ^= 0x5A }
        try Data(bytes).write(to: bad)

        func config(_ onError: String) throws -> Phase0Config {
            try Phase0Config.parse(yaml: """
            data: {librispeech_path: \(root.path)/LibriSpeech, subset: mixed, min_duration_sec: 3.0, on_error: \(onError)}
            vae: {encoder: mel, latent_dim: 12}
            splits: {n_train_speakers: 3, n_eval_speakers: 1, utt_holdout_frac: 0.0}
            output: {latents_dir: \(root.path)/\(onError)/latents.zarr, latents_index: \(root.path)/\(onError)/latents_index.parquet, splits_dir: \(root.path)/splits}
            """, file: "variants.yaml")
        }
        _ = try SplitsStep.run(config: try config("fail"), progress: false)
        XCTAssertThrowsError(try LatentsStep.run(config: try config("fail"), workers: 1, progress: false)) { e in
            XCTAssertTrue("\(e)".contains("44-1-0000.flac") && "\(e)".contains("utterance 44-1-0000"), "\(e)")
        }
        let c = try config("skip")
        let s = try LatentsStep.run(config: c, workers: 2, progress: false)
        XCTAssertEqual(s.encoded, 3)
        XCTAssertEqual(s.failures.count, 1)
        XCTAssertTrue(s.failures[0].path.hasSuffix("44-1-0000.flac"), "\(s.failures)")
        XCTAssertTrue(try String(contentsOf: s.failuresURL, encoding: .utf8).contains("44-1-0000"))

        let store = try LatentStore(openAt: URL(fileURLWithPath: c.output.latentsDir))
        let mel = try MelEncoder(bands: 12)
        func expect(_ mono: [Float], rate: Int) throws -> [Float] {
            try mel.encode(Resampler(fromRate: rate, toRate: 24000).resample(mono))
        }
        let l = left.map { Float($0) / 32768 }, r = right.map { Float($0) / 32768 }
        XCTAssertEqual(try store.read("11-1-0000").x, try expect(l, rate: 16000))
        XCTAssertEqual(try store.read("22-1-0000").x, try expect(zip(l, r).map { ($0 + $1) * 0.5 }, rate: 16000), "channel mean")
        XCTAssertEqual(try store.read("33-1-0000").x, try expect(odd.map { Float($0) / 32768 }, rate: 22050), "resampled from 22.05 kHz")
        XCTAssertEqual(try store.read("33-1-0000").nFrames, (Int((75000 * 24000 + 22049) / 22050) + 1919) / 1920)
        let rows = try LatentsIndex.read(URL(fileURLWithPath: c.output.latentsIndex))
        XCTAssertEqual(rows.map(\.utteranceID), ["11-1-0000", "22-1-0000", "33-1-0000"])
        XCTAssertEqual(rows[2].durationSec, 75000.0 / 22050, accuracy: 1e-12)
    }
}
