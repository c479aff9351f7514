import ArgumentParser
import EngramCore
import Phase0

/// `engram phase0 report`: decision, report.txt, report.html, decision.json and plots. Exit 0 on PASS, 1 on FAIL.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Decision, report.txt, report.html and plots (SPEC §6–§7). Exits 0 on PASS, 1 on FAIL.")
    @OptionGroup var options: ConfigOption

    func run() throws {
        var pass = false
        try reportingErrors {
            let config = try Phase0Config.load(file: options.config)
            let result = try Phase0Report.write(config: config, figures: try Phase0Plots.render(config: config))
            print(result.text)
            printErr("wrote \(result.files.map(\.path).joined(separator: ", "))")
            pass = result.decision.pass
        }
        if !pass { throw ExitCode(1) }
    }
}
