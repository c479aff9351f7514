import ArgumentParser
import EngramCore

struct SplitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "splits", abstract: "Write speaker and utterance splits (SPEC §1).")
    @OptionGroup var options: ConfigOption
    func run() throws { try reportingErrors { throw EngramError("splits", "not implemented yet") } }
}
