import EngramCore
import Formats
import Foundation
import XCTest
import TestSupport
@testable import Phase0

/// Bad latents reaching the analysis through a real Zarr store (an Inf frame, a wrong width, fewer
/// frames than the context window) and config values that only the data can refute (lags longer
/// than every utterance, min_cluster_size above the number of train samples): each is an error
/// naming the utterance or the config key, and under data.on_error: skip the utterance is left
/// out of phase0_frames.parquet — never silently included.
final class BadLatentsTests: XCTestCase {
    let conditions = """
        - name: mean_vq4
          type: mean_pool_vq
          k: 4
    """

    func makeRun(minClusterSize: Int = 5) throws -> (URL, Phase0Config, SyntheticCorpus) {
        var p = RegimeProcess()
        p.speakers = 6; p.utterancesPerSpeaker = 3; p.frames = 30; p.dim = 4; p.regimes = 2
        let dir = makeTempDir("bad-latents")
        let corpus = try SyntheticCorpus(p)
        try corpus.write(to: dir, conditionsYAML: conditions, minClusterSize: minClusterSize)
        var yaml = try String(contentsOf: SyntheticCorpus.Layout(dir).config, encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "n_init: 10", with: "n_init: 1")
        try AtomicFile.write(yaml, to: SyntheticCorpus.Layout(dir).config)
        return (dir, try Phase0Config.load(file: SyntheticCorpus.Layout(dir).config.path), corpus)
    }

    /// Replaces one utterance's group in the store (and its index row when `frames` changes).
    func overwrite(_ dir: URL, _ c: Phase0Config, id: String, x: [Float], frames: Int, dim: Int) throws {
        let store = try LatentStore(openAt: URL(fileURLWithPath: c.output.latentsDir), useConsolidated: false)
        let old = try store.read(id)
        try store.write(id: id, x: x, T: frames, D: dim, energy: [Float](repeating: 0.1, count: frames),
                        timestamps: (0..<frames).map { Float($0) / 12.5 }, speakerID: old.speakerID)
        try store.consolidate()
        var rows = try LatentsIndex.read(URL(fileURLWithPath: c.output.latentsIndex))
        if let i = rows.firstIndex(where: { $0.utteranceID == id }) { rows[i].nFrames = frames }
        try LatentsIndex.write(rows, to: URL(fileURLWithPath: c.output.latentsIndex))
    }

    func framesError(_ c: Phase0Config) -> String {
        do { _ = try Phase0Steps.frames(config: c, force: true, log: { _ in }); return "" } catch { return "\(error)" }
    }

    func testInfWrongWidthAndShortUtterancesAreNamedOrSkipped() throws {
        let (dir, c, corpus) = try makeRun()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ids = corpus.index.map(\.utteranceId)
        let (inf, wide, short) = (ids[0], ids[4], ids[7])
        var x = try LatentStore(openAt: URL(fileURLWithPath: c.output.latentsDir)).read(inf).x
        x[4 * 17 + 2] = -.infinity
        try overwrite(dir, c, id: inf, x: x, frames: 30, dim: 4)

        var e = framesError(c)
        XCTAssertTrue(e.contains(inf) && e.contains("frame 17, dimension 2 is -inf"), e)
        try overwrite(dir, c, id: inf, x: [Float](repeating: 0, count: 120), frames: 30, dim: 4)   // repaired

        try overwrite(dir, c, id: wide, x: [Float](repeating: 0.5, count: 30 * 5), frames: 30, dim: 5)
        e = framesError(c)
        XCTAssertTrue(e.contains(wide) && e.contains("latent width is 5, expected vae.latent_dim = 4"), e)

        try overwrite(dir, c, id: short, x: [Float](repeating: 0.5, count: 6 * 4), frames: 6, dim: 4)
        var skip = c
        skip.data.onError = .skip
        var log = [String]()
        _ = try Phase0Steps.frames(config: skip, force: true, log: { log.append($0) })
        XCTAssertTrue(log.contains { $0.contains("2 left out") }, "\(log)")
        // The same build, with its per-utterance warnings captured.
        let idx = try LatentsIndexTable.read(URL(fileURLWithPath: c.output.latentsIndex))
        let entries = (0..<idx.count).map {
            LatentIndexEntry(utteranceId: idx.utteranceId[$0], speakerId: Int(idx.speakerId[$0]), nFrames: Int(idx.nFrames[$0]), durationSec: idx.durationSec[$0])
        }
        var warnings = [String]()
        _ = try Phase0Frames.build(config: skip, index: entries, store: try ZarrLatents(path: c.output.latentsDir),
                                   splits: (Set(corpus.trainSpeakers), Set(corpus.evalSpeakers)), warn: { warnings.append($0) })
        XCTAssertTrue(warnings.contains { $0.contains(wide) && $0.contains("width is 5") }, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.contains(short) && $0.contains("has 6 frames") }, "\(warnings)")
        let table = try ParquetReader.read(URL(fileURLWithPath: c.output.framesIndex), columns: ["utterance_id"])
        guard case .string(let rows)? = table["utterance_id"] else { return XCTFail("utterance_id column") }
        XCTAssertFalse(rows.contains(wide) || rows.contains(short), "skipped utterances must not reach the frames table")
        XCTAssertEqual(Set(rows).count, ids.count - 2)
    }

    func testLagsLongerThanEveryUtteranceNameTheKey() throws {
        let (dir, c, _) = try makeRun()
        defer { try? FileManager.default.removeItem(at: dir) }
        var long = c
        long.context.lags = [1, 30]   // W − 1 + 30 = 37 > T = 30 for every utterance
        let e = framesError(long)
        XCTAssertTrue(e.contains("context.lags") && e.contains("longest utterance has 30"), e)
    }

    func testMinClusterSizeLargerThanTheDataNamesFileAndKey() throws {
        let (dir, c, _) = try makeRun(minClusterSize: 100_000)
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Phase0Steps.frames(config: c, force: true, log: { _ in })
        XCTAssertThrowsError(try Phase0Steps.fit(config: c, force: true, log: { _ in })) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains("phase0.yaml: clustering.min_cluster_size") && m.contains("100000 is larger than the"), m)
        }
    }
}
