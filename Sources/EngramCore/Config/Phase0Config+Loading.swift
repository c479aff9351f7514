import Foundation

extension Phase0Config {
    /// Reads and validates a YAML config. Missing keys take the research pipeline's defaults;
    /// unknown keys, wrong types and impossible values are errors naming the file and key.
    public static func load(file: String) throws -> Phase0Config {
        try parse(ConfigReader.load(file: file))
    }

    public static func parse(yaml: String, file: String = "<config>") throws -> Phase0Config {
        try parse(ConfigReader.parse(yaml, file: file))
    }

    static func parse(_ r: ConfigReader) throws -> Phase0Config {
        var c = Phase0Config()
        c.sourceFile = r.file
        try r.checkKeys(["data", "vae", "splits", "context", "clustering", "metrics", "slices", "output", "seed"])
        c.seed = try r.int("seed", default: c.seed, min: 0)

        let d = try r.section("data")
        try d.checkKeys(["librispeech_path", "subset", "min_duration_sec", "on_error", "demo_corpus"])
        c.data.librispeechPath = try d.string("librispeech_path", default: c.data.librispeechPath)
        c.data.subset = try d.string("subset", default: c.data.subset)
        c.data.minDurationSec = try d.double("min_duration_sec", default: c.data.minDurationSec, min: 0)
        c.data.onError = OnError(rawValue: try d.choice("on_error", ["fail", "skip"], default: "fail"))!
        if d.has("demo_corpus") {
            let dc = try d.section("demo_corpus")
            try dc.checkKeys(["speakers", "utterances", "seed"])
            var demo = DemoCorpus()
            demo.speakers = try dc.int("speakers", default: demo.speakers, min: 2, max: 10000)
            demo.utterances = try dc.int("utterances", default: demo.utterances, min: 1, max: 10000)
            demo.seed = try dc.int("seed", default: demo.seed, min: 0)
            c.data.demoCorpus = demo
        }

        let v = try r.section("vae")
        try v.checkKeys(["sample_rate", "frame_rate", "latent_dim", "frame_size", "encoder", "checkpoint", "project"])
        c.vae.sampleRate = try v.int("sample_rate", default: c.vae.sampleRate, min: 1)
        c.vae.frameRate = try v.double("frame_rate", default: c.vae.frameRate, min: 1e-9)
        c.vae.latentDim = try v.int("latent_dim", default: c.vae.latentDim, min: 1)
        c.vae.frameSize = try v.int("frame_size", default: c.vae.frameSize, min: 1)
        c.vae.encoder = EncoderKind(rawValue: try v.choice("encoder", EncoderKind.allCases.map(\.rawValue), default: "mimi"))!
        c.vae.checkpoint = try v.optionalString("checkpoint")
        c.vae.project = try v.bool("project", default: c.vae.project)
        let impliedRate = Double(c.vae.sampleRate) / Double(c.vae.frameSize)
        if abs(impliedRate - c.vae.frameRate) > 1e-6 * c.vae.frameRate {
            throw v.error("frame_rate", "must equal sample_rate / frame_size = \(impliedRate)")
        }

        let s = try r.section("splits")
        try s.checkKeys(["n_train_speakers", "n_eval_speakers", "seed", "utt_holdout_frac"])
        c.splits.nTrainSpeakers = try s.int("n_train_speakers", default: c.splits.nTrainSpeakers, min: 1)
        c.splits.nEvalSpeakers = try s.int("n_eval_speakers", default: c.splits.nEvalSpeakers, min: 1)
        c.splits.seed = try s.int("seed", default: c.splits.seed, min: 0)
        c.splits.uttHoldoutFrac = try s.double("utt_holdout_frac", default: c.splits.uttHoldoutFrac, min: 0, max: 0.9)

        let x = try r.section("context")
        try x.checkKeys(["window_size", "lags"])
        c.context.windowSize = try x.int("window_size", default: c.context.windowSize, min: 1, max: 4096)
        c.context.lags = try x.intList("lags", default: c.context.lags, min: 1)
        if Set(c.context.lags).count != c.context.lags.count { throw x.error("lags", "lags must be distinct") }

        let k = try r.section("clustering")
        try k.checkKeys(["conditions", "min_cluster_size", "n_init", "max_iter"])
        c.clustering.minClusterSize = try k.int("min_cluster_size", default: c.clustering.minClusterSize, min: 1)
        c.clustering.nInit = try k.int("n_init", default: c.clustering.nInit, min: 1)
        c.clustering.maxIter = try k.int("max_iter", default: c.clustering.maxIter, min: 1)
        if k.has("conditions") {
            let items = try k.list("conditions")
            if items.isEmpty { throw k.error("conditions", "expected at least one condition") }
            c.clustering.conditions = try items.map { item in
                try item.checkKeys(["name", "type", "k", "pca_dim"])
                let type = ConditionType(rawValue: try item.choice("type", ConditionType.allCases.map(\.rawValue)))!
                var cond = Condition(name: try item.string("name"), type: type)
                switch type {
                case .meanPoolVQ:
                    cond.k = try item.int("k", min: 2)
                    if item.has("pca_dim") { throw item.error("pca_dim", "not used by type mean_pool_vq") }
                case .pcaVQ:
                    cond.k = try item.int("k", min: 2)
                    cond.pcaDim = try item.int("pca_dim", min: 1)
                case .pcaQuartile:
                    cond.pcaDim = try item.int("pca_dim", min: 1, max: 15)
                    if item.has("k") { throw item.error("k", "not used by type pca_quartile (it has 4^pca_dim bins)") }
                }
                return cond
            }
            let names = c.clustering.conditions.map(\.name)
            if Set(names).count != names.count { throw k.error("conditions", "condition names must be distinct") }
        }

        let m = try r.section("metrics")
        try m.checkKeys(["variance_ratio_threshold", "cross_speaker_degradation_max", "random_baseline_tolerance", "holdout", "k_sweep",
                         "k_sweep_max_samples"])
        c.metrics.varianceRatioThreshold = try m.double("variance_ratio_threshold", default: c.metrics.varianceRatioThreshold, min: 0)
        c.metrics.crossSpeakerDegradationMax = try m.double("cross_speaker_degradation_max", default: c.metrics.crossSpeakerDegradationMax)
        c.metrics.randomBaselineTolerance = try m.double("random_baseline_tolerance", default: c.metrics.randomBaselineTolerance, min: 0)
        c.metrics.holdout = try m.bool("holdout", default: c.metrics.holdout)
        c.metrics.kSweep = try m.intList("k_sweep", default: c.metrics.kSweep, min: 2, allowEmpty: true)
        if Set(c.metrics.kSweep).count != c.metrics.kSweep.count { throw m.error("k_sweep", "K values must be distinct") }
        c.metrics.kSweepMaxSamples = try m.int("k_sweep_max_samples", default: c.metrics.kSweepMaxSamples, min: 0)

        if r.has("slices") {
            let items = try r.list("slices")
            if items.isEmpty { throw r.error("slices", "expected at least one slice") }
            c.slices = try items.map { item in
                try item.checkKeys(["name", "filter"])
                let name = try item.string("name")
                guard let f = try item.optionalString("filter") else { return Slice(name: name, filter: .all) }
                if f == "energy_above_median" { return Slice(name: name, filter: .energyAboveMedian) }
                let parts = f.split(separator: "_")
                if parts.count == 4, parts[0] == "pos", parts[1] == "frac", let a = Double(parts[2]), let b = Double(parts[3]), 0 <= a, a <= b, b <= 1 {
                    return Slice(name: name, filter: .posFrac(a, b))
                }
                throw item.error("filter", "expected null, energy_above_median or pos_frac_A_B with 0 ≤ A ≤ B ≤ 1, got '\(f)'")
            }
            let names = c.slices.map(\.name)
            if Set(names).count != names.count { throw r.error("slices", "slice names must be distinct") }
        }

        let o = try r.section("output")
        try o.checkKeys(["latents_dir", "latents_index", "frames_index", "splits_dir", "conditioning_dir", "metrics_file", "tables_file", "plots_dir"])
        c.output.latentsDir = try o.string("latents_dir", default: c.output.latentsDir)
        c.output.latentsIndex = try o.string("latents_index", default: c.output.latentsIndex)
        c.output.framesIndex = try o.string("frames_index", default: c.output.framesIndex)
        c.output.splitsDir = try o.string("splits_dir", default: c.output.splitsDir)
        c.output.conditioningDir = try o.string("conditioning_dir", default: c.output.conditioningDir)
        c.output.metricsFile = try o.string("metrics_file", default: c.output.metricsFile)
        c.output.tablesFile = try o.string("tables_file", default: c.output.tablesFile)
        c.output.plotsDir = try o.string("plots_dir", default: c.output.plotsDir)
        return c
    }
}
