import Foundation
import EngramCore

/// `metrics.json` and `tables.csv` (SPEC §7), written the way the research pipeline's
/// `json.dump(indent=2)` and `DataFrame.to_csv(index=False)` write them.
public enum MetricsFile {
    /// Columns of `tables.csv`, in order (SPEC §7).
    public static let tableColumns = [
        "condition", "lag", "slice", "train_variance_ratio", "eval_variance_ratio",
        "train_entropy_reduction", "eval_entropy_reduction", "cross_speaker_degradation",
        "random_baseline", "random_baseline_eval", "n_effective_clusters", "train_n_samples",
        "eval_n_samples", "train_excluded_mass", "eval_excluded_mass", "train_speaker_ci_lower",
        "train_speaker_ci_upper",
    ]

    /// The JSON text of `records` (a list, one object per record, Python `indent=2` layout).
    public static func jsonText(_ records: [MetricsRecord]) -> String {
        OrderedJSON.array(records.map(\.orderedJSON)).serialized()
    }

    /// Writes `metrics.json` atomically.
    public static func write(_ records: [MetricsRecord], to url: URL) throws {
        try AtomicFile.write(jsonText(records), to: url)
    }

    /// Reads a `metrics.json` written by us or by the research pipeline (our additions are then
    /// missing and decoding fails with a message naming the key).
    public static func read(from url: URL) throws -> [MetricsRecord] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EngramError(url.path, "cannot read metrics file: \(error.localizedDescription)")
        }
        do { return try OrderedJSON.decoder.decode([MetricsRecord].self, from: data) } catch {
            throw EngramError(url.path, "not a metrics.json list of records: \(error)")
        }
    }

    /// The text of `tables.csv` (NaN as an empty field, as pandas writes it).
    public static func tableText(_ records: [MetricsRecord]) -> String {
        var lines = [tableColumns.joined(separator: ",")]
        for r in records {
            let fields: [String] = [
                csvString(r.condition), String(r.lag), csvString(r.slice),
                csvFloat(r.train.varianceRatio), csvFloat(r.eval.varianceRatio),
                csvFloat(r.train.entropyReduction), csvFloat(r.eval.entropyReduction),
                csvFloat(r.crossSpeakerDegradation),
                csvFloat(r.randomBaselineVarianceRatio), csvFloat(r.randomBaselineEvalVarianceRatio),
                String(r.nEffectiveClusters), String(r.train.nSamples), String(r.eval.nSamples),
                csvFloat(r.train.excludedMass), csvFloat(r.eval.excludedMass),
                csvFloat(r.train.speakerCILower), csvFloat(r.train.speakerCIUpper),
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `tables.csv` atomically.
    public static func writeTable(_ records: [MetricsRecord], to url: URL) throws {
        try AtomicFile.write(tableText(records), to: url)
    }

    static func csvFloat(_ d: Double) -> String {
        if d.isNaN { return "" }
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        return "\(d)"
    }

    static func csvString(_ s: String) -> String {
        if s.contains(",") || s.contains("\"") || s.contains("\n") {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}
