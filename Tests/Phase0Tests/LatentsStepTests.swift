import AudioIO
import Encoders
import EngramCore
import Formats
import Foundation
import XCTest
import TestSupport
@testable import Phase0

/// The latents step on a tiny synthetic LibriSpeech-layout corpus (FLACs made by the reference
/// `flac` encoder): shapes, values against a direct computation, resuming, determinism, errors.
final class LatentsStepTests: XCTestCase {
    /// (id, seconds); 33-100-0001 is below min_duration_sec (3.0) and must be dropped.
    static let utterances: [(String, Double)] = [
        ("11-100-0000", 3.1), ("11-100-0001", 3.37), ("22-100-0000", 3.05), ("33-100-0000", 3.2), ("33-100-0001", 1.0),
    ]
    static let bands = 16

    var root: URL!

    override func setUpWithError() throws {
        try requireOracle("flac", check: ["flac", "--version"])
        root = makeTempDir("latents-step")
        try Self.makeCorpus(at: root.appendingPathComponent("LibriSpeech/tiny"))
    }

    override func tearDown() {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    /// 16-bit samples of utterance `id` at 16 kHz: two tones, a syllable-rate envelope and noise.
    static func samples(_ id: String, seconds: Double) -> [Int16] {
        var g = SplitMix64(seed: UInt64(abs(id.hashValueStable)))
        let n = Int(seconds * 16000)
        let f0 = 110.0 + Double(g.nextInt(below: 200))
        return (0..<n).map { i in
            let t = Double(i) / 16000
            let env = 0.15 + 0.85 * abs(sin(2 * Double.pi * 3 * t))
            let v = env * (0.3 * sin(2 * Double.pi * f0 * t) + 0.1 * sin(2 * Double.pi * 2.7 * f0 * t))
                + 0.02 * (Double(g.nextInt(below: 2001)) / 1000 - 1)
            return Int16(max(-32768, min(32767, (v * 32767).rounded())))
        }
    }

    static func wav(_ s: [Int16], rate: Int) -> Data {
        var d = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Array("RIFF".utf8)); u32(36 + 2 * s.count); d.append(contentsOf: Array("WAVEfmt ".utf8))
        u32(16); u16(1); u16(1); u32(rate); u32(2 * rate); u16(2); u16(16)
        d.append(contentsOf: Array("data".utf8)); u32(2 * s.count)
        for v in s { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        return d
    }

    static func makeCorpus(at subset: URL) throws {
        var transcripts = [String: [String]]()
        for (id, sec) in utterances {
            let p = id.split(separator: "-").map(String.init)
            let dir = subset.appendingPathComponent("\(p[0])/\(p[1])")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let wavURL = dir.appendingPathComponent(id + ".wav")
            try wav(samples(id, seconds: sec), rate: 16000).write(to: wavURL)
            let r = try runProcess("flac", ["--silent", "--force", "-o", dir.appendingPathComponent(id + ".flac").path, wavURL.path])
            XCTAssertEqual(r.status, 0, r.err)
            try FileManager.default.removeItem(at: wavURL)
            transcripts["\(p[0])-\(p[1])", default: []].append("\(id) SOME WORDS")
        }
        for (key, lines) in transcripts {
            let p = key.split(separator: "-").map(String.init)
            try (lines.joined(separator: "\n") + "\n").write(to: subset.appendingPathComponent("\(p[0])/\(p[1])/\(key).trans.txt"),
                                                            atomically: true, encoding: .utf8)
        }
    }

    func config(out: String = "out", latentDim: Int = bands, onError: String = "fail") throws -> Phase0Config {
        let o = root.appendingPathComponent(out).path
        return try Phase0Config.parse(yaml: """
        data:
          librispeech_path: \(root.appendingPathComponent("LibriSpeech").path)
          subset: tiny
          min_duration_sec: 3.0
          on_error: \(onError)
        vae:
          encoder: mel
          latent_dim: \(latentDim)
        splits:
          n_train_speakers: 2
          n_eval_speakers: 1
        output:
          latents_dir: \(o)/latents.zarr
          latents_index: \(o)/latents_index.parquet
          splits_dir: \(o)/splits
        """, file: "test.yaml")
    }

    func runBoth(_ c: Phase0Config, workers: Int = 2) throws -> LatentsStep.Summary {
        _ = try SplitsStep.run(config: c, progress: false)
        return try LatentsStep.run(config: c, workers: workers, progress: false)
    }

    /// Every file under `dir` by relative path.
    func snapshot(_ dir: URL) throws -> [String: Data] {
        var out = [String: Data]()
        let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey])!
        for case let u as URL in e where (try u.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            out[String(u.path.dropFirst(dir.path.count))] = try Data(contentsOf: u)
        }
        return out
    }

    func outputs(_ c: Phase0Config) throws -> [String: Data] {
        var s = try snapshot(URL(fileURLWithPath: c.output.latentsDir))
        s["index"] = try Data(contentsOf: URL(fileURLWithPath: c.output.latentsIndex))
        return s
    }

    func testStoreAndIndexHoldTheExpectedValues() throws {
        let c = try config()
        let s = try runBoth(c)
        XCTAssertEqual(s.listed, 5)
        XCTAssertEqual(s.tooShort, 1)
        XCTAssertEqual(s.encoded, 4)
        XCTAssertEqual(s.skipped, 0)
        XCTAssertEqual(s.failures, [])
        let store = try LatentStore(openAt: URL(fileURLWithPath: c.output.latentsDir))
        XCTAssertEqual(try store.utteranceIDs(), ["11-100-0000", "11-100-0001", "22-100-0000", "33-100-0000"])
        let mel = try MelEncoder(bands: Self.bands)
        let resampler = Resampler(fromRate: 16000, toRate: 24000)
        var frames = 0
        for (id, sec) in Self.utterances where sec >= 3 {
            let pcm = Self.samples(id, seconds: sec)
            let wave16 = pcm.map { Float($0) / 32768 }
            let wave24 = resampler.resample(wave16)
            let t = (wave24.count + 1919) / 1920
            XCTAssertEqual(wave24.count, (pcm.count * 3 + 1) / 2)
            let u = try store.read(id)
            XCTAssertEqual(u.nFrames, t, id)
            XCTAssertEqual(u.latentDim, Self.bands)
            XCTAssertEqual(u.speakerID, Int(id.prefix(2))!)
            XCTAssertEqual(u.x, try mel.encode(wave24), id)
            // Energy: RMS over 1920-sample blocks of the 24 kHz waveform, tail zero-padded.
            for f in 0..<t {
                var acc = 0.0
                for i in (f * 1920)..<min((f + 1) * 1920, wave24.count) { acc += Double(wave24[i]) * Double(wave24[i]) }
                XCTAssertEqual(u.energy[f], Float((acc / 1920).squareRoot()), accuracy: 1e-6, "\(id) frame \(f)")
                XCTAssertEqual(u.timestamps[f], Float(f) * 0.08, accuracy: 1e-6)
            }
            frames += t
        }
        XCTAssertEqual(s.totalFrames, frames)

        let index = try ParquetReader.read(URL(fileURLWithPath: c.output.latentsIndex))
        XCTAssertEqual(index.columnNames, ["utterance_id", "speaker_id", "n_frames", "duration_sec", "audio_path"])
        XCTAssertEqual(index["utterance_id"], .string(["11-100-0000", "11-100-0001", "22-100-0000", "33-100-0000"]))
        XCTAssertEqual(index["speaker_id"], .int64([11, 11, 22, 33]))
        guard case .double(let durations)? = index["duration_sec"], case .string(let paths)? = index["audio_path"] else {
            return XCTFail("index column types")
        }
        XCTAssertEqual(durations, [3.1, 3.37, 3.05, 3.2].map { Double(Int($0 * 16000)) / 16000 })
        XCTAssertTrue(paths[2].hasSuffix("tiny/22/100/22-100-0000.flac"), paths[2])
        XCTAssertEqual(try String(contentsOf: s.failuresURL, encoding: .utf8), "")
    }

    /// zarr-python and pyarrow read what we wrote.
    func testPythonReadsStoreAndIndex() throws {
        try requireOracle("zarr+pyarrow", check: ["python3", "-c", "import zarr, pyarrow, numpy"])
        let c = try config()
        _ = try runBoth(c)
        let script = """
        import sys, json, zarr, numpy as np, pyarrow.parquet as pq
        g = zarr.open_consolidated(sys.argv[1], mode='r')
        t = pq.read_table(sys.argv[2])
        out = {"schema": [str(f.type) for f in t.schema], "ids": t.column('utterance_id').to_pylist(), "groups": {}}
        for k in sorted(g.group_keys()):
            u = g[k]
            out["groups"][k] = [list(u['x'].shape), str(u['x'].dtype), float(np.sum(u['energy'][:])),
                                float(u['timestamps'][-1]), dict(u.attrs)]
        print(json.dumps(out))
        """
        let r = try runProcess("python3", ["-c", script, c.output.latentsDir, c.output.latentsIndex])
        XCTAssertEqual(r.status, 0, r.err)
        let j = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        XCTAssertEqual(j["schema"] as? [String], ["string", "int64", "int64", "double", "string"])
        XCTAssertEqual(j["ids"] as? [String], ["11-100-0000", "11-100-0001", "22-100-0000", "33-100-0000"])
        let groups = j["groups"] as! [String: [Any]]
        XCTAssertEqual(groups.count, 4)
        let store = try LatentStore(openAt: URL(fileURLWithPath: c.output.latentsDir))
        for (id, v) in groups {
            let u = try store.read(id)
            XCTAssertEqual(v[0] as? [Int], [u.nFrames, Self.bands])
            XCTAssertEqual(v[1] as? String, "float32")
            XCTAssertEqual(v[2] as! Double, u.energy.reduce(0.0) { $0 + Double($1) }, accuracy: 1e-4)
            XCTAssertEqual(v[3] as! Double, Double(u.nFrames - 1) / 12.5, accuracy: 1e-5)
            let attrs = v[4] as! [String: Int]
            XCTAssertEqual(attrs, ["speaker_id": u.speakerID, "n_frames": u.nFrames, "latent_dim": Self.bands])
        }
    }

    func testSecondRunSkipsEverythingAndChangesNothing() throws {
        let c = try config()
        _ = try runBoth(c)
        let first = try outputs(c)
        let s = try LatentsStep.run(config: c, workers: 2, progress: false)
        XCTAssertEqual(s.skipped, 4)
        XCTAssertEqual(s.encoded, 0)
        XCTAssertEqual(s.indexed, 4)
        XCTAssertEqual(try outputs(c), first)
    }

    func testInterruptedRunIsCompleted() throws {
        let c = try config()
        _ = try runBoth(c)
        let first = try outputs(c)
        let store = URL(fileURLWithPath: c.output.latentsDir)
        // A group whose completion marker is missing, a leftover staging folder, a missing group.
        try FileManager.default.removeItem(at: store.appendingPathComponent("11-100-0001/.zgroup"))
        let staging = store.appendingPathComponent(".22-100-0000.tmp-999-1234")
        try FileManager.default.createDirectory(at: staging.appendingPathComponent("x"), withIntermediateDirectories: true)
        try Data("{\"zarr_format\": 2}".utf8).write(to: staging.appendingPathComponent(".zgroup"))
        try FileManager.default.removeItem(at: store.appendingPathComponent("33-100-0000"))
        let s = try LatentsStep.run(config: c, workers: 2, progress: false)
        XCTAssertEqual(s.encoded, 2)
        XCTAssertEqual(s.skipped, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: staging.path))
        XCTAssertEqual(try outputs(c), first)
    }

    func testOutputDoesNotDependOnThreadCount() throws {
        let a = try config(out: "one"), b = try config(out: "two")
        _ = try runBoth(a, workers: 1)
        _ = try runBoth(b, workers: 3)
        XCTAssertEqual(try outputs(a), try outputs(b))
    }

    /// A FLAC whose header and last frame are fine but whose first frame is damaged.
    func corruptFirstFrame(_ id: String) throws -> String {
        let p = id.split(separator: "-").map(String.init)
        let url = root.appendingPathComponent("LibriSpeech/tiny/\(p[0])/\(p[1])/\(id).flac")
        var d = try Data(contentsOf: url)
        // Skip "fLaC" and the metadata blocks, then flip bytes inside the first audio frame.
        var pos = 4
        while pos + 4 <= d.count {
            let last = d[pos] & 0x80 != 0
            let len = Int(d[pos + 1]) << 16 | Int(d[pos + 2]) << 8 | Int(d[pos + 3])
            pos += 4 + len
            if last { break }
        }
        for i in (pos + 40)..<(pos + 48) { d[i] ^= 0x5A }
        try d.write(to: url)
        return url.path
    }

    func testCorruptAudioFollowsOnError() throws {
        let skip = try config(onError: "skip")
        _ = try SplitsStep.run(config: skip, progress: false)
        let path = try corruptFirstFrame("22-100-0000")
        let s = try LatentsStep.run(config: skip, workers: 2, progress: false)
        XCTAssertEqual(s.encoded, 3)
        XCTAssertEqual(s.failures.count, 1)
        XCTAssertTrue(s.failures[0].description.contains(path) && s.failures[0].description.contains("22-100-0000"), "\(s.failures)")
        XCTAssertEqual(s.indexed, 3)
        XCTAssertTrue(try String(contentsOf: s.failuresURL, encoding: .utf8).contains("22-100-0000"))
        let index = try ParquetReader.read(URL(fileURLWithPath: skip.output.latentsIndex))
        XCTAssertEqual(index["utterance_id"], .string(["11-100-0000", "11-100-0001", "33-100-0000"]))

        let fail = try config(out: "failing", onError: "fail")
        _ = try SplitsStep.run(config: fail, progress: false)
        XCTAssertThrowsError(try LatentsStep.run(config: fail, workers: 2, progress: false)) { e in
            XCTAssertTrue("\(e)".contains(path) && "\(e)".contains("22-100-0000"), "\(e)")
        }
    }

    func testStoreOfAnotherEncoderIsRejected() throws {
        _ = try runBoth(try config())
        XCTAssertThrowsError(try LatentsStep.run(config: try config(latentDim: 8), progress: false)) { e in
            XCTAssertTrue("\(e)".contains("latent_dim"), "\(e)")
        }
    }

    func testNothingLongEnoughGivesAnEmptyIndex() throws {
        var c = try config()
        c.data.minDurationSec = 10
        let s = try runBoth(c)
        XCTAssertEqual(s.tooShort, 5)
        XCTAssertEqual(s.encoded + s.skipped + s.indexed, 0)
        let index = try ParquetReader.read(URL(fileURLWithPath: c.output.latentsIndex))
        XCTAssertEqual(index.rowCount, 0)
        XCTAssertEqual(index.columnNames, ["utterance_id", "speaker_id", "n_frames", "duration_sec", "audio_path"])
    }

    func testMissingSplitsIsAClearError() throws {
        XCTAssertThrowsError(try LatentsStep.run(config: try config(), progress: false)) { e in
            XCTAssertTrue("\(e)".contains("engram phase0 splits"), "\(e)")
        }
    }
}

