import Foundation

/// One row of `metrics.json` (SPEC §5, §7): one condition × lag × slice.
///
/// The keys of the research pipeline come first and keep their names and meaning; our additions
/// (SPEC "Addition") follow under new names, so existing notebooks keep working. Every VR is the
/// variance ratio on normalised Δx of the samples in effective clusters (SPEC §5); NaN where it is
/// undefined (no samples), exactly as the research pipeline writes it.
public struct MetricsRecord: Codable, Equatable, Sendable {
    /// Condition name from the config (e.g. `mean_vq64`).
    public var condition: String
    /// Condition type (`mean_pool_vq`, `pca_vq`, `pca_quartile`).
    public var type: String
    /// Lag L in frames.
    public var lag: Int
    /// Slice name (`all`, `high_energy`, `utterance_medial`, …).
    public var slice: String
    /// Cluster ids with ≥ `min_cluster_size` train samples (counted on all train samples of the lag).
    public var nEffectiveClusters: Int
    public var train: SplitMetrics
    public var eval: SplitMetrics
    /// (VR_eval − VR_train) / VR_train, pooled (0 when VR_train ≤ 0, as the original).
    public var crossSpeakerDegradation: Double
    /// VR_eval − VR_train.
    public var crossSpeakerDegradationAbsolute: Double
    /// Original: VR of the train ids permuted with seed+1000, on slice `all` (copied to every slice's row).
    public var randomBaselineVarianceRatio: Double
    /// Original: VR of the eval ids permuted with seed+2000, on slice `all` (copied to every slice's row).
    public var randomBaselineEvalVarianceRatio: Double
    public var clusterStats: ClusterStatsSummary

    // MARK: additions

    /// K for k-means, 4^pca_dim for quartile bins.
    public var nClusters: Int
    /// Addition: random baseline on this row's slice (the slice's train ids permuted with seed+1000).
    public var randomBaselineVarianceRatioSlice: Double
    /// Addition: random baseline on this row's slice (the slice's eval ids permuted with seed+2000).
    public var randomBaselineEvalVarianceRatioSlice: Double
    /// Addition: hold-out VR (second fit on `train_utt_train`, scored on `train_utt_val`); nil when
    /// `metrics.holdout` is false.
    public var holdout: HoldoutMetrics?

    enum CodingKeys: String, CodingKey {
        case condition, type, lag, slice
        case nEffectiveClusters = "n_effective_clusters"
        case train, eval
        case crossSpeakerDegradation = "cross_speaker_degradation"
        case crossSpeakerDegradationAbsolute = "cross_speaker_degradation_absolute"
        case randomBaselineVarianceRatio = "random_baseline_variance_ratio"
        case randomBaselineEvalVarianceRatio = "random_baseline_eval_variance_ratio"
        case clusterStats = "cluster_stats"
        case nClusters = "n_clusters"
        case randomBaselineVarianceRatioSlice = "random_baseline_variance_ratio_slice"
        case randomBaselineEvalVarianceRatioSlice = "random_baseline_eval_variance_ratio_slice"
        case holdout
    }

    public init(condition: String, type: String, lag: Int, slice: String, nEffectiveClusters: Int,
                train: SplitMetrics, eval: SplitMetrics, crossSpeakerDegradation: Double,
                crossSpeakerDegradationAbsolute: Double, randomBaselineVarianceRatio: Double,
                randomBaselineEvalVarianceRatio: Double, clusterStats: ClusterStatsSummary, nClusters: Int,
                randomBaselineVarianceRatioSlice: Double, randomBaselineEvalVarianceRatioSlice: Double,
                holdout: HoldoutMetrics?) {
        self.condition = condition; self.type = type; self.lag = lag; self.slice = slice
        self.nEffectiveClusters = nEffectiveClusters; self.train = train; self.eval = eval
        self.crossSpeakerDegradation = crossSpeakerDegradation
        self.crossSpeakerDegradationAbsolute = crossSpeakerDegradationAbsolute
        self.randomBaselineVarianceRatio = randomBaselineVarianceRatio
        self.randomBaselineEvalVarianceRatio = randomBaselineEvalVarianceRatio
        self.clusterStats = clusterStats; self.nClusters = nClusters
        self.randomBaselineVarianceRatioSlice = randomBaselineVarianceRatioSlice
        self.randomBaselineEvalVarianceRatioSlice = randomBaselineEvalVarianceRatioSlice
        self.holdout = holdout
    }
}

