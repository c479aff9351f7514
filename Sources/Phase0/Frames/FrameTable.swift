import Foundation
import EngramCore

/// Which speaker split a frame belongs to.
public enum FrameSplit: UInt8, Sendable {
    case train = 0, eval = 1
    public var name: String { self == .train ? "train" : "eval" }
}

/// The rows of `phase0_frames.parquet` (SPEC §3) held column-wise: one row per valid target frame.
/// Utterance-level values (id, speaker, split) are stored once per utterance.
public struct FrameTable: Equatable, Sendable {
    /// Distinct utterances in order of first appearance.
    public var utteranceIds: [String] = []
    /// Speaker id of each utterance.
    public var utteranceSpeaker: [Int] = []
    /// Split of each utterance.
    public var utteranceSplit: [FrameSplit] = []
    /// Per frame: index into `utteranceIds`.
    public var utterance: [Int32] = []
    /// Per frame: target frame index t.
    public var t: [Int32] = []
    /// Per frame: t / T.
    public var posFrac: [Double] = []
    /// Per frame: RMS energy of the frame.
    public var energy: [Float] = []
    /// Per frame: energy > median of all train-speaker frames' energies.
    public var isHighEnergy: [Bool] = []

    public init() {}

    public var count: Int { t.count }

    public func speakerId(ofFrame i: Int) -> Int { utteranceSpeaker[Int(utterance[i])] }
    public func split(ofFrame i: Int) -> FrameSplit { utteranceSplit[Int(utterance[i])] }

    /// Appends an utterance's frames.
    mutating func append(utteranceId: String, speaker: Int, split: FrameSplit, nFrames: Int, frames: Range<Int>,
                         energy: [Float], threshold: Float) {
        let u = Int32(utteranceIds.count)
        utteranceIds.append(utteranceId)
        utteranceSpeaker.append(speaker)
        utteranceSplit.append(split)
        for t in frames {
            utterance.append(u)
            self.t.append(Int32(t))
            posFrac.append(Double(t) / Double(nFrames))
            self.energy.append(energy[t])
            isHighEnergy.append(energy[t] > threshold)
        }
    }
}
