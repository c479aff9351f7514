import Foundation
import EngramCore
import Formats
import Numerics

/// The fit step (SPEC §4): per lag, normalisation stats, PCA and k-means / quartile bins fitted
/// once on all train-speaker frames, every frame assigned, everything saved under
/// `output.conditioning_dir` (see `ConditioningFiles`) so evaluation and plots reuse it. With
/// `metrics.holdout` a second set is fitted on the `train_utt_train` frames only.
public enum Conditioning {
    /// What was fitted (also written as `fit_summary.json`).
    public struct Summary: Sendable {
        public struct Entry: Sendable {
            public var condition: String
            public var type: String
            public var lag: Int
            public var holdout: Bool
            public var nFitSamples: Int
            public var nClusters: Int
            public var nEffectiveClusters: Int
            public var excludedMass: Double
            public var inertia: Double?
            public var nIter: Int?
            public var explainedVarianceRatio: [Double]?
            public var seconds: Double
        }
        public var entries: [Entry] = []
        public var nTrainFrames = 0
        public var nFitFrames = 0
        public var nValFrames = 0
        public var nFrames = 0
        /// `clustering.kmeans_max_samples` (0: every fit sample).
        public var kmeansMaxSamples = 0

        var json: OrderedJSON {
            .object([
                ("n_frames", .int(nFrames)), ("kmeans_max_samples", .int(kmeansMaxSamples)), ("n_train_frames", .int(nTrainFrames)),
                ("n_holdout_fit_frames", .int(nFitFrames)), ("n_holdout_val_frames", .int(nValFrames)),
                ("models", .array(entries.map { e in
                    var items: [(String, OrderedJSON)] = [
                        ("condition", .string(e.condition)), ("type", .string(e.type)), ("lag", .int(e.lag)),
                        ("holdout", .bool(e.holdout)), ("n_fit_samples", .int(e.nFitSamples)),
                        ("n_clusters", .int(e.nClusters)), ("n_effective_clusters", .int(e.nEffectiveClusters)),
                        ("excluded_mass", .double(e.excludedMass)), ("seconds", .double(e.seconds)),
                    ]
                    if let v = e.inertia { items.append(("inertia", .double(v))) }
                    if let v = e.nIter { items.append(("n_iter", .int(v))) }
                    if let v = e.explainedVarianceRatio { items.append(("pca_explained_variance_ratio", v.json)) }
                    return .object(items)
                })),
            ])
        }
    }

    /// Buffer order that lets `fit` compute mean features in place: the hold-out fit utterances, then
    /// the val utterances, then the eval utterances, each in table order.
    public static func trainLayout(table: FrameTable, holdoutVal: Set<String>) -> [Int] {
        var fit: [Int] = [], val: [Int] = [], eval: [Int] = []
        for (u, id) in table.utteranceIds.enumerated() {
            if table.utteranceSplit[u] == .eval { eval.append(u) } else if holdoutVal.contains(id) { val.append(u) } else { fit.append(u) }
        }
        return fit + val + eval
    }

    /// Train frames ordered fit part (`train_utt_train`) first, then the hold-out val part.
    struct SampleSets {
        var train: [Int32] = []
        /// `train[0..<fitCount]` are the hold-out fit frames.
        var fitCount = 0
        var val: [Int32] { Array(train[fitCount...]) }
        var fit: ArraySlice<Int32> { train[0..<fitCount] }

        init(table: FrameTable, holdoutVal: Set<String>) {
            var fit: [Int32] = [], val: [Int32] = []
            for i in 0..<table.count where table.split(ofFrame: i) == .train {
                if holdoutVal.contains(table.utteranceIds[Int(table.utterance[i])]) { val.append(Int32(i)) } else { fit.append(Int32(i)) }
            }
            train = fit + val
            fitCount = fit.count
        }
    }

