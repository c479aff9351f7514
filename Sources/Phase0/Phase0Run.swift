import Foundation
import AudioIO
import EngramCore

/// `engram phase0 run`: every step in order — demo corpus (when configured and missing), splits,
/// latents, frames, fit, evaluate, report. A step whose outputs are newer than its inputs and the
/// config is skipped unless `force`; the latents step itself skips finished utterances.
public enum Phase0Run {
    public struct StepTiming { public var name: String; public var seconds: Double; public var skipped: Bool }

    static func splitFiles(_ c: Phase0Config) -> [URL] {
        let d = URL(fileURLWithPath: c.output.splitsDir)
        return ["train_speakers.txt", "eval_speakers.txt", "train_utt_ids.txt", "eval_utt_ids.txt",
                "train_utt_ids_train.txt", "train_utt_ids_val.txt", "metadata.json"].map { d.appendingPathComponent($0) }
    }

    /// Runs the pipeline; returns the report result (decision) and per-step wall times.
    public static func run(config c: Phase0Config, force: Bool = false, workers: Int? = nil,
                           log: @escaping (String) -> Void = { printErr($0) }) throws -> (Phase0Report.Result, [StepTiming]) {
        var timings: [StepTiming] = []
        func step(_ name: String, _ body: () throws -> Bool) rethrows {
            let t0 = Date()
            let ran = try body()
            timings.append(StepTiming(name: name, seconds: Date().timeIntervalSince(t0), skipped: !ran))
        }
        try step("demo-corpus") { try DemoCorpus.ensure(config: c) }
        try step("splits") {
            let inputs = StepFreshness.configInputs(c) + [c.data.subsetURL]
            if !force && StepFreshness.isUpToDate(outputs: splitFiles(c), inputs: inputs) {
                log("splits: \(c.output.splitsDir) is up to date (use --force to redo)"); return false
            }
            let r = try SplitsStep.run(config: c)
            log("splits: \(r.splits.trainSpeakers.count) train / \(r.splits.evalSpeakers.count) eval speakers, "
                + "\(r.splits.trainUtterances.count) / \(r.splits.evalUtterances.count) utterances → \(r.outputDir.path)")
            return true
        }
        try step("latents") {
            let index = URL(fileURLWithPath: c.output.latentsIndex)
            if !force && StepFreshness.isUpToDate(outputs: [index], inputs: StepFreshness.configInputs(c) + splitFiles(c)) {
                log("latents: \(index.path) is up to date (use --force to re-check the store)"); return false
            }
            let s = try LatentsStep.run(config: c, workers: workers)
            log("latents: \(s.encoded) encoded, \(s.skipped) already in the store, \(s.tooShort) too short, \(s.failures.count) failed → \(s.storeURL.path)")
            return true
        }
        try step("frames") { try Phase0Steps.frames(config: c, force: force, log: log) == .ran }
        try step("fit") { try Phase0Steps.fit(config: c, force: force, log: log) == .ran }
        try step("evaluate") { try Phase0Steps.evaluate(config: c, force: force, log: log) == .ran }
        var result: Phase0Report.Result!
        try step("report") {
            result = try Phase0Report.write(config: c, figures: try Phase0Plots.render(config: c))
            return true
        }
        return (result, timings)
    }
}
