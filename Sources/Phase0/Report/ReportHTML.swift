import Foundation

/// A single self-contained `report.html`: decision, reasons and warnings, the metrics table of every
/// record, and every plot inlined as SVG (no external files, scripts or fonts).
public enum ReportHTML {
    public struct Figure {
        public var title: String
        public var svg: String
        public init(title: String, svg: String) { self.title = title; self.svg = svg }
    }

    static func esc(_ s: String) -> String { SVGChart.esc(s) }

    /// How to read the plots (one line each).
    static let readingGuide = """
        <ul style="font-size:14px">
        <li>VR = within-cluster / total variance of the normalised Δx: 1 means no structure (the random baseline), the decision threshold is 0.6.</li>
        <li>Cluster sizes: ids with fewer than min_cluster_size train samples are excluded from every VR.</li>
        <li>Within-cluster variance: clusters below 1 (the unconditional variance) predict Δx; small clusters scatter by chance.</li>
        <li>Cluster mean PCA: well-spread means = the clusters predict different dynamics.</li>
        <li>Kept fraction: VR of the most confidently assigned samples; a steep fall to the left means the structure lives in confident frames.</li>
        <li>VR vs K: train falling while hold-out utterances and eval speakers stay flat is K overfitting, not structure.</li>
        </ul>

        """

    public static func make(_ records: [DecisionInput], decision: Phase0Decision, reportText: String, figures: [Figure], configFile: String) -> String {
        func f3(_ v: Double?) -> String { guard let v, v.isFinite else { return "–" }; return String(format: "%.3f", v) }
        var h = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Phase 0 report</title>
        <style>
        body{font-family:Helvetica,Arial,sans-serif;margin:2em auto;max-width:1400px;color:#222}
        .banner{font-size:2em;font-weight:bold;padding:.4em .8em;border-radius:6px;color:white;display:inline-block}
        .pass{background:#2ca02c}.fail{background:#d62728}
        table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
        th{background:#f3f3f3}td:first-child,td:nth-child(2),td:nth-child(3){text-align:left}
        .bad{background:#fde0e0}.good{background:#e3f6e3}figure{display:inline-block;margin:1em}
        pre{background:#f7f7f7;padding:1em;overflow-x:auto;font-size:12px}
        </style></head><body>
        <h1>Phase 0: do the latents have reusable local structure?</h1>
        <p>Config: <code>\(esc(configFile))</code></p>
        <div class="banner \(decision.pass ? "pass" : "fail")">\(decision.pass ? "PASS" : "FAIL")</div>

        """
        if let best = decision.best_condition { h += "<p>Best condition: <b>\(esc(best))</b>; passing: \(esc((decision.passing_conditions ?? []).joined(separator: ", ")))</p>\n" }
        if !decision.reasons.isEmpty { h += "<h2>Reasons</h2><ul>" + decision.reasons.map { "<li>\(esc($0))</li>" }.joined() + "</ul>\n" }
        if !decision.warnings.isEmpty { h += "<h2>Warnings</h2><ul>" + decision.warnings.map { "<li>\(esc($0))</li>" }.joined() + "</ul>\n" }
        h += "<h2>All metrics</h2>\n<table><tr><th>condition</th><th>slice</th><th>lag</th><th>train VR</th><th>eval VR</th><th>eval VR (train means)</th><th>degradation</th><th>random train</th><th>random eval</th><th>train H red.</th><th>eval H red.</th><th>clusters</th><th>train n</th><th>eval n</th><th>train CI</th></tr>\n"
        for r in records {
            let cls = (r.train.variance_ratio ?? 1) <= 0.6 && (r.eval.variance_ratio ?? 1) <= 0.6 ? "good" : ""
            h += "<tr class=\"\(cls)\"><td>\(esc(r.condition))</td><td>\(esc(r.slice))</td><td>\(r.lag)</td><td>\(f3(r.train.variance_ratio))</td><td>\(f3(r.eval.variance_ratio))</td><td>\(f3(r.eval.variance_ratio_train_means))</td><td>\(f3(r.cross_speaker_degradation))</td><td>\(f3(r.random_baseline_variance_ratio))</td><td>\(f3(r.random_baseline_eval_variance_ratio))</td><td>\(f3(r.train.entropy_reduction))</td><td>\(f3(r.eval.entropy_reduction))</td><td>\(r.n_effective_clusters.map(String.init) ?? "–")</td><td>\(r.train.n_samples.map(String.init) ?? "–")</td><td>\(r.eval.n_samples.map(String.init) ?? "–")</td><td>[\(f3(r.train.speaker_ci_lower)), \(f3(r.train.speaker_ci_upper))]</td></tr>\n"
        }
        h += "</table>\n"
        if !figures.isEmpty {
            h += "<h2>Plots</h2>\n" + readingGuide
            for (i, fig) in figures.enumerated() {
                // Each inlined SVG gets its own clip-path id (ids are document-global in HTML).
                let svg = fig.svg.replacingOccurrences(of: "id=\"plot\"", with: "id=\"plot-\(i)\"")
                    .replacingOccurrences(of: "url(#plot)", with: "url(#plot-\(i))")
                h += "<figure>\(svg)<figcaption>\(esc(fig.title))</figcaption></figure>\n"
            }
        }
        h += "<h2>report.txt</h2><pre>\(esc(reportText))</pre>\n</body></html>\n"
        return h
    }
}
