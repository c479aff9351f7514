import Foundation
import EngramCore
import Formats

/// The file-to-file steps `engram phase0 frames | fit | evaluate` (and `phase0 run`) call.
/// Each reads its inputs from the paths in the config, writes its outputs atomically, and is
/// skipped when its outputs are newer than its inputs and the config (unless `force`).
public enum Phase0Steps {
    /// Outcome of a step.
    public enum Outcome: Equatable { case ran, upToDate }

    static func url(_ p: String) -> URL { URL(fileURLWithPath: p) }
    static func splitFile(_ c: Phase0Config, _ name: String) -> URL { url(c.output.splitsDir).appendingPathComponent(name) }

    // MARK: frames

    public static func framesInputs(_ c: Phase0Config) -> [URL] {
        StepFreshness.configInputs(c) + [url(c.output.latentsIndex), url(c.output.latentsDir),
                                         splitFile(c, "train_speakers.txt"), splitFile(c, "eval_speakers.txt")]
    }

    /// SPEC §3: writes `output.frames_index`.
    @discardableResult
    public static func frames(config c: Phase0Config, force: Bool = false, log: (String) -> Void = { printErr($0) }) throws -> Outcome {
        let out = url(c.output.framesIndex)
        if !force && StepFreshness.isUpToDate(outputs: [out], inputs: framesInputs(c)) {
            log("frames: \(out.path) is up to date (use --force to rebuild)"); return .upToDate
        }
        let t0 = Date()
        let splits = try SplitLists.read(dir: url(c.output.splitsDir), needHoldout: false)
        let indexURL = url(c.output.latentsIndex)
        guard FileManager.default.fileExists(atPath: indexURL.path) else {
            throw EngramError(indexURL.path, "latents index not found (run `engram phase0 latents` or `engram synth-latents` first)")
        }
        let idx = try LatentsIndexTable.read(indexURL)
        let entries = (0..<idx.count).map {
            LatentIndexEntry(utteranceId: idx.utteranceId[$0], speakerId: Int(idx.speakerId[$0]), nFrames: Int(idx.nFrames[$0]),
                             durationSec: idx.durationSec[$0])
        }
        let store = try ZarrLatents(path: c.output.latentsDir)
        let s = try Phase0Frames.build(config: c, index: entries, store: store, splits: (splits.trainSpeakers, splits.evalSpeakers))
        try s.table.write(to: out)
        log(String(format: "frames: %d frames (%d train, %d eval) from %d utterances, %d left out; median train energy %.6g; %.1f s → %@",
                   s.table.count, s.trainFrames, s.evalFrames, s.table.utteranceIds.count, s.skipped.count,
                   Double(s.medianEnergy), Date().timeIntervalSince(t0), out.path))
        return .ran
    }

    // MARK: fit

    public static func fitInputs(_ c: Phase0Config) -> [URL] {
        StepFreshness.configInputs(c) + [url(c.output.framesIndex), url(c.output.latentsDir)]
            + (c.metrics.holdout ? [splitFile(c, "train_utt_ids_val.txt")] : [])
    }

    /// Loads the frames table and the latents of its utterances.
    static func loadFramesAndLatents(_ c: Phase0Config, holdoutVal: Set<String>? = nil, log: (String) -> Void) throws -> (FrameTable, LatentCorpus) {
        let t0 = Date()
        let table = try FrameTable.read(from: url(c.output.framesIndex))
        let store = try ZarrLatents(path: c.output.latentsDir)
        let layout = holdoutVal.map { Conditioning.trainLayout(table: table, holdoutVal: $0) }
        let corpus = try LatentCorpus.load(table: table, store: store, expectedDim: c.vae.latentDim, geometry: try ContextGeometry(c),
                                           framesFile: c.output.framesIndex, layout: layout)
        log(String(format: "loaded %d frames of %d utterances ([%d, %d] latents, %.2f GB) in %.1f s", table.count,
                   table.utteranceIds.count, corpus.totalRows, corpus.dim, Double(corpus.totalRows * corpus.dim * 4) / 1e9,
                   Date().timeIntervalSince(t0)))
        return (table, corpus)
    }

    /// SPEC §4: writes `output.conditioning_dir` (see `ConditioningFiles`).
    @discardableResult
    public static func fit(config c: Phase0Config, force: Bool = false, log: @escaping (String) -> Void = { printErr($0) }) throws -> Outcome {
        let files = ConditioningFiles(config: c)
        if !force && StepFreshness.isUpToDate(outputs: [files.summary], inputs: fitInputs(c)) {
            log("fit: \(files.dir.path) is up to date (use --force to refit)"); return .upToDate
        }
        let t0 = Date()
        let splits = try SplitLists.read(dir: url(c.output.splitsDir), needHoldout: c.metrics.holdout)
        let (table, corpus) = try loadFramesAndLatents(c, holdoutVal: splits.trainUttVal, log: log)
        try? FileManager.default.removeItem(at: files.summary)
        _ = try Conditioning.fit(config: c, table: table, corpus: corpus, holdoutVal: splits.trainUttVal, consumingLatents: true, log: log)
        log(String(format: "fit: done in %.1f s → %@", Date().timeIntervalSince(t0), files.dir.path))
        return .ran
    }

    // MARK: evaluate

    public static func evaluateInputs(_ c: Phase0Config) -> [URL] {
        StepFreshness.configInputs(c) + [url(c.output.framesIndex), url(c.output.latentsDir), ConditioningFiles(config: c).summary]
    }

    /// SPEC §5, §7: writes `output.metrics_file` and `output.tables_file`.
    @discardableResult
    public static func evaluate(config c: Phase0Config, force: Bool = false, log: @escaping (String) -> Void = { printErr($0) }) throws -> Outcome {
        let outs = [url(c.output.metricsFile), url(c.output.tablesFile)]
        let files = ConditioningFiles(config: c)
        if !force && StepFreshness.isUpToDate(outputs: outs, inputs: evaluateInputs(c)) {
            log("evaluate: \(outs[0].path) is up to date (use --force to recompute)"); return .upToDate
        }
        guard FileManager.default.fileExists(atPath: files.summary.path) else {
            throw EngramError(files.summary.path, "missing (run `engram phase0 fit` first)")
        }
        let t0 = Date()
        let splits = try SplitLists.read(dir: url(c.output.splitsDir), needHoldout: c.metrics.holdout)
        let (table, corpus) = try loadFramesAndLatents(c, log: log)
        // Δx does not depend on the lag and every lag uses the same frames: one set of stats serves all.
        let norm = try NormStats.read(from: files.normStats(lag: c.context.lags[0]), dim: c.vae.latentDim)
        for lag in c.context.lags.dropFirst() where try NormStats.read(from: files.normStats(lag: lag), dim: c.vae.latentDim) != norm {
            throw EngramError(files.normStats(lag: lag).path, "differs from \(files.normStats(lag: c.context.lags[0]).lastPathComponent); every lag uses the same frames and Δx, so the stats must be equal (rerun fit)")
        }
        let targets = try NormalizedTargets(consuming: corpus, table: table, norm: norm)
        let records = try Metrics.evaluate(config: c, table: table, targets: targets, holdoutVal: splits.trainUttVal, files: files, log: log)
        try MetricsFile.write(records, to: outs[0])
        try MetricsFile.writeTable(records, to: outs[1])
        log(String(format: "evaluate: %d records in %.1f s → %@, %@", records.count, Date().timeIntervalSince(t0), outs[0].path, outs[1].path))
        return .ran
    }
}
