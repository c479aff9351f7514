import EngramCore
import Foundation
import XCTest
import TestSupport
@testable import AudioIO

/// Seeded random mutations of WAV files of every layout the reader supports (8–32-bit PCM,
/// float32, several channels, extra chunks, WAVE_FORMAT_EXTENSIBLE): the reader throws an
/// `EngramError` naming the input or returns audio, never crashes or reads out of bounds. Chunk
/// sizes are the usual attack surface, so they are mutated on purpose as well as random bytes.
final class WAVFuzzTests: XCTestCase {
    func seeds() throws -> [Data] {
        var rng = SplitMix64(seed: 12)
        var out = [Data]()
        for (bits, ch) in [(8, 1), (16, 2), (24, 1), (32, 3)] {
            let full = Int64(1) << (bits - 1)
            let chans = (0..<ch).map { _ in (0..<97).map { _ in Int32(Int64(rng.next() % UInt64(2 * full)) - full) } }
            out.append(try WAVFile.encode(PCMAudio(channels: chans, sampleRate: 16000, bitsPerSample: bits)))
        }
        out.append(try WAVFile.encode(FloatAudio(channels: [(0..<80).map { Float($0) / 80 }], sampleRate: 24000)))
        // A LIST chunk before "data" and an odd-sized chunk (padding byte).
        var withList = [UInt8](out[1])
        let list: [UInt8] = Array("LIST".utf8) + [5, 0, 0, 0] + Array("INFOx".utf8) + [0]
        withList.insert(contentsOf: list, at: 36)
        let riff = withList.count - 8
        withList[4] = UInt8(riff & 0xFF); withList[5] = UInt8(riff >> 8 & 0xFF); withList[6] = UInt8(riff >> 16 & 0xFF); withList[7] = 0
        out.append(Data(withList))
        return out
    }

    func testRandomMutationsNeverCrash() throws {
        var g = SplitMix64(seed: 99)
        var threw = 0, decoded = 0
        for (k, seed) in try seeds().enumerated() {
            guard case .some = try? WAVFile.read(data: seed) else { return XCTFail("seed \(k) must be readable") }
            for _ in 0..<400 {
                var m = [UInt8](seed)
                for _ in 0..<(1 + g.nextInt(below: 4)) {
                    let at = g.nextInt(below: m.count)
                    switch g.nextInt(below: 6) {
                    case 0: m[at] ^= UInt8(1 << g.nextInt(below: 8))
                    case 1: m[at] = UInt8(truncatingIfNeeded: g.next())
                    case 2: m.removeSubrange(at...)
                    case 3: m.insert(UInt8(truncatingIfNeeded: g.next()), at: at)
                    default:
                        // A chunk-size or header field set to an extreme value.
                        let field = [4, 16, 22, 24, 32, 34, 40].randomElement(using: &g)!
                        if field + 4 <= m.count {
                            let v: UInt32 = [0, 1, 0x7FFF_FFFF, 0xFFFF_FFFF, UInt32(m.count), 3].randomElement(using: &g)!
                            for i in 0..<4 { m[field + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
                        }
                    }
                    if m.isEmpty { break }
                }
                do {
                    _ = try WAVFile.read(data: Data(m), path: "mutant.wav")
                    decoded += 1
                } catch let e as EngramError {
                    XCTAssertEqual(e.location, "mutant.wav")
                    threw += 1
                }
            }
        }
        XCTAssertGreaterThan(threw, 500)
        print("WAV mutations: \(threw) rejected with a named error, \(decoded) still decodable")
    }
}
