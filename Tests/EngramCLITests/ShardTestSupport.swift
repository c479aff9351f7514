import Foundation
import XCTest
import TestSupport

/// A deterministic generator for test plans (kill times, durations): SplitMix64.
struct TestRNG {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// A LibriSpeech-layout corpus of `speakers` × `perSpeaker` utterances (16 kHz mono 16-bit FLAC
/// made by the reference `flac` encoder from tones + noise), `seconds` long each (cycled).
/// Returns the subset folder `root/LibriSpeech/<subset>`.
@discardableResult
func makeFLACCorpus(at root: URL, subset: String, speakers: Int, perSpeaker: Int, seconds: [Double], seed: UInt64) throws -> URL {
    try requireOracle("flac", check: ["flac", "--version"])
    let sub = root.appendingPathComponent("LibriSpeech/\(subset)")
    var g = TestRNG(state: seed)
    var k = 0
    for s in 0..<speakers {
        let spk = 100 + 7 * s, chapter = 1000 + s
        let dir = sub.appendingPathComponent("\(spk)/\(chapter)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var lines = [String]()
        var wavs = [String]()
        for u in 0..<perSpeaker {
            let id = String(format: "%d-%d-%04d", spk, chapter, u)
            let n = Int(seconds[k % seconds.count] * 16000)
            k += 1
            let f0 = 100 + 150 * g.unit()
            var pcm = Data(capacity: 2 * n)
            for i in 0..<n {
                let t = Double(i) / 16000
                let env = 0.2 + 0.8 * abs(sin(2 * Double.pi * 2.5 * t))
                let v = env * (0.3 * sin(2 * Double.pi * f0 * t) + 0.1 * sin(2 * Double.pi * 3.1 * f0 * t)) + 0.03 * (g.unit() * 2 - 1)
                let q = Int16(max(-32768, min(32767, (v * 32767).rounded())))
                withUnsafeBytes(of: q.littleEndian) { pcm.append(contentsOf: $0) }
            }
            let wav = dir.appendingPathComponent(id + ".wav")
            try (wavHeader(bytes: pcm.count) + pcm).write(to: wav)
            wavs.append(wav.path)
            lines.append("\(id) WORDS OF UTTERANCE \(u)")
        }
        let r = try runProcess("flac", ["--silent", "--force"] + wavs)
        XCTAssertEqual(r.status, 0, r.err)
        for w in wavs { try FileManager.default.removeItem(atPath: w) }
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("\(spk)-\(chapter).trans.txt"), atomically: true, encoding: .utf8)
    }
    return sub
}

/// A 44-byte RIFF/WAVE header for 16 kHz mono 16-bit PCM of `bytes` data bytes.
func wavHeader(bytes: Int, rate: Int = 16000, channels: Int = 1) -> Data {
    var d = Data()
    func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
    func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
    d.append(contentsOf: Array("RIFF".utf8)); u32(36 + bytes); d.append(contentsOf: Array("WAVEfmt ".utf8))
    u32(16); u16(1); u16(channels); u32(rate); u32(2 * rate * channels); u16(2 * channels); u16(16)
    d.append(contentsOf: Array("data".utf8)); u32(bytes)
    return d
}

/// Every regular file under `dir` (relative path → bytes), hidden files included.
func treeContents(_ dir: URL) throws -> [String: Data] {
    var out = [String: Data]()
    guard let e = FileManager.default.enumerator(atPath: dir.path) else { return out }
    while let rel = e.nextObject() as? String {
        let p = dir.appendingPathComponent(rel)
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: p.path, isDirectory: &isDir), !isDir.boolValue {
            out[rel] = try Data(contentsOf: p)
        }
    }
    return out
}

/// Config text for the latents tests: mel encoder (fast, deterministic), outputs under `out`.
func shardTestConfig(root: URL, subset: String, out: String, trainSpeakers: Int, evalSpeakers: Int) -> String {
    """
    data:
      librispeech_path: \(root.path)/LibriSpeech
      subset: \(subset)
      min_duration_sec: 3.0
    vae: {encoder: mel, latent_dim: 24}
    splits: {n_train_speakers: \(trainSpeakers), n_eval_speakers: \(evalSpeakers)}
    output:
      latents_dir: \(root.path)/\(out)/latents.zarr
      latents_index: \(root.path)/\(out)/latents_index.parquet
      splits_dir: \(root.path)/splits
    """
}
