import Foundation

/// The Phase 0 configuration (SPEC §1–§7): the research pipeline's keys and defaults, plus ours
/// (`vae.encoder`, `vae.checkpoint`, `vae.project`, `data.on_error`, `data.demo_corpus`,
/// `clustering.n_init`, `clustering.max_iter`, `metrics.holdout`, `metrics.random_baseline_tolerance`,
/// `metrics.k_sweep`).
public struct Phase0Config: Equatable, Sendable {
    /// What to do with an unreadable corpus file.
    public enum OnError: String, Sendable { case fail, skip }
    public enum EncoderKind: String, Sendable, CaseIterable { case mimi, encodec, mel }
    public enum ConditionType: String, Sendable, CaseIterable {
        case meanPoolVQ = "mean_pool_vq", pcaVQ = "pca_vq", pcaQuartile = "pca_quartile"
    }

    /// Parameters of the built-in synthetic corpus, made on demand when the subset folder is missing.
    public struct DemoCorpus: Equatable, Sendable {
        public var speakers = 24
        public var utterances = 8
        public var seed = 42
        public init() {}
    }

    public struct DataSection: Equatable, Sendable {
        public var librispeechPath = "./data/LibriSpeech"
        public var subset = "train-clean-100"
        /// Utterances shorter than this (seconds) are dropped.
        public var minDurationSec = 3.0
        public var onError = OnError.fail
        public var demoCorpus: DemoCorpus? = nil
        /// `librispeech_path/subset`.
        public var subsetURL: URL { URL(fileURLWithPath: librispeechPath).appendingPathComponent(subset) }
        public init() {}
    }

    public struct VAESection: Equatable, Sendable {
        /// Encoder input rate, Hz.
        public var sampleRate = 24000
        /// Latent frames per second.
        public var frameRate = 12.5
        public var latentDim = 512
        /// Samples per latent frame.
        public var frameSize = 1920
        public var encoder = EncoderKind.mimi
        /// Local checkpoint file (Mimi: moshi `.safetensors` or an HF folder).
        public var checkpoint: String? = nil
        /// Apply the quantizer's input/output projections (SPEC §2); false gives the raw latent.
        public var project = true
        public init() {}
    }

    public struct SplitsSection: Equatable, Sendable {
        public var nTrainSpeakers = 200
        public var nEvalSpeakers = 51
        public var seed = 42
        public var uttHoldoutFrac = 0.1
        public init() {}
    }

    public struct ContextSection: Equatable, Sendable {
        /// W, frames.
        public var windowSize = 8
        /// L values, frames.
        public var lags = [1, 2, 4]
        public init() {}
    }

    public struct Condition: Equatable, Sendable {
        public var name: String
        public var type: ConditionType
        /// Clusters (k-means); nil for `pca_quartile`.
        public var k: Int?
        /// PCA dimension for the `pca_*` types.
        public var pcaDim: Int?
        public init(name: String, type: ConditionType, k: Int? = nil, pcaDim: Int? = nil) {
            self.name = name; self.type = type; self.k = k; self.pcaDim = pcaDim
        }
    }

    public struct ClusteringSection: Equatable, Sendable {
        public var conditions: [Condition] = [
            Condition(name: "mean_vq64", type: .meanPoolVQ, k: 64),
            Condition(name: "pca8_vq256", type: .pcaVQ, k: 256, pcaDim: 8),
            Condition(name: "pca8_quartile", type: .pcaQuartile, pcaDim: 8),
        ]
        public var minClusterSize = 100
        public var nInit = 10
        public var maxIter = 100
        public init() {}
    }

    public struct MetricsSection: Equatable, Sendable {
        public var varianceRatioThreshold = 0.6
        public var crossSpeakerDegradationMax = 0.20
        public var randomBaselineTolerance = 0.05
        /// Hold-out VR: second fit on train_utt_train, scored on train_utt_val.
        public var holdout = true
        /// K values of the optional VR-vs-K sweep of the k-means conditions at lag 1 (`k_sweep_lag1.json`;
        /// quartile conditions sweep pca_dim 1…pca_dim instead); empty disables the sweep.
        public var kSweep = [8, 16, 32, 64, 128, 256]
        /// Largest number of samples the sweep's *refitted* k-means models (K ≠ the configured K) are
        /// fitted on: above it, evenly spaced rows of the fit set (row ⌊j·n/cap⌋, j < cap); every frame is
        /// still assigned and scored. 0: no cap. Keeps the sweep's cost bounded at LibriSpeech scale; the
        /// configured K's point is always the main fit on every sample (`metrics.k_sweep_max_samples`).
        public var kSweepMaxSamples = 250_000
        public init() {}
    }

    /// A confound slice. `filter`: nil (all frames), `energy_above_median`, or `pos_frac_A_B`.
    public struct Slice: Equatable, Sendable {
        public enum Filter: Equatable, Sendable {
            case all
            case energyAboveMedian
            /// A ≤ pos_frac ≤ B.
            case posFrac(Double, Double)
        }
        public var name: String
        public var filter: Filter
        public init(name: String, filter: Filter) { self.name = name; self.filter = filter }
    }

    public struct OutputSection: Equatable, Sendable {
        public var latentsDir = "./outputs/phase0/latents.zarr"
        public var latentsIndex = "./outputs/phase0/latents_index.parquet"
        public var framesIndex = "./outputs/phase0/phase0_frames.parquet"
        public var splitsDir = "./outputs/phase0/splits"
        public var conditioningDir = "./outputs/phase0/conditioning"
        public var metricsFile = "./outputs/phase0/metrics.json"
        public var tablesFile = "./outputs/phase0/tables.csv"
        public var plotsDir = "./outputs/phase0/plots"
        /// Folder of report.txt, report.html and decision.json: the parent of `plots_dir` (as the research pipeline).
        public var reportDir: URL { URL(fileURLWithPath: plotsDir).deletingLastPathComponent() }
        public init() {}
    }

    public var data = DataSection()
    public var vae = VAESection()
    public var splits = SplitsSection()
    public var context = ContextSection()
    public var clustering = ClusteringSection()
    public var metrics = MetricsSection()
    public var slices: [Slice] = [
        Slice(name: "all", filter: .all),
        Slice(name: "high_energy", filter: .energyAboveMedian),
        Slice(name: "utterance_medial", filter: .posFrac(0.17, 0.83)),
    ]
    public var output = OutputSection()
    public var seed = 42
    /// The file this config was read from ("" for defaults).
    public var sourceFile = ""

    public init() {}
}
