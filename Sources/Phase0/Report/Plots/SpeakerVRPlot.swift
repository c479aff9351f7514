import Foundation
import EngramCore

/// The per-speaker values of `metrics.json` the speaker plot reads (lenient: a record without
/// `per_speaker`, as the research pipeline writes, just has no dots).
public struct SpeakerVRInput: Decodable, Equatable {
    public struct Speaker: Decodable, Equatable {
        public var speaker_id: Int
        public var variance_ratio: Double?
    }
    public struct Split: Decodable, Equatable {
        public var per_speaker: [Speaker]?
        public var speaker_mean: Double?
        public var speaker_ci_lower: Double?
        public var speaker_ci_upper: Double?
        public var n_speakers: Int?
    }
    public var condition: String
    public var lag: Int
    public var slice: String
    public var train: Split
    public var eval: Split

    public static func load(_ url: URL) throws -> [SpeakerVRInput] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw EngramError(url.path, "cannot read metrics file: \(error.localizedDescription)") }
        do { return try OrderedJSON.decoder.decode([SpeakerVRInput].self, from: data) } catch {
            throw EngramError(url.path, "not a metrics.json list of records: \(error)")
        }
    }
}

/// Per-speaker VR per condition (lag 1, slice `all`): one dot per speaker (train left, eval right,
/// spread sideways), the mean and its 95 % Student-t interval as a bar (SPEC §5, §7).
enum SpeakerVRPlot {
    static let trainColor = "#1f77b4", evalColor = "#d62728"
    static let trainCI = "#08306b", evalCI = "#67000d"

    /// Deterministic sideways offset in [−0.08, 0.08] for the k-th dot (golden-ratio sequence).
    static func jitter(_ k: Int) -> Double { ((Double(k) * 0.6180339887498949).truncatingRemainder(dividingBy: 1) - 0.5) * 0.16 }

    static func chart(_ records: [SpeakerVRInput], lag: Int, threshold: Double) -> SVGChart? {
        let rs = records.filter { $0.slice == "all" && $0.lag == lag }
        guard !rs.isEmpty else { return nil }
        var c = SVGChart(title: "Per-speaker variance ratio (lag \(lag), slice all)", xLabel: "condition",
                         yLabel: "VR within speaker (own cluster means)")
        c.subtitle = "one dot per speaker with ≥ \(SpeakerStatistics.minSamples) samples in effective clusters; bar: mean and 95 % t-interval"
        c.width = max(640, 150 * Double(rs.count) + 120)
        c.height = 440
        c.xCategories = rs.map(\.condition)
        c.xRange = -0.5...(Double(rs.count) - 0.5)
        var trainDots: [(Double, Double)] = [], evalDots: [(Double, Double)] = []
        var trainCIs: [(x: Double, lo: Double, mid: Double, hi: Double)] = [], evalCIs = trainCIs
        var ys: [Double] = [threshold]
        for (i, r) in rs.enumerated() {
            for (split, off) in [(r.train, -0.2), (r.eval, 0.2)] {
                let x = Double(i) + off
                let dots = (split.per_speaker ?? []).compactMap(\.variance_ratio).filter(\.isFinite).enumerated().map { (x + jitter($0.offset), $0.element) }
                ys += dots.map(\.1)
                if off < 0 { trainDots += dots } else { evalDots += dots }
                if let m = split.speaker_mean, m.isFinite {
                    let lo = split.speaker_ci_lower.flatMap { $0.isFinite ? $0 : nil } ?? m
                    let hi = split.speaker_ci_upper.flatMap { $0.isFinite ? $0 : nil } ?? m
                    ys += [lo, hi]
                    if off < 0 { trainCIs.append((x + 0.13, lo, m, hi)) } else { evalCIs.append((x + 0.13, lo, m, hi)) }
                }
            }
        }
        let none = rs.filter { ($0.train.per_speaker ?? []).isEmpty && ($0.eval.per_speaker ?? []).isEmpty }.map(\.condition)
        if !none.isEmpty { c.subtitle! += "; none qualify in \(none.joined(separator: ", "))" }
        c.marks.append(.scatter(trainDots, label: "train speakers", radius: 3, color: trainColor))
        c.marks.append(.scatter(evalDots, label: "eval speakers", radius: 3, color: evalColor))
        c.marks.append(.intervals(trainCIs, label: "train mean, 95 % CI", color: trainCI))
        c.marks.append(.intervals(evalCIs, label: "eval mean, 95 % CI", color: evalCI))
        c.marks.append(.hline(threshold, label: "threshold \(SVGChart.label(threshold))", color: "#000000"))
        let lo = ys.min() ?? 0, hi = ys.max() ?? 1
        c.yRange = max(0, lo - 0.05)...(hi + 0.05)
        return c
    }
}
