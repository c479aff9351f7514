import ArgumentParser
import EngramCore

/// `engram audio …`
struct AudioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audio", abstract: "Audio utilities.",
                                                    subcommands: [AudioDecodeCommand.self])
}

struct AudioDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decode", abstract: "Decode a FLAC/WAV file to WAV, optionally resampled.")
    func run() throws { try reportingErrors { throw EngramError("audio decode", "not implemented yet") } }
}
