import Foundation
import EngramCore

/// `k_sweep_lag{L}.json` as the report reads it (see `KSweep`).
public struct KSweepInput: Decodable, Equatable {
    public struct Point: Decodable, Equatable {
        public var k: Int
        public var pca_dim: Int?
        public var n_init: Int?
        public var from_main_fit: Bool
        public var n_effective_clusters: Int
        public var excluded_mass_train: Double
        public var train_variance_ratio: Double
        public var eval_variance_ratio: Double
        public var eval_variance_ratio_train_means: Double
        public var holdout_variance_ratio: Double?
        public var holdout_variance_ratio_fit_means: Double?
        public var holdout_n_effective_clusters: Int?
    }
    public struct Condition: Decodable, Equatable {
        public var condition: String
        public var type: String
        public var configured_k: Int?
        public var configured_pca_dim: Int?
        public var points: [Point]
    }
    public var lag: Int
    public var n_init_sweep: Int
    public var n_init_configured: Int
    public var min_cluster_size: Int
    public var holdout: Bool
    public var conditions: [Condition]

    public static func load(_ url: URL) throws -> KSweepInput? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do { return try OrderedJSON.decoder.decode(KSweepInput.self, from: Data(contentsOf: url)) } catch {
            throw EngramError(url.path, "not a k-sweep file: \(error)")
        }
    }
}

/// VR against the number of clusters K for one scheme: in-sample train, unseen utterances of the
/// train speakers (hold-out fit's means), unseen speakers (train means, and their own means).
/// Train falling while hold-out and eval stay flat or rise is K overfitting, not structure.
enum KSweepPlot {
    static func chart(_ s: KSweepInput, _ cond: KSweepInput.Condition, threshold: Double) -> SVGChart? {
        let pts = cond.points.sorted { $0.k < $1.k }
        guard !pts.isEmpty else { return nil }
        let quartile = cond.type == "pca_quartile"
        var c = SVGChart(title: "VR vs number of clusters: \(cond.condition) (lag \(s.lag))",
                         xLabel: quartile ? "K = 4^p quartile bins on the first p PCA components (log scale)" : "K, k-means clusters (log scale)",
                         yLabel: "variance ratio (normalised Δx)")
        c.subtitle = quartile
            ? "p = 1…\(cond.configured_pca_dim ?? 0); effective clusters ≥ \(s.min_cluster_size) fit samples"
            : "refits: n_init \(s.n_init_sweep); configured K \(cond.configured_k ?? 0): main fit, n_init \(s.n_init_configured); effective ≥ \(s.min_cluster_size) fit samples"
        if let big = pts.last, big.excluded_mass_train > 0.05 {
            c.subtitle! += String(format: "; excluded train mass at K = %d: %.0f %%", big.k, big.excluded_mass_train * 100)
        }
        c.width = 660
        c.height = 440
        c.xScale = .log10
        c.xTicks = pts.map { Double($0.k) }
        func line(_ v: (KSweepInput.Point) -> Double?) -> [(Double, Double)] {
            pts.compactMap { p in v(p).flatMap { $0.isFinite ? (Double(p.k), $0) : nil } }
        }
        let train = line { $0.train_variance_ratio }
        let holdout = line { $0.holdout_variance_ratio_fit_means }
        let evalTM = line { $0.eval_variance_ratio_train_means }
        let evalOwn = line { $0.eval_variance_ratio }
        c.marks.append(.line(train, label: "train, in-sample (own means)", color: "#1f77b4"))
        if s.holdout { c.marks.append(.line(holdout, label: "hold-out utterances (fit means)", color: "#2ca02c")) }
        c.marks.append(.line(evalTM, label: "eval speakers (train means)", color: "#d62728"))
        c.marks.append(.line(evalOwn, label: "eval speakers (own means)", dashed: true, color: "#d62728"))
        c.marks.append(.hline(1, label: "random baseline (1)", color: SVGChart.grey))
        c.marks.append(.hline(threshold, label: "threshold \(SVGChart.label(threshold))", color: "#000000"))
        let configured = quartile ? cond.configured_pca_dim.map { 1 << (2 * $0) } : cond.configured_k
        if let k = configured { c.marks.append(.vline(Double(k), label: "configured K = \(k)", color: "#9467bd")) }
        let ys = (train + holdout + evalTM + evalOwn).map(\.1) + [1, threshold]
        c.yRange = max(0, (ys.min() ?? 0) - 0.05)...max(1.05, (ys.max() ?? 1) + 0.03)
        let ks = pts.map { Double($0.k) }
        c.xRange = ks.min()! / 1.25...ks.max()! * 1.25
        return c
    }
}
