import Foundation
import EngramCore

/// The `report` step: reads `metrics.json`, decides (SPEC §6) and writes `decision.json`,
/// `report.txt`, `report.html` and `plots/*.svg` into the folder above `output.plots_dir`.
public enum Phase0Report {
    public struct Result {
        public var decision: Phase0Decision
        public var text: String
        public var files: [URL]
    }

    public static func criteria(_ config: Phase0Config) -> Phase0Decision.Criteria {
        var c = Phase0Decision.Criteria()
        c.varianceRatioThreshold = config.metrics.varianceRatioThreshold
        c.crossSpeakerDegradationMax = config.metrics.crossSpeakerDegradationMax
        c.randomBaselineTolerance = config.metrics.randomBaselineTolerance
        c.confoundSlices = config.slices.map(\.name).filter { $0 != "all" }
        return c
    }

    /// Writes every report file atomically. `figures` are extra plots (already rendered SVG) named by file stem.
    @discardableResult
    public static func write(config: Phase0Config, figures: [(name: String, title: String, svg: String)] = []) throws -> Result {
        let metricsURL = URL(fileURLWithPath: config.output.metricsFile)
        let records = try DecisionInput.load(metricsURL)
        let crit = criteria(config)
        let decision = Phase0Decision.make(records, criteria: crit)
        let text = ReportText.make(records, decision: decision, criteria: crit)
        let dir = config.output.reportDir
        let plots = URL(fileURLWithPath: config.output.plotsDir)
        var files: [URL] = []
        for f in figures {
            let u = plots.appendingPathComponent("\(f.name).svg")
            try AtomicFile.write(f.svg, to: u)
            files.append(u)
        }
        let html = ReportHTML.make(records, decision: decision, reportText: text,
                                   figures: figures.map { .init(title: $0.title, svg: $0.svg) }, configFile: config.sourceFile)
        let outs: [(String, Data)] = [("decision.json", try decision.jsonData()), ("report.txt", Data(text.utf8)), ("report.html", Data(html.utf8))]
        for (name, data) in outs {
            let u = dir.appendingPathComponent(name)
            try AtomicFile.write(data, to: u)
            files.append(u)
        }
        return Result(decision: decision, text: text, files: files)
    }
}
