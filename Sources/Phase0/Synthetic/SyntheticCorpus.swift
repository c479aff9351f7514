import Foundation
import EngramCore

/// A `RegimeProcess` sample as a latents store in memory, with its index and splits
/// (speaker split and utterance hold-out drawn with Python's `random.Random`, as SPEC §1).
public struct SyntheticCorpus {
    public var process: RegimeProcess
    public var store: InMemoryLatents
    public var index: [LatentIndexEntry]
    /// Speaker split and utterance hold-out drawn as SPEC §1 (Python's `random.Random(seed)`).
    public var splits: Phase0Splits
    public var trainSpeakers: [Int] { splits.trainSpeakers }
    public var evalSpeakers: [Int] { splits.evalSpeakers }
    public var trainUttVal: [String] { splits.trainUttVal }

    /// - Parameters:
    ///   - trainFraction: share of speakers in the train split (at least one speaker in each).
    ///   - holdoutFrac: share of train utterances held out (`splits.utt_holdout_frac`).
    public init(_ p: RegimeProcess, trainFraction: Double = 0.75, holdoutFrac: Double = 0.1) throws {
        try p.validate()
        process = p
        let utts = p.generate()
        var dict: [String: InMemoryLatents.Utterance] = [:]
        var index: [LatentIndexEntry] = []
        for u in utts {
            dict[u.id] = .init(x: u.x, frames: p.frames, dim: p.dim, energy: u.energy)
            index.append(LatentIndexEntry(utteranceId: u.id, speakerId: u.speaker, nFrames: p.frames,
                                          durationSec: Double(p.frames) / p.frameRate))
        }
        store = InMemoryLatents(dict, location: "<synthetic>")
        self.index = index
        let speakers = (0..<p.speakers).map { RegimeProcess.firstSpeaker + $0 }
        let nTrain = min(max(1, Int((Double(p.speakers) * trainFraction).rounded())), p.speakers - 1)
        splits = Phase0Splits.make(speakers: speakers, utterances: utts.map { ($0.id, $0.speaker) }, nTrain: nTrain,
                                   nEval: p.speakers - nTrain, holdoutFrac: holdoutFrac, seed: Int(p.seed))
    }
}
