import Foundation
import EngramCore

/// The report's plots (SPEC §7 plus VR vs lag and VR vs K), rendered from small files the earlier
/// steps saved — `metrics.json`, the fit's `{name}_lag{L}_stats.json` and `k_sweep_lag{L}.json`,
/// the evaluate step's `{name}_lag{L}_plot_data.json` — so the report never loads latents and
/// takes well under a second. A plot whose inputs are absent is left out (listed on stderr),
/// never faked. L is `ClusterPlotData.plotLag` (1 by default, the decision's lag).
public enum Phase0Plots {
    public typealias Figure = (name: String, title: String, svg: String)

    public static func render(config: Phase0Config, log: (String) -> Void = { printErr($0) }) throws -> [Figure] {
        var out: [Figure] = []
        var missing: [String] = []
        func add(_ name: String, _ chart: SVGChart?) {
            guard var c = chart else { missing.append(name); return }
            c.id = name
            out.append((name, c.title, c.render()))
        }
        let metricsURL = URL(fileURLWithPath: config.output.metricsFile)
        let records = (try? DecisionInput.load(metricsURL)) ?? []
        let threshold = config.metrics.varianceRatioThreshold
        let lag = ClusterPlotData.plotLag(config)
        let files = ConditioningFiles(config: config)
        add("vr_by_condition_lag", vrByConditionSVG(records, threshold: threshold))

        // Per-condition cluster plots, grouped by kind.
        for cond in config.clustering.conditions {
            let stem = fileStem(cond.name)
            if let sizes = try clusterSizes(files.stats(cond.name, lag: lag)) {
                add("cluster_sizes_\(stem)", ClusterSizePlot.chart(condition: cond.name, lag: lag, sizes: sizes.sizes,
                                                                   minClusterSize: sizes.minSize).0)
            } else { missing.append("cluster_sizes_\(stem)") }
        }
        var plotData: [ClusterPlotData] = []
        for cond in config.clustering.conditions {
            if let d = try ClusterPlotData.read(ClusterPlotData.url(files, condition: cond.name, lag: lag)) { plotData.append(d) } else {
                missing += ["within_variance_\(fileStem(cond.name))", "cluster_means_pca_\(fileStem(cond.name))"]
            }
        }
        for d in plotData { add("within_variance_\(fileStem(d.condition))", ClusterVariancePlot.chart(d)) }
        for d in plotData { add("cluster_means_pca_\(fileStem(d.condition))", ClusterMeansPlot.chart(d)) }
        add("vr_vs_kept_fraction", ConfidencePlot.chart(plotData, threshold: threshold))
        add("speaker_vr", (try? SpeakerVRInput.load(metricsURL)).flatMap { SpeakerVRPlot.chart($0, lag: lag, threshold: threshold) })
        if let sweep = try KSweepInput.load(KSweep.url(files, lag: lag)) {
            for cond in sweep.conditions { add("vr_vs_k_\(fileStem(cond.condition))", KSweepPlot.chart(sweep, cond, threshold: threshold)) }
        } else if !config.metrics.kSweep.isEmpty { missing.append("vr_vs_k (no \(KSweep.url(files, lag: lag).lastPathComponent))") }
        if !missing.isEmpty { log("report: plots left out for lack of inputs: \(missing.joined(separator: ", "))") }
        return out
    }

    /// A file-name-safe form of a condition name.
    static func fileStem(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") ? $0 : "_" })
    }

    /// `cluster_sizes` and `min_size_threshold` of a fit's stats file (nil when absent).
    static func clusterSizes(_ url: URL) throws -> (sizes: [Int], minSize: Int)? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        struct Stats: Decodable { var cluster_sizes: [Int]; var min_size_threshold: Int }
        do {
            let s = try OrderedJSON.decoder.decode(Stats.self, from: Data(contentsOf: url))
            return (s.cluster_sizes, s.min_size_threshold)
        } catch { throw EngramError(url.path, "not a cluster stats file: \(error)") }
    }

    /// Train/eval VR per condition at each lag, slice `all`, with the threshold.
    static func vrByConditionSVG(_ records: [DecisionInput], threshold: Double = 0.6) -> SVGChart? {
        let all = records.filter { $0.slice == "all" }
        guard !all.isEmpty else { return nil }
        var conds: [String] = []
        for r in all where !conds.contains(r.condition) { conds.append(r.condition) }
        var c = SVGChart(title: "Variance ratio by condition and lag (slice all)", xLabel: "lag (frames)",
                         yLabel: "VR = within-cluster / total variance")
        c.subtitle = "train solid, eval dashed (own cluster means)"
        c.xTicks = Array(Set(all.map { Double($0.lag) })).sorted()
        var ys = [threshold, 1.0]
        for (i, cond) in conds.enumerated() {
            let color = SVGChart.palette[i % SVGChart.palette.count]
            let rs = all.filter { $0.condition == cond }.sorted { $0.lag < $1.lag }
            let tr = rs.compactMap { r in r.train.variance_ratio.map { (Double(r.lag), $0) } }
            let ev = rs.compactMap { r in r.eval.variance_ratio.map { (Double(r.lag), $0) } }
            ys += (tr + ev).map(\.1).filter(\.isFinite)
            c.marks.append(.line(tr, label: "\(cond) train", color: color))
            c.marks.append(.line(ev, label: "\(cond) eval", dashed: true, color: color))
        }
        c.marks.append(.hline(threshold, label: "threshold \(SVGChart.label(threshold))", color: "#000000"))
        c.marks.append(.hline(1, label: "random baseline (1)", color: SVGChart.grey))
        c.yRange = 0...max(1.1, (ys.max() ?? 1) * 1.05)
        return c
    }
}
