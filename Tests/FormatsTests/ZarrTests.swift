import EngramCore
@testable import Formats
import Foundation
import TestSupport
import XCTest

final class ZarrTests: XCTestCase {
    private func expectedNPY(_ dir: URL, _ key: String) throws -> NPYArray {
        try NPY.read(dir.appendingPathComponent("expected").appendingPathComponent(key.replacingOccurrences(of: "/", with: "__") + ".npy"))
    }

    private func assertSameValues(_ a: ZarrArray, _ want: NPYArray, _ name: String) throws {
        XCTAssertEqual(a.shape, want.shape, name)
        XCTAssertEqual(a.dtype, want.dtype, name)
        if a.dtype.isFloatingPoint {
            XCTAssertTrue(sameDoubles(try a.readDoubles(), try want.doubles()), name)
        } else {
            XCTAssertEqual(try a.readInt64s(), try want.int64s(), name)
        }
    }

    func testMetadataParsingAndErrors() throws {
        let ok = #"{"chunks":[10,7],"compressor":{"blocksize":0,"clevel":5,"cname":"lz4","id":"blosc","shuffle":1},"dtype":"<f4","fill_value":"NaN","filters":null,"order":"C","shape":[37,23],"zarr_format":2}"#
        let m = try ZarrArrayMetadata(json: JSON.parse(Data(ok.utf8), location: "a"), location: "a")
        XCTAssertEqual(m.chunkGrid, [4, 4])
        XCTAssertEqual(m.chunkKey([3, 1]), "3.1")
        XCTAssertTrue(m.fillValue.doubleValue.isNaN)
        XCTAssertEqual(m.compressor, .zarrDefault)
        // Serialises exactly like zarr-python 2 (indent 4, sorted keys).
        XCTAssertEqual(JSON.serialize(m.json), """
        {
            "chunks": [
                10,
                7
            ],
            "compressor": {
                "blocksize": 0,
                "clevel": 5,
                "cname": "lz4",
                "id": "blosc",
                "shuffle": 1
            },
            "dtype": "<f4",
            "fill_value": "NaN",
            "filters": null,
            "order": "C",
            "shape": [
                37,
                23
            ],
            "zarr_format": 2
        }
        """)
        let bad: [(String, String)] = [
            (ok.replacingOccurrences(of: #""order":"C""#, with: #""order":"F""#), "order"),
            (ok.replacingOccurrences(of: #""filters":null"#, with: #""filters":[{"id":"delta"}]"#), "filters"),
            (ok.replacingOccurrences(of: #""id":"blosc""#, with: #""id":"zstd""#), "unsupported Zarr compressor 'zstd'"),
            (ok.replacingOccurrences(of: #""zarr_format":2"#, with: #""zarr_format":3"#), "zarr_format"),
            (ok.replacingOccurrences(of: #""dtype":"<f4""#, with: #""dtype":"<c8""#), "unsupported dtype"),
            (ok.replacingOccurrences(of: #""chunks":[10,7]"#, with: #""chunks":[10]"#), "dimensions"),
            (ok.replacingOccurrences(of: #""chunks":[10,7]"#, with: #""chunks":[0,7]"#), "chunk dimensions"),
            (ok.replacingOccurrences(of: #""shape":[37,23]"#, with: #""shape":[4000000000,4000000000]"#), "too large"),
            (ok.replacingOccurrences(of: #""fill_value":"NaN""#, with: #""fill_value":"abc""#), "fill_value"),
        ]
        for (text, what) in bad {
            XCTAssertThrowsError(try ZarrArrayMetadata(json: JSON.parse(Data(text.utf8), location: "x/.zarray"), location: "x/.zarray"), what) { e in
                XCTAssertTrue("\(e)".contains("x/.zarray") && "\(e)".contains(what), "\(what): \(e)")
            }
        }
    }

    func testArrayRoundTripWithEdgeChunksAndFill() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try ZarrStore.create(root: dir.appendingPathComponent("s.zarr"))
        var rng = TestRNG(3)
        let values = rng.floats(37 * 23)
        for (compressor, sep) in [(ZarrCompressor.zarrDefault, "."), (nil, "/"), (.lz4(acceleration: 1), "."),
                                  (.blosc(cname: "lz4", clevel: 5, shuffle: .bitShuffle, blocksize: 0), "/")] {
            let m = ZarrArrayMetadata(shape: [37, 23], chunks: [10, 7], dtype: .float32, compressor: compressor, fillValue: .float(.nan), dimensionSeparator: sep)
            let a = try store.createArray("a", metadata: m)
            try a.write(floats: values)
            let back = try store.array("a")
            XCTAssertEqual(back.metadata, m)
            XCTAssertEqual(try back.readFloats(), values)
        }
        // Missing chunks read as the fill value.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("s.zarr/a/0/0"))
        let partial = try store.array("a").readFloats()
        XCTAssertTrue(partial[0].isNaN && partial[6].isNaN && !partial[7].isNaN)
        XCTAssertEqual(partial[7], values[7])
        // A corrupt chunk is an error naming the chunk file.
        let chunk = dir.appendingPathComponent("s.zarr/a/1/1")
        var bytes = try Data(contentsOf: chunk)
        bytes[5] ^= 0x40
        try bytes.write(to: chunk)
        XCTAssertThrowsError(try store.array("a").readFloats()) { e in XCTAssertTrue("\(e)".contains("s.zarr/a/1/1"), "\(e)") }
    }

    /// zarr-python 2 writes arrays (dtypes f4/f8/i4/i8/b1/u1, big-endian, Blosc lz4 / lz4hc with
    /// byte, bit and no shuffle, numcodecs LZ4, no compressor, '/' separator, 0-d, empty, edge
    /// chunks, NaN/int/inf fill values with missing chunks) and latents stores the way the research
    /// pipeline writes them (also consolidated); we read them all and compare with numpy's dumps.
    func testReadsStoresWrittenByZarrPython() throws {
        try FormatsOracle.require()
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FormatsOracle.run(["make-zarr", dir.path])
        let expected = try ExpectedArray.load(dir.appendingPathComponent("expected.json"))
        let store = try ZarrStore(root: dir.appendingPathComponent("arrays.zarr"))
        let arrays = expected["arrays"]!.objectValue!
        XCTAssertEqual(arrays.count, 20)
        for name in arrays.keys {
            try assertSameValues(try store.array(name), try expectedNPY(dir, name), name)
        }
        XCTAssertEqual(try store.attributes("")["title"], .string("check_formats"))
        let nested = try store.attributes("g")["nested"]
        XCTAssertEqual(nested?["a"], .array([.int(1), .double(2.5), .string("x")]))
        XCTAssertTrue(nested?["nan"]?.doubleValue?.isNaN == true)
        XCTAssertEqual(try store.children("").groups, ["g"])
        XCTAssertEqual(try store.children("g").arrays.count, 20)

        let latents = expected["latents"]!.objectValue!
        for storeName in ["latents.zarr", "latents_consolidated.zarr"] {
            let ls = try LatentStore(openAt: dir.appendingPathComponent(storeName))
            XCTAssertEqual(ls.store.isConsolidated, storeName.contains("consolidated"))
            XCTAssertEqual(try ls.utteranceIDs(), latents.keys.sorted())
            for id in latents.keys {
                let u = try ls.read(id)
                let attrs = latents[id]!
                XCTAssertEqual(u.speakerID, attrs["speaker_id"]?.intValue)
                XCTAssertEqual(u.nFrames, attrs["n_frames"]?.intValue)
                XCTAssertEqual(u.latentDim, 512)
                XCTAssertEqual(u.x, try expectedNPY(dir, "latents/\(id)/x").floats(), id)
                XCTAssertEqual(u.energy, try expectedNPY(dir, "latents/\(id)/energy").floats(), id)
                XCTAssertEqual(u.timestamps, try expectedNPY(dir, "latents/\(id)/timestamps").floats(), id)
                XCTAssertTrue(ls.isComplete(id))
            }
        }
    }

    /// We write arrays with every supported dtype, compressor, shuffle, chunking and fill value,
    /// groups with attributes, and consolidated metadata; zarr-python reads them (plain and
    /// consolidated) and checks values, dtypes, chunks, compressor configs and attributes.
    func testZarrPythonReadsArraysWeWrite() throws {
        try FormatsOracle.require()
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try ZarrStore.create(root: dir.appendingPathComponent("arrays.zarr"))
        try store.setAttributes("", JSONObject([("title", .string("ours")), ("n", .int(3))]))
        try store.createGroup("g/h", attributes: JSONObject([("speaker_id", .int(19)), ("list", .array([.double(0.5), .null, .bool(true)]))]))
        try FileIO.makeDirectory(dir.appendingPathComponent("expected").path)
        var rng = TestRNG(17)
        var arrays = JSONObject()
        func add(_ name: String, _ npy: NPYArray, chunks: [Int], compressor: ZarrCompressor?, fill: ZarrFillValue = .float(0), sep: String = ".", missing: [[Int]] = []) throws {
            let m = ZarrArrayMetadata(shape: npy.shape, chunks: chunks, dtype: npy.dtype, compressor: compressor, fillValue: fill, dimensionSeparator: sep)
            let a = try store.createArray(name, metadata: m)
            try a.write(raw: npy.data)
            var want = npy
            if !missing.isEmpty {
                // Delete some chunks: readers must substitute the fill value.
                for idx in missing { try FileManager.default.removeItem(atPath: store.path(name + "/" + m.chunkKey(idx))) }
                let d = try store.array(name).readRaw()
                want = try NPYArray(shape: npy.shape, dtype: npy.dtype, data: d)
            }
            try NPY.write(want, to: dir.appendingPathComponent("expected/\(name.replacingOccurrences(of: "/", with: "__")).npy"))
            arrays[name] = .object(JSONObject([
                ("dtype", .string(npy.dtype.rawValue)), ("shape", .array(npy.shape.map { .int(Int64($0)) })),
                ("chunks", .array(chunks.map { .int(Int64($0)) })), ("compressor", compressor?.json ?? .null),
            ]))
        }
        let smooth = (0..<(37 * 23)).map { i in Float(i / 23) * 0.5 + rng.normalish() * 0.01 }
        let f4 = try NPYArray(floats: smooth, shape: [37, 23])
        try add("g/default_f4", f4, chunks: [10, 7], compressor: .zarrDefault)
        try add("g/bitshuffle_f4", f4, chunks: [16, 23], compressor: .blosc(cname: "lz4", clevel: 5, shuffle: .bitShuffle, blocksize: 0))
        try add("g/noshuffle_f4", f4, chunks: [37, 5], compressor: .blosc(cname: "lz4", clevel: 9, shuffle: .noShuffle, blocksize: 0))
        try add("g/uncompressed_f4", f4, chunks: [8, 23], compressor: nil)
        try add("g/lz4_f4", f4, chunks: [20, 20], compressor: .lz4(acceleration: 1))
        try add("g/slash_f4", f4, chunks: [10, 10], compressor: .zarrDefault, sep: "/")
        try add("g/nanfill_f4", f4, chunks: [10, 10], compressor: .zarrDefault, fill: .float(.nan), missing: [[0, 1], [3, 2]])
        try add("g/f8_3d", try NPYArray(doubles: (0..<210).map { _ in Double(rng.normalish()) }, shape: [5, 6, 7]), chunks: [2, 4, 3], compressor: .zarrDefault)
        try add("g/i4", try NPYArray(int32s: (0..<50).map { _ in Int32(truncatingIfNeeded: rng.next()) }, shape: [50]), chunks: [16], compressor: .zarrDefault, fill: .int(-7), missing: [[1]])
        try add("g/i8", try NPYArray(int64s: (0..<36).map { _ in Int64(bitPattern: rng.next()) >> 3 }, shape: [9, 4]), chunks: [4, 4], compressor: .zarrDefault)
        try add("g/b1", try NPYArray(bools: (0..<33).map { _ in rng.next() & 1 == 0 }, shape: [33]), chunks: [10], compressor: .zarrDefault, fill: .bool(false))
        try add("g/u1", try NPYArray(uint8s: (0..<144).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, shape: [12, 12]), chunks: [5, 12], compressor: .zarrDefault)
        try add("g/scalar_f8", try NPYArray(doubles: [2.75], shape: []), chunks: [], compressor: .zarrDefault)
        try add("g/empty_f4", try NPYArray(floats: [], shape: [0, 5]), chunks: [4, 5], compressor: .zarrDefault)
        try add("g/h/big_f4", try NPYArray(floats: (0..<(300 * 512)).map { i in Float(i % 512) + Float(i / 512) * 0.001 }, shape: [300, 512]), chunks: [300, 512], compressor: .zarrDefault)
        try store.consolidate()
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.path(".zmetadata")))
        let reopened = try ZarrStore(root: store.root)
        XCTAssertTrue(reopened.isConsolidated)
        XCTAssertEqual(try reopened.array("g/h/big_f4").shape, [300, 512])

        var exp = JSONObject()
        exp["arrays"] = .object(arrays)
        exp["attrs"] = .object(JSONObject([
            ("", .object(JSONObject([("title", .string("ours")), ("n", .int(3))]))),
            ("g/h", .object(JSONObject([("speaker_id", .int(19)), ("list", .array([.double(0.5), .null, .bool(true)]))]))),
        ]))
        exp["groups"] = .array([.string("g")])
        try writeExpected(exp, to: dir)
        let out = try FormatsOracle.run(["check-zarr", dir.path])
        XCTAssertTrue(out.contains("OK 30"), out)  // 15 arrays, read plain and consolidated
    }
}
