import Foundation
import EngramCore
import Formats

extension FrameTable {
    /// The `phase0_frames.parquet` columns (SPEC §3).
    public var parquetTable: Phase0FramesTable {
        var t = Phase0FramesTable()
        t.reserveCapacity(count)
        for i in 0..<count {
            let u = Int(utterance[i])
            t.append(.init(utteranceId: utteranceIds[u], speakerId: Int64(utteranceSpeaker[u]), t: Int64(self.t[i]),
                           posFrac: posFrac[i], energy: energy[i], split: utteranceSplit[u].name, isHighEnergy: isHighEnergy[i]))
        }
        return t
    }

    /// Writes `phase0_frames.parquet` atomically.
    public func write(to url: URL) throws { try parquetTable.write(to: url) }

    /// Reads a frames table (ours or the research pipeline's). Each utterance must keep one speaker
    /// and one split across its rows.
    public static func read(from url: URL) throws -> FrameTable {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw EngramError(url.path, "frames table not found (run `engram phase0 frames` first)")
        }
        let p = try Phase0FramesTable.read(url)
        var table = FrameTable()
        var index: [String: Int32] = [:]
        table.utterance.reserveCapacity(p.count)
        for i in 0..<p.count {
            let id = p.utteranceId[i]
            let split: FrameSplit = p.split[i] == "train" ? .train : .eval
            let u: Int32
            if let k = index[id] {
                u = k
                if table.utteranceSpeaker[Int(k)] != Int(p.speakerId[i]) || table.utteranceSplit[Int(k)] != split {
                    throw EngramError("\(url.path): row \(i)", "utterance \(id) changes speaker or split between rows")
                }
            } else {
                u = Int32(table.utteranceIds.count)
                index[id] = u
                table.utteranceIds.append(id)
                table.utteranceSpeaker.append(Int(p.speakerId[i]))
                table.utteranceSplit.append(split)
            }
            guard p.t[i] >= 0, p.t[i] <= Int64(Int32.max) else { throw EngramError("\(url.path): row \(i)", "t = \(p.t[i]) is out of range") }
            table.utterance.append(u)
            table.t.append(Int32(p.t[i]))
        }
        table.posFrac = p.posFrac
        table.energy = p.energy
        table.isHighEnergy = p.isHighEnergy
        return table
    }
}