    /// Fits every condition at every lag on the frames of `table` (latents in `corpus`) and writes the
    /// files. `holdoutVal`: the `train_utt_ids_val` utterances (used when `metrics.holdout` is on).
    ///
    /// With `consumingLatents` the corpus buffer may be overwritten (sliding means for the
    /// `mean_pool_vq` k-means, no second matrix) when its layout puts the train utterances first, fit
    /// part then val part (see `trainLayout`); the corpus must not be used afterwards.
    public static func fit(config: Phase0Config, table: FrameTable, corpus: LatentCorpus, holdoutVal: Set<String>,
                           consumingLatents: Bool = false, log: (String) -> Void = { printErr($0) }) throws -> Summary {
        let geometry = try ContextGeometry(config)
        let files = ConditioningFiles(config: config)
        try createDirectory(files.dir)
        let features = ContextFeatures(corpus: corpus, table: table, geometry: geometry)
        let sets = SampleSets(table: table, holdoutVal: holdoutVal)
        guard !sets.train.isEmpty else { throw EngramError(config.output.framesIndex, "no train frames to fit on") }
        let doHoldout = config.metrics.holdout
        if doHoldout && (sets.fitCount == 0 || sets.fitCount == sets.train.count) {
            throw EngramError("metrics.holdout", "the hold-out needs train frames in both train_utt_ids_train and train_utt_ids_val (have \(sets.fitCount) fit and \(sets.train.count - sets.fitCount) val frames); set metrics.holdout: false or splits.utt_holdout_frac > 0")
        }
        if config.clustering.kmeansMaxSamples > 0 && sets.train.count > config.clustering.kmeansMaxSamples {
            log("fit: clustering.kmeans_max_samples = \(config.clustering.kmeansMaxSamples): k-means fitted on that many evenly spaced train rows (not SPEC; 0 = all)")
        }
        var summary = Summary()
        summary.nFrames = table.count
        summary.kmeansMaxSamples = config.clustering.kmeansMaxSamples
        summary.nTrainFrames = sets.train.count
        summary.nFitFrames = doHoldout ? sets.fitCount : 0
        summary.nValFrames = doHoldout ? sets.train.count - sets.fitCount : 0

        // Normalisation: Δx does not depend on the lag and every lag uses the same frames, so the
        // statistics are the same for every lag; written once per lag as the research pipeline does.
        let norm = try NormStats.fit(corpus: corpus, targetRows: sets.train.map { features.targetRow[Int($0)] })
        for lag in geometry.lags { try norm.write(to: files.normStats(lag: lag)) }

        let seed = UInt64(config.seed)
        let variants: [Bool] = doHoldout ? [false, true] : [false]
        // PCA of the flat contexts for every lag, pca_dim and variant, from one pass over the latents.
        let pcaDims = Set(config.clustering.conditions.compactMap { $0.type == .meanPoolVQ ? nil : $0.pcaDim }).sorted()
        var pcaModels: [String: PCA] = [:]
        if let big = pcaDims.last {
            guard big <= features.flatDim else {
                throw EngramError("clustering.conditions", "pca_dim \(big) exceeds the flat context size W·D = \(features.flatDim)")
            }
            let t0 = Date()
            let (fitCov, valCov) = windowCovariances(features: features, table: table, sets: sets, geometry: geometry)
            for lag in geometry.lags {
                if doHoldout { for p in pcaDims { pcaModels["\(lag) \(p) true"] = try fitCov.pca(lag: lag, components: p) } }
            }
            fitCov.merge(valCov)
            for lag in geometry.lags { for p in pcaDims { pcaModels["\(lag) \(p) false"] = try fitCov.pca(lag: lag, components: p) } }
            log(String(format: "fit: PCA covariances of %d flat contexts (%d-d) at lags %@ in %.1f s", sets.train.count,
                       features.flatDim, "\(geometry.lags)", Date().timeIntervalSince(t0)))
        }
        // Projections of every frame for every lag (they need the raw latents).
        var projections: [String: (pca: PCA, projections: [Float])] = [:]
        for lag in geometry.lags {
            for holdout in variants {
                for p in pcaDims {
                    let pca = pcaModels["\(lag) \(p) \(holdout)"]!
                    projections["\(lag) \(p) \(holdout)"] = (pca, features.project(pca: pca, lag: lag, table: table))
                }
            }
        }
        // Mean features: in place (sliding means, then the train rows moved into one prefix for
        // k-means) when the caller gives up the latents and the train utterances lead the buffer;
        // otherwise a separate [N_train, D] matrix per lag.
        let meanConditions = config.clustering.conditions.filter { $0.type == .meanPoolVQ }
        let (fitUtts, valUtts, framesOf) = trainUtterances(table: table, sets: sets)
        var sliding: SlidingMeans? = nil
        if consumingLatents && !meanConditions.isEmpty
            && SlidingMeans.canCompact(corpus: corpus, geometry: geometry, utterances: fitUtts + valUtts, frames: framesOf) {
            sliding = SlidingMeans(transforming: corpus, geometry: geometry)
        }
        for lag in geometry.lags {
            var pcas: [String: (pca: PCA, projections: [Float])] = [:]
            for holdout in variants { for p in pcaDims { pcas["\(p)\(holdout)"] = projections["\(lag) \(p) \(holdout)"] } }
            // k-means of the mean features, every mean_pool_vq condition and variant.
            var meanFits: [String: KMeansResult] = [:]
            if !meanConditions.isEmpty {
                let t0 = Date()
                func fitAll(_ data: UnsafePointer<Float>) throws {
                    for cond in meanConditions {
                        for holdout in variants {
                            let n = holdout ? sets.fitCount : sets.train.count
                            try checkEnough(cond, n, cond.k ?? 0)
                            if let rows = KSweep.sampleRows(n, cap: config.clustering.kmeansMaxSamples) {
                                let d = corpus.dim
                                var sub = [Float](repeating: 0, count: rows.count * d)
                                for (j, i) in rows.enumerated() { for f in 0..<d { sub[j * d + f] = data[i * d + f] } }
                                meanFits["\(cond.name)\(holdout)"] = try KMeans.fit(
                                    data: sub, d: d, k: cond.k ?? 0, nInit: config.clustering.nInit,
                                    maxIter: config.clustering.maxIter, seed: seed)
                            } else {
                                meanFits["\(cond.name)\(holdout)"] = try KMeans.fit(
                                    data: data, n: n, d: corpus.dim, k: cond.k ?? 0, nInit: config.clustering.nInit,
                                    maxIter: config.clustering.maxIter, seed: seed)
                            }
                        }
                    }
                }
                if let sliding {
                    try sliding.withCompactedRows(utterances: fitUtts + valUtts, lag: lag) { p, n in
                        precondition(n == sets.train.count)
                        try fitAll(p)
                    }
                } else {
                    let trainMean = features.meanFeatures(sets.train, lag: lag)
                    try trainMean.withUnsafeBufferPointer { try fitAll($0.baseAddress!) }
                }
                log(String(format: "fit lag %d: k-means of mean features (%d condition(s)) in %.1f s%@", lag, meanConditions.count,
                           Date().timeIntervalSince(t0), sliding == nil ? "" : " (in place)"))
            }
            for cond in config.clustering.conditions {
                for holdout in variants {
                    let t0 = Date()
                    let fitRows = holdout ? sets.fitCount : sets.train.count
                    try checkMinClusterSize(config, fitRows, lag: lag, holdout: holdout)
                    let model: ConditionModel
                    var labels: [Int32]
                    var distances: [Float]? = nil
                    var inertia: Double? = nil, nIter: Int? = nil
                    switch cond.type {
                    case .meanPoolVQ:
                        let k = cond.k ?? 0
                        let r = meanFits["\(cond.name)\(holdout)"]!
                        model = .meanPoolVQ(centroids: r.centroids, k: k)
                        inertia = r.inertia; nIter = r.nIter
                        (labels, distances) = assignMean(features: features, sliding: sliding, lag: lag, table: table,
                                                         centroids: r.centroids, k: k)
                    case .pcaVQ:
                        let k = cond.k ?? 0, p = cond.pcaDim ?? 0
                        try checkEnough(cond, fitRows, k)
                        let (pca, proj) = pcas["\(p)\(holdout)"]!
                        let fitSet = sets.train[0..<fitRows]
                        let kmRows = KSweep.sampleRows(fitRows, cap: config.clustering.kmeansMaxSamples).map { r in ArraySlice(r.map { fitSet[$0] }) }
                        let pts = gather(proj, rows: kmRows ?? fitSet, width: p)
                        let r = try KMeans.fit(data: pts, d: p, k: k, nInit: config.clustering.nInit,
                                               maxIter: config.clustering.maxIter, seed: seed)
                        model = .pcaVQ(pca: pca, centroids: r.centroids, k: k)
                        inertia = r.inertia; nIter = r.nIter
                        (labels, distances) = proj.withUnsafeBufferPointer {
                            assignNearest(points: $0.baseAddress!, n: table.count, d: p, centroids: r.centroids, k: k)
                        }
                    case .pcaQuartile:
                        let p = cond.pcaDim ?? 0
                        let (pca, proj) = pcas["\(p)\(holdout)"]!
                        let bins = try QuartileBins.fit(points: gather(proj, rows: sets.train[0..<fitRows], width: p), dims: p)
                        model = .pcaQuartile(pca: pca, bins: bins)
                        labels = bins.assign(points: proj)
                        distances = bins.centreDistances(points: proj, fitPoints: gather(proj, rows: sets.train[0..<fitRows], width: p))
                    }
                    let fitFrames = Array(sets.train[0..<fitRows])
                    let stats = ClusterStats(labels: labels, frames: fitFrames, nClusters: model.nClusters,
                                             minClusterSize: config.clustering.minClusterSize)
                    let seconds = Date().timeIntervalSince(t0)
                    try save(model: model, condition: cond, lag: lag, holdout: holdout, labels: labels, distances: distances,
                             stats: stats, inertia: inertia, nIter: nIter, nFit: fitRows, files: files)
                    summary.entries.append(.init(condition: cond.name, type: cond.type.rawValue, lag: lag, holdout: holdout,
                                                 nFitSamples: fitRows, nClusters: model.nClusters,
                                                 nEffectiveClusters: stats.effectiveIds.count, excludedMass: stats.excludedMass,
                                                 inertia: inertia, nIter: nIter, explainedVarianceRatio: model.pca?.explainedVarianceRatio,
                                                 seconds: seconds))
                    log(String(format: "fit lag %d: %@%@: %d/%d effective ids, excluded mass %.3f (%.1f s)", lag, cond.name,
                               holdout ? " (hold-out)" : "", stats.effectiveIds.count, model.nClusters, stats.excludedMass, seconds))
                }
            }
            if lag == ClusterPlotData.plotLag(config) {
                if config.metrics.kSweep.isEmpty { try? FileManager.default.removeItem(at: KSweep.manifestURL(files, lag: lag)) } else {
                    try KSweep.fit(config: config, lag: lag, features: features, table: table, sets: sets, pcas: pcas, sliding: sliding,
                                   trainUtterances: fitUtts + valUtts, files: files, log: log)
                }
            }
        }
        try AtomicFile.write(summary.json.serialized(), to: files.summary)
        return summary
    }

