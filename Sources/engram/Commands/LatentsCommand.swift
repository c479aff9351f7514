import ArgumentParser
import EngramCore
import Foundation
import Phase0

struct LatentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latents",
        abstract: "Encode the split utterances into the latents store (SPEC §2).",
        discussion: """
        Reads train_utt_ids.txt and eval_utt_ids.txt from output.splits_dir (run `engram phase0 splits` \
        first), keeps utterances of at least data.min_duration_sec, resamples to vae.sample_rate, encodes \
        with vae.encoder and writes output.latents_dir (Zarr v2, one group per utterance) and \
        output.latents_index. Utterances already complete in the store are skipped, so an interrupted \
        run can simply be restarted (partial or truncated groups are redone).

        --shard I/N (0-based) encodes only shard I of N — a deterministic part balanced by audio         duration — into the same store, and leaves its index in latents_shards/ next to         output.latents_index; `engram phase0 merge` joins the shards afterwards. Without --shard, a         Slurm array task (SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT set) runs as its shard.
        """)
    @OptionGroup var options: ConfigOption
    @Option(name: .long, help: "Worker threads (default: all cores). The output does not depend on it.")
    var threads: Int?
    @Option(name: .long, help: "Encode only shard I of N (0-based, e.g. 3/8); default: the Slurm array task, else everything.")
    var shard: String?

    func run() throws {
        try reportingErrors {
            let config = try Phase0Config.load(file: options.config)
            if let t = threads, t < 1 { throw EngramError("--threads", "must be at least 1") }
            let shard = try shard.map { try LatentShard(parsing: $0) } ?? LatentShard.fromSlurm()
            let s = try LatentsStep.run(config: config, workers: threads, shard: shard)
            if let sh = s.shard {
                print("shard \(sh) (\(sh.tag)): \(s.otherShards) utterances belong to other shards")
            }
            print("utterances: \(s.listed) in the splits, \(s.tooShort) shorter than \(config.data.minDurationSec) s dropped, "
                  + "\(s.skipped) already in the store (skipped), \(s.encoded) encoded, \(s.failures.count) failed")
            if s.redone > 0 { print("redid \(s.redone) incomplete or truncated group(s) found in the store") }
            if s.encoded > 0 {
                let speed = s.wallSeconds > 0 ? s.encodedAudioSeconds / s.wallSeconds : 0
                print(String(format: "encoded %.1f s of audio in %.1f s (%.1f× real time, %d workers)",
                             s.encodedAudioSeconds, s.wallSeconds, speed, s.workers))
            }
            if !s.failures.isEmpty {
                printErr("left out \(s.failures.count) utterance(s) (data.on_error: skip); see \(s.failuresURL.path)")
            }
            print("index: \(s.indexed) utterances, \(s.totalFrames) frames")
            print("wrote \(s.storeURL.path) and \(s.indexURL.path)")
            if s.shard != nil { print("when every shard has finished: engram phase0 merge --config \(options.config)") }
        }
    }
}
