import Foundation
import EngramCore
import Numerics

/// The optional VR-vs-K sweep of the fit step (config `metrics.k_sweep`), written as
/// `k_sweep_lag{L}.json` in `output.conditioning_dir` (L = `ClusterPlotData.plotLag`): does VR keep
/// falling with more clusters only on the samples the clusters were fitted on (K overfitting), or
/// also on unseen utterances and unseen speakers (real structure)?
///
/// - k-means conditions: every K of `k_sweep` plus the configured K (it may exceed the configured K;
///   K larger than the fit samples is skipped). The configured K reuses the main fit (labels saved by
///   the fit step, `clustering.n_init` restarts); the others are refitted with
///   `min(sweepNInit, clustering.n_init)` restarts, same seed, `max_iter` and tolerance.
/// - quartile conditions: pca_dim p = 1 … pca_dim (K = 4^p), bins on the first p coordinates of the
///   condition's PCA (PCA components are nested, so these are the PCA(p) coordinates); p = pca_dim
///   reuses the main fit.
///
/// Every VR is SPEC §5's: normalised Δx, effective clusters (≥ `min_cluster_size` samples of the
/// fitted set), pooled over the samples in them. Full fit (all train frames): train with own means,
/// eval with own means and with the train means. Hold-out fit (`train_utt_train` frames, when
/// `metrics.holdout`): `train_utt_val` with own means and with the fit's means.
enum KSweep {
    /// Restarts of the refitted k-means models.
    static let sweepNInit = 3

    static func url(_ files: ConditioningFiles, lag: Int) -> URL { files.dir.appendingPathComponent("k_sweep_lag\(lag).json") }

    /// One fitted model's scores.
    struct Point {
        var k: Int
        var pcaDim: Int?
        var nInit: Int?
        var fromMainFit: Bool
        var nEffective: Int
        var excludedMassTrain: Double
        var train: Double
        var eval: Double
        var evalTrainMeans: Double
        var holdout: (vr: Double, fitMeans: Double, nEffective: Int)?
        var seconds: Double

        var json: OrderedJSON {
            var items: [(String, OrderedJSON)] = [("k", .int(k))]
            if let pcaDim { items.append(("pca_dim", .int(pcaDim))) }
            items += [("n_init", nInit.map { .int($0) } ?? .null), ("from_main_fit", .bool(fromMainFit)),
                      ("n_effective_clusters", .int(nEffective)), ("excluded_mass_train", .double(excludedMassTrain)),
                      ("train_variance_ratio", .double(train)), ("eval_variance_ratio", .double(eval)),
                      ("eval_variance_ratio_train_means", .double(evalTrainMeans))]
            if let h = holdout {
                items += [("holdout_variance_ratio", .double(h.vr)), ("holdout_variance_ratio_fit_means", .double(h.fitMeans)),
                          ("holdout_n_effective_clusters", .int(h.nEffective))]
            }
            items.append(("seconds", .double(seconds)))
            return .object(items)
        }
    }

    /// Frames and targets the scores need.
    struct Samples {
        let source: TargetSource
        let train: [Int32]
        let eval: [Int32]
        let fit: [Int32]
        let val: [Int32]
    }

