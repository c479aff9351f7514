import Foundation
import EngramCore

/// `report.txt` (SPEC §7): decision banner, reasons, lag-1/all summary table, per-speaker CI table,
/// criteria — the research pipeline's layout, plus our additions (hold-out and train-means VR).
public enum ReportText {
    public static func make(_ records: [DecisionInput], decision: Phase0Decision, criteria: Phase0Decision.Criteria) -> String {
        let rule = String(repeating: "=", count: 70), thin = String(repeating: "-", count: 70)
        var L = [rule, "PHASE 0 ANALYSIS REPORT: Audio Latent Structure Analysis", rule, "",
                 "DECISION: " + (decision.pass ? "PASS" : "FAIL"), ""]
        if decision.pass {
            L += ["Audio latents exhibit reusable local structure suitable for", "conditional memory mechanisms.", "",
                  "Best condition: \(decision.best_condition ?? "")",
                  "Passing conditions: \((decision.passing_conditions ?? []).joined(separator: ", "))"]
        } else {
            L += ["Audio latents do NOT exhibit sufficient reusable local structure.",
                  "Conditional memory mechanisms are unlikely to provide benefit.", "", "Failure reasons:"]
            L += decision.reasons.map { "  - \($0)" }
        }
        if !decision.warnings.isEmpty { L += ["", "Warnings:"] + decision.warnings.map { "  - \($0)" } }

        let primary = records.filter { $0.slice == "all" && $0.lag == 1 }
        func f3(_ v: Double?) -> String { guard let v, v.isFinite else { return "nan" }; return String(format: "%.3f", v) }
        func pct(_ v: Double?) -> String { guard let v, v.isFinite else { return "nan" }; return String(format: "%.1f%%", v * 100) }
        L += ["", thin, "METRICS SUMMARY (slice=all, lag=1)", thin, ""]
        L += table(["Condition", "Train VR", "Eval VR", "Degradation", "Random", "Excl. Mass"],
                   primary.map { [$0.condition, f3($0.train.variance_ratio), f3($0.eval.variance_ratio),
                                  f3($0.cross_speaker_degradation), f3($0.random_baseline_variance_ratio), pct($0.train.excluded_mass)] })
        if primary.contains(where: { $0.eval.variance_ratio_train_means != nil }) {
            L += ["", "Addition: eval scored with the TRAIN cluster means (the lookup-transfer question):", ""]
            L += table(["Condition", "Eval VR (own means)", "Eval VR (train means)", "Random (eval)"],
                       primary.map { [$0.condition, f3($0.eval.variance_ratio), f3($0.eval.variance_ratio_train_means),
                                      f3($0.random_baseline_eval_variance_ratio)] })
        }
        L += ["", thin, "PER-SPEAKER CONFIDENCE INTERVALS (95%)", thin, ""]
        L += table(["Condition", "Train CI", "Train Mean", "Train Std", "Eval CI", "Speakers (train/eval)"],
                   primary.map { ["\($0.condition)", "[\(f3($0.train.speaker_ci_lower)), \(f3($0.train.speaker_ci_upper))]",
                                  f3($0.train.speaker_mean), f3($0.train.speaker_std),
                                  "[\(f3($0.eval.speaker_ci_lower)), \(f3($0.eval.speaker_ci_upper))]",
                                  "\($0.train.n_speakers.map(String.init) ?? "-")/\($0.eval.n_speakers.map(String.init) ?? "-")"] })
        L += ["", thin, "DECISION CRITERIA (from SPEC)", thin, "",
              "Variance ratio threshold: <= \(criteria.varianceRatioThreshold) (on BOTH train and eval, slice all, lag 1)",
              "Cross-speaker degradation max: <= \(criteria.crossSpeakerDegradationMax) (eval worse than train)",
              "Random baseline: within \(criteria.randomBaselineTolerance) of 1.0 on train and eval (else bug or artifact)",
              "Confound robustness: \(criteria.confoundSlices.joined(separator: " and ")) slices VR <= threshold + \(criteria.confoundMargin)",
              "", "Pass if ALL criteria met for at least one condition. Fail if ANY violated for every condition.", "", rule]
        return L.joined(separator: "\n") + "\n"
    }

    /// A plain fixed-width table, right-aligned numbers, as pandas' `to_string(index=False)`.
    public static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        var w = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < w.count { w[i] = max(w[i], c.count) } }
        func line(_ r: [String]) -> String {
            r.enumerated().map { i, c in String(repeating: " ", count: max(0, w[i] - c.count)) + c }.joined(separator: " ")
        }
        return [line(header)] + rows.map(line)
    }
}
