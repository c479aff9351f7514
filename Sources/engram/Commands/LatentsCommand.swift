import ArgumentParser
import EngramCore

struct LatentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "latents", abstract: "Encode the corpus into the latents store (SPEC §2).")
    @OptionGroup var options: ConfigOption
    func run() throws { try reportingErrors { throw EngramError("latents", "not implemented yet") } }
}
