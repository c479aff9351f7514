import XCTest
import Foundation
import TestSupport

/// `engram demo-corpus`, `engram corpus info` and `engram phase0 splits` run as a user would.
final class CorpusCLITests: XCTestCase {
    func testDemoCorpusInfoAndSplits() throws {
        let engram = try requireEngram()
        let dir = makeTempDir("cli-corpus")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("demo.yaml")
        try """
        data:
          librispeech_path: \(dir.path)/LibriSpeech
          subset: demo-cli
        splits: {n_train_speakers: 2, n_eval_speakers: 1, seed: 42, utt_holdout_frac: 0.5}
        output: {splits_dir: \(dir.path)/out/splits}
        """.write(to: config, atomically: true, encoding: .utf8)

        // The corpus (short utterances keep the debug-build test quick), written twice: identical bytes.
        let root = dir.appendingPathComponent("LibriSpeech"), again = dir.appendingPathComponent("again")
        for out in [root, again] {
            let demo = try runProcess(engram, ["demo-corpus", "--out", out.path, "--speakers", "3", "--utterances", "2",
                                               "--seed", "9", "--subset", "demo-cli", "--min-seconds", "3", "--max-seconds", "3.5"])
            XCTAssertEqual(demo.status, 0, demo.err)
        }
        let a = try FileManager.default.subpathsOfDirectory(atPath: root.appendingPathComponent("demo-cli").path).sorted()
        XCTAssertEqual(a.filter { $0.hasSuffix(".flac") }.count, 6)
        XCTAssertEqual(a, try FileManager.default.subpathsOfDirectory(atPath: again.appendingPathComponent("demo-cli").path).sorted())
        for p in a where p.hasSuffix(".flac") || p.hasSuffix(".txt") {
            XCTAssertEqual(try Data(contentsOf: root.appendingPathComponent("demo-cli/\(p)")),
                           try Data(contentsOf: again.appendingPathComponent("demo-cli/\(p)")), p)
        }

        let info = try runProcess(engram, ["corpus", "info", "--config", config.path])
        XCTAssertEqual(info.status, 0, info.err)
        XCTAssertTrue(info.out.contains("speakers: 3"), info.out)
        XCTAssertTrue(info.out.contains("utterances: 6,"), info.out)
        XCTAssertTrue(info.out.contains("duration histogram"), info.out)
        XCTAssertTrue(info.out.contains("failures: 0"), info.out)

        let splits = try runProcess(engram, ["phase0", "splits", "--config", config.path])
        XCTAssertEqual(splits.status, 0, splits.err)
        let out = dir.appendingPathComponent("out/splits")
        for f in ["train_speakers.txt", "eval_speakers.txt", "train_utt_ids.txt", "eval_utt_ids.txt",
                  "train_utt_ids_train.txt", "train_utt_ids_val.txt", "metadata.json", "failures.txt"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), f)
        }
        let meta = try String(contentsOf: out.appendingPathComponent("metadata.json"), encoding: .utf8)
        XCTAssertTrue(meta.contains("\"n_train_utterances\": 4") && meta.contains("\"n_train_utt_val\": 2"), meta)

        // A truncated file: under on_error fail the step stops naming it.
        let victim = root.appendingPathComponent("demo-cli").appendingPathComponent(a.first { $0.hasSuffix(".flac") }!)
        let bytes = try Data(contentsOf: victim)
        try bytes.prefix(bytes.count / 2).write(to: victim)
        let failed = try runProcess(engram, ["phase0", "splits", "--config", config.path])
        XCTAssertEqual(failed.status, 2)
        XCTAssertTrue(failed.err.contains(victim.path) && failed.err.contains("truncated") && failed.err.contains("on_error: skip"), failed.err)
        try bytes.write(to: victim)

        // Too few speakers: exit 2, the message names the config file and keys.
        try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "n_eval_speakers: 1", with: "n_eval_speakers: 5")
            .write(to: config, atomically: true, encoding: .utf8)
        let bad = try runProcess(engram, ["phase0", "splits", "--config", config.path])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.err.contains(config.path) && bad.err.contains("splits.n_eval_speakers (5)"), bad.err)
    }
}
