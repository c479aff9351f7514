import Foundation
import EngramCore
import Formats

/// The evaluate step (SPEC §5): every metric per condition × lag × slice × split from the saved
/// assignments (`ConditioningFiles`), written as `metrics.json` and `tables.csv`.
public enum Metrics {
    /// Computes the records. `targets` holds the normalised Δx of every frame of `table`;
    /// `holdoutVal` lists the `train_utt_ids_val` utterances (used when `metrics.holdout` is on).
    public static func evaluate(config: Phase0Config, table: FrameTable, targets: NormalizedTargets, holdoutVal: Set<String>,
                                files: ConditioningFiles, log: (String) -> Void = { printErr($0) }) throws -> [MetricsRecord] {
        let geometry = try ContextGeometry(config)
        // Dense speaker indices.
        let speakerIds = Array(Set(table.utteranceSpeaker)).sorted()
        var speakerIndex: [Int: Int32] = [:]
        for (i, s) in speakerIds.enumerated() { speakerIndex[s] = Int32(i) }
        let frameSpeaker = (0..<table.count).map { speakerIndex[table.speakerId(ofFrame: $0)]! }
        var trainFrames: [Int32] = [], evalFrames: [Int32] = [], fitFrames: [Int32] = [], valFrames: [Int32] = []
        for i in 0..<table.count {
            if table.split(ofFrame: i) == .train {
                trainFrames.append(Int32(i))
                if holdoutVal.contains(table.utteranceIds[Int(table.utterance[i])]) { valFrames.append(Int32(i)) } else { fitFrames.append(Int32(i)) }
            } else {
                evalFrames.append(Int32(i))
            }
        }
        let seed = UInt64(config.seed)
        let minSize = config.clustering.minClusterSize
        var records: [MetricsRecord] = []
        for lag in geometry.lags {
            for cond in config.clustering.conditions {
                let t0 = Date()
                let nClusters = cond.type == .pcaQuartile ? 1 << (2 * (cond.pcaDim ?? 0)) : (cond.k ?? 0)
                let labels = try files.readLabels(cond.name, lag: lag, count: table.count, nClusters: nClusters)
                let stats = ClusterStats(labels: labels, frames: trainFrames, nClusters: nClusters, minClusterSize: minSize)
                let (dense, nEff) = denseIndex(stats)
                func groups(_ frames: [Int32], _ l: [Int32]) -> [Int32] { frames.map { dense[Int(l[Int($0)])] } }

                // The lookup table: train cluster means on all train samples.
                let trainAll = GroupedMoments.accumulate(targets: targets, samples: trainFrames, group: groups(trainFrames, labels), nGroups: nEff)
                let trainMeans = PooledScores.means(trainAll)
                try saveClusterDynamics(trainAll, stats: stats, name: cond.name, lag: lag, files: files)

                // Original random baselines: all ids of the split permuted.
                let randomTrainAll = randomBaseline(targets, trainFrames, labels, dense, nEff, seed: seed + 1000)
                let randomEvalAll = randomBaseline(targets, evalFrames, labels, dense, nEff, seed: seed + 2000)

                // Hold-out fit.
                var holdoutLabels: [Int32]? = nil, holdoutDense: [Int32] = [], holdoutNEff = 0, fitMeans: [Double] = [], nFit = 0
                if config.metrics.holdout {
                    let hl = try files.readLabels(cond.name, lag: lag, holdout: true, count: table.count, nClusters: nClusters)
                    let hs = ClusterStats(labels: hl, frames: fitFrames, nClusters: nClusters, minClusterSize: minSize)
                    (holdoutDense, holdoutNEff) = denseIndex(hs)
                    let fitAll = GroupedMoments.accumulate(targets: targets, samples: fitFrames,
                                                           group: fitFrames.map { holdoutDense[Int(hl[Int($0)])] }, nGroups: holdoutNEff)
                    fitMeans = PooledScores.means(fitAll)
                    holdoutLabels = hl
                    nFit = fitFrames.count
                }

                for slice in config.slices {
                    let trainSlice = trainFrames.filter { slice.filter.contains(table, Int($0)) }
                    let evalSlice = evalFrames.filter { slice.filter.contains(table, Int($0)) }
                    if trainSlice.isEmpty || evalSlice.isEmpty {
                        log("warning: \(cond.name) lag \(lag) slice \(slice.name): no \(trainSlice.isEmpty ? "train" : "eval") frames, no record (as the research pipeline)")
                        continue
                    }
                    let train = splitMetrics(targets, trainSlice, groups(trainSlice, labels), nEff, frameSpeaker, speakerIds, trainMeans)
                    let eval = splitMetrics(targets, evalSlice, groups(evalSlice, labels), nEff, frameSpeaker, speakerIds, trainMeans)
                    let isAll = slice.filter == .all
                    let rTrain = isAll ? randomTrainAll : randomBaseline(targets, trainSlice, labels, dense, nEff, seed: seed + 1000)
                    let rEval = isAll ? randomEvalAll : randomBaseline(targets, evalSlice, labels, dense, nEff, seed: seed + 2000)
                    let degradation = eval.varianceRatio - train.varianceRatio
                    var holdout: HoldoutMetrics? = nil
                    if let hl = holdoutLabels {
                        let valSlice = valFrames.filter { slice.filter.contains(table, Int($0)) }
                        let m = GroupedMoments.accumulate(targets: targets, samples: valSlice,
                                                          group: valSlice.map { holdoutDense[Int(hl[Int($0)])] }, nGroups: holdoutNEff)
                        let p = PooledScores(m, withEntropy: false)
                        holdout = HoldoutMetrics(varianceRatio: p.varianceRatio,
                                                 varianceRatioFitMeans: PooledScores.varianceRatio(m, against: fitMeans, total: p.sseTotal),
                                                 nSamples: p.nSamples, nSamplesTotal: valSlice.count,
                                                 excludedMass: valSlice.isEmpty ? 0 : 1 - Double(p.nSamples) / Double(valSlice.count),
                                                 nEffectiveClusters: holdoutNEff, nFitSamples: nFit)
                    }
                    records.append(MetricsRecord(
                        condition: cond.name, type: cond.type.rawValue, lag: lag, slice: slice.name,
                        nEffectiveClusters: nEff, train: train, eval: eval,
                        crossSpeakerDegradation: train.varianceRatio > 0 ? degradation / train.varianceRatio : 0,
                        crossSpeakerDegradationAbsolute: degradation,
                        randomBaselineVarianceRatio: randomTrainAll, randomBaselineEvalVarianceRatio: randomEvalAll,
                        clusterStats: stats.summary, nClusters: nClusters,
                        randomBaselineVarianceRatioSlice: rTrain, randomBaselineEvalVarianceRatioSlice: rEval,
                        holdout: holdout))
                }
                log(String(format: "evaluate lag %d %@: %d effective ids (%.1f s)", lag, cond.name, nEff, Date().timeIntervalSince(t0)))
            }
        }
        return records
    }

