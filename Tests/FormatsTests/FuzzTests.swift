import EngramCore
@testable import Formats
import Foundation
import TestSupport
import XCTest

/// Seeded random mutations (bit flips, byte overwrites, truncations, insertions) of valid files:
/// readers must either decode or throw an `EngramError` that names the source — never crash,
/// hang or throw anything else.
final class FuzzTests: XCTestCase {
    private func mutate(_ d: [UInt8], _ rng: inout TestRNG) -> [UInt8] {
        var m = d
        switch rng.below(6) {
        case 0, 1:
            for _ in 0...rng.below(4) where !m.isEmpty { m[rng.below(m.count)] ^= UInt8(1 << rng.below(8)) }
        case 2:
            for _ in 0...rng.below(3) where !m.isEmpty { m[rng.below(m.count)] = [0, 0xff, 0x7f, 0x80, UInt8(rng.below(256))][rng.below(5)] }
        case 3:
            m = Array(m.prefix(rng.below(max(m.count, 1))))
        case 4:
            let at = rng.below(m.count + 1)
            m.insert(contentsOf: (0..<(1 + rng.below(8))).map { _ in UInt8(rng.below(256)) }, at: at)
        default:
            // Overwrite a 4-byte field with a large or negative little-endian value.
            if m.count >= 4 {
                let at = rng.below(m.count - 3)
                let v: UInt32 = [0xffff_ffff, 0x7fff_ffff, 0x8000_0000, UInt32(rng.below(1 << 20))][rng.below(4)]
                for k in 0..<4 { m[at + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) }
            }
        }
        return m
    }

    /// Runs `body`; any thrown error must be an EngramError mentioning `location`.
    private func expectCleanFailure(_ location: String, _ what: String, _ body: () throws -> Void) {
        do { try body() } catch let e as EngramError {
            if !e.description.contains(location) { XCTFail("\(what): error does not name \(location): \(e)") }
        } catch {
            XCTFail("\(what): non-EngramError \(error)")
        }
    }

    func testMutatedNPY() throws {
        var rng = TestRNG(100)
        let seeds = [
            try NPY.encode(try NPYArray(floats: rng.floats(24), shape: [4, 6])),
            try NPY.encode(try NPYArray(int64s: [1, -2, 3], shape: [3])),
            try NPY.encode(try NPYArray(bools: [true, false], shape: [1, 2])),
        ].map { [UInt8]($0) }
        for i in 0..<1500 {
            let m = mutate(seeds[i % seeds.count], &rng)
            expectCleanFailure("fuzz.npy", "npy \(i)") {
                let a = try NPY.decode(Data(m), location: "fuzz.npy")
                XCTAssertEqual(a.data.count, a.count * a.dtype.byteSize)
            }
        }
    }

    func testMutatedSafetensors() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = TestRNG(200)
        let seed = [UInt8](try Safetensors.encode(tensors: [
            SafetensorsTensor(name: "a", shape: [2, 3], floats: rng.floats(6)),
            SafetensorsTensor(name: "b", dtype: .float16, shape: [4], data: Data(count: 8)),
            SafetensorsTensor(name: "c", dtype: .int64, shape: [1], data: Data(count: 8)),
        ], metadata: ["k": "v"]))
        let url = dir.appendingPathComponent("fuzz.safetensors")
        for i in 0..<600 {
            try FileIO.writeFile(Data(mutate(seed, &rng)), to: url.path)
            expectCleanFailure(url.path, "safetensors \(i)") {
                let f = try SafetensorsFile(url)
                for n in f.names {
                    let t = try f.tensor(n)
                    XCTAssertEqual(t.data.count, t.shape.reduce(1, *) * t.dtype.byteSize)
                    if t.dtype.isFloatingPoint { _ = try f.floats(n) }
                }
            }
        }
    }

    func testMutatedLZ4Blocks() throws {
        var rng = TestRNG(300)
        var text = [UInt8]()
        while text.count < 3000 { text += Array("abcabcabd \(rng.below(50)) ".utf8) }
        let inputs: [[UInt8]] = [text, (0..<2000).map { UInt8($0 % 7) }, (0..<500).map { _ in UInt8(rng.below(256)) }]
        let seeds = inputs.map { [UInt8](LZ4.compress(Data($0))) }
        for i in 0..<2000 {
            let k = i % seeds.count
            let m = mutate(seeds[k], &rng)
            let size = rng.below(4) == 0 ? rng.below(2 * inputs[k].count + 1) : inputs[k].count
            expectCleanFailure("fuzz.lz4", "lz4 \(i)") {
                _ = try LZ4.decompress(Data(m), decompressedSize: size, location: "fuzz.lz4")
            }
        }
    }

    func testMutatedBloscChunks() throws {
        var rng = TestRNG(400)
        let floats = (0..<3000).map { i in Float(i % 100) * 0.5 }
        let raw = floats.withUnsafeBytes { Data($0) }
        let seeds: [[UInt8]] = try [
            Blosc.compress(raw, typesize: 4),
            Blosc.compress(raw, typesize: 4, shuffle: .bitShuffle),
            Blosc.compress(raw, typesize: 8, clevel: 1, shuffle: .noShuffle),
            Blosc.compress(raw.prefix(100), typesize: 4),
            Blosc.compress(raw.prefix(4004), typesize: 2, clevel: 9),
        ].map { [UInt8]($0) }
        for i in 0..<2000 {
            let m = mutate(seeds[i % seeds.count], &rng)
            expectCleanFailure("fuzz.blosc", "blosc \(i)") {
                // A sane cap so a mutated size field cannot ask for gigabytes.
                let h = try m.withUnsafeBytes { try Blosc.header($0, location: "fuzz.blosc") }
                guard h.nbytes <= 1 << 20 else { return }
                _ = try Blosc.decompress(Data(m), location: "fuzz.blosc")
            }
        }
    }

    func testMutatedZarrMetadataAndChunks() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try ZarrStore.create(root: dir.appendingPathComponent("f.zarr"))
        var rng = TestRNG(500)
        let a = try store.createArray("a", metadata: ZarrArrayMetadata(shape: [9, 7], chunks: [4, 4], dtype: .float32, fillValue: .float(.nan)))
        try a.write(floats: rng.floats(63))
        let zarray = [UInt8](try Data(contentsOf: URL(fileURLWithPath: store.path("a/.zarray"))))
        let chunk = [UInt8](try Data(contentsOf: URL(fileURLWithPath: store.path("a/0.0"))))
        for i in 0..<1000 {
            let mutateMeta = i % 2 == 0
            // (FileIO: Foundation's Data.write is slow here, ~10 ms per file.)
            try FileIO.writeFile(Data(mutateMeta ? mutate(zarray, &rng) : zarray), to: store.path("a/.zarray"))
            try FileIO.writeFile(Data(mutateMeta ? chunk : mutate(chunk, &rng)), to: store.path("a/0.0"))
            expectCleanFailure(store.path("a"), "zarr \(i)") {
                let arr = try store.array("a")
                // Only read arrays of sane size (a mutated shape may describe terabytes).
                guard arr.metadata.count * arr.dtype.byteSize <= 1 << 20, arr.metadata.chunkGrid.reduce(1, *) <= 4096,
                      arr.metadata.chunkCount * arr.dtype.byteSize <= 1 << 20 else { return }
                _ = try arr.readRaw()
            }
        }
    }
}
