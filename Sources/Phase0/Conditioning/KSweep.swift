import Foundation
import EngramCore
import Formats
import Numerics

/// The optional VR-vs-K sweep (config `metrics.k_sweep`) at the plot lag L (`ClusterPlotData.plotLag`):
/// does VR keep falling with more clusters only on the samples the clusters were fitted on
/// (K overfitting), or also on unseen utterances and unseen speakers (real structure)?
///
/// - k-means conditions: every K of `k_sweep` plus the configured K (K may exceed the configured K;
///   K larger than the fit samples is skipped). The configured K is the main fit (its saved labels,
///   `clustering.n_init` restarts); the others are refitted with `min(sweepNInit, clustering.n_init)`
///   restarts, same seed, `max_iter` and tolerance.
///   With `metrics.k_sweep_max_samples` > 0 and more fit samples than that, the refitted models
///   are fitted on evenly spaced rows of the fit set (`sampleRows`); all frames are still assigned.
/// - quartile conditions: pca_dim p = 1 … pca_dim (K = 4^p), bins on the first p coordinates of the
///   condition's PCA (components are nested, so these are the PCA(p) coordinates); p = pca_dim is
///   the main fit.
///
/// Two halves, because the fit step may overwrite the latents (sliding means) before Δx is needed:
/// the fit step fits the models and saves every frame's label (`…_k{K}_sweep_labels.npy`, uint16 when
/// K ≤ 65536) and the manifest `k_sweep_models_lag{L}.json`; the evaluate step, which holds the
/// normalised targets, scores them into `k_sweep_lag{L}.json`. Every VR is SPEC §5's: normalised Δx,
/// effective clusters (≥ `min_cluster_size` samples of the fitted set), pooled. Full fit (all train
/// frames): train with own means, eval with own means and with the train means. Hold-out fit
/// (`train_utt_train` frames, with `metrics.holdout`): `train_utt_val` with own means and with the
/// fit's means.
enum KSweep {
    /// Restarts of the refitted k-means models.
    static let sweepNInit = 3

    static func url(_ files: ConditioningFiles, lag: Int) -> URL { files.dir.appendingPathComponent("k_sweep_lag\(lag).json") }
    static func manifestURL(_ files: ConditioningFiles, lag: Int) -> URL { files.dir.appendingPathComponent("k_sweep_models_lag\(lag).json") }

    // MARK: fit step

    /// One model of the sweep as the manifest lists it.
    struct Model {
        var k: Int
        var pcaDim: Int?
        var nInit: Int?
        var fromMainFit: Bool
        /// Label files (names in the conditioning folder) of the full fit and of the hold-out fit.
        var labels: String
        var holdoutLabels: String?
        var fitSeconds: Double

        var json: OrderedJSON {
            var items: [(String, OrderedJSON)] = [("k", .int(k))]
            if let pcaDim { items.append(("pca_dim", .int(pcaDim))) }
            items += [("n_init", nInit.map { .int($0) } ?? .null), ("from_main_fit", .bool(fromMainFit)),
                      ("labels", .string(labels)), ("holdout_labels", holdoutLabels.map { .string($0) } ?? .null),
                      ("fit_seconds", .double(fitSeconds))]
            return .object(items)
        }
    }

