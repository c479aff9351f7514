import ArgumentParser
import EngramCore

struct BenchFLACCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "flac", abstract: "FLAC decode throughput on a folder.")
    func run() throws { try reportingErrors { throw EngramError("bench flac", "not implemented yet") } }
}
