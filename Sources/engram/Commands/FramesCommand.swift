import ArgumentParser
import EngramCore

struct FramesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "frames", abstract: "Write phase0_frames.parquet (SPEC §3).")
    @OptionGroup var options: ConfigOption
    func run() throws { try reportingErrors { throw EngramError("frames", "not implemented yet") } }
}