    /// Fits the sweep's models at `lag` after the main fits of that lag were saved, and writes their
    /// labels and the manifest. `pcas`: projections of every frame keyed "\(pca_dim)\(holdout)" as in
    /// `Conditioning.fit`; `sliding`: the in-place mean features when the buffer holds them.
    static func fit(config: Phase0Config, lag: Int, features: ContextFeatures, table: FrameTable, sets: Conditioning.SampleSets,
                    pcas: [String: (pca: PCA, projections: [Float])], sliding: SlidingMeans?, trainUtterances: [Int],
                    files: ConditioningFiles, log: (String) -> Void) throws {
        let t0 = Date()
        let variants = config.metrics.holdout ? [false, true] : [false]
        let nInit = min(sweepNInit, config.clustering.nInit)
        let seed = UInt64(config.seed)
        func mainLabels(_ c: String, _ holdout: Bool) -> String { files.labels(c, lag: lag, holdout: holdout).lastPathComponent }
        func sweepFile(_ c: String, _ k: Int, _ holdout: Bool) -> URL { files.file(c, lag: lag, holdout: holdout, "k\(k)_sweep_labels.npy") }
        func nFit(_ holdout: Bool) -> Int { holdout ? sets.fitCount : sets.train.count }
        let cap = config.metrics.kSweepMaxSamples

        // k-means of the mean features for every refitted K of every mean_pool_vq condition, in one
        // pass over the train mean features (in place when the buffer holds sliding means).
        var meanCentroids: [String: (centroids: [Float], seconds: Double)] = [:]
        let meanConds = config.clustering.conditions.filter { $0.type == .meanPoolVQ }
        func fitMeans(_ data: UnsafePointer<Float>) throws {
            for cond in meanConds {
                for k in sweepKs(config, cond) where k != cond.k {
                    for h in variants where k <= nFit(h) {
                        let t1 = Date()
                        let r: KMeansResult
                        if let rows = sampleRows(nFit(h), cap: cap) {
                            let d = features.dim
                            var sub = [Float](repeating: 0, count: rows.count * d)
                            for (j, i) in rows.enumerated() { for f in 0..<d { sub[j * d + f] = data[i * d + f] } }
                            r = try KMeans.fit(data: sub, d: d, k: k, nInit: nInit, maxIter: config.clustering.maxIter, seed: seed)
                        } else {
                            r = try KMeans.fit(data: data, n: nFit(h), d: features.dim, k: k, nInit: nInit,
                                               maxIter: config.clustering.maxIter, seed: seed)
                        }
                        meanCentroids["\(cond.name) \(k) \(h)"] = (r.centroids, Date().timeIntervalSince(t1))
                    }
                }
            }
        }
        if !meanConds.isEmpty {
            if let sliding {
                try sliding.withCompactedRows(utterances: trainUtterances, lag: lag) { p, n in
                    precondition(n == sets.train.count)
                    try fitMeans(p)
                }
            } else {
                let trainMean = features.meanFeatures(sets.train, lag: lag)
                try trainMean.withUnsafeBufferPointer { try fitMeans($0.baseAddress!) }
            }
        }

        var conditions: [OrderedJSON] = []
        for cond in config.clustering.conditions {
            var models: [Model] = []
            switch cond.type {
            case .meanPoolVQ, .pcaVQ:
                for k in sweepKs(config, cond) {
                    if k == cond.k {
                        models.append(Model(k: k, nInit: config.clustering.nInit, fromMainFit: true, labels: mainLabels(cond.name, false),
                                            holdoutLabels: config.metrics.holdout ? mainLabels(cond.name, true) : nil, fitSeconds: 0))
                        continue
                    }
                    guard k <= sets.train.count else {
                        log("fit: k-sweep \(cond.name): K = \(k) exceeds the \(sets.train.count) train samples, skipped"); continue
                    }
                    var files_: [Bool: String] = [:]
                    var seconds = 0.0
                    for h in variants where k <= nFit(h) {
                        let t1 = Date()
                        let labels: [Int32]
                        if cond.type == .meanPoolVQ {
                            let m = meanCentroids["\(cond.name) \(k) \(h)"]!
                            labels = Conditioning.assignMean(features: features, sliding: sliding, lag: lag, table: table,
                                                             centroids: m.centroids, k: k).0
                            seconds += m.seconds
                        } else {
                            let p = cond.pcaDim ?? 0
                            let proj = pcas["\(p)\(h)"]!.projections
                            let fitRows = sets.train[0..<nFit(h)]
                            let pts = Conditioning.gather(proj, rows: sampleRows(fitRows.count, cap: cap).map { r in ArraySlice(r.map { fitRows[$0] }) } ?? fitRows, width: p)
                            let r = try KMeans.fit(data: pts, d: p, k: k, nInit: nInit, maxIter: config.clustering.maxIter, seed: seed)
                            labels = proj.withUnsafeBufferPointer {
                                assignNearest(points: $0.baseAddress!, n: table.count, d: p, centroids: r.centroids, k: k).labels
                            }
                        }
                        try writeLabels(labels, nClusters: k, to: sweepFile(cond.name, k, h))
                        files_[h] = sweepFile(cond.name, k, h).lastPathComponent
                        seconds += Date().timeIntervalSince(t1)
                    }
                    models.append(Model(k: k, nInit: nInit, fromMainFit: false, labels: files_[false]!, holdoutLabels: files_[true],
                                        fitSeconds: seconds))
                }
            case .pcaQuartile:
                let p = cond.pcaDim ?? 0
                for q in 1...max(p, 1) {
                    let k = 1 << (2 * q)
                    if q == p {
                        models.append(Model(k: k, pcaDim: q, nInit: nil, fromMainFit: true, labels: mainLabels(cond.name, false),
                                            holdoutLabels: config.metrics.holdout ? mainLabels(cond.name, true) : nil, fitSeconds: 0))
                        continue
                    }
                    let t1 = Date()
                    var files_: [Bool: String] = [:]
                    for h in variants {
                        let first = leadingColumns(pcas["\(p)\(h)"]!.projections, width: p, keep: q)
                        let bins = try QuartileBins.fit(points: Conditioning.gather(first, rows: sets.train[0..<nFit(h)], width: q), dims: q)
                        try writeLabels(bins.assign(points: first), nClusters: k, to: sweepFile(cond.name, k, h))
                        files_[h] = sweepFile(cond.name, k, h).lastPathComponent
                    }
                    models.append(Model(k: k, pcaDim: q, nInit: nil, fromMainFit: false, labels: files_[false]!, holdoutLabels: files_[true],
                                        fitSeconds: Date().timeIntervalSince(t1)))
                }
            }
            var items: [(String, OrderedJSON)] = [("condition", .string(cond.name)), ("type", .string(cond.type.rawValue))]
            if let k = cond.k { items.append(("configured_k", .int(k))) }
            if let p = cond.pcaDim { items.append(("configured_pca_dim", .int(p))) }
            items.append(("models", .array(models.map(\.json))))
            conditions.append(.object(items))
            log(String(format: "fit: k-sweep lag %d %@: %d models, %.1f s of fitting", lag, cond.name, models.count,
                       models.reduce(0) { $0 + $1.fitSeconds }))
        }
        let manifest = OrderedJSON.object([
            ("lag", .int(lag)), ("k_sweep", config.metrics.kSweep.json), ("n_init_sweep", .int(nInit)),
            ("n_init_configured", .int(config.clustering.nInit)), ("max_iter", .int(config.clustering.maxIter)),
            ("max_fit_samples", cap > 0 ? .int(cap) : .null),
            ("seed", .int(config.seed)), ("holdout", .bool(config.metrics.holdout)),
            ("fit_seconds", .double(Date().timeIntervalSince(t0))), ("conditions", .array(conditions)),
        ])
        try AtomicFile.write(manifest.serialized(), to: manifestURL(files, lag: lag))
        log(String(format: "fit: k-sweep lag %d in %.1f s", lag, Date().timeIntervalSince(t0)))
    }

