import ArgumentParser
import EngramCore

struct DemoCorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo-corpus", abstract: "Write a synthetic multi-speaker corpus in LibriSpeech layout.")
    @OptionGroup var options: ConfigOption
    func run() throws { try reportingErrors { throw EngramError("demo-corpus", "not implemented yet") } }
}
