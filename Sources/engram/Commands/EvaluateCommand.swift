import ArgumentParser
import EngramCore
import Phase0

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate", abstract: "Compute metrics.json and tables.csv (SPEC §5).",
        discussion: "Scores the saved assignments of output.conditioning_dir: variance ratios, entropy reduction, per-speaker statistics, degradation, random baselines and hold-out VR, per condition × lag × slice.")
    @OptionGroup var options: ConfigOption
    @OptionGroup var force: ForceOption
    func run() throws {
        try reportingErrors {
            let config = try Phase0Config.load(file: options.config)
            try Phase0Steps.evaluate(config: config, force: force.force)
        }
    }
}
