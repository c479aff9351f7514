import EngramCore
import Formats
import Foundation
import XCTest
import TestSupport
@testable import Phase0

/// Shard parsing and assignment (balanced by duration), and what a rerun does with damaged groups.
final class LatentShardTests: XCTestCase {
    func testParsingAndSlurmEnvironment() throws {
        XCTAssertEqual(try LatentShard(parsing: "3/8"), try LatentShard(index: 3, count: 8))
        XCTAssertEqual(try LatentShard(parsing: "0/1").tag, "shard-0000-of-0001")
        for bad in ["8/8", "-1/4", "1", "a/b", "1/0", "1/2/3", ""] {
            XCTAssertThrowsError(try LatentShard(parsing: bad), bad) { e in
                XCTAssertEqual((e as? EngramError)?.location, "--shard", bad)
            }
        }
        XCTAssertNil(try LatentShard.fromSlurm([:]))
        XCTAssertNil(try LatentShard.fromSlurm(["SLURM_ARRAY_TASK_ID": "2"]), "not an array job without the count")
        XCTAssertEqual(try LatentShard.fromSlurm(["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"]), try LatentShard(index: 2, count: 4))
        XCTAssertEqual(try LatentShard.fromSlurm(["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"]),
                       try LatentShard(index: 3, count: 4))
        XCTAssertThrowsError(try LatentShard.fromSlurm(["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"])) { e in
            XCTAssertTrue("\(e)".contains("--array=0-3"), "\(e)")
        }
    }

    /// Every item in exactly one shard; loads within one maximum item weight of each other (the
    /// LPT guarantee); the same answer for any input order; better balanced than equal counts.
    func testAssignmentBalancesDurationDeterministically() {
        var g = SplitMix64(seed: 7)
        // LibriSpeech-like durations: 2–35 s, a few long ones.
        let n = 1000
        let keys = (0..<n).map { String(format: "%d-%d-%04d", 19 + $0 % 37, 100 + $0 % 5, $0) }
        let w = (0..<n).map { i -> Double in
            let base = 2 + Double(g.nextInt(below: 14_000)) / 1000
            return i % 50 == 0 ? base + 20 : base
        }
        for count in [1, 2, 3, 8, 17] {
            let s = LatentShard.assign(keys: keys, weights: w, count: count)
            XCTAssertEqual(s.count, n)
            XCTAssertTrue(s.allSatisfy { (0..<count).contains($0) })
            var load = [Double](repeating: 0, count: count)
            for i in 0..<n { load[s[i]] += w[i] }
            XCTAssertLessThanOrEqual(load.max()! - load.min()!, w.max()! + 1e-9, "count \(count): \(load)")
            // Reordering the input changes nothing.
            let perm = (0..<n).reversed().map { $0 }
            let s2 = LatentShard.assign(keys: perm.map { keys[$0] }, weights: perm.map { w[$0] }, count: count)
            for (j, i) in perm.enumerated() { XCTAssertEqual(s2[j], s[i]) }
            if count == 8 {
                // Round-robin by count (sorted ids) is far less even on the same data.
                var rr = [Double](repeating: 0, count: count)
                for (j, i) in keys.indices.sorted(by: { keys[$0] < keys[$1] }).enumerated() { rr[j % count] += w[i] }
                XCTAssertLessThan(load.max()! - load.min()!, (rr.max()! - rr.min()!) / 4, "LPT \(load) vs count-balanced \(rr)")
            }
        }
    }

