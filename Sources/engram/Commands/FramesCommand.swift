import ArgumentParser
import EngramCore
import Phase0

/// Shared `--force` flag of the Phase 0 steps.
struct ForceOption: ParsableArguments {
    @Flag(name: .long, help: "Run even when the outputs are newer than the inputs and the config.")
    var force = false
}

struct FramesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frames", abstract: "Write phase0_frames.parquet (SPEC §3).",
        discussion: "Reads output.latents_index, output.latents_dir and the speaker split files; one row per valid target frame t ∈ [max(W − 1 + max L, 1), T). Bad utterances are errors, or skipped with a warning under data.on_error: skip.")
    @OptionGroup var options: ConfigOption
    @OptionGroup var force: ForceOption
    func run() throws {
        try reportingErrors {
            let config = try Phase0Config.load(file: options.config)
            try Phase0Steps.frames(config: config, force: force.force)
        }
    }
}
