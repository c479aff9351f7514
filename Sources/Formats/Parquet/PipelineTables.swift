import EngramCore
import Foundation

// Typed views of the two Parquet tables of the Phase 0 pipeline (SPEC §2, §3).
//
// Column types match what the research pipeline's pandas DataFrames hold, so pandas reading our
// files sees the same dtypes as reading theirs:
// - latents_index: utterance_id str, speaker_id int64 (Python int), n_frames int64 (Python int),
//   duration_sec float64 (Python float), audio_path str.
// - phase0_frames: utterance_id str, speaker_id int64, t int64, pos_frac float64 (t / n_frames),
//   energy **float32** (the pipeline stores `energy[t]` taken from the float32 energy array in
//   Zarr; pandas keeps numpy float32 scalars as a float32 column), split str, is_high_energy bool.
// Reading is lenient where no information is lost (int32 → int64, float32 → float64) and also
// accepts float64 energies (rounded to float32); extra columns are ignored.

/// Reads column `name` of `table` as the requested element type, with lossless widening.
enum PipelineColumn {
    static func missing(_ name: String, _ path: String) -> EngramError {
        EngramError(path, "missing column '\(name)'")
    }

    static func wrongType(_ name: String, _ c: ParquetColumn, _ expected: String, _ path: String) -> EngramError {
        EngramError(path, "column '\(name)' has type \(c.typeName), expected \(expected)")
    }

    static func strings(_ t: ParquetTable, _ name: String, _ path: String) throws -> [String] {
        guard let c = t[name] else { throw missing(name, path) }
        guard case let .string(v) = c else { throw wrongType(name, c, "string", path) }
        return v
    }

    static func int64s(_ t: ParquetTable, _ name: String, _ path: String) throws -> [Int64] {
        guard let c = t[name] else { throw missing(name, path) }
        switch c {
        case let .int64(v): return v
        case let .int32(v): return v.map(Int64.init)
        default: throw wrongType(name, c, "int64", path)
        }
    }

    static func doubles(_ t: ParquetTable, _ name: String, _ path: String) throws -> [Double] {
        guard let c = t[name] else { throw missing(name, path) }
        switch c {
        case let .double(v): return v
        case let .float(v): return v.map(Double.init)
        default: throw wrongType(name, c, "float64", path)
        }
    }

    static func floats(_ t: ParquetTable, _ name: String, _ path: String) throws -> [Float] {
        guard let c = t[name] else { throw missing(name, path) }
        switch c {
        case let .float(v): return v
        case let .double(v): return v.map(Float.init)
        default: throw wrongType(name, c, "float32", path)
        }
    }

    static func bools(_ t: ParquetTable, _ name: String, _ path: String) throws -> [Bool] {
        guard let c = t[name] else { throw missing(name, path) }
        guard case let .bool(v) = c else { throw wrongType(name, c, "bool", path) }
        return v
    }
}

/// `latents_index.parquet`: one row per encoded utterance.
public struct LatentsIndexTable: Equatable, Sendable {
    public struct Row: Equatable, Sendable {
        public var utteranceId: String
        public var speakerId: Int64
        /// Number of latent frames T.
        public var nFrames: Int64
        /// Audio duration in seconds.
        public var durationSec: Double
        public var audioPath: String

        public init(utteranceId: String, speakerId: Int64, nFrames: Int64, durationSec: Double, audioPath: String) {
            self.utteranceId = utteranceId
            self.speakerId = speakerId
            self.nFrames = nFrames
            self.durationSec = durationSec
            self.audioPath = audioPath
        }
    }

    public static let columnNames = ["utterance_id", "speaker_id", "n_frames", "duration_sec", "audio_path"]

    public var utteranceId: [String] = []
    public var speakerId: [Int64] = []
    public var nFrames: [Int64] = []
    public var durationSec: [Double] = []
    public var audioPath: [String] = []

    public init() {}

    public init(rows: [Row]) {
        for r in rows { append(r) }
    }

    public var count: Int { utteranceId.count }

    public mutating func append(_ r: Row) {
        utteranceId.append(r.utteranceId)
        speakerId.append(r.speakerId)
        nFrames.append(r.nFrames)
        durationSec.append(r.durationSec)
        audioPath.append(r.audioPath)
    }

    public subscript(i: Int) -> Row {
        Row(utteranceId: utteranceId[i], speakerId: speakerId[i], nFrames: nFrames[i], durationSec: durationSec[i], audioPath: audioPath[i])
    }

    public var rows: [Row] { (0..<count).map { self[$0] } }

    /// The table in file column order.
    public var table: ParquetTable {
        ParquetTable([("utterance_id", .string(utteranceId)), ("speaker_id", .int64(speakerId)), ("n_frames", .int64(nFrames)),
                      ("duration_sec", .double(durationSec)), ("audio_path", .string(audioPath))])
    }

