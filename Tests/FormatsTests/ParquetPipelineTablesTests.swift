import EngramCore
import Foundation
import TestSupport
import XCTest
@testable import Formats

extension Phase0FramesTable {
    /// Utterances of 20–200 frames with valid targets from t = 11 (W = 8, max lag 4).
    static func sample(rows: Int, seed: UInt64) -> Phase0FramesTable {
        var r = ParquetTestRNG(seed: seed)
        var f = Phase0FramesTable()
        var utt = 0
        while f.count < rows {
            let speaker = Int64(19 + utt / 5)
            let T = 20 + r.int(180)
            let split = speaker % 3 == 0 ? "eval" : "train"
            for t in 11..<T where f.count < rows {
                let e = Float(r.unit())
                f.append(.init(utteranceId: "\(speaker)-198-\(String(format: "%04d", utt))", speakerId: speaker, t: Int64(t),
                               posFrac: Double(t) / Double(T), energy: e, split: split, isHighEnergy: e > 0.5))
            }
            utt += 1
        }
        return f
    }
}

extension LatentsIndexTable {
    static func sample(rows: Int, seed: UInt64) -> LatentsIndexTable {
        var r = ParquetTestRNG(seed: seed)
        return LatentsIndexTable(rows: (0..<rows).map { i in
            let n = Int64(40 + r.int(300))
            let id = "\(100 + i / 4)-\(2000 + i % 4)-\(String(format: "%04d", i))"
            return .init(utteranceId: id, speakerId: Int64(100 + i / 4), nFrames: n, durationSec: Double(n) / 12.5,
                         audioPath: "/data/LibriSpeech/train-clean-100/\(id).flac")
        })
    }
}

final class ParquetPipelineTablesTests: XCTestCase {
    func testTypedTablesRoundTripWithPipelineDtypes() throws {
        let dir = makeTempDir()
        let frames = Phase0FramesTable.sample(rows: 3000, seed: 1)
        let fURL = dir.appendingPathComponent("phase0_frames.parquet")
        try frames.write(to: fURL)
        XCTAssertEqual(try Phase0FramesTable.read(fURL), frames)
        XCTAssertEqual(try ParquetReader.read(fURL).columns.map(\.values.typeName),
                       ["string", "int64", "int64", "float64", "float32", "string", "bool"])
        let index = LatentsIndexTable.sample(rows: 30, seed: 2)
        let iURL = dir.appendingPathComponent("latents_index.parquet")
        try index.write(to: iURL)
        XCTAssertEqual(try LatentsIndexTable.read(iURL), index)
        XCTAssertEqual(try ParquetReader.read(iURL).columns.map(\.values.typeName), ["string", "int64", "int64", "float64", "string"])
        XCTAssertEqual(index[3].audioPath, index.rows[3].audioPath)
    }

    /// Files written by pandas the way the research pipeline writes them (committed fixtures).
    func testReadsPandasWrittenPipelineTables() throws {
        let index = try LatentsIndexTable.read(fixtureURL("parquet/pandas_latents_index.parquet"))
        XCTAssertEqual(index.rows.first, .init(utteranceId: "19-198-0001", speakerId: 19, nFrames: 120, durationSec: 9.6,
                                                audioPath: "/d/19/198/19-198-0001.flac"))
        let frames = try Phase0FramesTable.read(fixtureURL("parquet/pandas_phase0_frames.parquet"))
        XCTAssertEqual(frames.count, 200)
        XCTAssertEqual(Set(frames.split), ["train", "eval"])
        XCTAssertEqual(frames.t[0], 11)
        XCTAssertEqual(frames.posFrac[0], 11.0 / 108.0)
    }

    func testTypedReadErrorsNameFileAndColumn() throws {
        let dir = makeTempDir()
        let url = dir.appendingPathComponent("bad.parquet")
        var t = Phase0FramesTable.sample(rows: 10, seed: 1).table
        t.columns.remove(at: 4)
        try ParquetWriter.write(t, to: url)
        XCTAssertThrowsError(try Phase0FramesTable.read(url)) { e in
            XCTAssertTrue("\(e)".contains(url.path) && "\(e)".contains("'energy'"), "\(e)")
        }
        var f = Phase0FramesTable.sample(rows: 10, seed: 1)
        f.split[7] = "test"
        try f.write(to: url)
        XCTAssertThrowsError(try Phase0FramesTable.read(url)) { e in
            XCTAssertTrue("\(e)".contains(url.path) && "\(e)".contains("row 7"), "\(e)")
        }
        var g = LatentsIndexTable.sample(rows: 3, seed: 1).table
        g.columns[1].values = .string(["a", "b", "c"])
        try ParquetWriter.write(g, to: url)
        XCTAssertThrowsError(try LatentsIndexTable.read(url)) { e in
            XCTAssertTrue("\(e)".contains("'speaker_id' has type string, expected int64"), "\(e)")
        }
    }
}
