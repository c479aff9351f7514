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
        let utts = p.generate()
        var dict: [String: InMemoryLatents.Utterance] = [:]
        for u in utts { dict[u.id] = .init(x: u.x, frames: p.frames, dim: p.dim, energy: u.energy) }
        store = InMemoryLatents(dict, location: "<synthetic>")
        process = p
        (index, splits) = Self.indexAndSplits(p, nTrainSpeakers: Self.trainSpeakers(p, trainFraction), holdoutFrac: holdoutFrac)
    }

    /// max(1, round(fraction × speakers)), leaving at least one eval speaker.
    static func trainSpeakers(_ p: RegimeProcess, _ fraction: Double) -> Int {
        min(max(1, Int((Double(p.speakers) * fraction).rounded())), p.speakers - 1)
    }

    /// Index entries and SPEC §1 splits of the process' utterances (no latents generated).
    static func indexAndSplits(_ p: RegimeProcess, nTrainSpeakers nTrain: Int, holdoutFrac: Double) -> ([LatentIndexEntry], Phase0Splits) {
        var index: [LatentIndexEntry] = []
        var utts: [(id: String, speaker: Int)] = []
        for k in 0..<p.speakers {
            for u in 0..<p.utterancesPerSpeaker {
                let speaker = RegimeProcess.firstSpeaker + k
                let id = RegimeProcess.utteranceId(speaker: speaker, index: u)
                index.append(LatentIndexEntry(utteranceId: id, speakerId: speaker, nFrames: p.frames, durationSec: Double(p.frames) / p.frameRate))
                utts.append((id, speaker))
            }
        }
        let speakers = (0..<p.speakers).map { RegimeProcess.firstSpeaker + $0 }
        let splits = Phase0Splits.make(speakers: speakers, utterances: utts, nTrain: nTrain, nEval: p.speakers - nTrain,
                                       holdoutFrac: holdoutFrac, seed: Int(p.seed))
        return (index, splits)
    }
}
