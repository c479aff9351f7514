import Foundation

/// Within-cluster variance of the normalised Δx (mean over dims) against cluster size, effective
/// and excluded clusters apart (SPEC §7). The unconditional variance is 1 per dim after
/// normalisation, so points below 1 are clusters that predict Δx.
enum ClusterVariancePlot {
    /// At most this many points per class are drawn (an even stride over the ids); the subtitle says so.
    static let maxPoints = 3000

    static func chart(_ d: ClusterPlotData) -> SVGChart {
        var eff: [(Double, Double)] = [], exc: [(Double, Double)] = []
        for i in d.clusterIds.indices where d.withinVariance[i].isFinite {
            let p = (Double(d.clusterSizes[i]), d.withinVariance[i])
            if d.effective[i] { eff.append(p) } else { exc.append(p) }
        }
        func thin(_ p: [(Double, Double)]) -> [(Double, Double)] {
            guard p.count > maxPoints else { return p }
            let stride = Double(p.count) / Double(maxPoints)
            return (0..<maxPoints).map { p[Int(Double($0) * stride)] }
        }
        let sizes = d.clusterSizes.map(Double.init)
        let log = (sizes.max() ?? 1) / max(sizes.min() ?? 1, 1) >= 10
        var c = SVGChart(title: "Within-cluster variance vs size: \(d.condition) (lag \(d.lag))",
                         xLabel: "cluster size (train samples\(log ? ", log scale" : ""))",
                         yLabel: "within-cluster variance per dim (normalised Δx)")
        var sub = "\(eff.count) effective, \(exc.count) excluded clusters (< \(d.minClusterSize) train samples)"
        if eff.count > maxPoints || exc.count > maxPoints { sub += "; at most \(maxPoints) per class drawn" }
        c.subtitle = sub
        c.xScale = log ? .log10 : .linear
        c.marks.append(.scatter(thin(exc), label: exc.isEmpty ? nil : "excluded clusters", radius: 2.5, color: "#ff7f0e"))
        c.marks.append(.scatter(thin(eff), label: eff.isEmpty ? nil : "effective clusters", radius: 3, color: "#1f77b4"))
        c.marks.append(.hline(1, label: "unconditional variance (1)", color: SVGChart.grey))
        c.marks.append(.vline(Double(d.minClusterSize), label: "min_cluster_size", color: "#d62728"))
        let ys = (eff + exc).map(\.1)
        c.yRange = 0...max(1.1, (ys.max() ?? 1) * 1.05)
        return c
    }
}
