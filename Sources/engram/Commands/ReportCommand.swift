import ArgumentParser
import EngramCore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Decision, report.txt, report.html and plots (SPEC §6–§7).")
    @OptionGroup var options: ConfigOption
    func run() throws { try reportingErrors { throw EngramError("report", "not implemented yet") } }
}