    /// min_cluster_size above the number of train samples would make every cluster ineffective and
    /// every metric empty: an error naming the config file and key, not a silently empty analysis.
    static func checkMinClusterSize(_ config: Phase0Config, _ n: Int, lag: Int, holdout: Bool) throws {
        let m = config.clustering.minClusterSize
        if m > n {
            let file = config.sourceFile.isEmpty ? "" : "\(config.sourceFile): "
            throw EngramError(file + "clustering.min_cluster_size",
                              "\(m) is larger than the \(n) train samples of lag \(lag)\(holdout ? " (hold-out fit)" : ""): no cluster could reach it; lower it or use more data")
        }
    }

    /// Window covariances of the hold-out fit part and the val part of the train frames.
    static func windowCovariances(features: ContextFeatures, table: FrameTable, sets: SampleSets,
                                  geometry: ContextGeometry) -> (fit: WindowCovariance, val: WindowCovariance) {
        let corpus = features.corpus
        let d = corpus.dim
        // Shift: mean of (up to) the first 4096 train target rows.
        var shift = [Double](repeating: 0, count: d)
        let probe = sets.train.prefix(4096)
        for f in probe { let r = corpus.x + features.targetRow[Int(f)] * d; for j in 0..<d { shift[j] += Double(r[j]) } }
        let shiftF = shift.map { Float($0 / Double(max(probe.count, 1))) }
        let (fitUtts, valUtts, framesOf) = trainUtterances(table: table, sets: sets)
        let fit = WindowCovariance(dim: d, geometry: geometry, shift: shiftF)
        fit.add(corpus: corpus, utterances: fitUtts, frames: framesOf, geometry: geometry)
        let val = WindowCovariance(dim: d, geometry: geometry, shift: shiftF)
        val.add(corpus: corpus, utterances: valUtts, frames: framesOf, geometry: geometry)
        return (fit, val)
    }