private extension String {
    /// A hash that is the same in every process (Swift's `hashValue` is seeded per run).
    var hashValueStable: Int64 {
        var h: UInt64 = 1469598103934665603
        for b in utf8 { h = (h ^ UInt64(b)) &* 1099511628211 }
        return Int64(bitPattern: h >> 1)
    }
}

/// The step with a Mimi encoder (the fixtures' tiny model: released ratios, D = 32): the store holds
/// exactly the encoder's output, and concurrent utterances (one Mimi thread each) give the same bytes.
final class LatentsStepMimiTests: XCTestCase {
    func testTinyMimiThroughTheStep() throws {
        try requireOracle("flac", check: ["flac", "--version"])
        let root = makeTempDir("latents-mimi")
        defer { try? FileManager.default.removeItem(at: root) }
        let subset = root.appendingPathComponent("LibriSpeech/tiny")
        try LatentsStepTests.makeCorpus(at: subset)
        let checkpoint = fixtureURL("mimi/tiny/mimi_tiny_moshi.safetensors")
        let encoder = try MimiEncoder.load(moshi: checkpoint, config: .tiny)
        func config(_ out: String) throws -> Phase0Config {
            try Phase0Config.parse(yaml: """
            data: {librispeech_path: \(root.appendingPathComponent("LibriSpeech").path), subset: tiny, min_duration_sec: 3.2}
            vae: {encoder: mimi, latent_dim: 32}
            splits: {n_train_speakers: 2, n_eval_speakers: 1}
            output: {latents_dir: \(root.path)/\(out)/l.zarr, latents_index: \(root.path)/\(out)/i.parquet, splits_dir: \(root.path)/\(out)/s}
            """, file: "mimi.yaml")
        }
        let a = try config("a"), b = try config("b")
        for c in [a, b] { _ = try SplitsStep.run(config: c, progress: false) }
        let sa = try LatentsStep.run(config: a, encoder: encoder, workers: 1, progress: false)
        let threads = encoder.threads
        let sb = try LatentsStep.run(config: b, encoder: encoder, workers: 2, progress: false)
        XCTAssertEqual(encoder.threads, threads, "the encoder's thread count is restored")
        XCTAssertEqual(sa.encoded, 2)   // 3.37 s and 3.2 s
        XCTAssertEqual(sb.encoded, 2)
        let store = try LatentStore(openAt: URL(fileURLWithPath: a.output.latentsDir))
        let u = try store.read("11-100-0001")
        let wave = Resampler(fromRate: 16000, toRate: 24000).resample(LatentsStepTests.samples("11-100-0001", seconds: 3.37).map { Float($0) / 32768 })
        XCTAssertEqual(u.x, try encoder.encode(wave))
        XCTAssertEqual(u.latentDim, 32)
        for name in ["11-100-0001", "33-100-0000"] {
            let other = try LatentStore(openAt: URL(fileURLWithPath: b.output.latentsDir)).read(name)
            XCTAssertEqual(try store.read(name), other, name)
        }
        let storeAttrs = try store.store.attributes("")
        XCTAssertEqual(storeAttrs["encoder"], .string("mimi"))
        XCTAssertEqual(storeAttrs["project"], .bool(true))
    }
}
