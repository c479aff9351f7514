import Foundation
import XCTest
import TestSupport
import EngramCore

/// One entry of Tests/Fixtures/flac/manifest.json (written by scripts/make_flac_fixtures.py).
struct FLACFixture: Decodable {
    var file: String
    var signal: String
    var channels: Int
    var sampleRate: Int
    var bitsPerSample: Int
    var frames: Int
    var options: String
    var md5: String

    var url: URL { fixtureURL("flac").appendingPathComponent(file) }

    /// Expected samples, planar [channel][t], read from `<signal>.s32` (interleaved little-endian int32).
    func expectedChannels() throws -> [[Int32]] {
        let raw = try Data(contentsOf: fixtureURL("flac").appendingPathComponent("\(signal).s32"))
        let all: [Int32] = raw.withUnsafeBytes { b in (0..<(b.count / 4)).map { Int32(littleEndian: b.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) } }
        precondition(all.count == frames * channels, "\(signal).s32 has \(all.count) values, expected \(frames * channels)")
        return (0..<channels).map { c in (0..<frames).map { all[$0 * channels + c] } }
    }
}

struct FLACManifest: Decodable {
    var flac: String
    var features: [String: Int]
    var files: [FLACFixture]

    static func load() throws -> FLACManifest {
        let data = try Data(contentsOf: fixtureURL("flac").appendingPathComponent("manifest.json"))
        return try JSONDecoder().decode(FLACManifest.self, from: data)
    }
}

/// Raw little-endian signed PCM bytes, `bytesPerSample` bytes per value (for `flac --force-raw-format`).
func rawPCM(_ interleaved: [Int32], bytesPerSample: Int) -> Data {
    var d = Data(capacity: interleaved.count * bytesPerSample)
    for v in interleaved {
        let u = UInt32(bitPattern: v)
        for j in 0..<bytesPerSample { d.append(UInt8(truncatingIfNeeded: u >> (8 * UInt32(j)))) }
    }
    return d
}

/// Parses raw little-endian signed PCM bytes (sign-extending `bytesPerSample`-byte values).
func parseRawPCM(_ d: Data, bytesPerSample: Int) -> [Int32] {
    let n = d.count / bytesPerSample
    return d.withUnsafeBytes { b in
        (0..<n).map { i in
            var u: UInt32 = 0
            for j in 0..<bytesPerSample { u |= UInt32(b[i * bytesPerSample + j]) << (8 * UInt32(j)) }
            let shift = UInt32(32 - 8 * bytesPerSample)
            return Int32(bitPattern: u << shift) >> shift
        }
    }
}

/// A test signal: coloured noise plus a tone, with a silent stretch, `bits`-bit range, interleaved.
func testSignal(frames: Int, channels: Int, bits: Int, seed: UInt64) -> [Int32] {
    var rng = SplitMix64(seed: seed)
    let full = Double((1 << (bits - 1)) - 1)
    var out = [Int32](repeating: 0, count: frames * channels)
    for c in 0..<channels {
        var y1 = 0.0, y2 = 0.0
        let f = 0.01 + 0.02 * Double(c)
        for t in 0..<frames {
            let e = Double(Int64(bitPattern: rng.next() >> 11) - (1 << 52)) / Double(1 << 52)
            let y = e + 1.6 * y1 - 0.8 * y2
            y2 = y1; y1 = y
            var v = 0.08 * y + 0.4 * sin(Double(t) * f * 2 * .pi)
            if t >= frames / 3 && t < frames / 3 + frames / 10 { v = 0 }
            v = max(-1, min(1, v))
            out[t * channels + c] = Int32((v * full).rounded())
        }
    }
    return out
}
