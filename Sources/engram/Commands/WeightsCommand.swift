import ArgumentParser
import EngramCore

/// `engram weights …`
struct WeightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "weights", abstract: "Encoder checkpoints.",
                                                    subcommands: [])
}