/// Metrics of one split (train or eval speakers) on one slice (SPEC §5).
public struct SplitMetrics: Codable, Equatable, Sendable {
    /// VR with the split's own cluster means.
    public var varianceRatio: Double
    /// Original: (H − H_cond) / H, H = ½ Σ_d log var_d (population variance, floor 1e-10).
    public var entropyReduction: Double
    /// Samples in effective clusters (the set VR is computed on).
    public var nSamples: Int
    /// All samples of the slice.
    public var nSamplesTotal: Int
    /// 1 − nSamples / nSamplesTotal (0 for an empty slice).
    public var excludedMass: Double
    /// Mean of the per-speaker VRs (speakers with ≥ 50 included samples; NaN values dropped).
    public var speakerMean: Double
    /// Population std (ddof 0) of the per-speaker VRs.
    public var speakerStd: Double
    /// 95 % Student-t interval of the mean (df = n − 1, scale = std(ddof 1)/√n); NaN for n < 2.
    public var speakerCILower: Double
    public var speakerCIUpper: Double
    /// Speakers with ≥ 50 included samples.
    public var nSpeakers: Int

    // MARK: additions

    /// Addition: VR scored against the train cluster means of the lag (the lookup table fitted on all
    /// train samples of slice `all`); the denominator is the scored samples' own total SSE. For the
    /// train split on slice `all` it equals `varianceRatio`.
    public var varianceRatioTrainMeans: Double
    /// Addition: (H − H_cond) / D, nats per frame per dimension.
    public var entropyReductionNats: Double
    /// Addition: `entropyReductionNats` / ln 2.
    public var entropyReductionBits: Double
    /// H = ½ Σ_d log var_d over the included samples (nats per frame).
    public var entropyUnconditional: Double
    /// H_cond: count-weighted mean of the per-cluster H over clusters with ≥ 2 samples.
    public var entropyConditional: Double
    /// Σ_c Σ_{i∈c} ‖Δx_i − m_c‖² (own means).
    public var sseWithin: Double
    /// Σ_i ‖Δx_i − m‖².
    public var sseTotal: Double
    /// Smallest / largest per-speaker VR (NaN without speakers).
    public var speakerMin: Double
    public var speakerMax: Double
    /// Per-speaker values, ascending speaker id.
    public var perSpeaker: [SpeakerMetrics]

    enum CodingKeys: String, CodingKey {
        case varianceRatio = "variance_ratio"
        case entropyReduction = "entropy_reduction"
        case nSamples = "n_samples"
        case nSamplesTotal = "n_samples_total"
        case excludedMass = "excluded_mass"
        case speakerMean = "speaker_mean"
        case speakerStd = "speaker_std"
        case speakerCILower = "speaker_ci_lower"
        case speakerCIUpper = "speaker_ci_upper"
        case nSpeakers = "n_speakers"
        case varianceRatioTrainMeans = "variance_ratio_train_means"
        case entropyReductionNats = "entropy_reduction_nats"
        case entropyReductionBits = "entropy_reduction_bits"
        case entropyUnconditional = "entropy_unconditional"
        case entropyConditional = "entropy_conditional"
        case sseWithin = "sse_within"
        case sseTotal = "sse_total"
        case speakerMin = "speaker_min"
        case speakerMax = "speaker_max"
        case perSpeaker = "per_speaker"
    }

