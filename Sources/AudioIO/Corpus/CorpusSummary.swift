import Foundation

/// A text summary of a scanned corpus (`engram corpus info`): counts, hours, a duration histogram,
/// failures and warnings.
public enum CorpusSummary {
    /// Duration histogram: bin width `width` seconds; counts[i] covers [i·width, (i+1)·width).
    public static func histogram(_ durations: [Double], width: Double) -> [Int] {
        guard let mx = durations.max() else { return [] }
        var counts = [Int](repeating: 0, count: Int(mx / width) + 1)
        for d in durations { counts[min(counts.count - 1, max(0, Int(d / width)))] += 1 }
        return counts
    }

    public static func text(_ c: LibriSpeechCorpus, minDuration: Double, maxListed: Int = 20) -> String {
        var s = "corpus: \(c.subsetURL.path)\n"
        let durs = c.utterances.map(\.duration).sorted()
        var sexes = [String: Int]()
        for id in c.speakerIDs { sexes[c.speakerMetadata[id]?.sex ?? "without metadata", default: 0] += 1 }
        let sexText = sexes.keys.sorted().map { "\(sexes[$0]!) \($0)" }.joined(separator: ", ")
        s += "speakers: \(c.speakerIDs.count) (\(sexText))\n"
        s += String(format: "utterances: %d, %.2f h", durs.count, c.totalDuration / 3600)
        if let lo = durs.first, let hi = durs.last {
            s += String(format: " (min %.2f s, median %.2f s, max %.2f s)", lo, durs[durs.count / 2], hi)
        }
        s += "\n"
        let kept = c.utterances(minDuration: minDuration)
        s += String(format: "kept by data.min_duration_sec = %g: %d utterances, %.2f h\n", minDuration, kept.count,
                     kept.reduce(0) { $0 + $1.duration } / 3600)
        let rates = Set(c.utterances.map { "\($0.sampleRate) Hz \($0.channels) ch \($0.bitsPerSample) bit" })
        if !rates.isEmpty { s += "formats: \(rates.sorted().joined(separator: "; "))\n" }
        if !durs.isEmpty {
            let width = durs.last! <= 20 ? 1.0 : 2.0
            let h = histogram(durs, width: width)
            let peak = max(1, h.max() ?? 1)
            s += "duration histogram (seconds):\n"
            for (i, n) in h.enumerated() {
                let a = Double(i) * width, b = a + width
                let bar = String(repeating: "#", count: Int((Double(n) / Double(peak) * 50).rounded(.up)))
                let note = b <= minDuration ? "  (dropped)" : (a < minDuration ? "  (partly dropped)" : "")
                s += String(format: "  %5.1f–%5.1f | %-50@ %d%@\n", a, b, bar, n, note)
            }
        }
        s += "failures: \(c.issues.count)\n"
        for i in c.issues.prefix(maxListed) { s += "  \(i)\n" }
        if c.issues.count > maxListed { s += "  … and \(c.issues.count - maxListed) more\n" }
        for w in c.warnings { s += "warning: \(w)\n" }
        return s
    }
}
