import ArgumentParser
import EngramCore
import Phase0

struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit", abstract: "Fit normalisation, PCA and k-means per lag (SPEC §4).",
        discussion: "Fits once per lag on all train-speaker frames (and, with metrics.holdout, on the train_utt_train frames), assigns every frame and writes models, labels and cluster stats to output.conditioning_dir.")
    @OptionGroup var options: ConfigOption
    @OptionGroup var force: ForceOption
    func run() throws {
        try reportingErrors {
            let config = try Phase0Config.load(file: options.config)
            try Phase0Steps.fit(config: config, force: force.force)
        }
    }
}