    public init(varianceRatio: Double, entropyReduction: Double, nSamples: Int, nSamplesTotal: Int,
                excludedMass: Double, speakerMean: Double, speakerStd: Double, speakerCILower: Double,
                speakerCIUpper: Double, nSpeakers: Int, varianceRatioTrainMeans: Double,
                entropyReductionNats: Double, entropyReductionBits: Double, entropyUnconditional: Double,
                entropyConditional: Double, sseWithin: Double, sseTotal: Double, speakerMin: Double,
                speakerMax: Double, perSpeaker: [SpeakerMetrics]) {
        self.varianceRatio = varianceRatio; self.entropyReduction = entropyReduction
        self.nSamples = nSamples; self.nSamplesTotal = nSamplesTotal; self.excludedMass = excludedMass
        self.speakerMean = speakerMean; self.speakerStd = speakerStd
        self.speakerCILower = speakerCILower; self.speakerCIUpper = speakerCIUpper; self.nSpeakers = nSpeakers
        self.varianceRatioTrainMeans = varianceRatioTrainMeans
        self.entropyReductionNats = entropyReductionNats; self.entropyReductionBits = entropyReductionBits
        self.entropyUnconditional = entropyUnconditional; self.entropyConditional = entropyConditional
        self.sseWithin = sseWithin; self.sseTotal = sseTotal
        self.speakerMin = speakerMin; self.speakerMax = speakerMax; self.perSpeaker = perSpeaker
    }
}

/// One speaker's values inside a split/slice (speakers with ≥ 50 included samples).
public struct SpeakerMetrics: Codable, Equatable, Sendable {
    public var speakerId: Int
    /// Included samples (in effective clusters).
    public var nSamples: Int
    /// VR within the speaker with the speaker's own cluster means.
    public var varianceRatio: Double
    /// Entropy reduction within the speaker (original definition).
    public var entropyReduction: Double
    /// Distinct effective clusters the speaker's samples fall in.
    public var nClustersUsed: Int

    enum CodingKeys: String, CodingKey {
        case speakerId = "speaker_id"
        case nSamples = "n_samples"
        case varianceRatio = "variance_ratio"
        case entropyReduction = "entropy_reduction"
        case nClustersUsed = "n_clusters_used"
    }

    public init(speakerId: Int, nSamples: Int, varianceRatio: Double, entropyReduction: Double, nClustersUsed: Int) {
        self.speakerId = speakerId; self.nSamples = nSamples; self.varianceRatio = varianceRatio
        self.entropyReduction = entropyReduction; self.nClustersUsed = nClustersUsed
    }
}

/// `cluster_stats` of a record: train cluster sizes over all K ids (empty ids count as size 0).
public struct ClusterStatsSummary: Codable, Equatable, Sendable {
    /// Fraction of all train samples of the lag outside effective clusters.
    public var excludedMassTrain: Double
    public var minClusterSize: Int
    public var maxClusterSize: Int

    enum CodingKeys: String, CodingKey {
        case excludedMassTrain = "excluded_mass_train"
        case minClusterSize = "min_cluster_size"
        case maxClusterSize = "max_cluster_size"
    }

    public init(excludedMassTrain: Double, minClusterSize: Int, maxClusterSize: Int) {
        self.excludedMassTrain = excludedMassTrain; self.minClusterSize = minClusterSize; self.maxClusterSize = maxClusterSize
    }
}

/// Addition (SPEC §5): the hold-out fit (on `train_utt_train` frames) scored on the unseen
/// `train_utt_val` utterances of the same speakers, on this record's slice.
public struct HoldoutMetrics: Codable, Equatable, Sendable {
    /// VR on the val samples with their own cluster means.
    public var varianceRatio: Double
    /// VR on the val samples against the fit samples' cluster means (slice `all` of the fit set).
    public var varianceRatioFitMeans: Double
    /// Val samples in the hold-out fit's effective clusters.
    public var nSamples: Int
    /// Val samples in the slice.
    public var nSamplesTotal: Int
    public var excludedMass: Double
    /// Ids with ≥ `min_cluster_size` fit samples.
    public var nEffectiveClusters: Int
    /// Samples the hold-out models were fitted on.
    public var nFitSamples: Int

    enum CodingKeys: String, CodingKey {
        case varianceRatio = "variance_ratio"
        case varianceRatioFitMeans = "variance_ratio_fit_means"
        case nSamples = "n_samples"
        case nSamplesTotal = "n_samples_total"
        case excludedMass = "excluded_mass"
        case nEffectiveClusters = "n_effective_clusters"
        case nFitSamples = "n_fit_samples"
    }

