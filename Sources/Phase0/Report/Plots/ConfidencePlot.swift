import Foundation

/// VR against the kept fraction of the most confident assignments, train (solid) and eval (dashed)
/// per condition, with the random baseline (1) and the threshold (SPEC §7). A curve that falls
/// steeply to the left means the structure lives in the confidently assigned frames.
enum ConfidencePlot {
    static func chart(_ data: [ClusterPlotData], threshold: Double) -> SVGChart? {
        let with = data.filter { $0.confidence != nil }
        guard !with.isEmpty, let lag = with.first?.lag else { return nil }
        var c = SVGChart(title: "VR vs kept fraction of the most confident assignments (lag \(lag))",
                         xLabel: "kept fraction of samples in effective clusters (smallest distance first)",
                         yLabel: "variance ratio (own cluster means)")
        let measures = Set(with.map { $0.type == "pca_quartile" ? "bin centre in PCA space" : "centroid" })
        var sub = "confidence = distance to the assigned \(measures.sorted(by: >).joined(separator: " / ")); train solid, eval dashed"
        let missing = data.filter { $0.confidence == nil }.map(\.condition)
        if !missing.isEmpty { sub += "; no distances saved for \(missing.joined(separator: ", "))" }
        c.subtitle = sub
        c.width = 700
        c.height = 440
        var ys: [Double] = [1, threshold]
        for (i, d) in data.enumerated() {
            guard let conf = d.confidence else { continue }
            let color = SVGChart.palette[i % SVGChart.palette.count]
            let tr = zip(conf.fractions, conf.train.varianceRatio).filter { $0.1.isFinite }
            let ev = zip(conf.fractions, conf.eval.varianceRatio).filter { $0.1.isFinite }
            ys += tr.map(\.1) + ev.map(\.1)
            c.marks.append(.line(tr.map { ($0.0, $0.1) }, label: "\(d.condition) train", color: color))
            c.marks.append(.line(ev.map { ($0.0, $0.1) }, label: "\(d.condition) eval", dashed: true, color: color))
        }
        c.marks.append(.hline(1, label: "random baseline (1)", color: SVGChart.grey))
        c.marks.append(.hline(threshold, label: "threshold \(SVGChart.label(threshold))", color: "#000000"))
        c.xRange = 0...1.02
        c.yRange = 0...max(1.1, (ys.max() ?? 1) * 1.05)
        return c
    }
}
