import EngramCore
import Formats
import Foundation

/// `latents_index.parquet` (SPEC §2): one row per utterance in the latents store, columns
/// `utterance_id` (string), `speaker_id` (int64), `n_frames` (int64), `duration_sec` (float64,
/// source samples / source rate), `audio_path` (string) — the research pipeline's pandas dtypes.
public enum LatentsIndex {
    public struct Row: Equatable, Sendable {
        public var utteranceID: String
        public var speakerID: Int
        public var nFrames: Int
        public var durationSec: Double
        public var audioPath: String
        public init(utteranceID: String, speakerID: Int, nFrames: Int, durationSec: Double, audioPath: String) {
            self.utteranceID = utteranceID; self.speakerID = speakerID; self.nFrames = nFrames
            self.durationSec = durationSec; self.audioPath = audioPath
        }
    }

    public static func table(_ rows: [Row]) -> ParquetTable {
        ParquetTable([
            ("utterance_id", .string(rows.map(\.utteranceID))),
            ("speaker_id", .int64(rows.map { Int64($0.speakerID) })),
            ("n_frames", .int64(rows.map { Int64($0.nFrames) })),
            ("duration_sec", .double(rows.map(\.durationSec))),
            ("audio_path", .string(rows.map(\.audioPath))),
        ])
    }

    /// Writes the index atomically.
    public static func write(_ rows: [Row], to url: URL) throws {
        try ParquetWriter.write(table(rows), to: url)
    }
}