    /// Train utterances of the fit part and of the val part (order of first appearance) and the
    /// target frames of each utterance, ascending.
    static func trainUtterances(table: FrameTable, sets: SampleSets) -> (fit: [Int], val: [Int], frames: [[Int32]]) {
        var framesOf = [[Int32]](repeating: [], count: table.utteranceIds.count)
        var fitUtts: [Int] = [], valUtts: [Int] = []
        for (j, f) in sets.train.enumerated() {
            let u = Int(table.utterance[Int(f)])
            if framesOf[u].isEmpty { if j < sets.fitCount { fitUtts.append(u) } else { valUtts.append(u) } }
            framesOf[u].append(table.t[Int(f)])
        }
        for u in 0..<framesOf.count { framesOf[u].sort() }
        return (fitUtts, valUtts, framesOf)
    }

    static func checkEnough(_ cond: Phase0Config.Condition, _ n: Int, _ k: Int) throws {
        if n < k {
            throw EngramError("clustering.conditions.\(cond.name)", "k = \(k) exceeds the \(n) samples to fit on")
        }
    }

    /// Rows `rows` of a [N, width] matrix.
    static func gather(_ m: [Float], rows: ArraySlice<Int32>, width: Int) -> [Float] {
        var out = [Float](); out.reserveCapacity(rows.count * width)
        for r in rows { let b = Int(r) * width; out.append(contentsOf: m[b..<(b + width)]) }
        return out
    }