    /// Runs the sweep at `lag` after the main fits of that lag were saved. `pcas`: the projections of
    /// every frame keyed "\(pca_dim)\(holdout)" as in `Conditioning.fit`; `trainMean`: mean features
    /// of `sets.train` (fit part first) when a mean_pool_vq condition exists.
    static func run(config: Phase0Config, lag: Int, features: ContextFeatures, table: FrameTable, sets: Conditioning.SampleSets,
                    norm: NormStats, pcas: [String: (pca: PCA, projections: [Float])], trainMean: [Float]?,
                    files: ConditioningFiles, log: (String) -> Void) throws {
        let t0 = Date()
        let holdout = config.metrics.holdout
        var eval: [Int32] = []
        for i in 0..<table.count where table.split(ofFrame: i) != .train { eval.append(Int32(i)) }
        let s = Samples(source: TargetSource(latents: features.corpus, targetRows: features.targetRow, norm: norm),
                        train: sets.train, eval: eval, fit: Array(sets.fit), val: holdout ? sets.val : [])
        let nInit = min(sweepNInit, config.clustering.nInit)
        let seed = UInt64(config.seed)
        var conditions: [OrderedJSON] = []
        for cond in config.clustering.conditions {
            var points: [Point] = []
            switch cond.type {
            case .meanPoolVQ, .pcaVQ:
                let configured = cond.k ?? 0
                for k in Array(Set(config.metrics.kSweep + [configured])).sorted() {
                    let t1 = Date()
                    var labels: [Bool: [Int32]] = [:]
                    for variant in holdout ? [false, true] : [false] {
                        let nFit = variant ? sets.fitCount : sets.train.count
                        if k == configured {
                            labels[variant] = try files.readLabels(cond.name, lag: lag, holdout: variant, count: table.count, nClusters: k)
                            continue
                        }
                        guard k <= nFit else { continue }
                        if cond.type == .meanPoolVQ {
                            let r = try trainMean!.withUnsafeBufferPointer {
                                try KMeans.fit(data: $0.baseAddress!, n: nFit, d: features.dim, k: k, nInit: nInit,
                                               maxIter: config.clustering.maxIter, seed: seed)
                            }
                            labels[variant] = Conditioning.assignMean(features: features, lag: lag, table: table, sets: sets,
                                                                      trainMean: trainMean!, centroids: r.centroids, k: k).0
                        } else {
                            let p = cond.pcaDim ?? 0
                            let proj = pcas["\(p)\(variant)"]!.projections
                            let pts = Conditioning.gather(proj, rows: sets.train[0..<nFit], width: p)
                            let r = try KMeans.fit(data: pts, d: p, k: k, nInit: nInit, maxIter: config.clustering.maxIter, seed: seed)
                            labels[variant] = proj.withUnsafeBufferPointer {
                                assignNearest(points: $0.baseAddress!, n: table.count, d: p, centroids: r.centroids, k: k).labels
                            }
                        }
                    }
                    guard let full = labels[false] else {
                        log("fit: k-sweep \(cond.name): K = \(k) exceeds the \(sets.train.count) train samples, skipped"); continue
                    }
                    var point = score(s, full: full, holdoutLabels: labels[true], nClusters: k, config: config,
                                      k: k, pcaDim: nil, nInit: k == configured ? config.clustering.nInit : nInit, fromMain: k == configured)
                    point.seconds = Date().timeIntervalSince(t1)
                    points.append(point)
                }
            case .pcaQuartile:
                let p = cond.pcaDim ?? 0
                for q in 1...max(p, 1) {
                    let t1 = Date()
                    var labels: [Bool: [Int32]] = [:]
                    for variant in holdout ? [false, true] : [false] {
                        if q == p {
                            labels[variant] = try files.readLabels(cond.name, lag: lag, holdout: variant, count: table.count, nClusters: 1 << (2 * p))
                            continue
                        }
                        let nFit = variant ? sets.fitCount : sets.train.count
                        let proj = pcas["\(p)\(variant)"]!.projections
                        let first = leadingColumns(proj, width: p, keep: q)
                        let bins = try QuartileBins.fit(points: Conditioning.gather(first, rows: sets.train[0..<nFit], width: q), dims: q)
                        labels[variant] = bins.assign(points: first)
                    }
                    var point = score(s, full: labels[false]!, holdoutLabels: labels[true], nClusters: 1 << (2 * q), config: config,
                                      k: 1 << (2 * q), pcaDim: q, nInit: nil, fromMain: q == p)
                    point.seconds = Date().timeIntervalSince(t1)
                    points.append(point)
                }
            }
            var items: [(String, OrderedJSON)] = [("condition", .string(cond.name)), ("type", .string(cond.type.rawValue))]
            if let k = cond.k { items.append(("configured_k", .int(k))) }
            if let p = cond.pcaDim { items.append(("configured_pca_dim", .int(p))) }
            items.append(("points", .array(points.map(\.json))))
            conditions.append(.object(items))
            log(String(format: "fit: k-sweep lag %d %@: %d models in %.1f s", lag, cond.name, points.count,
                       points.reduce(0) { $0 + $1.seconds }))
        }
        let json = OrderedJSON.object([
            ("lag", .int(lag)), ("k_sweep", config.metrics.kSweep.json), ("n_init_sweep", .int(nInit)),
            ("n_init_configured", .int(config.clustering.nInit)), ("max_iter", .int(config.clustering.maxIter)),
            ("seed", .int(config.seed)), ("min_cluster_size", .int(config.clustering.minClusterSize)),
            ("holdout", .bool(holdout)), ("n_train_samples", .int(s.train.count)), ("n_eval_samples", .int(s.eval.count)),
            ("n_holdout_fit_samples", .int(holdout ? s.fit.count : 0)), ("n_holdout_val_samples", .int(s.val.count)),
            ("seconds", .double(Date().timeIntervalSince(t0))),
            ("conditions", .array(conditions)),
        ])
        try AtomicFile.write(json.serialized(), to: url(files, lag: lag))
        log(String(format: "fit: k-sweep lag %d in %.1f s → %@", lag, Date().timeIntervalSince(t0), url(files, lag: lag).path))
    }

    /// Columns 0..<keep of a [N, width] matrix.
    static func leadingColumns(_ m: [Float], width: Int, keep: Int) -> [Float] {
        let n = m.count / width
        var out = [Float](repeating: 0, count: n * keep)
        for i in 0..<n { for j in 0..<keep { out[i * keep + j] = m[i * width + j] } }
        return out
    }

    /// SPEC §5 VRs of one model (full-fit labels, and hold-out labels when given).
    static func score(_ s: Samples, full: [Int32], holdoutLabels: [Int32]?, nClusters: Int, config: Phase0Config,
                      k: Int, pcaDim: Int?, nInit: Int?, fromMain: Bool) -> Point {
        let minSize = config.clustering.minClusterSize
        func sums(_ frames: [Int32], _ labels: [Int32], _ dense: [Int32], _ nEff: Int) -> GroupSums {
            GroupSums.accumulate(s.source, samples: frames, group: frames.map { dense[Int(labels[Int($0)])] }, nGroups: nEff, keepSums: true)
        }
        let stats = ClusterStats(labels: full, frames: s.train, nClusters: nClusters, minClusterSize: minSize)
        let (dense, nEff) = Metrics.denseIndex(stats)
        let train = sums(s.train, full, dense, nEff)
        let eval = sums(s.eval, full, dense, nEff)
        var point = Point(k: k, pcaDim: pcaDim, nInit: nInit, fromMainFit: fromMain, nEffective: nEff,
                          excludedMassTrain: stats.excludedMass, train: train.varianceRatio(bin: 0),
                          eval: eval.varianceRatio(bin: 0), evalTrainMeans: eval.varianceRatio(against: train.means),
                          holdout: nil, seconds: 0)
        if let hl = holdoutLabels {
            let hs = ClusterStats(labels: hl, frames: s.fit, nClusters: nClusters, minClusterSize: minSize)
            let (hd, hn) = Metrics.denseIndex(hs)
            let fitMeans = sums(s.fit, hl, hd, hn).means
            let val = sums(s.val, hl, hd, hn)
            point.holdout = (val.varianceRatio(bin: 0), val.varianceRatio(against: fitMeans), hn)
        }
        return point
    }
}
