import Foundation
import EngramCore

/// Sizes of the learned ids on the samples a model was fitted on, and the effective set
/// (ids with ≥ `min_cluster_size` samples; SPEC §4).
public struct ClusterStats: Equatable, Sendable {
    /// Samples per id, [nClusters] (K, or 4^pca_dim for quartile bins).
    public var sizes: [Int]
    public var minClusterSize: Int

    public init(labels: [Int32], frames: [Int32]? = nil, nClusters: Int, minClusterSize: Int) {
        var s = [Int](repeating: 0, count: nClusters)
        if let frames { for f in frames { s[Int(labels[Int(f)])] += 1 } } else { for l in labels { s[Int(l)] += 1 } }
        sizes = s
        self.minClusterSize = minClusterSize
    }

    public var nClusters: Int { sizes.count }
    public var nSamples: Int { sizes.reduce(0, +) }
    /// Ids with ≥ `minClusterSize` samples, ascending.
    public var effectiveIds: [Int] { sizes.indices.filter { sizes[$0] >= minClusterSize } }
    /// Membership mask of the effective ids, [nClusters].
    public var effectiveMask: [Bool] { sizes.map { $0 >= minClusterSize } }
    public var nInEffective: Int { sizes.filter { $0 >= minClusterSize }.reduce(0, +) }
    /// Fraction of the samples outside effective ids (0 without samples).
    public var excludedMass: Double { nSamples > 0 ? 1 - Double(nInEffective) / Double(nSamples) : 0 }

    /// `cluster_stats` of a metrics record: min/max over all ids (empty ids count as 0), as the
    /// research pipeline's `compute_cluster_stats`.
    public var summary: ClusterStatsSummary {
        ClusterStatsSummary(excludedMassTrain: excludedMass, minClusterSize: sizes.min() ?? 0, maxClusterSize: sizes.max() ?? 0)
    }

    /// `{name}_lag{L}_stats.json`: the research pipeline's `compute_cluster_stats` keys, plus for
    /// quartile bins its `compute_quartile_stats` keys (over non-empty bins).
    public func json(quartile: Bool) -> OrderedJSON {
        let n = nSamples
        var items: [(String, OrderedJSON)] = [
            ("n_total_samples", .int(n)), ("n_clusters", .int(nClusters)),
            ("n_effective_clusters", .int(effectiveIds.count)), ("n_in_effective_clusters", .int(nInEffective)),
            ("excluded_mass", .double(excludedMass)), ("cluster_sizes", sizes.json),
            ("effective_cluster_ids", effectiveIds.json),
            ("min_cluster_size", .int(sizes.min() ?? 0)), ("max_cluster_size", .int(sizes.max() ?? 0)),
            ("mean_cluster_size", .double(nClusters > 0 ? Double(n) / Double(nClusters) : .nan)),
            ("min_size_threshold", .int(minClusterSize)),
        ]
        if quartile {
            let nonEmpty = sizes.filter { $0 > 0 }
            items += [
                ("n_possible_bins", .int(nClusters)), ("n_nonempty_bins", .int(nonEmpty.count)),
                ("n_effective_bins", .int(effectiveIds.count)), ("effective_bin_ids", effectiveIds.json),
                ("min_bin_size", .int(nonEmpty.min() ?? 0)), ("max_bin_size", .int(nonEmpty.max() ?? 0)),
                ("mean_bin_size", .double(nonEmpty.isEmpty ? 0 : Double(n) / Double(nonEmpty.count))),
            ]
        }
        return .object(items)
    }
}
