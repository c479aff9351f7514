import EngramCore
@testable import Formats
import Foundation
import TestSupport
import XCTest

final class LatentStoreTests: XCTestCase {
    private func utterance(_ i: Int, T: Int, D: Int, rng: inout TestRNG) -> Utterance {
        var x = [Float](repeating: 0, count: T * D)
        for t in 0..<T { for d in 0..<D { x[t * D + d] = (t > 0 ? x[(t - 1) * D + d] : 0) + rng.normalish() * 0.1 } }
        return Utterance(id: "\(100 + i)-2000-\(String(format: "%04d", i))", x: x, energy: (0..<T).map { _ in rng.uniform() },
                         timestamps: (0..<T).map { Float($0) / 12.5 }, speakerID: 100 + i, nFrames: T, latentDim: D)
    }

    func testWriteReadListAndReplace() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try LatentStore(createAt: dir.appendingPathComponent("latents.zarr"))
        var rng = TestRNG(1)
        let us = [utterance(0, T: 5, D: 8, rng: &rng), utterance(1, T: 130, D: 16, rng: &rng), utterance(2, T: 0, D: 8, rng: &rng)]
        for u in us { try store.write(u) }
        XCTAssertEqual(try store.utteranceIDs(), us.map(\.id).sorted())
        for u in us {
            XCTAssertEqual(try store.read(u.id), u)
            XCTAssertTrue(store.isComplete(u.id))
        }
        // Group attributes are exactly the three keys of SPEC §2.
        let attrs = try store.store.attributes(us[1].id)
        XCTAssertEqual(attrs.keys.sorted(), ["latent_dim", "n_frames", "speaker_id"])
        // Replacing an utterance swaps the whole group.
        let replacement = utterance(1, T: 7, D: 16, rng: &rng)
        try store.write(replacement)
        XCTAssertEqual(try store.read(replacement.id), replacement)
        // Reopen: same content.
        let again = try LatentStore(openAt: store.root)
        XCTAssertEqual(try again.read(us[0].id), us[0])
        // Inconsistent input is rejected before anything is written.
        XCTAssertThrowsError(try store.write(id: "bad", x: [1, 2, 3], T: 2, D: 2, energy: [0, 0], timestamps: [0, 0], speakerID: 1))
        XCTAssertThrowsError(try store.write(id: "../escape", x: [], T: 0, D: 0, energy: [], timestamps: [], speakerID: 1))
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.root.appendingPathComponent("bad").path))
        XCTAssertThrowsError(try store.read("missing")) { e in XCTAssertTrue("\(e)".contains("missing")) }
    }

    /// Interrupted writes: a leftover hidden staging folder is never listed, and a group written
    /// by another tool but missing a chunk or attribute is reported incomplete.
    func testPartialGroupsNeverLookComplete() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try LatentStore(createAt: dir.appendingPathComponent("latents.zarr"))
        var rng = TestRNG(2)
        let u = utterance(0, T: 20, D: 4, rng: &rng)
        try store.write(u)
        let root = store.root.path
        // Simulate a crash mid-write: a staging folder with everything but the final rename.
        try FileManager.default.copyItem(atPath: root + "/" + u.id, toPath: root + "/.\(u.id).tmp-1-2")
        XCTAssertEqual(try store.utteranceIDs(), [u.id])
        // A non-atomic writer stopped before the last chunk / before the attributes.
        try FileManager.default.copyItem(atPath: root + "/" + u.id, toPath: root + "/partial")
        try FileManager.default.removeItem(atPath: root + "/partial/timestamps/0")
        XCTAssertFalse(store.isComplete("partial"))
        try FileManager.default.copyItem(atPath: root + "/" + u.id, toPath: root + "/noattrs")
        try FileManager.default.removeItem(atPath: root + "/noattrs/.zattrs")
        XCTAssertFalse(store.isComplete("noattrs"))
        XCTAssertThrowsError(try store.read("noattrs")) { e in XCTAssertTrue("\(e)".contains("speaker_id"), "\(e)") }
        XCTAssertFalse(store.isComplete("nothing"))
        XCTAssertTrue(store.isComplete(u.id))
    }

    func testConsolidatedMetadataIsInvalidatedByWrites() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try LatentStore(createAt: dir.appendingPathComponent("latents.zarr"))
        var rng = TestRNG(3)
        let a = utterance(0, T: 3, D: 4, rng: &rng), b = utterance(1, T: 6, D: 4, rng: &rng)
        try store.write(a)
        try store.consolidate()
        let reader = try LatentStore(openAt: store.root)
        XCTAssertTrue(reader.store.isConsolidated)
        XCTAssertEqual(try reader.read(a.id), a)
        try store.write(b)
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.root.appendingPathComponent(".zmetadata").path))
        let fresh = try LatentStore(openAt: store.root)
        XCTAssertEqual(try fresh.utteranceIDs(), [a.id, b.id])
        XCTAssertEqual(try fresh.read(b.id), b)
    }

    /// Stores we write are read by zarr-python with the research pipeline's access pattern
    /// (zarr.open, group keys, grp["x"], attrs), plain and consolidated.
    func testZarrPythonReadsOurLatentsStore() throws {
        try FormatsOracle.require()
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try LatentStore(createAt: dir.appendingPathComponent("latents.zarr"))
        try FileIO.makeDirectory(dir.appendingPathComponent("expected").path)
        var rng = TestRNG(4)
        var latents = JSONObject()
        for (i, T) in [3, 40, 251, 0].enumerated() {
            let u = utterance(i, T: T, D: 512, rng: &rng)
            try store.write(u)
            latents[u.id] = .object(JSONObject([("speaker_id", .int(Int64(u.speakerID))), ("n_frames", .int(Int64(T))), ("latent_dim", .int(512))]))
            for (name, values, shape) in [("x", u.x, [T, 512]), ("energy", u.energy, [T]), ("timestamps", u.timestamps, [T])] {
                try NPY.write(floats: values, shape: shape, to: dir.appendingPathComponent("expected/latents__\(u.id)__\(name).npy"))
            }
        }
        var exp = JSONObject()
        exp["latents"] = .object(latents)
        exp["compressor"] = ZarrCompressor.zarrDefault.json
        try writeExpected(exp, to: dir)
        XCTAssertTrue(try FormatsOracle.run(["check-latents", dir.path]).contains("OK 4"))
        try store.consolidate()
        XCTAssertTrue(try FormatsOracle.run(["check-latents", dir.path]).contains("OK 4"))
    }
}
