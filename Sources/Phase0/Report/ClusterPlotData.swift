import Foundation
import EngramCore
import Formats
import Numerics

/// The data behind the per-condition cluster plots of the report (SPEC §7), derived in the evaluate
/// step — which already holds the normalised targets — from the saved labels and distances, and
/// written as `{name}_lag{L}_plot_data.json` (L = `plotLag`) in `output.conditioning_dir`, so the
/// report step only reads small files:
///
/// - every id with train samples: its size and within-cluster variance (mean over dims of the
///   normalised Δx, i.e. Σ‖z − m_c‖²/(n_c·D)), and whether it is effective (≥ min_cluster_size);
/// - a 2-D PCA (unweighted, as scikit-learn's on the means) of the effective clusters' mean z;
/// - VR against the kept fraction of the most confident assignments, train and eval: the split's
///   samples in effective clusters ranked by distance to their centroid (smallest first; ties by
///   frame order), VR (own cluster means, SPEC §5) of the first ⌊f·n⌉ of them. At f = 1 this is
///   the metrics.json VR of slice `all`.
public struct ClusterPlotData: Codable, Equatable {
    public struct MeanPCA: Codable, Equatable {
        public var ids: [Int]
        public var sizes: [Int]
        public var pc1: [Double]
        public var pc2: [Double]
        public var explainedVarianceRatio: [Double]
        enum CodingKeys: String, CodingKey { case ids, sizes, pc1, pc2, explainedVarianceRatio = "explained_variance_ratio" }
    }
    public struct Curve: Codable, Equatable {
        /// VR of the kept samples, one per fraction (NaN where none are kept).
        public var varianceRatio: [Double]
        /// Kept samples, one per fraction.
        public var nSamples: [Int]
        enum CodingKeys: String, CodingKey { case varianceRatio = "variance_ratio", nSamples = "n_samples" }
    }
    public struct Confidence: Codable, Equatable {
        /// What "confidence" is (smaller distance = more confident).
        public var measure: String
        public var fractions: [Double]
        public var train: Curve
        public var eval: Curve
    }

    public var condition: String
    public var type: String
    public var lag: Int
    public var nClusters: Int
    public var minClusterSize: Int
    public var dim: Int
    /// Ids with ≥ 1 train sample, ascending, and their train sizes / within-cluster variance per dim.
    public var clusterIds: [Int]
    public var clusterSizes: [Int]
    public var withinVariance: [Double]
    public var effective: [Bool]
    /// nil with fewer than 3 effective clusters.
    public var meanPCA: MeanPCA?
    /// nil when the fit saved no distances.
    public var confidence: Confidence?

    enum CodingKeys: String, CodingKey {
        case condition, type, lag, dim, effective, confidence
        case nClusters = "n_clusters", minClusterSize = "min_cluster_size"
        case clusterIds = "cluster_ids", clusterSizes = "cluster_sizes", withinVariance = "within_variance"
        case meanPCA = "mean_pca"
    }

    /// Kept fractions of the confidence curves.
    public static let keptFractions: [Double] = (1...20).map { Double($0) / 20 }

    /// The lag the plots show: 1 (the decision's lag) when configured, else the smallest.
    public static func plotLag(_ c: Phase0Config) -> Int { c.context.lags.contains(1) ? 1 : (c.context.lags.min() ?? 1) }

    public static func url(_ files: ConditioningFiles, condition: String, lag: Int) -> URL {
        files.file(condition, lag: lag, "plot_data.json")
    }

    /// Computes and writes the plot data of every condition at `plotLag`.
    public static func write(config: Phase0Config, table: FrameTable, targets: NormalizedTargets, files: ConditioningFiles,
                             log: (String) -> Void = { printErr($0) }) throws {
        let t0 = Date()
        let lag = plotLag(config)
        var train: [Int32] = [], eval: [Int32] = []
        for i in 0..<table.count { if table.split(ofFrame: i) == .train { train.append(Int32(i)) } else { eval.append(Int32(i)) } }
        for cond in config.clustering.conditions {
            let d = try compute(config: config, condition: cond, lag: lag, targets: targets, train: train, eval: eval, files: files)
            try AtomicFile.write(d.json.serialized(indent: nil), to: url(files, condition: cond.name, lag: lag))
        }
        log(String(format: "evaluate: plot data (lag %d) in %.1f s", lag, Date().timeIntervalSince(t0)))
    }

