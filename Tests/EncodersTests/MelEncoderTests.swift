import Foundation
import XCTest
import TestSupport
@testable import Encoders

/// MelEncoder against `scripts/mel_oracle.py` (numpy), torchaudio's MelSpectrogram
/// (`Tests/Fixtures/mel`, from `scripts/make_mel_fixtures.py`) and analytic cases.
final class MelEncoderTests: XCTestCase {
    func noise(_ n: Int, seed: UInt64, amplitude: Float = 0.3) -> [Float] {
        var s = seed &* 0x9E3779B97F4A7C15 | 1
        return (0..<n).map { _ in
            s ^= s << 13; s ^= s >> 7; s ^= s << 17
            return amplitude * Float(Double(s >> 11) / Double(1 << 53) * 2 - 1)
        }
    }

    func readF32(_ url: URL) throws -> [Float] {
        let bytes = [UInt8](try Data(contentsOf: url))
        return (0..<(bytes.count / 4)).map { i -> Float in
            var u = UInt32(bytes[i * 4])
            u |= UInt32(bytes[i * 4 + 1]) << 8
            u |= UInt32(bytes[i * 4 + 2]) << 16
            u |= UInt32(bytes[i * 4 + 3]) << 24
            return Float(bitPattern: u)
        }
    }

    /// Elementwise |a − b| ≤ tol · max(1, |b|) (log-mel values span about −11.5 … +15).
    func assertClose(_ a: [Float], _ b: [Float], tol: Float = 1e-4, _ what: String, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, line: line)
        guard a.count == b.count else { return }
        var worst: Float = 0
        for i in 0..<a.count { worst = max(worst, abs(a[i] - b[i]) / max(1, abs(b[i]))) }
        XCTAssertLessThanOrEqual(worst, tol, what, line: line)
    }

    func testShapeAndFrameCount() throws {
        let enc = try MelEncoder(sampleRate: 24000, frameSize: 1920, bands: 64)
        XCTAssertEqual(enc.name, "mel")
        XCTAssertEqual(enc.frameRate, 12.5)
        for (n, t) in [(0, 0), (1, 1), (1920, 1), (1921, 2), (24000, 13)] {
            XCTAssertEqual(try enc.encode(noise(n, seed: 1)).count, t * 64, "n = \(n)")
        }
    }

    func testSilenceIsTheFloor() throws {
        let y = try MelEncoder(bands: 32).encode([Float](repeating: 0, count: 5000))
        XCTAssertEqual(y.count, 3 * 32)
        for v in y { XCTAssertEqual(v, log(Float(1e-5)), accuracy: 1e-6) }
    }

    /// A steady tone at the centre frequency of band b puts the most energy in band b.
    func testPureTonePeaksInItsBand() throws {
        let enc = try MelEncoder(bands: 64)
        for b in [3, 10, 25, 40, 62] {
            let f = enc.filterbank.edgesHz[b + 1]
            let x = (0..<(8 * 1920)).map { Float(0.5 * sin(2 * Double.pi * f * Double($0) / 24000)) }
            let y = try enc.encode(x)
            for t in 1..<7 {
                let row = Array(y[(t * 64)..<((t + 1) * 64)])
                XCTAssertEqual(row.firstIndex(of: row.max()!), b, "tone \(f) Hz, frame \(t)")
            }
        }
    }

    func testTooManyBandsIsAnError() {
        XCTAssertThrowsError(try MelEncoder(sampleRate: 24000, frameSize: 64, bands: 512)) { e in
            XCTAssertTrue("\(e)".contains("vae.latent_dim"), "\(e)")
        }
    }

    func testMatchesNumpyOracle() throws {
        try requireOracle("numpy", check: ["python3", "-c", "import numpy"])
        let dir = makeTempDir("mel")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tones = (0..<(3 * 1920 + 5)).map { i -> Float in
            let t = Double(i) / 24000
            return Float(0.4 * sin(2 * .pi * 220 * t) + 0.2 * sin(2 * .pi * 3100 * t) + 0.05 * sin(2 * .pi * 11000 * t))
        }
        // Speech-like: noise under a syllable-rate envelope, with near-silent stretches.
        let envNoise = noise(20000, seed: 5).enumerated().map { i, v in v * Float(abs(sin(Double(i) / 1500))) }
        let cases: [(String, [Float], Int, Int)] = [
            ("noise", noise(1921 * 3, seed: 3), 1920, 64),
            ("tones", tones, 1920, 64),
            ("envelope", envNoise, 1920, 80),
            ("short", noise(7, seed: 4), 1920, 64),
            ("small-hop", noise(1000, seed: 6), 150, 20),
        ]
        for (name, x, hop, bands) in cases {
            let inURL = dir.appendingPathComponent("\(name).f32"), outURL = dir.appendingPathComponent("\(name)-ref.f32")
            try x.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: inURL)
            let r = try runProcess("python3", [repoRoot.appendingPathComponent("scripts/mel_oracle.py").path, inURL.path, outURL.path,
                                               "--sample-rate", "24000", "--frame-size", "\(hop)", "--bands", "\(bands)"])
            XCTAssertEqual(r.status, 0, r.err)
            let ref = try readF32(outURL)
            let ours = try MelEncoder(sampleRate: 24000, frameSize: hop, bands: bands).encode(x)
            assertClose(ours, ref, name)
        }
    }

    func testMatchesTorchaudioFixtures() throws {
        struct Manifest: Decodable {
            struct Case: Decodable { let name: String, n: Int, frames: Int, input: String, logmel: String }
            let sample_rate: Int, frame_size: Int, bands: Int, cases: [Case]
        }
        let dir = fixtureURL("mel")
        let m = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: dir.appendingPathComponent("manifest.json")))
        let enc = try MelEncoder(sampleRate: m.sample_rate, frameSize: m.frame_size, bands: m.bands)
        XCTAssertEqual(m.cases.count, 3)
        for c in m.cases {
            let x = try readF32(dir.appendingPathComponent(c.input))
            XCTAssertEqual(x.count, c.n)
            let y = try enc.encode(x)
            XCTAssertEqual(y.count, c.frames * m.bands)
            assertClose(y, try readF32(dir.appendingPathComponent(c.logmel)), "torchaudio \(c.name)")
        }
    }
}
