import ArgumentParser
import EngramCore

/// `engram corpus …`
struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "corpus", abstract: "Inspect a LibriSpeech corpus.",
                                                    subcommands: [CorpusInfoCommand.self])
}

struct CorpusInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Speakers, utterances, hours and a duration histogram.")
    @OptionGroup var options: ConfigOption
    func run() throws { try reportingErrors { throw EngramError("corpus info", "not implemented yet") } }
}