    public init(varianceRatio: Double, varianceRatioFitMeans: Double, nSamples: Int, nSamplesTotal: Int,
                excludedMass: Double, nEffectiveClusters: Int, nFitSamples: Int) {
        self.varianceRatio = varianceRatio; self.varianceRatioFitMeans = varianceRatioFitMeans
        self.nSamples = nSamples; self.nSamplesTotal = nSamplesTotal; self.excludedMass = excludedMass
        self.nEffectiveClusters = nEffectiveClusters; self.nFitSamples = nFitSamples
    }
}

// MARK: - JSON layout (keys in the order above)

extension SpeakerMetrics: OrderedJSONConvertible {
    public var orderedJSON: OrderedJSON {
        .object([("speaker_id", .int(speakerId)), ("n_samples", .int(nSamples)),
                 ("variance_ratio", .double(varianceRatio)), ("entropy_reduction", .double(entropyReduction)),
                 ("n_clusters_used", .int(nClustersUsed))])
    }
}

extension SplitMetrics: OrderedJSONConvertible {
    public var orderedJSON: OrderedJSON {
        .object([
            ("variance_ratio", .double(varianceRatio)), ("entropy_reduction", .double(entropyReduction)),
            ("n_samples", .int(nSamples)), ("n_samples_total", .int(nSamplesTotal)),
            ("excluded_mass", .double(excludedMass)), ("speaker_mean", .double(speakerMean)),
            ("speaker_std", .double(speakerStd)), ("speaker_ci_lower", .double(speakerCILower)),
            ("speaker_ci_upper", .double(speakerCIUpper)), ("n_speakers", .int(nSpeakers)),
            ("variance_ratio_train_means", .double(varianceRatioTrainMeans)),
            ("entropy_reduction_nats", .double(entropyReductionNats)),
            ("entropy_reduction_bits", .double(entropyReductionBits)),
            ("entropy_unconditional", .double(entropyUnconditional)),
            ("entropy_conditional", .double(entropyConditional)),
            ("sse_within", .double(sseWithin)), ("sse_total", .double(sseTotal)),
            ("speaker_min", .double(speakerMin)), ("speaker_max", .double(speakerMax)),
            ("per_speaker", .array(perSpeaker.map(\.orderedJSON))),
        ])
    }
}

extension ClusterStatsSummary: OrderedJSONConvertible {
    public var orderedJSON: OrderedJSON {
        .object([("excluded_mass_train", .double(excludedMassTrain)),
                 ("min_cluster_size", .int(minClusterSize)), ("max_cluster_size", .int(maxClusterSize))])
    }
}

extension HoldoutMetrics: OrderedJSONConvertible {
    public var orderedJSON: OrderedJSON {
        .object([("variance_ratio", .double(varianceRatio)), ("variance_ratio_fit_means", .double(varianceRatioFitMeans)),
                 ("n_samples", .int(nSamples)), ("n_samples_total", .int(nSamplesTotal)),
                 ("excluded_mass", .double(excludedMass)), ("n_effective_clusters", .int(nEffectiveClusters)),
                 ("n_fit_samples", .int(nFitSamples))])
    }
}

extension MetricsRecord: OrderedJSONConvertible {
    public var orderedJSON: OrderedJSON {
        var items: [(String, OrderedJSON)] = [
            ("condition", .string(condition)), ("type", .string(type)), ("lag", .int(lag)), ("slice", .string(slice)),
            ("n_effective_clusters", .int(nEffectiveClusters)),
            ("train", train.orderedJSON), ("eval", eval.orderedJSON),
            ("cross_speaker_degradation", .double(crossSpeakerDegradation)),
            ("cross_speaker_degradation_absolute", .double(crossSpeakerDegradationAbsolute)),
            ("random_baseline_variance_ratio", .double(randomBaselineVarianceRatio)),
            ("random_baseline_eval_variance_ratio", .double(randomBaselineEvalVarianceRatio)),
            ("cluster_stats", clusterStats.orderedJSON),
            ("n_clusters", .int(nClusters)),
            ("random_baseline_variance_ratio_slice", .double(randomBaselineVarianceRatioSlice)),
            ("random_baseline_eval_variance_ratio_slice", .double(randomBaselineEvalVarianceRatioSlice)),
        ]
        if let holdout { items.append(("holdout", holdout.orderedJSON)) }
        return .object(items)
    }
}
