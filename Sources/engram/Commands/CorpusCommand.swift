import ArgumentParser
import AudioIO
import EngramCore

/// `engram corpus …`
struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "corpus", abstract: "Inspect a LibriSpeech corpus.",
                                                    subcommands: [CorpusInfoCommand.self])
}

struct CorpusInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Speakers, utterances, hours, a duration histogram and unreadable files of data.librispeech_path/data.subset.",
        discussion: "Every problem is listed (the scan runs as with data.on_error: skip). A missing subset with data.demo_corpus set is synthesised first.")
    @OptionGroup var options: ConfigOption
    func run() throws {
        try reportingErrors {
            var config = try Phase0Config.load(file: options.config)
            try DemoCorpus.ensure(config: config)
            config.data.onError = .skip
            let corpus = try LibriSpeechCorpus.scan(config: config)
            print(CorpusSummary.text(corpus, minDuration: config.data.minDurationSec), terminator: "")
        }
    }
}