    /// Dense index of each id among the effective ids (−1 for the others), and their number.
    static func denseIndex(_ stats: ClusterStats) -> ([Int32], Int) {
        var dense = [Int32](repeating: -1, count: stats.nClusters)
        var n: Int32 = 0
        for (id, size) in stats.sizes.enumerated() where size >= stats.minClusterSize { dense[id] = n; n += 1 }
        return (dense, Int(n))
    }

    /// All metrics of one split on one slice.
    static func splitMetrics(_ targets: NormalizedTargets, _ frames: [Int32], _ groups: [Int32], _ nEff: Int,
                             _ frameSpeaker: [Int32], _ speakerIds: [Int], _ trainMeans: [Double]) -> SplitMetrics {
        let m = GroupedMoments.accumulate(targets: targets, samples: frames, group: groups, nGroups: nEff,
                                          speaker: frames.map { frameSpeaker[Int($0)] }, nSpeakers: speakerIds.count)
        let p = PooledScores(m)
        let s = SpeakerStatistics(m.speakers!, dim: targets.dim, speakerIds: speakerIds)
        let nats = (p.entropy - p.entropyConditional) / Double(targets.dim)
        return SplitMetrics(
            varianceRatio: p.varianceRatio, entropyReduction: p.entropyReduction, nSamples: p.nSamples,
            nSamplesTotal: frames.count, excludedMass: frames.isEmpty ? 0 : 1 - Double(p.nSamples) / Double(frames.count),
            speakerMean: s.mean, speakerStd: s.std, speakerCILower: s.ciLower, speakerCIUpper: s.ciUpper,
            nSpeakers: s.speakers.count,
            varianceRatioTrainMeans: PooledScores.varianceRatio(m, against: trainMeans, total: p.sseTotal),
            entropyReductionNats: nats, entropyReductionBits: nats / log(2.0),
            entropyUnconditional: p.entropy, entropyConditional: p.entropyConditional,
            sseWithin: p.sseWithin, sseTotal: p.sseTotal, speakerMin: s.min, speakerMax: s.max, perSpeaker: s.speakers)
    }

    /// VR with the learned ids of `frames` permuted (numpy `default_rng(seed).shuffle`), restricted to
    /// the effective ids.
    static func randomBaseline(_ targets: NormalizedTargets, _ frames: [Int32], _ labels: [Int32], _ dense: [Int32],
                               _ nEff: Int, seed: UInt64) -> Double {
        var ids = frames.map { labels[Int($0)] }
        var rng = NumpyPCG64(seed: seed)
        rng.shuffle(&ids)
        let m = GroupedMoments.accumulate(targets: targets, samples: frames, group: ids.map { dense[Int($0)] }, nGroups: nEff)
        return PooledScores(m, withEntropy: false).varianceRatio
    }

    /// Per effective cluster on all train samples: `{name}_lag{L}_train_cluster_means.npy` (float32
    /// [n_eff, D], normalised Δx) and `{name}_lag{L}_cluster_dynamics.json` (ids, sizes, mean squared
    /// deviation Σ‖z − m_c‖²/n_c), for the plots.
    static func saveClusterDynamics(_ m: GroupedMoments, stats: ClusterStats, name: String, lag: Int, files: ConditioningFiles) throws {
        let d = m.dim
        let means = PooledScores.means(m)
        var msd = [Double](repeating: 0, count: m.nGroups)
        for g in 0..<m.nGroups where m.count[g] > 0 {
            var s = 0.0
            for j in 0..<d { s += m.sumSquares[g * d + j] - m.sum[g * d + j] * m.sum[g * d + j] / Double(m.count[g]) }
            msd[g] = max(s, 0) / Double(m.count[g])
        }
        try NPY.write(floats: means.map { Float($0) }, shape: [m.nGroups, d], to: files.file(name, lag: lag, "train_cluster_means.npy"))
        let json = OrderedJSON.object([
            ("effective_cluster_ids", stats.effectiveIds.json), ("cluster_sizes", m.count.json),
            ("mean_squared_deviation", msd.json), ("dim", .int(d)),
        ])
        try AtomicFile.write(json.serialized(), to: files.file(name, lag: lag, "cluster_dynamics.json"))
    }
}