    /// Interprets a generic table; `path` names the source in errors.
    public init(_ t: ParquetTable, path: String) throws {
        utteranceId = try PipelineColumn.strings(t, "utterance_id", path)
        speakerId = try PipelineColumn.int64s(t, "speaker_id", path)
        nFrames = try PipelineColumn.int64s(t, "n_frames", path)
        durationSec = try PipelineColumn.doubles(t, "duration_sec", path)
        audioPath = try PipelineColumn.strings(t, "audio_path", path)
    }

    public static func read(_ url: URL) throws -> LatentsIndexTable {
        let t = try ParquetReader.read(url, columns: columnNames)
        return try LatentsIndexTable(t, path: url.path)
    }

    public func write(to url: URL, compression: ParquetCompression = .snappy) throws {
        try ParquetWriter.write(table, to: url, compression: compression)
    }
}

/// `phase0_frames.parquet`: one row per valid target frame of every utterance.
public struct Phase0FramesTable: Equatable, Sendable {
    public struct Row: Equatable, Sendable {
        public var utteranceId: String
        public var speakerId: Int64
        /// Target frame index t.
        public var t: Int64
        /// t / T.
        public var posFrac: Double
        /// RMS energy of frame t (float32, as stored in the latents store).
        public var energy: Float
        /// "train" or "eval".
        public var split: String
        /// energy > median energy of all train-speaker frames.
        public var isHighEnergy: Bool

        public init(utteranceId: String, speakerId: Int64, t: Int64, posFrac: Double, energy: Float, split: String, isHighEnergy: Bool) {
            self.utteranceId = utteranceId
            self.speakerId = speakerId
            self.t = t
            self.posFrac = posFrac
            self.energy = energy
            self.split = split
            self.isHighEnergy = isHighEnergy
        }
    }

    public static let columnNames = ["utterance_id", "speaker_id", "t", "pos_frac", "energy", "split", "is_high_energy"]
    public static let splits: Set<String> = ["train", "eval"]

    public var utteranceId: [String] = []
    public var speakerId: [Int64] = []
    public var t: [Int64] = []
    public var posFrac: [Double] = []
    public var energy: [Float] = []
    public var split: [String] = []
    public var isHighEnergy: [Bool] = []

    public init() {}

    public init(rows: [Row]) {
        reserveCapacity(rows.count)
        for r in rows { append(r) }
    }

    public var count: Int { utteranceId.count }

    public mutating func reserveCapacity(_ n: Int) {
        utteranceId.reserveCapacity(n); speakerId.reserveCapacity(n); t.reserveCapacity(n); posFrac.reserveCapacity(n)
        energy.reserveCapacity(n); split.reserveCapacity(n); isHighEnergy.reserveCapacity(n)
    }

    public mutating func append(_ r: Row) {
        utteranceId.append(r.utteranceId)
        speakerId.append(r.speakerId)
        t.append(r.t)
        posFrac.append(r.posFrac)
        energy.append(r.energy)
        split.append(r.split)
        isHighEnergy.append(r.isHighEnergy)
    }

    public subscript(i: Int) -> Row {
        Row(utteranceId: utteranceId[i], speakerId: speakerId[i], t: t[i], posFrac: posFrac[i], energy: energy[i],
            split: split[i], isHighEnergy: isHighEnergy[i])
    }

    public var rows: [Row] { (0..<count).map { self[$0] } }

    /// The table in file column order.
    public var table: ParquetTable {
        ParquetTable([("utterance_id", .string(utteranceId)), ("speaker_id", .int64(speakerId)), ("t", .int64(t)),
                      ("pos_frac", .double(posFrac)), ("energy", .float(energy)), ("split", .string(split)),
                      ("is_high_energy", .bool(isHighEnergy))])
    }

    /// Interprets a generic table; `path` names the source in errors. `split` must be train/eval.
    public init(_ table: ParquetTable, path: String) throws {
        utteranceId = try PipelineColumn.strings(table, "utterance_id", path)
        speakerId = try PipelineColumn.int64s(table, "speaker_id", path)
        t = try PipelineColumn.int64s(table, "t", path)
        posFrac = try PipelineColumn.doubles(table, "pos_frac", path)
        energy = try PipelineColumn.floats(table, "energy", path)
        split = try PipelineColumn.strings(table, "split", path)
        isHighEnergy = try PipelineColumn.bools(table, "is_high_energy", path)
        if let i = split.firstIndex(where: { !Self.splits.contains($0) }) {
            throw EngramError(path, "row \(i): split '\(split[i])' is neither 'train' nor 'eval'")
        }
    }

    public static func read(_ url: URL) throws -> Phase0FramesTable {
        let t = try ParquetReader.read(url, columns: columnNames)
        return try Phase0FramesTable(t, path: url.path)
    }

    public func write(to url: URL, compression: ParquetCompression = .snappy) throws {
        try ParquetWriter.write(table, to: url, compression: compression)
    }
}
