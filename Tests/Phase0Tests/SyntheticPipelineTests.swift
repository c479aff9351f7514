import XCTest
import EngramCore
@testable import Phase0
import TestSupport

/// Planted structure: the pipeline must recover the closed-form VR of `RegimeProcess`.
final class SyntheticPipelineTests: XCTestCase {
    static func config(dir: URL, dim: Int) -> Phase0Config {
        var c = Phase0Config()
        c.vae.latentDim = dim
        c.clustering.conditions = [
            .init(name: "mean_vq8", type: .meanPoolVQ, k: 8),
            .init(name: "pca4_vq8", type: .pcaVQ, k: 8, pcaDim: 4),
            .init(name: "pca2_quartile", type: .pcaQuartile, pcaDim: 2),
        ]
        c.clustering.minClusterSize = 20
        c.clustering.nInit = 3
        c.metrics.kSweep = []      // the VR-vs-K sweep has its own tests (ReportPlotsTests)
        c.output.conditioningDir = dir.appendingPathComponent("conditioning").path
        c.output.framesIndex = dir.appendingPathComponent("phase0_frames.parquet").path
        return c
    }

    /// frames → fit → evaluate in memory.
    static func run(_ p: RegimeProcess, dir: URL, configure: (inout Phase0Config) -> Void = { _ in }) throws -> [MetricsRecord] {
        let corpus = try SyntheticCorpus(p)
        var c = config(dir: dir, dim: p.dim)
        configure(&c)
        let frames = try Phase0Frames.build(config: c, index: corpus.index, store: corpus.store,
                                            splits: (Set(corpus.trainSpeakers), Set(corpus.evalSpeakers)))
        let geometry = try ContextGeometry(c)
        let latents = try LatentCorpus.load(table: frames.table, store: corpus.store, expectedDim: p.dim, geometry: geometry, framesFile: "frames")
        let val = Set(corpus.trainUttVal)
        _ = try Conditioning.fit(config: c, table: frames.table, corpus: latents, holdoutVal: val, log: { _ in })
        let files = ConditioningFiles(config: c)
        let norm = try NormStats.read(from: files.normStats(lag: c.context.lags[0]), dim: p.dim)
        let targets = try NormalizedTargets(consuming: latents, table: frames.table, norm: norm)
        return try Metrics.evaluate(config: c, table: frames.table, targets: targets, holdoutVal: val, files: files, log: { _ in })
    }

    func testRecoversPlantedVarianceRatio() throws {
        var p = RegimeProcess()
        p.speakers = 12; p.utterancesPerSpeaker = 6; p.frames = 56; p.dim = 10; p.regimes = 4; p.noise = 0.5
        let expected = p.expectedVarianceRatio
        XCTAssertGreaterThan(expected, 0.2 - 1e-12)       // s²/(s² + V_d) per dim, V_d ≤ a² = 1
        XCTAssertLessThan(expected, 0.6)
        let records = try Self.run(p, dir: makeTempDir()) { $0.context.lags = [1, 3] }
        XCTAssertEqual(records.count, 3 * 2 * 3)
        for r in records where r.slice == "all" {
            XCTAssertEqual(r.train.varianceRatio, expected, accuracy: 0.02, "\(r.condition) lag \(r.lag) train")
            XCTAssertEqual(r.eval.varianceRatio, expected, accuracy: 0.02, "\(r.condition) lag \(r.lag) eval")
            XCTAssertEqual(r.randomBaselineVarianceRatio, 1, accuracy: 0.02, "\(r.condition) random")
        }
    }

