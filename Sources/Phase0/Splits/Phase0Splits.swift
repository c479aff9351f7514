import Foundation
import EngramCore

/// The speaker and utterance splits of Phase 0 (SPEC §1) and their files in `output.splits_dir`:
/// `train_speakers.txt`, `eval_speakers.txt`, `train_utt_ids.txt`, `eval_utt_ids.txt`,
/// `train_utt_ids_train.txt`, `train_utt_ids_val.txt` (one id per line) and `metadata.json` (counts).
public struct Phase0Splits: Equatable, Sendable {
    public var trainSpeakers: [Int]
    public var evalSpeakers: [Int]
    /// Utterance ids of the train / eval speakers, sorted.
    public var trainUtterances: [String]
    public var evalUtterances: [String]
    /// Train utterances used for fitting and the held-out ones (`utt_holdout_frac`), sorted.
    public var trainUttTrain: [String]
    public var trainUttVal: [String]

    public init(trainSpeakers: [Int], evalSpeakers: [Int], trainUtterances: [String], evalUtterances: [String],
                trainUttTrain: [String], trainUttVal: [String]) {
        self.trainSpeakers = trainSpeakers; self.evalSpeakers = evalSpeakers
        self.trainUtterances = trainUtterances; self.evalUtterances = evalUtterances
        self.trainUttTrain = trainUttTrain; self.trainUttVal = trainUttVal
    }

    /// Splits `speakers` and the utterances `(id, speaker)` as the research pipeline does.
    /// Utterances of speakers in neither split are ignored.
    public static func make(speakers: [Int], utterances: [(id: String, speaker: Int)], nTrain: Int, nEval: Int,
                            holdoutFrac: Double, seed: Int) -> Phase0Splits {
        let (train, eval) = splitSpeakers(speakers, nTrain: nTrain, nEval: nEval, seed: seed)
        let trainSet = Set(train), evalSet = Set(eval)
        let trainUtts = utterances.filter { trainSet.contains($0.speaker) }.map(\.id).sorted(by: pythonStringOrder)
        let evalUtts = utterances.filter { evalSet.contains($0.speaker) }.map(\.id).sorted(by: pythonStringOrder)
        let (fit, val) = holdOutUtterances(trainUtts, holdoutFrac: holdoutFrac, seed: seed)
        return Phase0Splits(trainSpeakers: train, evalSpeakers: eval, trainUtterances: trainUtts, evalUtterances: evalUtts,
                            trainUttTrain: fit, trainUttVal: val)
    }

    public static let fileNames = ["train_speakers.txt", "eval_speakers.txt", "train_utt_ids.txt", "eval_utt_ids.txt",
                                   "train_utt_ids_train.txt", "train_utt_ids_val.txt"]

    /// The six lists in `fileNames` order, as text lines.
    var lists: [[String]] {
        [trainSpeakers.map(String.init), evalSpeakers.map(String.init), trainUtterances, evalUtterances, trainUttTrain, trainUttVal]
    }

    /// `metadata.json` with the research pipeline's keys, in its layout (`json.dump(indent=2)`).
    public var metadataJSON: String {
        OrderedJSON.object([
            ("n_train_speakers", .int(trainSpeakers.count)),
            ("n_eval_speakers", .int(evalSpeakers.count)),
            ("n_train_utterances", .int(trainUtterances.count)),
            ("n_eval_utterances", .int(evalUtterances.count)),
            ("n_train_utt_train", .int(trainUttTrain.count)),
            ("n_train_utt_val", .int(trainUttVal.count)),
        ]).serialized(indent: 2)
    }

    /// Writes the split files into `dir` (each atomically).
    public func write(to dir: URL) throws {
        for (name, lines) in zip(Self.fileNames, lists) {
            try AtomicFile.write(lines.map { $0 + "\n" }.joined(), to: dir.appendingPathComponent(name))
        }
        try AtomicFile.write(metadataJSON, to: dir.appendingPathComponent("metadata.json"))
    }

    /// Reads split files written by us or by the research pipeline (blank lines and surrounding
    /// whitespace ignored, as its `load_splits`).
    public static func read(from dir: URL) throws -> Phase0Splits {
        func lines(_ name: String) throws -> [String] {
            let url = dir.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw EngramError(url.path, "split file missing (run `engram phase0 splits` first)")
            }
            return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        }
        func ints(_ name: String) throws -> [Int] {
            try lines(name).map { s in
                guard let v = Int(s) else { throw EngramError(dir.appendingPathComponent(name).path, "'\(s)' is not an integer speaker id") }
                return v
            }
        }
        return Phase0Splits(trainSpeakers: try ints(fileNames[0]), evalSpeakers: try ints(fileNames[1]),
                            trainUtterances: try lines(fileNames[2]), evalUtterances: try lines(fileNames[3]),
                            trainUttTrain: try lines(fileNames[4]), trainUttVal: try lines(fileNames[5]))
    }
}
