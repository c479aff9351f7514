import XCTest
import Foundation
import EngramCore
import AudioIO
import Phase0
import TestSupport

final class SplitsTests: XCTestCase {
    let reference = fixtureURL("splits/audioEngram-train-clean-100-seed42")

    func lines(_ name: String) throws -> [String] {
        try String(contentsOf: reference.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// The research pipeline's committed train-clean-100 splits (seed 42), reproduced byte for byte
    /// from the 251 speaker ids and 28,539 utterance ids they contain.
    func testReproducesTheResearchPipelinesCommittedSplits() throws {
        let speakers = try (lines("train_speakers.txt") + lines("eval_speakers.txt")).map { Int($0)! }
        XCTAssertEqual(speakers.count, 251)
        let ids = try lines("train_utt_ids.txt") + lines("eval_utt_ids.txt")
        XCTAssertEqual(ids.count, 28_539)
        let utts = ids.reversed().map { (id: $0, speaker: Int($0.split(separator: "-")[0])!) } // input order must not matter
        let s = Phase0Splits.make(speakers: speakers.shuffled(), utterances: utts, nTrain: 200, nEval: 51, holdoutFrac: 0.1, seed: 42)

        let out = makeTempDir("splits")
        defer { try? FileManager.default.removeItem(at: out) }
        try s.write(to: out)
        for name in ["train_speakers.txt", "eval_speakers.txt", "train_utt_ids.txt", "eval_utt_ids.txt", "train_utt_ids_val.txt", "metadata.json"] {
            let ours = try Data(contentsOf: out.appendingPathComponent(name))
            let theirs = try Data(contentsOf: reference.appendingPathComponent(name))
            XCTAssertTrue(ours == theirs, "\(name) differs from the research pipeline's file")
        }
        let val = Set(try lines("train_utt_ids_val.txt"))
        XCTAssertEqual(s.trainUttTrain, try lines("train_utt_ids.txt").filter { !val.contains($0) })
        XCTAssertEqual(s.trainUttVal.count, 2267) // int(22673 * 0.1)
        XCTAssertEqual(try Phase0Splits.read(from: out), s)
    }

    /// Other sizes, seeds and fractions against a live python3 running the same recipe with `random`.
    func testAgainstLivePython() throws {
        try requireOracle("python3", check: ["python3", "--version"])
        var g = SplitMix64(seed: 5)
        let speakers = (0..<37).map { _ in 10 + g.nextInt(below: 9000) }
        let uniqueSpeakers = Array(Set(speakers))
        var utts = [(id: String, speaker: Int)]()
        for sp in uniqueSpeakers {
            for u in 0..<(1 + g.nextInt(below: 30)) { utts.append(("\(sp)-\(100 + u % 3)-\(String(format: "%04d", u))", sp)) }
        }
        let dir = makeTempDir("splits-py")
        defer { try? FileManager.default.removeItem(at: dir) }
        try utts.map { "\($0.id) \($0.speaker)" }.joined(separator: "\n").write(to: dir.appendingPathComponent("u.txt"), atomically: true, encoding: .utf8)
        let script = """
        import random, sys, json
        rows = [l.split() for l in open(sys.argv[1]).read().split("\\n") if l]
        spk = sorted({int(s) for _, s in rows})
        out = []
        for seed, nt, ne, frac in [(1, 20, 10, 0.25), (42, 5, 30, 0.1), (2**40 + 3, 30, 4, 0.9), (7, 1, 1, 0.0)]:
            sh = sorted(spk); random.Random(seed).shuffle(sh)
            tr, ev = sorted(sh[:nt]), sorted(sh[nt:nt + ne])
            tu = sorted(u for u, s in rows if int(s) in set(tr))
            x = tu.copy(); random.Random(seed).shuffle(x); k = int(len(x) * frac)
            out.append([tr, ev, sorted(x[:k]), sorted(x[k:])])
        print(json.dumps(out))
        """
        let res = try runProcess("python3", ["-c", script, dir.appendingPathComponent("u.txt").path])
        XCTAssertEqual(res.status, 0, res.err)
        let want = try JSONSerialization.jsonObject(with: Data(res.out.utf8)) as! [[[Any]]]
        for (i, (seed, nt, ne, frac)) in [(1 as Int, 20, 10, 0.25), (42, 5, 30, 0.1), ((1 << 40) + 3, 30, 4, 0.9), (7, 1, 1, 0.0)].enumerated() {
            let s = Phase0Splits.make(speakers: uniqueSpeakers, utterances: utts, nTrain: nt, nEval: ne, holdoutFrac: frac, seed: seed)
            XCTAssertEqual(s.trainSpeakers, want[i][0] as? [Int], "case \(i)")
            XCTAssertEqual(s.evalSpeakers, want[i][1] as? [Int], "case \(i)")
            XCTAssertEqual(s.trainUttVal, want[i][2] as? [String], "case \(i)")
            XCTAssertEqual(s.trainUttTrain, want[i][3] as? [String], "case \(i)")
        }
    }

    func testPythonStringOrderIsByCodePoint() {
        // U+00E9 (é precomposed) vs "e" + U+0301: Python orders by code points, so "e\u{301}" < "\u{e9}".
        XCTAssertTrue(pythonStringOrder("e\u{301}", "\u{e9}"))
        XCTAssertFalse(pythonStringOrder("\u{e9}", "e\u{301}"))
        XCTAssertEqual(["19-198-0001", "103-1240-0000", "1034-121119-0000"].sorted(by: pythonStringOrder),
                       ["103-1240-0000", "1034-121119-0000", "19-198-0001"])
    }

    func testReadRejectsMissingAndMalformedFiles() throws {
        let dir = makeTempDir("splits-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try Phase0Splits.read(from: dir)) { e in
            XCTAssertTrue("\(e)".contains("train_speakers.txt") && "\(e)".contains("phase0 splits"), "\(e)")
        }
        let s = Phase0Splits(trainSpeakers: [1], evalSpeakers: [2], trainUtterances: ["1-1-1"], evalUtterances: ["2-1-1"], trainUttTrain: ["1-1-1"], trainUttVal: [])
        try s.write(to: dir)
        XCTAssertEqual(try Phase0Splits.read(from: dir), s)
        try "1\nx7\n".write(to: dir.appendingPathComponent("eval_speakers.txt"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Phase0Splits.read(from: dir)) { e in
            XCTAssertTrue("\(e)".contains("eval_speakers.txt") && "\(e)".contains("'x7'"), "\(e)")
        }
    }

    /// The whole step on a small corpus tree: split files, failures.txt, and the too-few-speakers error.
    func testStepOnACorpusTree() throws {
        let root = makeTempDir("splits-corpus")
        defer { try? FileManager.default.removeItem(at: root) }
        let sub = root.appendingPathComponent("LibriSpeech/mini")
        let fm = FileManager.default
        for (spk, n) in [(19, 2), (26, 1), (103, 3), (7, 1)] {
            let ch = sub.appendingPathComponent("\(spk)/\(spk * 10)")
            try fm.createDirectory(at: ch, withIntermediateDirectories: true)
            var lines = [String]()
            for u in 0..<n {
                let id = "\(spk)-\(spk * 10)-\(String(format: "%04d", u))"
                try fm.copyItem(at: fixtureURL("corpus/short_1s.flac"), to: ch.appendingPathComponent(id + ".flac"))
                lines.append("\(id) WORDS")
            }
            try (lines.joined(separator: "\n") + "\n").write(to: ch.appendingPathComponent("\(spk)-\(spk * 10).trans.txt"), atomically: true, encoding: .utf8)
        }
        try Data("junk".utf8).write(to: sub.appendingPathComponent("7/70/7-70-0000.flac"))
        let yaml = """
        data: {librispeech_path: \(root.path)/LibriSpeech, subset: mini, on_error: skip}
        splits: {n_train_speakers: 2, n_eval_speakers: 1, seed: 3, utt_holdout_frac: 0.4}
        output: {splits_dir: \(root.path)/out/splits}
        """
        var cfg = try Phase0Config.parse(yaml: yaml, file: "mini.yaml")
        let r = try SplitsStep.run(config: cfg, progress: false)
        XCTAssertEqual(r.corpus.speakerIDs, [19, 26, 103]) // speaker 7's only file is broken
        XCTAssertEqual(r.splits.trainSpeakers.count + r.splits.evalSpeakers.count, 3)
        let failures = try String(contentsOf: r.outputDir.appendingPathComponent("failures.txt"), encoding: .utf8)
        XCTAssertTrue(failures.contains("7-70-0000.flac: not a FLAC stream"), failures)
        XCTAssertTrue(failures.contains("/7: speaker folder has no readable .flac files"), failures)
        let py = Phase0Splits.make(speakers: [19, 26, 103], utterances: r.corpus.utterances.map { ($0.id, $0.speakerID) },
                                   nTrain: 2, nEval: 1, holdoutFrac: 0.4, seed: 3)
        XCTAssertEqual(try Phase0Splits.read(from: r.outputDir), py)
        XCTAssertEqual(try String(contentsOf: r.outputDir.appendingPathComponent("metadata.json"), encoding: .utf8),
                       "{\n  \"n_train_speakers\": 2,\n  \"n_eval_speakers\": 1,\n  \"n_train_utterances\": \(py.trainUtterances.count),\n  \"n_eval_utterances\": \(py.evalUtterances.count),\n  \"n_train_utt_train\": \(py.trainUttTrain.count),\n  \"n_train_utt_val\": \(py.trainUttVal.count)\n}")

        cfg.splits.nEvalSpeakers = 2
        XCTAssertThrowsError(try SplitsStep.run(config: cfg, progress: false)) { e in
            let e = e as! EngramError
            XCTAssertEqual(e.location, "mini.yaml")
            XCTAssertTrue(e.message.contains("splits.n_train_speakers (2) + splits.n_eval_speakers (2) = 4") && e.message.contains("only 3 speakers"), e.message)
        }
    }
}
