import XCTest
import Foundation
import AudioIO
import EngramCore
import TestSupport

final class DemoCorpusTests: XCTestCase {
    var dirs = [URL]()
    override func tearDown() { for d in dirs { try? FileManager.default.removeItem(at: d) } }
    func tempDir() -> URL { let d = makeTempDir("demo"); dirs.append(d); return d }

    /// A small, quick corpus (short utterances keep debug-build tests fast).
    func small(seed: UInt64 = 7, speakers: Int = 4, utterances: Int = 5) -> DemoCorpus {
        var c = DemoCorpus(speakers: speakers, utterancesPerSpeaker: utterances, seed: seed, subset: "demo-mini")
        c.durationRange = 3.0...3.2
        return c
    }

    /// Relative path → bytes of every file under `dir`.
    func snapshot(_ dir: URL) throws -> [String: Data] {
        var out = [String: Data]()
        let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey])!
        for case let u as URL in e where (try u.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            out[String(u.path.dropFirst(dir.path.count))] = try Data(contentsOf: u)
        }
        return out
    }

    func testSameSeedGivesIdenticalBytesForAnyThreadCount() throws {
        let a = tempDir(), b = tempDir()
        try small(speakers: 3, utterances: 3).write(to: a, threads: 1, progress: false)
        try small(speakers: 3, utterances: 3).write(to: b, threads: 3, progress: false)
        let sa = try snapshot(a), sb = try snapshot(b)
        XCTAssertEqual(sa.keys.filter { $0.hasSuffix(".flac") }.count, 3 * 3, "\(sa.keys.sorted())")
        XCTAssertNotNil(sa["/SPEAKERS.TXT"])
        XCTAssertEqual(sa, sb)
        // Another seed: other speakers and other sounds.
        let other = small(seed: 8, speakers: 3, utterances: 3)
        XCTAssertNotEqual(other.speakerTable().map(\.id), small(speakers: 3, utterances: 3).speakerTable().map(\.id))
        let i0 = small().items(small().speakerTable())[0], j0 = other.items(other.speakerTable())[0]
        XCTAssertNotEqual(small().synthesize(i0, table: small().speakerTable()).samples, other.synthesize(j0, table: other.speakerTable()).samples)
    }

    func testLayoutIsReadableByTheCorpusReader() throws {
        let root = tempDir()
        var demo = small(speakers: 4, utterances: 3)
        demo.durationRange = 3.0...4.0
        try demo.write(to: root, progress: false)
        let corpus = try LibriSpeechCorpus.scan(root: root, subset: "demo-mini", onError: .fail, progress: false)
        XCTAssertEqual(corpus.speakerIDs.count, 4)
        XCTAssertEqual(corpus.utterances.count, 12)
        XCTAssertTrue(corpus.issues.isEmpty && corpus.warnings.isEmpty, "\(corpus.issues) \(corpus.warnings)")
        XCTAssertEqual(corpus.speakerIDs, demo.speakerTable().map(\.id).sorted())
        var perSpeaker = [Int: Int]()
        for u in corpus.utterances {
            XCTAssertEqual([u.sampleRate, u.channels, u.bitsPerSample], [16000, 1, 16])
            XCTAssertTrue(u.duration >= 3.0 && u.duration <= 4.0, "\(u.id) \(u.duration)")
            let words = (u.transcript ?? "").split(separator: " ")
            XCTAssertFalse(words.isEmpty, u.id)
            XCTAssertTrue(words.allSatisfy { $0.allSatisfy { $0 >= "A" && $0 <= "Z" } }, u.transcript ?? "")
            perSpeaker[u.speakerID, default: 0] += 1
        }
        XCTAssertEqual(Set(perSpeaker.values), [3])
        for id in corpus.speakerIDs {
            let m = try XCTUnwrap(corpus.speakerMetadata[id])
            XCTAssertEqual(m.subset, "demo-mini")
            let minutes = corpus.utterances.filter { $0.speakerID == id }.reduce(0) { $0 + $1.duration } / 60
            XCTAssertEqual(m.minutes, minutes, accuracy: 0.006) // written with 2 decimals
        }
        XCTAssertEqual(Set(corpus.speakerIDs.map { corpus.speakerMetadata[$0]!.sex }), ["M", "F"])
    }

    func testDefaultDurationsSpanThreeToFifteenSeconds() {
        let c = DemoCorpus(speakers: 24, utterancesPerSpeaker: 8, seed: 42)
        let items = c.items(c.speakerTable())
        XCTAssertEqual(items.count, 192)
        XCTAssertEqual(Set(items.map(\.id)).count, 192)
        let d = items.map(\.duration)
        XCTAssertGreaterThanOrEqual(d.min()!, 3.0); XCTAssertLessThanOrEqual(d.max()!, 15.0)
        XCTAssertLessThan(d.min()!, 4.0); XCTAssertGreaterThan(d.max()!, 14.0)
        // One synthesised long utterance has exactly its planned length.
        let long = items.max { $0.duration < $1.duration }!
        let u = c.synthesize(long, table: c.speakerTable())
        XCTAssertEqual(u.samples.count, Int((long.duration * 16000).rounded()))
        XCTAssertTrue(u.samples.allSatisfy { $0 >= -32768 && $0 <= 32767 })
    }

    /// Speaker identity is audible: female voices have a higher fundamental than male ones, and the
    /// estimated f0 tracks each speaker's parameter (autocorrelation pitch on loud 25 ms frames).
    func testPitchFollowsTheSpeaker() {
        let c = DemoCorpus(speakers: 4, utterancesPerSpeaker: 1, seed: 3)
        var cc = c; cc.durationRange = 3.0...3.2
        let table = cc.speakerTable()
        for item in cc.items(table) {
            let sp = table[item.speakerIndex]
            let x = cc.synthesize(item, table: table).samples.map(Double.init)
            var f0s = [Double]()
            let fl = 400, lo = 16000 / 400, hi = 16000 / 60
            let peak = x.map(abs).max()!
            for start in stride(from: 0, to: x.count - fl, by: 400) {
                let fr = Array(x[start..<(start + fl)])
                let energy = fr.reduce(0) { $0 + $1 * $1 }
                if energy.squareRoot() / Double(fl).squareRoot() < peak * 0.1 { continue }
                var best = 0.0, lag = 0
                for k in lo...hi {
                    var s = 0.0
                    for i in 0..<(fl - k) { s += fr[i] * fr[i + k] }
                    if s > best { best = s; lag = k }
                }
                if best > 0.5 * energy { f0s.append(16000 / Double(lag)) }
            }
            XCTAssertGreaterThan(f0s.count, 5, "\(sp.id)")
            let med = f0s.sorted()[f0s.count / 2]
            XCTAssertEqual(med / sp.f0, 1.05, accuracy: 0.25, "speaker \(sp.id) \(sp.sex) f0 \(sp.f0) estimated \(med)")
            if sp.sex == "F" { XCTAssertGreaterThan(med, 150) } else { XCTAssertLessThan(med, 180) }
        }
    }

    /// Written files decode (with MD5 check) back to exactly the synthesised samples.
    func testFilesDecodeToTheSynthesisedSamples() throws {
        let root = tempDir()
        let demo = small(speakers: 2, utterances: 2)
        try demo.write(to: root, progress: false)
        let table = demo.speakerTable()
        for item in demo.items(table) {
            let url = root.appendingPathComponent("demo-mini/\(table[item.speakerIndex].id)/\(item.chapter)/\(item.id).flac")
            let pcm = try FLACDecoder(verifyMD5: true).decode(contentsOf: url)
            XCTAssertEqual(pcm.interleaved(), demo.synthesize(item, table: table).samples, item.id)
            XCTAssertEqual([pcm.sampleRate, pcm.bitsPerSample], [16000, 16])
        }
    }

    func testEveryFileIsValidForTheReferenceDecoder() throws {
        try requireOracle("flac", check: ["flac", "--version"])
        let root = tempDir()
        try small(speakers: 3, utterances: 2).write(to: root, progress: false)
        let files = try snapshot(root).keys.filter { $0.hasSuffix(".flac") }.sorted().map { root.path + $0 }
        XCTAssertEqual(files.count, 6)
        let r = try runProcess("flac", ["-t", "-s"] + files)
        XCTAssertEqual(r.status, 0, r.err)
    }

    func testEnsureSynthesisesOnlyAMissingSubset() throws {
        let root = tempDir().appendingPathComponent("LibriSpeech")
        var cfg = Phase0Config()
        cfg.data.librispeechPath = root.path
        cfg.data.subset = "demo-x"
        XCTAssertFalse(try DemoCorpus.ensure(config: cfg, progress: false)) // demo_corpus not set
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.path))
        var d = Phase0Config.DemoCorpus(); d.speakers = 2; d.utterances = 1; d.seed = 5
        cfg.data.demoCorpus = d
        // An existing SPEAKERS.TXT keeps its rows; ours are added.
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try "; real table\n19 | F | train-clean-100 | 25.19 | Kara Shallenberg\n".write(to: root.appendingPathComponent("SPEAKERS.TXT"), atomically: true, encoding: .utf8)
        XCTAssertTrue(try DemoCorpus.ensure(config: cfg, progress: false))
        let corpus = try LibriSpeechCorpus.scan(root: root, subset: "demo-x", progress: false)
        XCTAssertEqual(corpus.speakerIDs.count, 2)
        XCTAssertEqual(corpus.speakerMetadata[19]?.name, "Kara Shallenberg")
        XCTAssertEqual(corpus.speakerMetadata.count, 3)
        XCTAssertTrue(corpus.speakerIDs.allSatisfy { corpus.speakerMetadata[$0]?.subset == "demo-x" })
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: root.path).contains { $0.contains("partial") })
        // Present now: nothing is rewritten.
        let before = try snapshot(root)
        XCTAssertFalse(try DemoCorpus.ensure(config: cfg, progress: false))
        XCTAssertEqual(try snapshot(root), before)
    }
}
