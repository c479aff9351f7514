import EngramCore
@testable import Formats
import Foundation
import TestSupport
import XCTest

final class CompressionTests: XCTestCase {
    /// Inputs with long matches, overlapping matches (offset < length), short tails, noise.
    private func samples() -> [[UInt8]] {
        var rng = TestRNG(5)
        var out: [[UInt8]] = []
        for n in [0, 1, 4, 11, 12, 13, 16, 17, 64, 100, 255, 300] {
            out.append((0..<n).map { _ in UInt8(rng.below(3)) })
        }
        out.append([UInt8](repeating: 7, count: 70000))
        out.append((0..<5000).map { UInt8($0 % 3) })
        out.append((0..<40000).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        var text = [UInt8]()
        while text.count < 100_000 { text += Array("lorem ipsum dolor sit amet \(rng.below(1000)) ".utf8) }
        out.append(text)
        return out
    }

    func testLZ4RoundTrip() throws {
        for s in samples() {
            let c = LZ4.compress(Data(s))
            XCTAssertLessThanOrEqual(c.count, LZ4.compressBound(s.count))
            let d = try LZ4.decompress(c, decompressedSize: s.count, location: "mem")
            XCTAssertEqual([UInt8](d), s, "length \(s.count)")
        }
        // Repetitive data shrinks.
        XCTAssertLessThan(LZ4.compress(Data(repeating: 1, count: 70000)).count, 400)
    }

    func testLZ4RejectsMalformedBlocks() {
        let cases: [(String, [UInt8], Int)] = [
            ("empty", [], 4),
            ("literals past end", [0x50, 1, 2], 5),
            ("offset zero", [0x10, 65, 0, 0], 10),
            ("offset before start", [0x10, 65, 2, 0], 10),
            ("output overflow", [0x40, 1, 2, 3, 4], 2),
            ("match overflow", [0x1f, 65, 1, 0, 200], 20),
            ("truncated length", [0xf0], 100),
            ("truncated offset", [0x10, 65, 1], 10),
        ]
        for (what, block, cap) in cases {
            XCTAssertThrowsError(try LZ4.decompress(Data(block), decompressedSize: cap, location: "x.lz4"), what) { e in
                XCTAssertTrue("\(e)".contains("x.lz4"), "\(what): \(e)")
            }
        }
    }

    func testShuffleFiltersInvert() {
        var rng = TestRNG(9)
        for typesize in [1, 2, 3, 4, 8, 16] {
            for n in [0, 7, 64, 100, 1003] {
                let src = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                var a = [UInt8](repeating: 0, count: n), b = [UInt8](repeating: 0, count: n)
                src.withUnsafeBufferPointer { s in
                    a.withUnsafeMutableBufferPointer { Shuffle.byteShuffle(typesize: typesize, s.baseAddress!, $0.baseAddress!, count: n) }
                }
                a.withUnsafeBufferPointer { s in
                    b.withUnsafeMutableBufferPointer { Shuffle.byteUnshuffle(typesize: typesize, s.baseAddress!, $0.baseAddress!, count: n) }
                }
                XCTAssertEqual(b, src)
                src.withUnsafeBufferPointer { s in
                    a.withUnsafeMutableBufferPointer { Shuffle.bitShuffle(typesize: typesize, s.baseAddress!, $0.baseAddress!, count: n) }
                }
                a.withUnsafeBufferPointer { s in
                    b.withUnsafeMutableBufferPointer { Shuffle.bitUnshuffle(typesize: typesize, s.baseAddress!, $0.baseAddress!, count: n) }
                }
                XCTAssertEqual(b, src)
            }
        }
        // Bit shuffle of 8 one-byte elements: bit-plane b holds bit b of every element.
        let src: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0x80]
        var out = [UInt8](repeating: 0, count: 8)
        src.withUnsafeBufferPointer { s in out.withUnsafeMutableBufferPointer { Shuffle.bitShuffle(typesize: 1, s.baseAddress!, $0.baseAddress!, count: 8) } }
        XCTAssertEqual(out, [0x01, 0, 0, 0, 0, 0, 0, 0x80])
    }

    func testBloscRoundTripAllFilters() throws {
        var rng = TestRNG(21)
        for shuffle in [BloscShuffle.noShuffle, .byteShuffle, .bitShuffle] {
            for (typesize, n) in [(4, 0), (4, 100), (4, 40000), (8, 2_000_000), (1, 5000), (2, 777), (32, 3200)] {
                let smooth = (0..<n).map { i in UInt8(truncatingIfNeeded: (i / 97) ^ (rng.below(4) == 0 ? rng.below(256) : 0)) }
                let c = try Blosc.compress(Data(smooth), typesize: typesize, shuffle: shuffle)
                let d = try Blosc.decompress(c, expectedSize: n, location: "mem")
                XCTAssertEqual([UInt8](d), smooth, "\(shuffle) typesize \(typesize) n \(n)")
            }
        }
    }

