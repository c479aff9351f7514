import Foundation

/// The Phase 0 decision (SPEC §6), `decision.json`. Keys as the research pipeline's.
public struct Phase0Decision: Codable, Equatable {
    public struct Summary: Codable, Equatable {
        public var n_conditions_tested: Int
        public var n_conditions_passing: Int
        public var passing_conditions: [String]
    }
    public var pass: Bool
    /// Failure reasons, each prefixed `[condition]`.
    public var reasons: [String]
    /// Things a researcher should look at that do not decide the outcome (our additions).
    public var warnings: [String]
    public var best_condition: String?
    public var passing_conditions: [String]?
    public var summary: Summary

    /// Thresholds of the decision (config `metrics.*`).
    public struct Criteria: Equatable {
        public var varianceRatioThreshold = 0.6
        public var crossSpeakerDegradationMax = 0.20
        public var randomBaselineTolerance = 0.05
        /// Confound slices may exceed the threshold by this much.
        public var confoundMargin = 0.05
        public var confoundSlices = ["high_energy", "utterance_medial"]
        public init() {}
    }

    /// Applies SPEC §6 per condition (lag 1 only); the phase passes if any condition passes.
    /// `best_condition` is the first passing condition in the order conditions first appear.
    public static func make(_ records: [DecisionInput], criteria: Criteria = Criteria()) -> Phase0Decision {
        var order: [String] = []
        var byCondition: [String: [DecisionInput]] = [:]
        for r in records {
            if byCondition[r.condition] == nil { order.append(r.condition) }
            byCondition[r.condition, default: []].append(r)
        }
        var reasons: [String] = [], warnings: [String] = [], passing: [String] = []
        if records.isEmpty { reasons.append("No metrics available") }
        let thr = criteria.varianceRatioThreshold
        func f3(_ v: Double) -> String { String(format: "%.3f", v) }
        // A missing or non-finite value fails its criterion (it cannot be shown to hold).
        func exceeds(_ v: Double?, _ limit: Double) -> Bool { guard let v, v.isFinite else { return true }; return v > limit }
        func show(_ v: Double?) -> String { v.map(f3) ?? "missing" }

        for cond in order {
            let rs = byCondition[cond]!
            var ok = true
            var why: [String] = []
            if let p = rs.first(where: { $0.slice == "all" && $0.lag == 1 }) {
                if exceeds(p.train.variance_ratio, thr) { ok = false; why.append("Train variance ratio \(show(p.train.variance_ratio)) > \(thr)") }
                if exceeds(p.eval.variance_ratio, thr) { ok = false; why.append("Eval variance ratio \(show(p.eval.variance_ratio)) > \(thr)") }
                if exceeds(p.cross_speaker_degradation, criteria.crossSpeakerDegradationMax) {
                    ok = false
                    why.append("Cross-speaker degradation \(show(p.cross_speaker_degradation)) > \(criteria.crossSpeakerDegradationMax)")
                }
                for (name, v) in [("train", p.random_baseline_variance_ratio), ("eval", p.random_baseline_eval_variance_ratio)] {
                    if exceeds(v.map { abs($0 - 1) }, criteria.randomBaselineTolerance) {
                        ok = false
                        why.append("Random baseline (\(name)) \(show(v)) differs from 1.0 - possible bug or filtering artifact")
                    }
                }
                if let tm = p.eval.variance_ratio_train_means, let own = p.eval.variance_ratio, tm.isFinite, tm > own + 0.05 {
                    warnings.append("[\(cond)] Eval VR with train cluster means \(f3(tm)) is worse than with eval's own means \(f3(own)): the lookup transfers less than `variance_ratio` suggests")
                }
                if let em = p.train.excluded_mass, em > 0.2 {
                    warnings.append("[\(cond)] \(String(format: "%.1f", em * 100))% of train samples fall outside effective clusters (min_cluster_size)")
                }
            } else {
                ok = false
                why.append("No lag-1 'all' slice record")
            }
            for s in criteria.confoundSlices {
                guard let c = rs.first(where: { $0.slice == s && $0.lag == 1 }) else { continue }
                if exceeds(c.train.variance_ratio, thr + criteria.confoundMargin) { ok = false; why.append("Structure disappears in \(s) slice (train VR=\(show(c.train.variance_ratio)))") }
                if exceeds(c.eval.variance_ratio, thr + criteria.confoundMargin) { ok = false; why.append("Structure disappears in \(s) slice (eval VR=\(show(c.eval.variance_ratio)))") }
            }
            if ok { passing.append(cond) } else { reasons += why.map { "[\(cond)] \($0)" } }
        }
        return Phase0Decision(
            pass: !passing.isEmpty, reasons: reasons, warnings: warnings,
            best_condition: passing.first, passing_conditions: passing.isEmpty ? nil : passing,
            summary: Summary(n_conditions_tested: order.count, n_conditions_passing: passing.count, passing_conditions: passing))
    }

    enum CodingKeys: String, CodingKey { case pass, reasons, warnings, best_condition, passing_conditions, summary }

    /// Writes `best_condition: null` explicitly (as the research pipeline does) so notebooks can index it.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pass, forKey: .pass)
        try c.encode(reasons, forKey: .reasons)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(best_condition, forKey: .best_condition)
        try c.encodeIfPresent(passing_conditions, forKey: .passing_conditions)
        try c.encode(summary, forKey: .summary)
    }

    public func jsonData() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(self)
    }
}
