import ArgumentParser
import AudioIO
import EngramCore
import Foundation
import Phase0

struct SplitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "splits",
        abstract: "Write speaker and utterance splits (SPEC §1) to output.splits_dir.",
        discussion: "Files: train_speakers.txt, eval_speakers.txt, train_utt_ids.txt, eval_utt_ids.txt, train_utt_ids_train.txt, train_utt_ids_val.txt, metadata.json, failures.txt.")
    @OptionGroup var options: ConfigOption
    func run() throws {
        try reportingErrors {
            let config = try Phase0Config.load(file: options.config)
            try DemoCorpus.ensure(config: config)
            let r = try SplitsStep.run(config: config)
            let s = r.splits
            print("corpus: \(r.corpus.subsetURL.path): \(r.corpus.speakerIDs.count) speakers, \(r.corpus.utterances.count) utterances")
            print("train speakers: \(s.trainSpeakers.count), eval speakers: \(s.evalSpeakers.count)")
            print("train utterances: \(s.trainUtterances.count) (fit \(s.trainUttTrain.count), held out \(s.trainUttVal.count)), eval utterances: \(s.evalUtterances.count)")
            if !r.corpus.issues.isEmpty {
                printErr("skipped \(r.corpus.issues.count) problem file(s)/folder(s) (data.on_error: skip); see \(r.outputDir.appendingPathComponent("failures.txt").path)")
            }
            print("wrote \(r.outputDir.path)")
        }
    }
}
