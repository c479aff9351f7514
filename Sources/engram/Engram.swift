import ArgumentParser
import EngramCore

/// `engram`: the EngramAudio command-line tool. One subcommand per pipeline step.
@main
struct Engram: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engram",
        abstract: "Do neural-codec latents have reusable local structure? Phase 0 analysis of audio latents.",
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
func reportingErrors(_ body: () throws -> Void) throws {
    do { try body() } catch let e as EngramError {
        printErr("error: \(e.description)")
        throw ExitCode(2)
    }
}
