import Foundation
import EngramCore
import Numerics

/// A fitted conditioning model of one condition and lag (SPEC §4).
public enum ConditionModel: Sendable {
    /// `mean_pool_vq`: k-means centroids [K, D] on the mean context features.
    case meanPoolVQ(centroids: [Float], k: Int)
    /// `pca_vq`: PCA of the flat contexts, then k-means centroids [K, pca_dim] on the coordinates.
    case pcaVQ(pca: PCA, centroids: [Float], k: Int)
    /// `pca_quartile`: PCA of the flat contexts, then quartile bins of the coordinates.
    case pcaQuartile(pca: PCA, bins: QuartileBins)

    /// Number of ids (K or 4^pca_dim).
    public var nClusters: Int {
        switch self {
        case .meanPoolVQ(_, let k), .pcaVQ(_, _, let k): return k
        case .pcaQuartile(_, let bins): return bins.nBins
        }
    }

    public var pca: PCA? {
        switch self {
        case .meanPoolVQ: return nil
        case .pcaVQ(let p, _, _), .pcaQuartile(let p, _): return p
        }
    }
}

/// Nearest-centroid ids and Euclidean distances (float32, as the research pipeline's
/// `assign_clusters`) of `n` points [n, d].
func assignNearest(points: UnsafePointer<Float>, n: Int, d: Int, centroids: [Float], k: Int) -> (labels: [Int32], distances: [Float]) {
    if n == 0 { return ([], []) }
    let labels = centroids.withUnsafeBufferPointer { KMeans.assign(points: points, n: n, d: d, centroids: $0.baseAddress!, k: k) }
    var dist = [Float](repeating: 0, count: n)
    for i in 0..<n {
        let c = Int(labels[i]) * d
        var s = 0.0
        for j in 0..<d { let e = Double(points[i * d + j] - centroids[c + j]); s += e * e }
        dist[i] = Float(s.squareRoot())
    }
    return (labels, dist)
}
