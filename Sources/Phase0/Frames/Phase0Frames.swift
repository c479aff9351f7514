import Foundation
import EngramCore

/// One row of `latents_index.parquet` (SPEC §2).
public struct LatentIndexEntry: Equatable, Sendable {
    public var utteranceId: String
    public var speakerId: Int
    public var nFrames: Int
    public var durationSec: Double
    public init(utteranceId: String, speakerId: Int, nFrames: Int, durationSec: Double) {
        self.utteranceId = utteranceId; self.speakerId = speakerId; self.nFrames = nFrames; self.durationSec = durationSec
    }
}

/// The frames step (SPEC §3): lists every valid target frame of every analysed utterance with its
/// position, energy, split and high-energy flag, and writes `phase0_frames.parquet`.
public enum Phase0Frames {
    /// What the step did.
    public struct Summary: Sendable {
        public var table: FrameTable
        /// The global high-energy threshold: median energy of all frames of the train-speaker utterances.
        public var medianEnergy: Float
        /// Utterances left out and why (short duration, speaker in no split, bad data with on_error: skip).
        public var skipped: [(id: String, reason: String)]
        public var trainFrames: Int
        public var evalFrames: Int
    }

    /// Builds the frame table from an index and a store (no files written).
    ///
    /// Utterances are taken in index order. Those shorter than `data.min_duration_sec` or whose
    /// speaker is in neither split are left out (as the research pipeline). Bad latents (wrong width,
    /// non-finite values, fewer frames than the window needs, T differing from the index) are an
    /// `EngramError` naming the utterance, or — with `data.on_error: skip` — left out with a warning
    /// on stderr and listed in `skipped`. A configuration under which no utterance has a valid frame
    /// is an error naming `context.lags` / `context.window_size`.
    public static func build(config: Phase0Config, index: [LatentIndexEntry], store: LatentReading,
                             splits: (train: Set<Int>, eval: Set<Int>), warn: (String) -> Void = { printErr("warning: \($0)") }) throws -> Summary {
        let geometry = try ContextGeometry(config)
        let check = UtteranceCheck(expectedDim: config.vae.latentDim, geometry: geometry, storeLocation: store.location)
        var skipped: [(String, String)] = []
        var candidates: [(entry: LatentIndexEntry, split: FrameSplit)] = []
        var seen = Set<String>()
        for e in index {
            if !seen.insert(e.utteranceId).inserted {
                throw EngramError(config.output.latentsIndex, "utterance \(e.utteranceId) is listed twice")
            }
            if e.durationSec < config.data.minDurationSec {
                skipped.append((e.utteranceId, "shorter than data.min_duration_sec")); continue
            }
            if splits.train.contains(e.speakerId) { candidates.append((e, .train)) }
            else if splits.eval.contains(e.speakerId) { candidates.append((e, .eval)) }
            else { skipped.append((e.utteranceId, "speaker \(e.speakerId) is in no split")) }
        }
        if !candidates.isEmpty && candidates.allSatisfy({ $0.entry.nFrames < geometry.minimumFrames }) {
            let longest = candidates.map(\.entry.nFrames).max() ?? 0
            throw EngramError("context.lags", "no utterance has a valid target frame: window_size \(geometry.windowSize) with lags \(geometry.lags) needs at least \(geometry.minimumFrames) frames, the longest utterance has \(longest)")
        }
        var kept: [(entry: LatentIndexEntry, split: FrameSplit, energy: [Float])] = []
        var scratch: [Float] = []
        for (e, split) in candidates {
            do {
                let shape = try store.shape(of: e.utteranceId)
                try check.checkShape(e.utteranceId, frames: shape.frames, dim: shape.dim, indexFrames: e.nFrames)
                if scratch.count < shape.frames * shape.dim { scratch = [Float](repeating: 0, count: shape.frames * shape.dim) }
                try scratch.withUnsafeMutableBufferPointer { buf in
                    let b = UnsafeMutableBufferPointer(rebasing: buf[0..<(shape.frames * shape.dim)])
                    try store.readLatents(e.utteranceId, into: b)
                    try check.checkFinite(e.utteranceId, x: UnsafeBufferPointer(b), dim: shape.dim)
                }
                let energy = try store.readEnergy(e.utteranceId)
                try check.checkEnergy(e.utteranceId, energy: energy, frames: shape.frames)
                kept.append((e, split, energy))
            } catch let err as EngramError {
                guard config.data.onError == .skip else { throw err }
                warn("skipping \(err.description)")
                skipped.append((e.utteranceId, err.description))
            }
        }
        if kept.isEmpty {
            throw EngramError(config.output.latentsIndex, "no utterance to analyse (check the splits, data.min_duration_sec and the skipped utterances)")
        }
        guard kept.contains(where: { $0.split == .train }) else {
            throw EngramError(config.output.splitsDir, "no train-speaker utterance left to analyse")
        }
        let median = medianEnergy(kept.filter { $0.split == .train }.map(\.energy))
        var table = FrameTable()
        for k in kept {
            table.append(utteranceId: k.entry.utteranceId, speaker: k.entry.speakerId, split: k.split,
                         nFrames: k.entry.nFrames, frames: geometry.validFrames(nFrames: k.entry.nFrames),
                         energy: k.energy, threshold: median)
        }
        var trainFrames = 0
        for i in 0..<table.count where table.split(ofFrame: i) == .train { trainFrames += 1 }
        return Summary(table: table, medianEnergy: median, skipped: skipped, trainFrames: trainFrames,
                       evalFrames: table.count - trainFrames)
    }

    /// numpy's `np.median` of the concatenated float32 energies: the middle value, or for an even
    /// count the float32 mean of the two middle values.
    static func medianEnergy(_ energies: [[Float]]) -> Float {
        var all = energies.flatMap { $0 }
        precondition(!all.isEmpty)
        all.sort()
        let n = all.count
        if n % 2 == 1 { return all[n / 2] }
        return (all[n / 2 - 1] + all[n / 2]) / 2
    }
}
