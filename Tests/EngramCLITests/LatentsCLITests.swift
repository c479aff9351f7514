import XCTest
import Foundation
import TestSupport

/// `engram phase0 splits` + `engram phase0 latents` as a user runs them, on a two-speaker demo corpus.
final class LatentsCLITests: XCTestCase {
    func writeConfig(_ dir: URL, latentDim: Int) throws -> String {
        let url = dir.appendingPathComponent("c\(latentDim).yaml")
        try """
        data:
          librispeech_path: \(dir.path)/LibriSpeech
          subset: demo-mini
          demo_corpus: {speakers: 2, utterances: 2, seed: 3}
        vae: {encoder: mel, latent_dim: \(latentDim)}
        splits: {n_train_speakers: 1, n_eval_speakers: 1}
        output:
          latents_dir: \(dir.path)/out/latents.zarr
          latents_index: \(dir.path)/out/latents_index.parquet
          splits_dir: \(dir.path)/out/splits
        """.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testSplitsThenLatentsThenResume() throws {
        let engram = try requireEngram()
        let dir = makeTempDir("cli-latents")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try writeConfig(dir, latentDim: 16)

        let early = try runProcess(engram, ["phase0", "latents", "--config", config])
        XCTAssertEqual(early.status, 2)
        XCTAssertTrue(early.err.contains("error:") && early.err.contains("engram phase0 splits"), early.err)

        let s = try runProcess(engram, ["phase0", "splits", "--config", config])
        XCTAssertEqual(s.status, 0, s.err)
        let first = try runProcess(engram, ["phase0", "latents", "--config", config, "--threads", "2"])
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertTrue(first.out.contains("0 already in the store (skipped), 4 encoded, 0 failed"), first.out)
        XCTAssertTrue(first.out.contains("index: 4 utterances"), first.out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.path + "/out/latents.zarr/.zmetadata"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.path + "/out/latents_index.parquet"))

        let again = try runProcess(engram, ["phase0", "latents", "--config", config])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.out.contains("4 already in the store (skipped), 0 encoded"), again.out)

        let other = try runProcess(engram, ["phase0", "latents", "--config", try writeConfig(dir, latentDim: 8)])
        XCTAssertEqual(other.status, 2)
        XCTAssertTrue(other.err.contains("latents.zarr") && other.err.contains("latent_dim = 16"), other.err)

        let bad = try runProcess(engram, ["phase0", "latents", "--config", config, "--threads", "0"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("--threads"), bad.err)
    }
}
