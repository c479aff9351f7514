import Foundation
import EngramCore
import Formats

extension SyntheticCorpus {
    /// Paths of a synthetic run folder.
    public struct Layout {
        public let dir: URL
        public var latents: URL { dir.appendingPathComponent("latents.zarr") }
        public var index: URL { dir.appendingPathComponent("latents_index.parquet") }
        public var splits: URL { dir.appendingPathComponent("splits") }
        public var config: URL { dir.appendingPathComponent("phase0.yaml") }
        public init(_ dir: URL) { self.dir = dir }
    }

    /// Writes a complete input set for `engram phase0 frames | fit | evaluate` into `dir`:
    /// `latents.zarr` (SPEC §2 layout), `latents_index.parquet`, `splits/` (SPEC §1 files) and
    /// `phase0.yaml`, a config whose outputs also go to `dir`.
    public func write(to dir: URL, conditionsYAML: String? = nil, minClusterSize: Int? = nil) throws {
        let layout = Layout(dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: layout.latents.path) { try FileManager.default.removeItem(at: layout.latents) }
        let store = try LatentStore(createAt: layout.latents)
        var index = LatentsIndexTable()
        for e in self.index {
            let u = self.store.utterances[e.utteranceId]!
            try store.write(id: e.utteranceId, x: u.x, T: u.frames, D: u.dim, energy: u.energy,
                            timestamps: (0..<u.frames).map { Float(Double($0) / process.frameRate) }, speakerID: e.speakerId)
            index.append(.init(utteranceId: e.utteranceId, speakerId: Int64(e.speakerId), nFrames: Int64(e.nFrames),
                               durationSec: e.durationSec, audioPath: "synthetic/\(e.utteranceId)"))
        }
        try store.consolidate()
        try index.write(to: layout.index)
        try splits.write(to: layout.splits)
        try AtomicFile.write(configYAML(dir: dir, conditionsYAML: conditionsYAML, minClusterSize: minClusterSize), to: layout.config)
    }

    /// Default minimum cluster size for a synthetic run: 100 scaled to the number of train frames.
    public var defaultMinClusterSize: Int { Self.defaultMinClusterSize(process, splits) }

    static func defaultMinClusterSize(_ p: RegimeProcess, _ splits: Phase0Splits) -> Int {
        let valid = max(0, p.frames - 11)
        let trainFrames = splits.trainUtterances.count * valid
        return min(100, max(5, trainFrames / 1000))
    }

    func configYAML(dir: URL, conditionsYAML: String?, minClusterSize: Int?) -> String {
        Self.configYAML(process, splits, dir: dir, conditionsYAML: conditionsYAML, minClusterSize: minClusterSize)
    }

    static func configYAML(_ p: RegimeProcess, _ splits: Phase0Splits, dir: URL, conditionsYAML: String?, minClusterSize: Int?) -> String {
        let conditions = conditionsYAML ?? """
            - name: mean_vq64
              type: mean_pool_vq
              k: 64
            - name: pca8_vq256
              type: pca_vq
              pca_dim: 8
              k: 256
            - name: pca8_quartile
              type: pca_quartile
              pca_dim: 8
        """
        let d = dir.path
        return """
        # Synthetic Phase 0 run written by `engram synth-latents` (planted regimes; see RegimeProcess).
        # Process: \(p.kind.rawValue), \(p.regimes) regimes, noise \(p.noise), drift \(p.drift)\(p.kind == .markov ? ", stay \(p.stay), noise AR(1) \(p.noiseCorrelation)" : "")
        # Expected variance ratio of the true regimes: \(p.kind == .markov ? "no closed form" : "\(p.expectedVarianceRatio)")
        data:
          librispeech_path: \(d)/unused
          subset: synthetic
          min_duration_sec: 0.0
        vae:
          sample_rate: 24000
          frame_rate: 12.5
          latent_dim: \(p.dim)
          frame_size: 1920
        splits:
          n_train_speakers: \(splits.trainSpeakers.count)
          n_eval_speakers: \(splits.evalSpeakers.count)
          seed: \(p.seed)
          utt_holdout_frac: 0.1
        context:
          window_size: 8
          lags: [1, 2, 4]
        clustering:
          conditions:
        \(conditions)
          min_cluster_size: \(minClusterSize ?? defaultMinClusterSize(p, splits))
          n_init: 10
          max_iter: 100
        metrics:
          variance_ratio_threshold: 0.6
          cross_speaker_degradation_max: 0.20
          holdout: true
        output:
          latents_dir: \(d)/latents.zarr
          latents_index: \(d)/latents_index.parquet
          frames_index: \(d)/phase0_frames.parquet
          splits_dir: \(d)/splits
          conditioning_dir: \(d)/conditioning
          metrics_file: \(d)/metrics.json
          tables_file: \(d)/tables.csv
          plots_dir: \(d)/plots
        seed: \(p.seed)

        """
    }
}
