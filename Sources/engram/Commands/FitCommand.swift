import ArgumentParser
import EngramCore

struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fit", abstract: "Fit normalisation, PCA and k-means per lag (SPEC §4).")
    @OptionGroup var options: ConfigOption
    func run() throws { try reportingErrors { throw EngramError("fit", "not implemented yet") } }
}