    /// `clustering.kmeans_max_samples` (not SPEC, off by default): k-means on 400 evenly spaced train
    /// rows of ~2900 still finds the planted regimes, and every frame is assigned.
    func testKMeansSampleCapStillRecoversThePlantedRatio() throws {
        var p = RegimeProcess()
        p.speakers = 12; p.utterancesPerSpeaker = 6; p.frames = 56; p.dim = 10; p.regimes = 4; p.noise = 0.5
        let dir = makeTempDir()
        let records = try Self.run(p, dir: dir) { $0.context.lags = [1]; $0.clustering.kmeansMaxSamples = 400 }
        for r in records where r.slice == "all" && r.type != "pca_quartile" {
            XCTAssertEqual(r.train.varianceRatio, p.expectedVarianceRatio, accuracy: 0.02, "\(r.condition) train")
            XCTAssertEqual(r.eval.varianceRatio, p.expectedVarianceRatio, accuracy: 0.02, "\(r.condition) eval")
            XCTAssertEqual(r.train.nSamplesTotal, r.train.nSamples + Int((r.train.excludedMass * Double(r.train.nSamplesTotal)).rounded()))
        }
        let summary = try String(contentsOf: ConditioningFiles(config: Self.config(dir: dir, dim: p.dim)).summary, encoding: .utf8)
        XCTAssertTrue(summary.contains("\"kmeans_max_samples\": 400") || summary.contains("\"kmeans_max_samples\":400"), summary)
    }

    func testPureNoiseHasNoStructure() throws {
        var p = RegimeProcess()
        p.speakers = 20; p.utterancesPerSpeaker = 10; p.frames = 100; p.dim = 4; p.regimes = 1
        XCTAssertEqual(p.expectedVarianceRatio, 1)
        let records = try Self.run(p, dir: makeTempDir()) { $0.context.lags = [2]; $0.clustering.nInit = 1 }
        for r in records {
            // Fitting K cluster means to pure noise lowers VR by about (K − 1)/N.
            XCTAssertEqual(r.train.varianceRatio, 1, accuracy: 0.02, "\(r.condition) \(r.slice) train")
            XCTAssertEqual(r.eval.varianceRatio, 1, accuracy: 0.03, "\(r.condition) \(r.slice) eval")
            XCTAssertGreaterThan(r.eval.varianceRatioTrainMeans, r.eval.varianceRatio - 1e-12)
            XCTAssertEqual(r.randomBaselineVarianceRatio, 1, accuracy: 0.01, "\(r.condition) random train")
            XCTAssertEqual(r.randomBaselineEvalVarianceRatio, 1, accuracy: 0.01, "\(r.condition) random eval")
            XCTAssertEqual(r.randomBaselineVarianceRatioSlice, 1, accuracy: 0.01)
            XCTAssertEqual(r.holdout!.varianceRatio, 1, accuracy: 0.05)
        }
    }
}

/// Mean features computed in place (sliding means + compaction) give the same fit as the matrix path.
final class InPlaceMeanFeaturesTests: XCTestCase {
    func testInPlaceFitEqualsMatrixFit() throws {
        var p = RegimeProcess()
        p.speakers = 8; p.utterancesPerSpeaker = 5; p.frames = 40; p.dim = 6; p.regimes = 3
        let corpus = try SyntheticCorpus(p)
        var labels: [[Int32]] = []
        for inPlace in [false, true] {
            let dir = makeTempDir()
            var c = SyntheticPipelineTests.config(dir: dir, dim: p.dim)
            c.clustering.conditions = [.init(name: "mean_vq4", type: .meanPoolVQ, k: 4)]
            c.clustering.nInit = 2
            c.context.lags = [1, 3]
            let frames = try Phase0Frames.build(config: c, index: corpus.index, store: corpus.store,
                                                splits: (Set(corpus.trainSpeakers), Set(corpus.evalSpeakers)))
            let val = Set(corpus.trainUttVal)
            let layout = Conditioning.trainLayout(table: frames.table, holdoutVal: val)
            let latents = try LatentCorpus.load(table: frames.table, store: corpus.store, expectedDim: p.dim,
                                                geometry: try ContextGeometry(c), framesFile: "f", layout: layout)
            var logs: [String] = []
            _ = try Conditioning.fit(config: c, table: frames.table, corpus: latents, holdoutVal: val, consumingLatents: inPlace,
                                     log: { logs.append($0) })
            XCTAssertEqual(logs.contains { $0.contains("(in place)") }, inPlace)
            let files = ConditioningFiles(config: c)
            for lag in c.context.lags {
                for h in [false, true] {
                    labels.append(try files.readLabels("mean_vq4", lag: lag, holdout: h, count: frames.table.count, nClusters: 4))
                }
            }
        }
        XCTAssertEqual(labels.count, 8)
        for i in 0..<4 { XCTAssertEqual(labels[i], labels[i + 4], "set \(i)") }
    }
}
