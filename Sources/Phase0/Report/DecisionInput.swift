import Foundation
import EngramCore

/// The fields of one `metrics.json` record that the decision and the report read (SPEC §7).
/// Decoded leniently, so a `metrics.json` written by the research pipeline (which may hold bare
/// `NaN` tokens) is accepted too.
public struct DecisionInput: Decodable, Equatable {
    public struct Split: Decodable, Equatable {
        public var variance_ratio: Double?
        public var entropy_reduction: Double?
        public var n_samples: Int?
        public var excluded_mass: Double?
        public var speaker_mean: Double?
        public var speaker_std: Double?
        public var speaker_ci_lower: Double?
        public var speaker_ci_upper: Double?
        public var n_speakers: Int?
        public var variance_ratio_train_means: Double?
    }
    public var condition: String
    public var type: String?
    public var lag: Int
    public var slice: String
    public var n_effective_clusters: Int?
    public var train: Split
    public var eval: Split
    public var cross_speaker_degradation: Double?
    public var cross_speaker_degradation_absolute: Double?
    public var random_baseline_variance_ratio: Double?
    public var random_baseline_eval_variance_ratio: Double?

    /// Reads `metrics.json` (a list of records, or `{"results": [...]}` as older pipeline versions wrote).
    public static func load(_ url: URL) throws -> [DecisionInput] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EngramError(url.path, "cannot read metrics file (\(error.localizedDescription)); run `engram phase0 evaluate` first")
        }
        return try decode(data, file: url.path)
    }

    public static func decode(_ data: Data, file: String) throws -> [DecisionInput] {
        let d = JSONDecoder()
        d.allowsJSON5 = true
        struct Wrapped: Decodable { var results: [DecisionInput] }
        do { return try d.decode([DecisionInput].self, from: data) } catch let listError {
            if let w = try? d.decode(Wrapped.self, from: data) { return w.results }
            throw EngramError(file, "not a metrics.json list of records: \(listError)")
        }
    }
}
