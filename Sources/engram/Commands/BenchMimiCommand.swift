import ArgumentParser
import EngramCore

struct BenchMimiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mimi", abstract: "Mimi encoder real-time factor and GFLOP/s.")
    func run() throws { try reportingErrors { throw EngramError("bench mimi", "not implemented yet") } }
}
