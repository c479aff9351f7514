import XCTest
import EngramCore
import TestSupport

final class Phase0ConfigTests: XCTestCase {
    func testShippedConfigEqualsResearchDefaults() throws {
        let c = try Phase0Config.load(file: repoRoot.appendingPathComponent("configs/phase0.yaml").path)
        var expected = Phase0Config()
        expected.sourceFile = c.sourceFile
        expected.vae.checkpoint = "./data/mimi/tokenizer-e351c8d8-checkpoint125.safetensors"
        XCTAssertEqual(c, expected)
        XCTAssertEqual(c.clustering.conditions.map(\.name), ["mean_vq64", "pca8_vq256", "pca8_quartile"])
        XCTAssertEqual(c.clustering.conditions[1].k, 256)
        XCTAssertEqual(c.slices[2].filter, .posFrac(0.17, 0.83))
        XCTAssertEqual(c.output.reportDir.lastPathComponent, "phase0")
    }

    func testDemoConfigParses() throws {
        let c = try Phase0Config.load(file: repoRoot.appendingPathComponent("configs/demo.yaml").path)
        XCTAssertEqual(c.vae.encoder, .mel)
        XCTAssertEqual(c.data.demoCorpus?.speakers, 24)
        XCTAssertEqual(c.splits.nTrainSpeakers + c.splits.nEvalSpeakers, 24)
    }

    func testKSweepDefaultsAndEmptyListDisables() throws {
        XCTAssertEqual(try Phase0Config.parse(yaml: "seed: 1\n").metrics.kSweep, [8, 16, 32, 64, 128, 256])
        XCTAssertEqual(try Phase0Config.parse(yaml: "metrics:\n  k_sweep: []\n").metrics.kSweep, [])
        XCTAssertEqual(try Phase0Config.parse(yaml: "metrics:\n  k_sweep: [4, 12]\n").metrics.kSweep, [4, 12])
        XCTAssertEqual(Phase0Config().metrics.kSweepMaxSamples, 250_000)
        XCTAssertEqual(Phase0Config().clustering.kmeansMaxSamples, 0)   // SPEC behaviour by default
        XCTAssertEqual(try Phase0Config.parse(yaml: "clustering:\n  kmeans_max_samples: 400000\n").clustering.kmeansMaxSamples, 400_000)
        XCTAssertEqual(try Phase0Config.parse(yaml: "metrics:\n  k_sweep_max_samples: 0\n").metrics.kSweepMaxSamples, 0)
        XCTAssertThrowsError(try Phase0Config.parse(yaml: "context:\n  lags: []\n"))   // other lists stay non-empty
    }

    func testEmptyMappingGivesDefaults() throws {
        let c = try Phase0Config.parse(yaml: "seed: 7\n")
        XCTAssertEqual(c.seed, 7)
        XCTAssertEqual(c.context.lags, [1, 2, 4])
        XCTAssertEqual(c.vae.encoder, .mimi)
    }

    private func assertError(_ yaml: String, contains parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Phase0Config.parse(yaml: yaml, file: "bad.yaml"), file: file, line: line) { e in
            let s = "\(e)"
            XCTAssertTrue(s.hasPrefix("bad.yaml"), s, file: file, line: line)
            for p in parts { XCTAssertTrue(s.contains(p), "'\(s)' lacks '\(p)'", file: file, line: line) }
        }
    }

    func testUnknownKeysAreNamed() {
        assertError("context:\n  window: 8\n", contains: ["context.window", "line 2", "window_size"])
        assertError("colour: red\n", contains: ["'colour'", "expected one of"])
        assertError("clustering:\n  conditions:\n    - name: a\n      type: pca_vq\n      k: 4\n      pca_dim: 2\n      extra: 1\n",
                    contains: ["clustering.conditions[0].extra"])
    }

    func testWrongTypesAndImpossibleValues() {
        assertError("context:\n  window_size: eight\n", contains: ["context.window_size", "integer", "'eight'"])
        assertError("context:\n  lags: [1, -2]\n", contains: ["context.lags", "≥ 1"])
        assertError("clustering:\n  conditions:\n    - {name: a, type: mean_pool_vq, k: -3}\n", contains: ["k", "≥ 2"])
        assertError("clustering:\n  conditions:\n    - {name: a, type: kmeans, k: 3}\n", contains: ["type", "mean_pool_vq | pca_vq | pca_quartile"])
        assertError("vae:\n  encoder: wav2vec\n", contains: ["vae.encoder", "mimi | encodec | mel"])
        assertError("vae:\n  frame_size: 1000\n", contains: ["vae.frame_rate", "sample_rate / frame_size"])
        assertError("splits:\n  utt_holdout_frac: 1.5\n", contains: ["splits.utt_holdout_frac"])
        assertError("slices:\n  - {name: s, filter: loud}\n", contains: ["slices[0].filter", "energy_above_median"])
        assertError("metrics:\n  holdout: maybe\n", contains: ["metrics.holdout", "true or false"])
        assertError("metrics:\n  k_sweep: [8, 1]\n", contains: ["metrics.k_sweep", "≥ 2"])
        assertError("metrics:\n  k_sweep: [8, 8]\n", contains: ["metrics.k_sweep", "distinct"])
        assertError("metrics:\n  k_sweep: 8\n", contains: ["metrics.k_sweep", "list of integers"])
        assertError("metrics:\n  k_sweep_max_samples: -1\n", contains: ["metrics.k_sweep_max_samples"])
        assertError("data: [1, 2]\n", contains: ["'data'", "mapping"])
        assertError("data:\n  on_error: ignore\n", contains: ["data.on_error", "fail | skip"])
        assertError("context: {lags: [1, 1]}\n", contains: ["distinct"])
    }

    func testMissingFileIsNamed() {
        XCTAssertThrowsError(try Phase0Config.load(file: "/nonexistent/x.yaml")) { e in
            XCTAssertTrue("\(e)".contains("/nonexistent/x.yaml"))
        }
    }

    func testInvalidYAMLIsNamed() {
        assertError("data: [unclosed\n", contains: ["invalid YAML"])
    }
}
