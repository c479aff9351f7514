import Foundation
import EngramCore
import AudioIO

/// `engram phase0 splits`: scan the corpus, split speakers and utterances, write the split files
/// and `failures.txt` (files left out under `data.on_error: skip`; empty when none).
public enum SplitsStep {
    public struct Result {
        public var splits: Phase0Splits
        public var corpus: LibriSpeechCorpus
        public var outputDir: URL
    }

    public static func run(config: Phase0Config, progress: Bool = true) throws -> Result {
        let corpus = try LibriSpeechCorpus.scan(config: config, progress: progress)
        let splits = try make(config: config, corpus: corpus)
        let dir = URL(fileURLWithPath: config.output.splitsDir)
        try splits.write(to: dir)
        try AtomicFile.write(CorpusIssue.failuresText(corpus.issues), to: dir.appendingPathComponent("failures.txt"))
        return Result(splits: splits, corpus: corpus, outputDir: dir)
    }

    /// The splits of a scanned corpus; an error naming the config file and keys when it has too few speakers.
    /// As in the research pipeline, every utterance of the chosen speakers is listed (the
    /// `data.min_duration_sec` filter applies when latents are computed).
    public static func make(config: Phase0Config, corpus: LibriSpeechCorpus) throws -> Phase0Splits {
        let s = config.splits
        let need = s.nTrainSpeakers + s.nEvalSpeakers
        if need > corpus.speakerIDs.count {
            throw EngramError(config.sourceFile.isEmpty ? "<config>" : config.sourceFile,
                              "splits.n_train_speakers (\(s.nTrainSpeakers)) + splits.n_eval_speakers (\(s.nEvalSpeakers)) = \(need) "
                              + "but only \(corpus.speakerIDs.count) speakers with audio were found in \(corpus.subsetURL.path)")
        }
        return Phase0Splits.make(speakers: corpus.speakerIDs, utterances: corpus.utterances.map { ($0.id, $0.speakerID) },
                                 nTrain: s.nTrainSpeakers, nEval: s.nEvalSpeakers, holdoutFrac: s.uttHoldoutFrac, seed: s.seed)
    }
}