    /// numcodecs' LZ4 writes blocks; we decode them. We compress the same inputs; its decoder
    /// (LZ4_decompress_safe) accepts ours.
    func testLZ4AgainstReference() throws {
        try FormatsOracle.require()
        let dir = makeTempDir(), mine = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: mine) }
        try FormatsOracle.run(["make-lz4", dir.path])
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".lz4") }.map { String($0.dropLast(4)) }
        XCTAssertEqual(names.count, 9)
        for name in names {
            let raw = try Data(contentsOf: dir.appendingPathComponent(name + ".raw"))
            let block = try Data(contentsOf: dir.appendingPathComponent(name + ".lz4"))
            XCTAssertEqual(try LZ4.decompress(block, decompressedSize: raw.count, location: name), raw, name)
            let ours = LZ4.compress(raw)
            try raw.write(to: mine.appendingPathComponent(name + ".raw"))
            try ours.write(to: mine.appendingPathComponent(name + ".lz4"))
            // Our greedy matcher should be in the reference's league (within 25 % + 64 bytes).
            XCTAssertLessThanOrEqual(ours.count, block.count + block.count / 4 + 64, "\(name): \(ours.count) vs reference \(block.count)")
        }
        let out = try FormatsOracle.run(["check-lz4", mine.path])
        XCTAssertTrue(out.contains("OK 9"), out)
    }

    /// numcodecs' Blosc writes chunks (lz4/lz4hc; no/byte/bit shuffle; typesizes 1–32; several
    /// blocks with a leftover; memcpyed); we decode every one, and reject other codecs by name.
    func testBloscDecodesReferenceChunks() throws {
        try FormatsOracle.require()
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FormatsOracle.run(["make-blosc", dir.path])
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".blosc") }.map { String($0.dropLast(6)) }
        XCTAssertGreaterThan(names.count, 30)
        for name in names {
            let url = dir.appendingPathComponent(name + ".blosc")
            let chunk = try Data(contentsOf: url)
            if name.hasPrefix("unsupported_") {
                let codec = String(name.dropFirst("unsupported_".count))
                XCTAssertThrowsError(try Blosc.decompress(chunk, location: url.path)) { e in
                    XCTAssertTrue("\(e)".contains("unsupported Blosc codec \(codec)") && "\(e)".contains(url.path), "\(e)")
                }
                continue
            }
            let raw = try Data(contentsOf: dir.appendingPathComponent(name + ".raw"))
            XCTAssertEqual(try Blosc.decompress(chunk, expectedSize: raw.count, location: url.path), raw, name)
            // Our writer picks the same block size and split flags for the default lz4 case.
            if name == "latent_default" || name == "smooth_f4_shuffle" {
                let ours = try Blosc.compress(raw, typesize: 4)
                let (h1, h2) = try (ours.withUnsafeBytes { try Blosc.header($0, location: "ours") },
                                    chunk.withUnsafeBytes { try Blosc.header($0, location: "ref") })
                XCTAssertEqual(h1.flags, h2.flags, name)
                XCTAssertEqual(h1.blocksize, h2.blocksize, name)
                XCTAssertEqual(h1.nbytes, h2.nbytes, name)
            }
        }
    }

    /// We write Blosc chunks with every filter and several typesizes; numcodecs decodes them.
    func testReferenceDecodesOurBlosc() throws {
        try FormatsOracle.require()
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = TestRNG(33)
        var count = 0
        for shuffle in [BloscShuffle.noShuffle, .byteShuffle, .bitShuffle] {
            for (typesize, n, clevel) in [(4, 256_000, 5), (4, 9996, 5), (8, 1_100_000, 5), (1, 3000, 5), (2, 1002, 9), (4, 100, 5), (4, 4000, 0), (24, 24 * 300, 5)] {
                let floats = (0..<(n / 4 + 1)).map { i in Float(i % 300) * 0.25 + (rng.below(3) == 0 ? rng.normalish() : 0) }
                let raw = floats.withUnsafeBytes { Data($0.prefix(n)) }
                let c = try Blosc.compress(raw, typesize: typesize, clevel: clevel, shuffle: shuffle)
                let name = "s\(shuffle.rawValue)_t\(typesize)_n\(n)_c\(clevel)"
                try raw.write(to: dir.appendingPathComponent(name + ".raw"))
                try c.write(to: dir.appendingPathComponent(name + ".blosc"))
                count += 1
            }
        }
        let out = try FormatsOracle.run(["check-blosc", dir.path])
        XCTAssertTrue(out.contains("OK \(count)"), out)
    }
}
