import Foundation
import EngramCore
import Formats
import Numerics

/// File layout of `output.conditioning_dir` (one set per condition and lag; `variant` "" for the
/// fit on all train frames, "_holdout" for the hold-out fit on `train_utt_train` frames):
///
/// - `norm_stats_lag{L}.json` — {mu, sigma, n_samples} (SPEC §4)
/// - `{name}_lag{L}{variant}_labels.npy` — int32 [N]: the id of every frame, aligned with the rows of
///   `phase0_frames.parquet` (train and eval frames alike)
/// - `{name}_lag{L}{variant}_distances.npy` — float32 [N]: Euclidean distance to the assigned centroid
///   (k-means) or to the quartile-bin centre in PCA space (`QuartileBins.centreDistances`)
/// - `{name}_lag{L}{variant}_centroids.npy` — float32 [K, d] (k-means conditions)
/// - `{name}_lag{L}{variant}_pca_mean.npy` float32 [W·D], `…_pca_components.npy` float32 [p, W·D]
/// - `{name}_lag{L}{variant}_quartile_edges.npy` — float32 [p, 3] (25/50/75th percentiles)
/// - `{name}_lag{L}{variant}_stats.json` — cluster sizes on the fit samples (the research pipeline's keys)
/// - `{name}_lag{L}{variant}_model.json` — type, k, pca_dim, n_train_samples, inertia, n_iter, …
/// - `{name}_lag{L}{variant}_k{K}_sweep_labels.npy` — uint16 (int32 above 65536 ids) [N]: labels of
///   the VR-vs-K sweep's refitted models, and `k_sweep_models_lag{L}.json`, their manifest (`KSweep`,
///   when `metrics.k_sweep` is non-empty)
/// - written by the evaluate step for the report: `k_sweep_lag{L}.json` (the sweep's VRs, `KSweep`)
///   and `{name}_lag{L}_plot_data.json` (`ClusterPlotData`)
/// - `fit_summary.json` — written last; its time stamp marks the step as done
public struct ConditioningFiles {
    public let dir: URL

    public init(dir: URL) { self.dir = dir }
    public init(config: Phase0Config) { dir = URL(fileURLWithPath: config.output.conditioningDir) }

    public func normStats(lag: Int) -> URL { dir.appendingPathComponent("norm_stats_lag\(lag).json") }
    public func file(_ condition: String, lag: Int, holdout: Bool = false, _ suffix: String) -> URL {
        dir.appendingPathComponent("\(condition)_lag\(lag)\(holdout ? "_holdout" : "")_\(suffix)")
    }
    public func labels(_ c: String, lag: Int, holdout: Bool = false) -> URL { file(c, lag: lag, holdout: holdout, "labels.npy") }
    public func distances(_ c: String, lag: Int, holdout: Bool = false) -> URL { file(c, lag: lag, holdout: holdout, "distances.npy") }
    public func centroids(_ c: String, lag: Int, holdout: Bool = false) -> URL { file(c, lag: lag, holdout: holdout, "centroids.npy") }
    public func pcaMean(_ c: String, lag: Int, holdout: Bool = false) -> URL { file(c, lag: lag, holdout: holdout, "pca_mean.npy") }
    public func pcaComponents(_ c: String, lag: Int, holdout: Bool = false) -> URL { file(c, lag: lag, holdout: holdout, "pca_components.npy") }
    public func quartileEdges(_ c: String, lag: Int, holdout: Bool = false) -> URL { file(c, lag: lag, holdout: holdout, "quartile_edges.npy") }
    public func stats(_ c: String, lag: Int, holdout: Bool = false) -> URL { file(c, lag: lag, holdout: holdout, "stats.json") }
    public func model(_ c: String, lag: Int, holdout: Bool = false) -> URL { file(c, lag: lag, holdout: holdout, "model.json") }
    public var summary: URL { dir.appendingPathComponent("fit_summary.json") }

    /// Reads a labels file and checks its length and range.
    public func readLabels(_ c: String, lag: Int, holdout: Bool = false, count: Int, nClusters: Int) throws -> [Int32] {
        let url = labels(c, lag: lag, holdout: holdout)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw EngramError(url.path, "missing (run `engram phase0 fit` first)")
        }
        let a = try NPY.read(url)
        guard a.shape == [count] else {
            throw EngramError(url.path, "has shape \(a.shape), expected [\(count)] (one id per row of the frames table; rerun fit)")
        }
        let l = try a.int32s()
        if let bad = l.firstIndex(where: { $0 < 0 || Int($0) >= nClusters }) {
            throw EngramError(url.path, "id \(l[bad]) at row \(bad) is outside 0..<\(nClusters)")
        }
        return l
    }
}
