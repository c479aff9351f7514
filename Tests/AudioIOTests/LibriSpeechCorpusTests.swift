import XCTest
import Foundation
import AudioIO
import EngramCore
import TestSupport

/// The corpus reader on small LibriSpeech-layout trees built from FLAC files made by the reference
/// `flac` encoder (Tests/Fixtures/corpus, scripts/make_corpus_fixtures.py).
final class LibriSpeechCorpusTests: XCTestCase {
    var root: URL!
    var subset: URL { root.appendingPathComponent("train-mini") }
    let fm = FileManager.default

    static let expectedSamples: [String: Int] = {
        let d = try! Data(contentsOf: fixtureURL("corpus/expected.json"))
        return try! JSONDecoder().decode([String: Int].self, from: d)
    }()

    override func setUpWithError() throws {
        root = makeTempDir("corpus")
        // Speakers 19 and 103 (integer order differs from string order), two chapters for 103.
        try put("short_1s", "19/198/19-198-0000")
        try put("long_3p5s", "19/198/19-198-0001")
        try put("odd_12345", "103/1240/103-1240-0000")
        try put("long_3p5s", "103/1240/103-1240-0001")
        try put("tiny_100", "103/1241/103-1241-0002")
        try transcript("19/198/19-198.trans.txt", ["19-198-0000 HELLO THERE", "19-198-0001 A SECOND LINE"])
        try transcript("103/1240/103-1240.trans.txt", ["103-1240-0000 CHAPTER ONE", "103-1240-0001 MORE WORDS"])
        try transcript("103/1241/103-1241.trans.txt", ["103-1241-0002 TINY"])
        try """
        ; LibriSpeech-style speaker table
        ;ID  |SEX| SUBSET           |MINUTES| NAME
        19   | F | train-mini       | 25.19 | Kara Shallenberg
        60   | M | train-clean-100  | 20.18 | |CBW|Simon
        103  | F | train-mini       | 25.11 | Karen Savage

        """.write(to: root.appendingPathComponent("SPEAKERS.TXT"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? fm.removeItem(at: root) }

    func put(_ fixture: String, _ rel: String) throws {
        let dst = subset.appendingPathComponent(rel + ".flac")
        try fm.createDirectory(at: dst.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? fm.removeItem(at: dst)
        try fm.copyItem(at: fixtureURL("corpus/\(fixture).flac"), to: dst)
    }

    func transcript(_ rel: String, _ lines: [String]) throws {
        try (lines.joined(separator: "\n") + "\n").write(to: subset.appendingPathComponent(rel), atomically: true, encoding: .utf8)
    }

    func scan(_ onError: Phase0Config.OnError = .fail) throws -> LibriSpeechCorpus {
        try LibriSpeechCorpus.scan(root: root, subset: "train-mini", onError: onError, progress: false)
    }

    /// Scans under `.fail` expecting an error whose location contains `pathPart` and whose
    /// message contains `text`; then under `.skip`, returns the corpus for further checks.
    func expectIssue(path pathPart: String, _ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> LibriSpeechCorpus {
        XCTAssertThrowsError(try scan(.fail), file: file, line: line) { e in
            guard let e = e as? EngramError else { return XCTFail("not an EngramError: \(e)", file: file, line: line) }
            XCTAssertTrue(e.location.contains(pathPart), "location \(e.location)", file: file, line: line)
            XCTAssertTrue(e.message.contains(text), "message \(e.message)", file: file, line: line)
            XCTAssertTrue(e.message.contains("data.on_error: skip"), file: file, line: line)
        }
        let c = try scan(.skip)
        XCTAssertTrue(c.issues.contains { $0.path.contains(pathPart) && $0.message.contains(text) }, "\(c.issues)", file: file, line: line)
        return c
    }

    func testListsSpeakersUtterancesDurationsAndTranscripts() throws {
        let c = try scan()
        XCTAssertEqual(c.speakerIDs, [19, 103])
        XCTAssertEqual(c.utterances.map(\.id), ["103-1240-0000", "103-1240-0001", "103-1241-0002", "19-198-0000", "19-198-0001"])
        let byID = Dictionary(uniqueKeysWithValues: c.utterances.map { ($0.id, $0) })
        let s = Self.expectedSamples
        XCTAssertEqual(byID["19-198-0000"]?.samples, s["short_1s"])
        XCTAssertEqual(byID["103-1240-0000"]?.samples, s["odd_12345"])
        XCTAssertEqual(byID["103-1241-0002"]?.samples, s["tiny_100"])
        XCTAssertEqual(byID["19-198-0001"]!.duration, 3.5)
        XCTAssertEqual(byID["103-1240-0000"]!.duration, 12345.0 / 16000.0)
        for u in c.utterances {
            XCTAssertEqual(u.sampleRate, 16000); XCTAssertEqual(u.channels, 1); XCTAssertEqual(u.bitsPerSample, 16)
            XCTAssertTrue(u.path.hasSuffix("/\(u.speakerID)/\(u.chapterID)/\(u.id).flac"), u.path)
        }
        XCTAssertEqual(byID["103-1241-0002"]?.chapterID, 1241)
        XCTAssertEqual(byID["19-198-0000"]?.transcript, "HELLO THERE")
        XCTAssertEqual(c.speakerMetadata[60]?.name, "|CBW|Simon")
        XCTAssertEqual(c.speakerMetadata[103], SpeakerMetadata(id: 103, sex: "F", subset: "train-mini", minutes: 25.11, name: "Karen Savage"))
        XCTAssertTrue(c.issues.isEmpty); XCTAssertTrue(c.warnings.isEmpty, "\(c.warnings)")
        XCTAssertEqual(c.totalDuration, (16000.0 + 56000 + 12345 + 56000 + 100) / 16000, accuracy: 1e-12)
    }

    func testMinDurationKeepsExactlyLongEnough() throws {
        let c = try scan()
        XCTAssertEqual(c.utterances(minDuration: 3.0).map(\.id), ["103-1240-0001", "19-198-0001"])
        XCTAssertEqual(c.utterances(minDuration: 3.5).map(\.id), ["103-1240-0001", "19-198-0001"]) // >= keeps 3.5 s
        XCTAssertEqual(c.utterances(minDuration: 1.0).count, 3)
    }

    func testMissingSubsetIsAlwaysAnError() throws {
        for mode in [Phase0Config.OnError.fail, .skip] {
            XCTAssertThrowsError(try LibriSpeechCorpus.scan(root: root, subset: "dev-nope", onError: mode, configFile: "cfg.yaml", progress: false)) { e in
                let e = e as! EngramError
                XCTAssertEqual(e.location, root.appendingPathComponent("dev-nope").path)
                XCTAssertTrue(e.message.contains("cfg.yaml") && e.message.contains("data.subset"), e.message)
            }
        }
    }

    func testNonNumericSpeakerAndChapterFolders() throws {
        try fm.createDirectory(at: subset.appendingPathComponent("notes"), withIntermediateDirectories: true)
        var c = try expectIssue(path: "train-mini/notes", "speaker folder name is not a number")
        XCTAssertEqual(c.speakerIDs, [19, 103])
        try fm.removeItem(at: subset.appendingPathComponent("notes"))
        try fm.createDirectory(at: subset.appendingPathComponent("19/extra"), withIntermediateDirectories: true)
        c = try expectIssue(path: "19/extra", "chapter folder name is not a number")
        XCTAssertEqual(c.utterances.count, 5)
    }

    func testTruncatedFileIsDetectedWithoutDecoding() throws {
        let f = subset.appendingPathComponent("19/198/19-198-0001.flac")
        let bytes = try Data(contentsOf: f)
        try bytes.prefix(bytes.count * 2 / 3).write(to: f)
        let c = try expectIssue(path: "19-198-0001.flac", "truncated")
        XCTAssertEqual(c.utterances.map(\.id), ["103-1240-0000", "103-1240-0001", "103-1241-0002", "19-198-0000"])
        // Under skip, the transcript line of the dropped file is not a second complaint about audio.
        XCTAssertEqual(c.issues.count, 1, "\(c.issues)")
    }

    func testHeaderPromisingMoreSamplesThanTheFramesHold() throws {
        // STREAMINFO total samples: low 36 bits of the 8 bytes at offset 4 + 4 + 10.
        let f = subset.appendingPathComponent("19/198/19-198-0000.flac")
        var b = [UInt8](try Data(contentsOf: f))
        XCTAssertEqual(Array(b[0..<4]), Array("fLaC".utf8))
        let o = 8 + 10
        var packed = (0..<8).reduce(UInt64(0)) { $0 << 8 | UInt64(b[o + $1]) }
        XCTAssertEqual(packed & 0xF_FFFF_FFFF, 16000)
        packed = packed & ~UInt64(0xF_FFFF_FFFF) | 20000
        for i in 0..<8 { b[o + i] = UInt8(truncatingIfNeeded: packed >> (8 * (7 - UInt64(i)))) }
        try Data(b).write(to: f)
        _ = try expectIssue(path: "19-198-0000.flac", "promises 20000 samples")
    }

    func testNotFlacAndUnreadableFiles() throws {
        try Data("RIFF....WAVEfmt ".utf8).write(to: subset.appendingPathComponent("19/198/19-198-0002.flac"))
        try fm.createDirectory(at: subset.appendingPathComponent("19/198/19-198-0003.flac"), withIntermediateDirectories: true)
        try transcript("19/198/19-198.trans.txt", ["19-198-0000 A", "19-198-0001 B", "19-198-0002 C", "19-198-0003 D"])
        var c = try expectIssue(path: "19-198-0002.flac", "not a FLAC stream: missing \"fLaC\" signature at byte offset 0")
        XCTAssertTrue(c.issues.contains { $0.path.hasSuffix("19-198-0003.flac") && $0.message.contains("read failed") }, "\(c.issues)")
        XCTAssertEqual(c.utterances.count, 5)
        try Data().write(to: subset.appendingPathComponent("19/198/19-198-0002.flac"))
        c = try expectIssue(path: "19-198-0002.flac", "empty file")
    }

    func testMissingTranscriptKeepsAudioUnderSkip() throws {
        try fm.removeItem(at: subset.appendingPathComponent("103/1240/103-1240.trans.txt"))
        let c = try expectIssue(path: "103-1240.trans.txt", "transcript file missing")
        XCTAssertEqual(c.utterances.count, 5)
        XCTAssertNil(c.utterances.first { $0.id == "103-1240-0000" }?.transcript)
    }

    func testTranscriptAndAudioMustAgree() throws {
        try transcript("19/198/19-198.trans.txt", ["19-198-0000 A", "19-198-0007 GHOST", "20-198-0001 WRONG SPEAKER"])
        let c = try expectIssue(path: "19-198.trans.txt:3", "does not belong to speaker 19 chapter 198")
        XCTAssertTrue(c.issues.contains { $0.path.hasSuffix("19-198-0007.flac") && $0.message.contains("audio file is missing") }, "\(c.issues)")
        XCTAssertTrue(c.issues.contains { $0.message.contains("no transcript line for utterance 19-198-0001") }, "\(c.issues)")
    }

    func testDuplicateUtteranceIDs() throws {
        // "019" is speaker 19 again: the same ids appear twice.
        try put("short_1s", "019/198/19-198-0000")
        try transcript("019/198/19-198.trans.txt", ["19-198-0000 AGAIN"])
        // Folders are walked in (id, name) order, so "019" comes first and "19" is the duplicate.
        let c = try expectIssue(path: "train-mini/19/198/19-198-0000.flac", "duplicate utterance id 19-198-0000")
        XCTAssertEqual(c.utterances.filter { $0.id == "19-198-0000" }.count, 1)
        XCTAssertEqual(c.speakerIDs, [19, 103])
    }

    func testMisplacedFileName() throws {
        try put("short_1s", "19/198/103-1240-0009")
        _ = try expectIssue(path: "19/198/103-1240-0009.flac", "but the file is in folder 19/198")
    }

    func testSpeakerWithoutAudio() throws {
        try fm.createDirectory(at: subset.appendingPathComponent("250/142"), withIntermediateDirectories: true)
        let c = try expectIssue(path: "train-mini/250", "speaker folder has no readable .flac files")
        XCTAssertEqual(c.speakerIDs, [19, 103])
    }

    func testSpeakersFileProblems() throws {
        try fm.removeItem(at: root.appendingPathComponent("SPEAKERS.TXT"))
        var c = try scan()
        XCTAssertTrue(c.warnings.contains { $0.contains("SPEAKERS.TXT: not found") }, "\(c.warnings)")
        try "19 | F | x | 1.0 | A\n19 | F | x | 2.0 | B\nbad line\n".write(to: root.appendingPathComponent("SPEAKERS.TXT"), atomically: true, encoding: .utf8)
        c = try expectIssue(path: "SPEAKERS.TXT:2", "speaker 19 is listed twice")
        XCTAssertTrue(c.issues.contains { $0.path.hasSuffix("SPEAKERS.TXT:3") && $0.message.contains("expected 5") }, "\(c.issues)")
        XCTAssertTrue(c.warnings.contains { $0.contains("no metadata for 1 speaker(s): 103") }, "\(c.warnings)")
    }

    func testFailuresText() {
        XCTAssertEqual(CorpusIssue.failuresText([CorpusIssue("/a.flac", "bad"), CorpusIssue("/b", "worse")]), "/a.flac: bad\n/b: worse\n")
    }
}
