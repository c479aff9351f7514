import ArgumentParser
import EngramCore
import Numerics

/// `engram`: the EngramAudio command-line tool. One subcommand per pipeline step.
@main
struct Engram: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engram",
        abstract: "Do neural-codec latents have reusable local structure? Phase 0 analysis of audio latents.",
        version: "engram (EngramAudio) — \(SIMDKernelSet.activeSummary)",
        subcommands: [
            Phase0Command.self, DownloadCommand.self, DemoCorpusCommand.self, CorpusCommand.self, AudioCommand.self,
            SynthLatentsCommand.self, WeightsCommand.self, SlurmCommand.self, BenchCommand.self,
        ]
    )
}

/// `--config FILE`, shared by every command that reads a YAML config.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "YAML config file (keys as in SPEC.md).")
    var config: String = "configs/phase0.yaml"
}

/// Runs `body`, printing an `EngramError` cleanly (no stack trace) and exiting non-zero.
/// First checks `ENGRAM_KERNELS` (an unknown or unsupported kernel set is an error, not a crash).
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try SIMDKernelSet.validateEnvironment()
        try body()
    } catch let e as EngramError {
        printErr("error: \(e.description)")
        throw ExitCode(2)
    }
}
