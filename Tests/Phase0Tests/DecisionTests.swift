import XCTest
@testable import Phase0
import TestSupport

final class DecisionTests: XCTestCase {
    /// One metrics.json record as JSON text.
    func record(_ cond: String, lag: Int = 1, slice: String = "all", train: Double = 0.4, eval: Double = 0.45,
                degr: Double? = nil, rnd: Double = 1.0, rndEval: Double = 1.0) -> String {
        let d = degr ?? (eval - train) / train
        return """
        {"condition": "\(cond)", "type": "pca_vq", "lag": \(lag), "slice": "\(slice)", "n_effective_clusters": 12,
         "train": {"variance_ratio": \(train), "entropy_reduction": 0.1, "n_samples": 1000, "excluded_mass": 0.01},
         "eval": {"variance_ratio": \(eval), "entropy_reduction": 0.1, "n_samples": 300, "excluded_mass": 0.02},
         "cross_speaker_degradation": \(d), "random_baseline_variance_ratio": \(rnd), "random_baseline_eval_variance_ratio": \(rndEval)}
        """
    }

    func decide(_ recs: [String]) throws -> Phase0Decision {
        let data = Data("[\(recs.joined(separator: ","))]".utf8)
        return Phase0Decision.make(try DecisionInput.decode(data, file: "m.json"))
    }

    func testAllCriteriaMetPasses() throws {
        let d = try decide([record("a"), record("a", slice: "high_energy", train: 0.64, eval: 0.64),
                            record("a", slice: "utterance_medial"), record("a", lag: 2, train: 0.99, eval: 0.99)])
        XCTAssertTrue(d.pass)
        XCTAssertEqual(d.best_condition, "a")
        XCTAssertEqual(d.reasons, [])
        XCTAssertEqual(d.summary, .init(n_conditions_tested: 1, n_conditions_passing: 1, passing_conditions: ["a"]))
    }

    func testEachCriterionFailsWithItsReason() throws {
        let d = try decide([
            record("evalvr", train: 0.5, eval: 0.7, degr: 0.1),
            record("degr", train: 0.4, eval: 0.5),                 // degradation 0.25
            record("rnd", rnd: 1.06),
            record("conf"), record("conf", slice: "utterance_medial", train: 0.5, eval: 0.66),
        ])
        XCTAssertFalse(d.pass)
        XCTAssertNil(d.best_condition)
        XCTAssertEqual(d.reasons, [
            "[evalvr] Eval variance ratio 0.700 > 0.6",
            "[degr] Cross-speaker degradation 0.250 > 0.2",
            "[rnd] Random baseline (train) 1.060 differs from 1.0 - possible bug or filtering artifact",
            "[conf] Structure disappears in utterance_medial slice (eval VR=0.660)",
        ])
        XCTAssertEqual(d.summary.n_conditions_tested, 4)
        let json = String(decoding: try d.jsonData(), as: UTF8.self)
        XCTAssertTrue(json.contains("\"best_condition\" : null"), json)
    }

    func testBestConditionIsFirstPassingInOrder() throws {
        let d = try decide([record("x", train: 0.9, eval: 0.9), record("y"), record("z")])
        XCTAssertEqual(d.best_condition, "y")
        XCTAssertEqual(d.passing_conditions, ["y", "z"])
    }

    func testPipelineJSONWithNaNTokensIsRead() throws {
        let text = record("a").replacingOccurrences(of: "\"excluded_mass\": 0.01", with: "\"excluded_mass\": 0.01, \"speaker_std\": NaN")
        let recs = try DecisionInput.decode(Data("[\(text)]".utf8), file: "m.json")
        XCTAssertEqual(recs.count, 1)
        XCTAssertTrue(recs[0].train.speaker_std!.isNaN)
    }

    func testMissingValueFailsRatherThanPasses() throws {
        let text = record("a").replacingOccurrences(of: "\"random_baseline_eval_variance_ratio\": 1.0", with: "\"random_baseline_eval_variance_ratio\": null")
        let d = Phase0Decision.make(try DecisionInput.decode(Data("[\(text)]".utf8), file: "m.json"))
        XCTAssertFalse(d.pass)
        XCTAssertEqual(d.reasons, ["[a] Random baseline (eval) missing differs from 1.0 - possible bug or filtering artifact"])
    }

    func testReportTextHasBannerTablesAndCriteria() throws {
        let recs = try DecisionInput.decode(Data("[\(record("a")), \(record("b", train: 0.9, eval: 0.95))]".utf8), file: "m.json")
        let d = Phase0Decision.make(recs)
        let text = ReportText.make(recs, decision: d, criteria: .init())
        XCTAssertTrue(text.contains("DECISION: PASS"))
        XCTAssertTrue(text.contains("Best condition: a"))
        XCTAssertTrue(text.contains("METRICS SUMMARY (slice=all, lag=1)"))
        XCTAssertTrue(text.contains("PER-SPEAKER CONFIDENCE INTERVALS (95%)"))
        let row = text.split(separator: "\n").first { $0.hasPrefix("        b") || $0.hasPrefix("b ") || $0.contains(" b    0.900") }
        XCTAssertNotNil(row, text)
    }

    func testMalformedMetricsNamesFile() {
        XCTAssertThrowsError(try DecisionInput.decode(Data("{\"x\": 1}".utf8), file: "/tmp/m.json")) { e in
            XCTAssertTrue("\(e)".hasPrefix("/tmp/m.json"))
        }
    }

    func testSVGChartRendersAxesAndMarks() {
        var c = SVGChart(title: "VR vs K", xLabel: "K", yLabel: "VR")
        c.xScale = .log10
        c.marks = [.line([(8, 0.9), (64, 0.7), (256, 0.6)], label: "train"), .hline(1.0, label: "random")]
        let svg = c.render()
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertTrue(svg.contains(">VR vs K</text>"))
        XCTAssertTrue(svg.contains("<polyline"))
        XCTAssertTrue(svg.contains(">train</text>"))
        let ticks = SVGChart.niceTicks(0...1, target: 5)
        XCTAssertEqual(ticks.count, 6)
        for (t, e) in zip(ticks, [0, 0.2, 0.4, 0.6, 0.8, 1.0]) { XCTAssertEqual(t, e, accuracy: 1e-12) }
    }
}
