import XCTest
import EngramCore
@testable import Phase0
import TestSupport

/// The file-to-file steps on a synthetic store, then an independent recomputation of every
/// metrics.json record with numpy / scikit-learn / scipy (scripts/check_phase0.py).
final class Phase0StepsTests: XCTestCase {
    static let conditions = """
        - name: mean_vq8
          type: mean_pool_vq
          k: 8
        - name: pca3_vq6
          type: pca_vq
          pca_dim: 3
          k: 6
        - name: pca2_quartile
          type: pca_quartile
          pca_dim: 2
    """

    func makeRun() throws -> (URL, Phase0Config) {
        var p = RegimeProcess()
        p.speakers = 10; p.utterancesPerSpeaker = 6; p.frames = 40; p.dim = 6; p.regimes = 3; p.noise = 0.6
        let dir = makeTempDir("phase0-steps")
        try SyntheticCorpus(p).write(to: dir, conditionsYAML: Self.conditions, minClusterSize: 15)
        let layout = SyntheticCorpus.Layout(dir)
        var yaml = try String(contentsOf: layout.config, encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "lags: [1, 2, 4]", with: "lags: [1, 3]")
            .replacingOccurrences(of: "n_init: 10", with: "n_init: 2")
            .replacingOccurrences(of: "  holdout: true", with: "  holdout: true\n  k_sweep: []")   // swept in ReportPlotsTests
        try AtomicFile.write(yaml, to: layout.config)
        return (dir, try Phase0Config.load(file: layout.config.path))
    }

    func testStepsWriteOutputsAndSkipWhenUpToDate() throws {
        let (dir, c) = try makeRun()
        let quiet: (String) -> Void = { _ in }
        XCTAssertEqual(try Phase0Steps.frames(config: c, log: quiet), .ran)
        XCTAssertEqual(try Phase0Steps.fit(config: c, log: quiet), .ran)
        XCTAssertEqual(try Phase0Steps.evaluate(config: c, log: quiet), .ran)
        XCTAssertEqual(try Phase0Steps.frames(config: c, log: quiet), .upToDate)
        XCTAssertEqual(try Phase0Steps.fit(config: c, log: quiet), .upToDate)
        XCTAssertEqual(try Phase0Steps.evaluate(config: c, log: quiet), .upToDate)
        XCTAssertEqual(try Phase0Steps.evaluate(config: c, force: true, log: quiet), .ran)
        let records = try MetricsFile.read(from: URL(fileURLWithPath: c.output.metricsFile))
        XCTAssertEqual(records.count, 3 * 2 * 3)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("conditioning/mean_vq8_lag3_holdout_labels.npy").path))
        let table = try String(contentsOfFile: c.output.tablesFile, encoding: .utf8)
        XCTAssertEqual(table.split(separator: "\n").count, 1 + records.count)

        // A newer frames table makes fit and evaluate stale again.
        Thread.sleep(forTimeInterval: 0.02)
        XCTAssertEqual(try Phase0Steps.frames(config: c, force: true, log: quiet), .ran)
        XCTAssertFalse(StepFreshness.isUpToDate(outputs: [ConditioningFiles(config: c).summary], inputs: Phase0Steps.fitInputs(c)))

        // Independent recomputation of every record.
        try requireOracle("phase0-oracle", check: ["python3", "-c", "import numpy, sklearn, pyarrow, zarr, scipy, yaml"])
        XCTAssertEqual(try Phase0Steps.fit(config: c, log: quiet), .ran)
        XCTAssertEqual(try Phase0Steps.evaluate(config: c, log: quiet), .ran)
        let r = try runProcess("python3", [repoRoot.appendingPathComponent("scripts/check_phase0.py").path,
                                           "--config", c.sourceFile, "--deep"])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("0 mismatches"), r.out)
    }

    func testMissingInputsNameTheFile() throws {
        let (dir, c) = try makeRun()
        try FileManager.default.removeItem(at: dir.appendingPathComponent("latents_index.parquet"))
        XCTAssertThrowsError(try Phase0Steps.frames(config: c, log: { _ in })) { e in
            XCTAssertTrue("\(e)".contains("latents_index.parquet"), "\(e)")
        }
        XCTAssertThrowsError(try Phase0Steps.fit(config: c, log: { _ in })) { e in
            XCTAssertTrue("\(e)".contains("phase0_frames.parquet"), "\(e)")
        }
    }
}
