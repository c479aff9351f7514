import ArgumentParser
import EngramCore

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run every Phase 0 step, skipping those already up to date.")
    @OptionGroup var options: ConfigOption
    func run() throws { try reportingErrors { throw EngramError("run", "not implemented yet") } }
}
