import Foundation
import XCTest
import TestSupport

/// Sharded and interrupted latents extraction, run as processes: the result must be byte-identical
/// (every file of the Zarr store — chunks, `.zarray`, `.zattrs`, `.zmetadata` — and the index) to
/// one uninterrupted single-process run.
final class LatentsShardCLITests: XCTestCase {
    var root: URL!
    var engram = ""
    /// 3 speakers × 4 utterances, 3.2–6.5 s: ~56 s of audio (about 1–2 s of debug-build work).
    static let seconds = [4.1, 6.5, 3.2, 5.3, 4.8, 3.6, 6.1, 4.4, 5.7, 3.9, 5.0, 4.6]

    override func setUpWithError() throws {
        engram = try requireEngram()
        root = makeTempDir("cli-shards")
        try makeFLACCorpus(at: root, subset: "tiny", speakers: 3, perSpeaker: 4, seconds: Self.seconds, seed: 11)
        let splits = try runProcess(engram, ["phase0", "splits", "--config", try config("ref")])
        XCTAssertEqual(splits.status, 0, splits.err)
    }

    override func tearDown() {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    func config(_ out: String) throws -> String {
        let url = root.appendingPathComponent("\(out).yaml")
        try shardTestConfig(root: root, subset: "tiny", out: out, trainSpeakers: 2, evalSpeakers: 1)
            .write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The store and index of an output folder.
    func outputs(_ out: String) throws -> [String: Data] {
        var t = try treeContents(root.appendingPathComponent("\(out)/latents.zarr"))
        t["<index>"] = try Data(contentsOf: root.appendingPathComponent("\(out)/latents_index.parquet"))
        return t
    }

    func assertSameOutputs(_ a: [String: Data], _ b: [String: Data], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.keys.sorted(), b.keys.sorted(), "file lists differ", file: file, line: line)
        for (k, v) in a where b[k] != v { XCTFail("\(k) differs", file: file, line: line) }
        XCTAssertTrue(a.keys.contains(".zmetadata") && a.keys.contains(".zattrs"), file: file, line: line)
    }

    func reference() throws -> [String: Data] {
        let r = try runProcess(engram, ["phase0", "latents", "--config", try config("ref"), "--threads", "2"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("12 encoded, 0 failed"), r.out)
        return try outputs("ref")
    }

    /// Three shards started at the same moment (as a Slurm array would) write into one store;
    /// `merge` then gives the single run's bytes. A missing shard is refused by merge.
    func testConcurrentShardsIntoOneStoreThenMergeEqualsSingleRun() throws {
        let ref = try reference()
        let cfg = try config("sharded")

        let early = try runProcess(engram, ["phase0", "merge", "--config", cfg])
        XCTAssertEqual(early.status, 2)
        XCTAssertTrue(early.err.contains("no shard index files"), early.err)

        var procs = [(Process, Pipe)]()
        for i in 0..<3 {
            let p = Process(), o = Pipe()
            p.executableURL = URL(fileURLWithPath: engram)
            p.arguments = ["phase0", "latents", "--config", cfg, "--threads", "1", "--shard", "\(i)/3"]
            p.standardOutput = o
            p.standardError = FileHandle.nullDevice
            try p.run()
            procs.append((p, o))
        }
        var encoded = 0
        for (p, o) in procs {
            let text = String(decoding: o.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, text)
            XCTAssertTrue(text.contains("when every shard has finished: engram phase0 merge"), text)
            if let r = text.range(of: #"(\d+) encoded"#, options: .regularExpression) {
                encoded += Int(text[r].split(separator: " ")[0]) ?? 0
            }
        }
        XCTAssertEqual(encoded, 12, "the shards together encode every utterance exactly once")

        // A shard whose index file is gone has "not finished": merge refuses and names it.
        let idx1 = root.appendingPathComponent("sharded/latents_shards/index.shard-0001-of-0003.parquet")
        let saved = try Data(contentsOf: idx1)
        try FileManager.default.removeItem(at: idx1)
        let refused = try runProcess(engram, ["phase0", "merge", "--config", cfg])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.err.contains("shard(s) 1/3 of 3 have not finished"), refused.err)
        try saved.write(to: idx1)

        let merged = try runProcess(engram, ["phase0", "merge", "--config", cfg])
        XCTAssertEqual(merged.status, 0, merged.err)
        XCTAssertTrue(merged.out.contains("merged 3 shard(s): 12 utterances"), merged.out)
        assertSameOutputs(ref, try outputs("sharded"))

        // Slurm's array variables select the shard when --shard is absent: shard 2 of 3 is complete.
        let slurm = try runProcess(engram, ["phase0", "latents", "--config", cfg],
                                   env: ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_COUNT": "3"])
        XCTAssertEqual(slurm.status, 0, slurm.err)
        XCTAssertTrue(slurm.out.contains("shard 2/3") && slurm.out.contains("0 encoded"), slurm.out)
        let badShard = try runProcess(engram, ["phase0", "latents", "--config", cfg, "--shard", "3/3"])
        XCTAssertEqual(badShard.status, 2)
        XCTAssertTrue(badShard.err.contains("--shard") && badShard.err.contains("0..<3"), badShard.err)
    }

    /// `kill -9` at seeded random moments during extraction, then a rerun: byte-identical to an
    /// uninterrupted run, and the rerun reports the utterances it skipped.
    func testKill9AtRandomMomentsThenRerunIsByteIdentical() throws {
        let t0 = Date()
        let ref = try reference()
        let wall = Date().timeIntervalSince(t0)
        let cfg = try config("killed")
        var rng = TestRNG(state: 2024)
        var killedMidway = 0
        var groupsSeen = [Int]()
        for _ in 0..<6 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: engram)
            p.arguments = ["phase0", "latents", "--config", cfg, "--threads", "2"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Anywhere in the first ~90 % of a whole run (which includes the corpus scan).
            Thread.sleep(forTimeInterval: wall * (0.15 + 0.75 * rng.unit()))
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
            let groups = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("killed/latents.zarr").path))?
                .filter { !$0.hasPrefix(".") }.count ?? 0
            groupsSeen.append(groups)
            if p.terminationReason == .uncaughtSignal && groups < 12 { killedMidway += 1 }
            if groups == 12 { break }
        }
        XCTAssertGreaterThan(killedMidway, 0, "no kill landed during extraction (groups after each: \(groupsSeen))")
        let before = groupsSeen.last ?? 0
        let rerun = try runProcess(engram, ["phase0", "latents", "--config", cfg, "--threads", "2"])
        XCTAssertEqual(rerun.status, 0, rerun.err)
        XCTAssertTrue(rerun.out.contains("\(before) already in the store (skipped), \(12 - before) encoded"),
                      "groups after each kill: \(groupsSeen)\n" + rerun.out)
        assertSameOutputs(ref, try outputs("killed"))
        print("kill -9 test: groups present after each kill \(groupsSeen), \(killedMidway) kill(s) mid-extraction")
    }
}
