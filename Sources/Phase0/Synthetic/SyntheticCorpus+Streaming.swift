import Foundation
import EngramCore
import Formats

extension SyntheticCorpus {
    /// Writes the same folder as `SyntheticCorpus(p).write(to:)` (same latents, index, splits and
    /// config for the same process) without holding the corpus in memory: utterances are generated
    /// `batch` at a time on all cores and written in index order. For stores of LibriSpeech size
    /// (4.5 M frames × 512 dims ≈ 9.3 GB) on a machine that cannot hold them twice.
    /// - Parameter trainSpeakers: speakers in the train split (default: 75 %, at least one eval speaker).
    /// - Returns: the splits written.
    @discardableResult
    public static func writeStreaming(_ p: RegimeProcess, to dir: URL, trainSpeakers: Int? = nil, holdoutFrac: Double = 0.1,
                                      conditionsYAML: String? = nil, minClusterSize: Int? = nil, batch: Int = 128,
                                      progress: ((Int, Int) -> Void)? = nil) throws -> Phase0Splits {
        try p.validate()
        let nTrain = trainSpeakers ?? Self.trainSpeakers(p, 0.75)
        guard nTrain >= 1, nTrain < p.speakers else {
            throw EngramError("synth-latents", "train speakers must be between 1 and speakers − 1 = \(p.speakers - 1) (got \(nTrain))")
        }
        let (entries, splits) = indexAndSplits(p, nTrainSpeakers: nTrain, holdoutFrac: holdoutFrac)
        let layout = Layout(dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: layout.latents.path) { try FileManager.default.removeItem(at: layout.latents) }
        let store = try LatentStore(createAt: layout.latents)
        let mu = p.regimeDrifts
        let timestamps = (0..<p.frames).map { Float(Double($0) / p.frameRate) }
        var index = LatentsIndexTable()
        let perSpeaker = p.utterancesPerSpeaker
        var start = 0
        while start < entries.count {
            let end = min(entries.count, start + batch)
            let box = UtteranceBox(count: end - start)
            DispatchQueue.concurrentPerform(iterations: end - start) { j in
                let g = start + j
                box.set(j, p.utterance(speakerIndex: g / perSpeaker, index: g % perSpeaker, drifts: mu))
            }
            for (j, e) in entries[start..<end].enumerated() {
                let u = box.items[j]!
                precondition(u.id == e.utteranceId)
                try store.write(id: u.id, x: u.x, T: p.frames, D: p.dim, energy: u.energy, timestamps: timestamps, speakerID: u.speaker)
                index.append(.init(utteranceId: e.utteranceId, speakerId: Int64(e.speakerId), nFrames: Int64(e.nFrames),
                                   durationSec: e.durationSec, audioPath: "synthetic/\(e.utteranceId)"))
            }
            start = end
            progress?(end, entries.count)
        }
        try store.consolidate()
        try index.write(to: layout.index)
        try splits.write(to: layout.splits)
        try AtomicFile.write(configYAML(p, splits, dir: dir, conditionsYAML: conditionsYAML, minClusterSize: minClusterSize), to: layout.config)
        return splits
    }
}

/// Slots filled concurrently, one per index.
private final class UtteranceBox: @unchecked Sendable {
    var items: [RegimeProcess.Utterance?]
    private let lock = NSLock()
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ u: RegimeProcess.Utterance) { lock.lock(); items[i] = u; lock.unlock() }
}