    /// Labels and distances of every frame for a mean_pool_vq model, mean features taken from the
    /// sliding means when the buffer holds them, else computed, in blocks of frames.
    static func assignMean(features: ContextFeatures, sliding: SlidingMeans?, lag: Int, table: FrameTable,
                           centroids: [Float], k: Int) -> ([Int32], [Float]) {
        let d = features.dim
        var labels = [Int32](repeating: 0, count: table.count)
        var dist = [Float](repeating: 0, count: table.count)
        let block = 65536
        var lo = 0
        while lo < table.count {
            let hi = min(table.count, lo + block)
            let chunk = (lo..<hi).map { Int32($0) }
            var m: [Float]
            if let sliding {
                m = [Float](repeating: 0, count: chunk.count * d)
                for (r, f) in chunk.enumerated() {
                    let src = sliding.row(Int(table.utterance[Int(f)]), Int(table.t[Int(f)]), lag: lag)
                    for j in 0..<d { m[r * d + j] = src[j] }
                }
            } else {
                m = features.meanFeatures(chunk, lag: lag)
            }
            let r = m.withUnsafeBufferPointer { assignNearest(points: $0.baseAddress!, n: chunk.count, d: d, centroids: centroids, k: k) }
            for j in 0..<chunk.count { labels[lo + j] = r.labels[j]; dist[lo + j] = r.distances[j] }
            lo = hi
        }
        return (labels, dist)
    }

    static func save(model: ConditionModel, condition c: Phase0Config.Condition, lag: Int, holdout: Bool, labels: [Int32],
                     distances: [Float]?, stats: ClusterStats, inertia: Double?, nIter: Int?, nFit: Int, files: ConditioningFiles) throws {
        let name = c.name
        try NPY.write(int32s: labels, shape: [labels.count], to: files.labels(name, lag: lag, holdout: holdout))
        if let distances { try NPY.write(floats: distances, shape: [distances.count], to: files.distances(name, lag: lag, holdout: holdout)) }
        var modelItems: [(String, OrderedJSON)] = [
            ("condition", .string(name)), ("type", .string(c.type.rawValue)), ("lag", .int(lag)), ("holdout", .bool(holdout)),
            ("n_clusters", .int(model.nClusters)), ("n_train_samples", .int(nFit)),
        ]
        if let k = c.k { modelItems.append(("k", .int(k))) }
        if let p = c.pcaDim { modelItems.append(("pca_dim", .int(p))) }
        if let v = inertia { modelItems.append(("inertia", .double(v))) }
        if let v = nIter { modelItems.append(("n_iter", .int(v))) }
        switch model {
        case .meanPoolVQ(let cent, let k):
            try NPY.write(floats: cent, shape: [k, cent.count / k], to: files.centroids(name, lag: lag, holdout: holdout))
        case .pcaVQ(let pca, let cent, let k):
            try savePCA(pca, name, lag, holdout, files)
            try NPY.write(floats: cent, shape: [k, cent.count / k], to: files.centroids(name, lag: lag, holdout: holdout))
        case .pcaQuartile(let pca, let bins):
            try savePCA(pca, name, lag, holdout, files)
            try NPY.write(floats: bins.edges, shape: [bins.dims, 3], to: files.quartileEdges(name, lag: lag, holdout: holdout))
        }
        if let pca = model.pca {
            modelItems.append(("pca_explained_variance_ratio", pca.explainedVarianceRatio.json))
            modelItems.append(("pca_explained_variance", pca.explainedVariance.json))
        }
        try AtomicFile.write(OrderedJSON.object(modelItems).serialized(), to: files.model(name, lag: lag, holdout: holdout))
        try AtomicFile.write(stats.json(quartile: c.type == .pcaQuartile).serialized(), to: files.stats(name, lag: lag, holdout: holdout))
    }

    static func savePCA(_ pca: PCA, _ name: String, _ lag: Int, _ holdout: Bool, _ files: ConditioningFiles) throws {
        try NPY.write(floats: pca.mean, shape: [pca.d], to: files.pcaMean(name, lag: lag, holdout: holdout))
        try NPY.write(floats: pca.components, shape: [pca.k, pca.d], to: files.pcaComponents(name, lag: lag, holdout: holdout))
    }

    static func createDirectory(_ url: URL) throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw EngramError(url.path, "cannot create folder: \(error.localizedDescription)")
        }
    }
}
