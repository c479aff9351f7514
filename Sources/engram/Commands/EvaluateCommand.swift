import ArgumentParser
import EngramCore

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "evaluate", abstract: "Compute metrics.json and tables.csv (SPEC §5).")
    @OptionGroup var options: ConfigOption
    func run() throws { try reportingErrors { throw EngramError("evaluate", "not implemented yet") } }
}
