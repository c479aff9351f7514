import Foundation
import EngramCore

/// A `RegimeProcess` sample as a latents store in memory, with its index and splits
/// (speaker split and utterance hold-out drawn with Python's `random.Random`, as SPEC §1).
public struct SyntheticCorpus {
    public var process: RegimeProcess
    public var store: InMemoryLatents
    public var index: [LatentIndexEntry]
    public var trainSpeakers: [Int]
    public var evalSpeakers: [Int]
    /// Train utterances, sorted (string order).
    public var trainUtterances: [String]
    public var evalUtterances: [String]
    public var trainUttTrain: [String]
    public var trainUttVal: [String]

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
        var speakers = (0..<p.speakers).map { RegimeProcess.firstSpeaker + $0 }
        var rng = PythonRandom(seed: Int(p.seed))
        rng.shuffle(&speakers)
        let nTrain = min(max(1, Int((Double(p.speakers) * trainFraction).rounded())), p.speakers - 1)
        trainSpeakers = Array(speakers[0..<nTrain]).sorted()
        evalSpeakers = Array(speakers[nTrain...]).sorted()
        let trainSet = Set(trainSpeakers)
        trainUtterances = utts.filter { trainSet.contains($0.speaker) }.map(\.id).sorted()
        evalUtterances = utts.filter { !trainSet.contains($0.speaker) }.map(\.id).sorted()
        var shuffled = trainUtterances
        var r2 = PythonRandom(seed: Int(p.seed))
        r2.shuffle(&shuffled)
        let nVal = Int(Double(shuffled.count) * holdoutFrac)
        trainUttVal = Array(shuffled[0..<nVal]).sorted()
        trainUttTrain = Array(shuffled[nVal...]).sorted()
    }
}