    /// A group cut short (a truncated chunk, missing attributes) is not "complete and valid": the
    /// rerun redoes exactly those, reports them, and the store ends up as an undamaged run leaves it.
    func testRerunRedoesTruncatedAndIncompleteGroups() throws {
        try requireOracle("flac", check: ["flac", "--version"])
        let root = makeTempDir("shard-damage")
        defer { try? FileManager.default.removeItem(at: root) }
        try LatentsStepTests.makeCorpus(at: root.appendingPathComponent("LibriSpeech/tiny"))
        let c = try Phase0Config.parse(yaml: """
        data: {librispeech_path: \(root.path)/LibriSpeech, subset: tiny, min_duration_sec: 3.0}
        vae: {encoder: mel, latent_dim: 16}
        splits: {n_train_speakers: 2, n_eval_speakers: 1}
        output: {latents_dir: \(root.path)/out/latents.zarr, latents_index: \(root.path)/out/latents_index.parquet, splits_dir: \(root.path)/out/splits}
        """, file: "test.yaml")
        _ = try SplitsStep.run(config: c, progress: false)
        let first = try LatentsStep.run(config: c, workers: 2, progress: false)
        XCTAssertEqual(first.encoded, 4)
        let store = URL(fileURLWithPath: c.output.latentsDir)
        let before = try snapshot(store)

        // Truncate x's chunk of one group, drop the attributes of another, leave a stale staging folder.
        let chunk = store.appendingPathComponent("11-100-0001/x/0.0")
        let bytes = try Data(contentsOf: chunk)
        try bytes.prefix(bytes.count / 2).write(to: chunk)
        try FileManager.default.removeItem(at: store.appendingPathComponent("22-100-0000/.zattrs"))
        try FileManager.default.createDirectory(at: store.appendingPathComponent(".33-100-0000.tmp-1-2"), withIntermediateDirectories: true)
        let s0 = try LatentStore(openAt: store, useConsolidated: false)
        XCTAssertEqual(LatentGroupCheck.state(s0, id: "11-100-0001", latentDim: 16, expectedFrames: 43),
                       .invalid("chunk \(chunk.path) is truncated (\(bytes.count / 2) of \(bytes.count) bytes)"))
        XCTAssertEqual(LatentGroupCheck.state(s0, id: "nope", latentDim: 16, expectedFrames: 1), .absent)

        let again = try LatentsStep.run(config: c, workers: 2, progress: false)
        XCTAssertEqual(again.skipped, 2)
        XCTAssertEqual(again.redone, 2)
        XCTAssertEqual(again.encoded, 2)
        XCTAssertEqual(try snapshot(store), before)
    }

    /// Shards of one store merge into the single run's bytes; a duplicated row is refused.
    func testShardsThenMergeEqualSingleRun() throws {
        try requireOracle("flac", check: ["flac", "--version"])
        let root = makeTempDir("shard-merge")
        defer { try? FileManager.default.removeItem(at: root) }
        try LatentsStepTests.makeCorpus(at: root.appendingPathComponent("LibriSpeech/tiny"))
        func config(_ out: String) throws -> Phase0Config {
            try Phase0Config.parse(yaml: """
            data: {librispeech_path: \(root.path)/LibriSpeech, subset: tiny, min_duration_sec: 3.0}
            vae: {encoder: mel, latent_dim: 16}
            splits: {n_train_speakers: 2, n_eval_speakers: 1}
            output: {latents_dir: \(root.path)/\(out)/latents.zarr, latents_index: \(root.path)/\(out)/latents_index.parquet, splits_dir: \(root.path)/splits}
            """, file: "test.yaml")
        }
        let single = try config("single"), sharded = try config("sharded")
        _ = try SplitsStep.run(config: single, progress: false)
        _ = try LatentsStep.run(config: single, workers: 1, progress: false)
        var encoded = 0
        for i in 0..<2 {
            let s = try LatentsStep.run(config: sharded, workers: 1, progress: false, shard: try LatentShard(index: i, count: 2))
            XCTAssertEqual(s.otherShards + s.encoded, 4)
            encoded += s.encoded
            XCTAssertFalse(FileManager.default.fileExists(atPath: sharded.output.latentsDir + "/.zmetadata"), "shards do not consolidate")
        }
        XCTAssertEqual(encoded, 4)
        let m = try LatentsMerge.run(config: sharded)
        XCTAssertEqual(m.shards, 2)
        XCTAssertEqual(m.utterances, 4)
        XCTAssertEqual(try snapshot(URL(fileURLWithPath: sharded.output.latentsDir)), try snapshot(URL(fileURLWithPath: single.output.latentsDir)))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: sharded.output.latentsIndex)),
                       try Data(contentsOf: URL(fileURLWithPath: single.output.latentsIndex)))

        // Shard 1's rows copied into shard 0's file: a duplicate, refused with the id.
        let i0 = LatentsStep.shardIndexURL(config: sharded, shard: try LatentShard(index: 0, count: 2))
        let i1 = LatentsStep.shardIndexURL(config: sharded, shard: try LatentShard(index: 1, count: 2))
        let rows1 = try LatentsIndex.read(i1)
        try LatentsIndex.write(try LatentsIndex.read(i0) + rows1.prefix(1), to: i0)
        XCTAssertThrowsError(try LatentsMerge.run(config: sharded)) { e in
            XCTAssertTrue("\(e)".contains("utterance \(rows1[0].utteranceID) is listed by two shards"), "\(e)")
        }
    }

    func snapshot(_ dir: URL) throws -> [String: Data] {
        var out = [String: Data]()
        let e = FileManager.default.enumerator(atPath: dir.path)!
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir.path + "/" + rel, isDirectory: &isDir), !isDir.boolValue {
                out[rel] = try Data(contentsOf: dir.appendingPathComponent(rel))
            }
        }
        return out
    }
}
