import XCTest
import Phase0
import TestSupport

final class MetricsRecordTests: XCTestCase {
    static func sampleRecord(holdout: Bool = true) -> MetricsRecord {
        let sp = SpeakerMetrics(speakerId: 19, nSamples: 120, varianceRatio: 0.42, entropyReduction: 0.1, nClustersUsed: 7)
        let split = SplitMetrics(varianceRatio: 0.5, entropyReduction: .nan, nSamples: 1000, nSamplesTotal: 1100,
                                 excludedMass: 1.0 / 11, speakerMean: 0.45, speakerStd: 0.01, speakerCILower: .nan,
                                 speakerCIUpper: .nan, nSpeakers: 1, varianceRatioTrainMeans: 0.55,
                                 entropyReductionNats: 1e-05, entropyReductionBits: 1e-05 / log(2.0),
                                 entropyUnconditional: -0.5, entropyConditional: -0.6, sseWithin: 500, sseTotal: 1000,
                                 speakerMin: 0.42, speakerMax: 0.42, perSpeaker: [sp])
        return MetricsRecord(condition: "mean_vq64", type: "mean_pool_vq", lag: 1, slice: "all", nEffectiveClusters: 60,
                             train: split, eval: split, crossSpeakerDegradation: 0, crossSpeakerDegradationAbsolute: 0,
                             randomBaselineVarianceRatio: 0.999, randomBaselineEvalVarianceRatio: .infinity,
                             clusterStats: ClusterStatsSummary(excludedMassTrain: 0.01, minClusterSize: 0, maxClusterSize: 900),
                             nClusters: 64, randomBaselineVarianceRatioSlice: 0.998, randomBaselineEvalVarianceRatioSlice: 1.001,
                             holdout: holdout ? HoldoutMetrics(varianceRatio: 0.5, varianceRatioFitMeans: 0.52, nSamples: 10,
                                                               nSamplesTotal: 11, excludedMass: 1.0 / 11, nEffectiveClusters: 3,
                                                               nFitSamples: 100) : nil)
    }

    func testRoundTripWithNonFiniteValues() throws {
        let recs = [Self.sampleRecord(), Self.sampleRecord(holdout: false)]
        let url = makeTempDir().appendingPathComponent("metrics.json")
        try MetricsFile.write(recs, to: url)
        let back = try MetricsFile.read(from: url)
        XCTAssertEqual(back.count, 2)
        XCTAssertTrue(back[0].train.entropyReduction.isNaN)
        XCTAssertEqual(back[0].randomBaselineEvalVarianceRatio, .infinity)
        XCTAssertNil(back[1].holdout)
        XCTAssertEqual(back[0].holdout, recs[0].holdout)
        XCTAssertEqual(back[0].train.perSpeaker, recs[0].train.perSpeaker)
        XCTAssertEqual(back[0].train.excludedMass, 1.0 / 11)
    }

    func testKeysInResearchPipelineOrder() throws {
        let text = MetricsFile.jsonText([Self.sampleRecord()])
        let keys = ["\"condition\"", "\"type\"", "\"lag\"", "\"slice\"", "\"n_effective_clusters\"", "\"train\"",
                    "\"eval\"", "\"cross_speaker_degradation\"", "\"cross_speaker_degradation_absolute\"",
                    "\"random_baseline_variance_ratio\"", "\"random_baseline_eval_variance_ratio\"", "\"cluster_stats\""]
        var last = text.startIndex
        for k in keys {
            guard let r = text.range(of: k, range: last..<text.endIndex) else { return XCTFail("\(k) missing or out of order") }
            last = r.upperBound
        }
        XCTAssertTrue(text.contains("\"entropy_reduction\": NaN"))
        XCTAssertTrue(text.contains("\"entropy_reduction_nats\": 1e-05"))
    }

    func testPythonJSONReadsIt() throws {
        try requireOracle("python3", check: ["python3", "-c", "import json"])
        let url = makeTempDir().appendingPathComponent("metrics.json")
        try MetricsFile.write([Self.sampleRecord()], to: url)
        let r = try runProcess("python3", ["-c", """
        import json, math, sys
        m = json.load(open(sys.argv[1]))
        r = m[0]
        assert math.isnan(r['train']['entropy_reduction'])
        assert r['random_baseline_eval_variance_ratio'] == float('inf')
        assert r['cluster_stats']['max_cluster_size'] == 900
        assert r['train']['per_speaker'][0]['speaker_id'] == 19
        print(json.dumps(r['train']['excluded_mass']))
        """, url.path])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out.trimmingCharacters(in: .whitespacesAndNewlines), "\(1.0 / 11)")
    }

    func testTableColumnsAndNaNAsEmpty() {
        let text = MetricsFile.tableText([Self.sampleRecord()])
        let lines = text.split(separator: "\n")
        XCTAssertEqual(String(lines[0]), MetricsFile.tableColumns.joined(separator: ","))
        let f = lines[1].split(separator: ",", omittingEmptySubsequences: false)
        XCTAssertEqual(f.count, 17)
        XCTAssertEqual(f[5], "")          // train_entropy_reduction NaN
        XCTAssertEqual(f[9], "inf")
        XCTAssertEqual(f[10], "60")
    }
}