    /// Evenly spaced rows ⌊j·n/cap⌋, j < cap, when 0 < cap < n; nil when every row is used.
    static func sampleRows(_ n: Int, cap: Int) -> [Int]? {
        guard cap > 0, n > cap else { return nil }
        return (0..<cap).map { $0 * n / cap }
    }

    /// The K values of a k-means condition's sweep: `k_sweep` plus the configured K, ascending.
    static func sweepKs(_ config: Phase0Config, _ cond: Phase0Config.Condition) -> [Int] {
        Array(Set(config.metrics.kSweep + (cond.k.map { [$0] } ?? []))).sorted()
    }

    /// Columns 0..<keep of a [N, width] matrix.
    static func leadingColumns(_ m: [Float], width: Int, keep: Int) -> [Float] {
        let n = m.count / width
        var out = [Float](repeating: 0, count: n * keep)
        for i in 0..<n { for j in 0..<keep { out[i * keep + j] = m[i * width + j] } }
        return out
    }

    /// uint16 labels when every id fits, else int32.
    static func writeLabels(_ labels: [Int32], nClusters: Int, to url: URL) throws {
        if nClusters <= 1 << 16 {
            var data = Data(count: labels.count * 2)
            data.withUnsafeMutableBytes { b in
                for (i, l) in labels.enumerated() { b.storeBytes(of: UInt16(truncatingIfNeeded: l).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
            }
            try NPY.write(try NPYArray(shape: [labels.count], dtype: .uint16, data: data), to: url)
        } else {
            try NPY.write(int32s: labels, shape: [labels.count], to: url)
        }
    }

    /// Reads a label file, checking its length and range.
    static func readLabels(_ url: URL, count: Int, nClusters: Int) throws -> [Int32] {
        guard FileManager.default.fileExists(atPath: url.path) else { throw EngramError(url.path, "missing (rerun `engram phase0 fit`)") }
        let a = try NPY.read(url)
        guard a.shape == [count] else { throw EngramError(url.path, "has shape \(a.shape), expected [\(count)] (rerun fit)") }
        let v = try a.int64s()
        if let bad = v.firstIndex(where: { $0 < 0 || $0 >= Int64(nClusters) }) {
            throw EngramError(url.path, "id \(v[bad]) at row \(bad) is outside 0..<\(nClusters)")
        }
        return v.map { Int32($0) }
    }

    // MARK: evaluate step

    /// Scores the models listed in the fit step's manifest and writes `k_sweep_lag{L}.json`; without a
    /// manifest (sweep disabled) any stale result is removed.
    static func score(config: Phase0Config, table: FrameTable, targets: NormalizedTargets, holdoutVal: Set<String>,
                      files: ConditioningFiles, log: (String) -> Void) throws {
        let lag = ClusterPlotData.plotLag(config)
        let out = url(files, lag: lag), mURL = manifestURL(files, lag: lag)
        guard !config.metrics.kSweep.isEmpty, FileManager.default.fileExists(atPath: mURL.path) else {
            try? FileManager.default.removeItem(at: out); return
        }
        let t0 = Date()
        struct Manifest: Decodable {
            struct M: Decodable { var k: Int; var pca_dim: Int?; var n_init: Int?; var from_main_fit: Bool; var labels: String; var holdout_labels: String?; var fit_seconds: Double }
            struct C: Decodable { var condition: String; var type: String; var configured_k: Int?; var configured_pca_dim: Int?; var models: [M] }
            var lag: Int; var k_sweep: [Int]; var n_init_sweep: Int; var n_init_configured: Int; var max_iter: Int; var seed: Int
            var holdout: Bool; var conditions: [C]
        }
        let m: Manifest
        do { m = try OrderedJSON.decoder.decode(Manifest.self, from: Data(contentsOf: mURL)) } catch {
            throw EngramError(mURL.path, "not a k-sweep manifest: \(error)")
        }
        var train: [Int32] = [], eval: [Int32] = [], fit: [Int32] = [], val: [Int32] = []
        for i in 0..<table.count {
            if table.split(ofFrame: i) == .train {
                train.append(Int32(i))
                if holdoutVal.contains(table.utteranceIds[Int(table.utterance[i])]) { val.append(Int32(i)) } else { fit.append(Int32(i)) }
            } else { eval.append(Int32(i)) }
        }
        let minSize = config.clustering.minClusterSize
        func sums(_ frames: [Int32], _ labels: [Int32], _ dense: [Int32], _ nEff: Int) -> GroupSums {
            GroupSums.accumulate(targets, samples: frames, group: frames.map { dense[Int(labels[Int($0)])] }, nGroups: nEff, keepSums: true)
        }
        var conditions: [OrderedJSON] = []
        for c in m.conditions {
            var points: [OrderedJSON] = []
            for model in c.models {
                let full = try readLabels(files.dir.appendingPathComponent(model.labels), count: table.count, nClusters: model.k)
                let stats = ClusterStats(labels: full, frames: train, nClusters: model.k, minClusterSize: minSize)
                let (dense, nEff) = Metrics.denseIndex(stats)
                let tr = sums(train, full, dense, nEff), ev = sums(eval, full, dense, nEff)
                var items: [(String, OrderedJSON)] = [("k", .int(model.k))]
                if let p = model.pca_dim { items.append(("pca_dim", .int(p))) }
                items += [("n_init", model.n_init.map { .int($0) } ?? .null), ("from_main_fit", .bool(model.from_main_fit)),
                          ("n_effective_clusters", .int(nEff)), ("excluded_mass_train", .double(stats.excludedMass)),
                          ("train_variance_ratio", .double(tr.varianceRatio(bin: 0))),
                          ("eval_variance_ratio", .double(ev.varianceRatio(bin: 0))),
                          ("eval_variance_ratio_train_means", .double(ev.varianceRatio(against: tr.means)))]
                if let h = model.holdout_labels {
                    let hl = try readLabels(files.dir.appendingPathComponent(h), count: table.count, nClusters: model.k)
                    let hs = ClusterStats(labels: hl, frames: fit, nClusters: model.k, minClusterSize: minSize)
                    let (hd, hn) = Metrics.denseIndex(hs)
                    let v = sums(val, hl, hd, hn)
                    items += [("holdout_variance_ratio", .double(v.varianceRatio(bin: 0))),
                              ("holdout_variance_ratio_fit_means", .double(v.varianceRatio(against: sums(fit, hl, hd, hn).means))),
                              ("holdout_n_effective_clusters", .int(hn))]
                }
                items.append(("fit_seconds", .double(model.fit_seconds)))
                points.append(.object(items))
            }
            var items: [(String, OrderedJSON)] = [("condition", .string(c.condition)), ("type", .string(c.type))]
            if let k = c.configured_k { items.append(("configured_k", .int(k))) }
            if let p = c.configured_pca_dim { items.append(("configured_pca_dim", .int(p))) }
            items.append(("points", .array(points)))
            conditions.append(.object(items))
        }
        let json = OrderedJSON.object([
            ("lag", .int(m.lag)), ("k_sweep", m.k_sweep.json), ("n_init_sweep", .int(m.n_init_sweep)),
            ("n_init_configured", .int(m.n_init_configured)), ("max_iter", .int(m.max_iter)), ("seed", .int(m.seed)),
            ("min_cluster_size", .int(minSize)), ("holdout", .bool(m.holdout)),
            ("n_train_samples", .int(train.count)), ("n_eval_samples", .int(eval.count)),
            ("n_holdout_fit_samples", .int(m.holdout ? fit.count : 0)), ("n_holdout_val_samples", .int(m.holdout ? val.count : 0)),
            ("conditions", .array(conditions)),
        ])
        try AtomicFile.write(json.serialized(), to: out)
        log(String(format: "evaluate: k-sweep (lag %d) scored in %.1f s → %@", m.lag, Date().timeIntervalSince(t0), out.path))
    }
}
