import ArgumentParser
import EngramCore

struct SynthLatentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "synth-latents", abstract: "Write a latents store from a known process (planted structure).")
    @OptionGroup var options: ConfigOption
    func run() throws { try reportingErrors { throw EngramError("synth-latents", "not implemented yet") } }
}
