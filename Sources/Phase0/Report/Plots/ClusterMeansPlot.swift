import Foundation

/// 2-D PCA of the effective clusters' mean normalised Δx (SPEC §7): spread means the clusters
/// predict different dynamics. Colour and dot size encode the cluster size in four classes split
/// at the quartiles of the sizes.
enum ClusterMeansPlot {
    static let colors = ["#9ecae1", "#4292c6", "#2171b5", "#08306b"]
    static let radii = [2.5, 3.5, 4.5, 5.5]

    /// Size classes: class c holds sizes in [bounds[c], bounds[c+1]) (last closed).
    static func sizeClasses(_ sizes: [Int]) -> [Int] {
        let s = sizes.sorted()
        guard let lo = s.first, let hi = s.last else { return [] }
        var b = [lo] + [0.25, 0.5, 0.75].map { s[min(s.count - 1, Int(Double(s.count) * $0))] } + [hi + 1]
        for i in 1..<b.count { b[i] = max(b[i], b[i - 1]) }
        return b
    }

    static func chart(_ d: ClusterPlotData) -> SVGChart? {
        guard let m = d.meanPCA, !m.ids.isEmpty else { return nil }
        func pct(_ i: Int) -> String { i < m.explainedVarianceRatio.count ? String(format: "%.1f %%", m.explainedVarianceRatio[i] * 100) : "?" }
        var c = SVGChart(title: "Cluster mean Δx, 2-D PCA: \(d.condition) (lag \(d.lag))",
                         xLabel: "PC1 (\(pct(0)) of the variance between cluster means)",
                         yLabel: "PC2 (\(pct(1)) of the variance between cluster means)")
        c.subtitle = "\(m.ids.count) effective clusters; normalised Δx (σ units); colour and dot size: train samples"
        let b = sizeClasses(m.sizes)
        for k in 0..<4 where b[k] < b[k + 1] {
            let pts = m.ids.indices.filter { m.sizes[$0] >= b[k] && m.sizes[$0] < b[k + 1] }.map { (m.pc1[$0], m.pc2[$0]) }
            guard !pts.isEmpty else { continue }
            let label = b[k + 1] - 1 == b[k] ? "n = \(b[k])" : "n \(b[k])–\(b[k + 1] - 1)"
            c.marks.append(.scatter(pts, label: label, radius: radii[k], color: colors[k]))
        }
        // Equal scales on both axes would hide PC2 when PC1 dominates; pad each range instead.
        return c
    }
}