    static func compute(config: Phase0Config, condition cond: Phase0Config.Condition, lag: Int, targets: NormalizedTargets,
                        train: [Int32], eval: [Int32], files: ConditioningFiles) throws -> ClusterPlotData {
        let nClusters = cond.type == .pcaQuartile ? 1 << (2 * (cond.pcaDim ?? 0)) : (cond.k ?? 0)
        let n = targets.targetRow.count
        let labels = try files.readLabels(cond.name, lag: lag, count: n, nClusters: nClusters)
        let stats = ClusterStats(labels: labels, frames: train, nClusters: nClusters, minClusterSize: config.clustering.minClusterSize)

        // Every id with train samples: size and within-cluster variance.
        let ids = stats.sizes.indices.filter { stats.sizes[$0] > 0 }
        var nonEmpty = [Int32](repeating: -1, count: nClusters)
        for (j, id) in ids.enumerated() { nonEmpty[id] = Int32(j) }
        let all = GroupSums.accumulate(targets, samples: train, group: train.map { nonEmpty[Int(labels[Int($0)])] }, nGroups: ids.count)

        // Effective clusters: confidence curves (train pass also gives the cluster means).
        let (dense, nEff) = Metrics.denseIndex(stats)
        let distURL = files.distances(cond.name, lag: lag)
        var distances: [Float]? = nil
        if FileManager.default.fileExists(atPath: distURL.path) {
            let a = try NPY.read(distURL)
            guard a.shape == [n] else { throw EngramError(distURL.path, "has shape \(a.shape), expected [\(n)] (rerun fit)") }
            distances = try a.floats()
        }
        let fractions = keptFractions
        func pass(_ frames: [Int32], keepSums: Bool) -> (GroupSums, Curve) {
            let group = frames.map { dense[Int(labels[Int($0)])] }
            var bins: [Int32]? = nil
            if let distances {
                let included = frames.indices.filter { group[$0] >= 0 }
                let ranked = included.sorted { (distances[Int(frames[$0])], frames[$0]) < (distances[Int(frames[$1])], frames[$1]) }
                let cuts = fractions.map { Int(($0 * Double(ranked.count)).rounded()) }
                var b = [Int32](repeating: 0, count: frames.count)
                var bin = 0
                for (r, j) in ranked.enumerated() {
                    while bin < cuts.count - 1 && r >= cuts[bin] { bin += 1 }
                    b[j] = Int32(bin)
                }
                bins = b
            }
            let nBins = distances == nil ? 1 : fractions.count
            let s = GroupSums.accumulate(targets, samples: frames, group: group, nGroups: nEff, bin: bins, nBins: nBins, keepSums: keepSums)
            return (s, Curve(varianceRatio: (0..<nBins).map { s.varianceRatio(bin: $0) }, nSamples: (0..<nBins).map { s.nSamples(bin: $0) }))
        }
        let (trainSums, trainCurve) = pass(train, keepSums: true)
        let (_, evalCurve) = pass(eval, keepSums: false)
        let confidence = distances.map { _ in
            Confidence(measure: cond.type == .pcaQuartile ? "Euclidean distance to the quartile-bin centre in PCA space"
                                                          : "Euclidean distance to the assigned k-means centroid",
                       fractions: fractions, train: trainCurve, eval: evalCurve)
        }
        return ClusterPlotData(
            condition: cond.name, type: cond.type.rawValue, lag: lag, nClusters: nClusters, minClusterSize: stats.minClusterSize,
            dim: targets.dim, clusterIds: ids, clusterSizes: ids.map { stats.sizes[$0] }, withinVariance: all.withinVariancePerDim,
            effective: ids.map { stats.sizes[$0] >= stats.minClusterSize },
            meanPCA: try meanPCA(trainSums, effectiveIds: stats.effectiveIds), confidence: confidence)
    }

    /// 2-D PCA of the effective clusters' mean z (float32, as the means would be saved).
    static func meanPCA(_ s: GroupSums, effectiveIds: [Int]) throws -> MeanPCA? {
        let k = s.nGroups, d = s.dim
        guard k >= 3, d >= 2 else { return nil }
        let means = s.means.map { Float($0) }
        let pca = try means.withUnsafeBufferPointer { try PCA.fit(data: $0.baseAddress!, n: k, d: d, components: 2, threads: 1) }
        let p = pca.transform(means, threads: 1)
        let sizes = (0..<k).map { s.count[(s.nBins - 1) * k + $0] }
        return MeanPCA(ids: effectiveIds, sizes: sizes, pc1: (0..<k).map { Double(p[2 * $0]) }, pc2: (0..<k).map { Double(p[2 * $0 + 1]) },
                       explainedVarianceRatio: pca.explainedVarianceRatio)
    }

    var json: OrderedJSON {
        func curve(_ c: Curve) -> OrderedJSON { .object([("variance_ratio", c.varianceRatio.json), ("n_samples", c.nSamples.json)]) }
        var items: [(String, OrderedJSON)] = [
            ("condition", .string(condition)), ("type", .string(type)), ("lag", .int(lag)), ("n_clusters", .int(nClusters)),
            ("min_cluster_size", .int(minClusterSize)), ("dim", .int(dim)),
            ("cluster_ids", clusterIds.json), ("cluster_sizes", clusterSizes.json), ("within_variance", withinVariance.json),
            ("effective", .array(effective.map { .bool($0) })),
        ]
        if let m = meanPCA {
            items.append(("mean_pca", .object([("ids", m.ids.json), ("sizes", m.sizes.json), ("pc1", m.pc1.json), ("pc2", m.pc2.json),
                                               ("explained_variance_ratio", m.explainedVarianceRatio.json)])))
        }
        if let c = confidence {
            items.append(("confidence", .object([("measure", .string(c.measure)), ("fractions", c.fractions.json),
                                                 ("train", curve(c.train)), ("eval", curve(c.eval))])))
        }
        return .object(items)
    }

    /// Reads a plot data file (nil when it does not exist).
    public static func read(_ url: URL) throws -> ClusterPlotData? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do { return try OrderedJSON.decoder.decode(ClusterPlotData.self, from: Data(contentsOf: url)) } catch {
            throw EngramError(url.path, "not a plot data file: \(error)")
        }
    }
}
