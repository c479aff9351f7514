import Foundation

/// Histogram of the cluster sizes (train samples per id) of one condition, with the
/// `min_cluster_size` line (SPEC §7). Empty ids cannot sit on a log axis; they are counted apart.
public struct SizeHistogram: Equatable {
    /// Bin edges at half-integers, [nBins + 1]; bin b holds the sizes in (edges[b], edges[b+1]).
    public var edges: [Double]
    public var counts: [Int]
    /// Ids without train samples (not in any bin).
    public var nEmpty: Int
    /// Log-spaced bins (sizes spanning ≥ 10×).
    public var logScale: Bool

    /// About `targetBins` bins over the non-empty sizes: log-spaced when max/min ≥ 10, otherwise
    /// linear (width-1 bins when there are few distinct sizes); edges always sit at half-integers.
    public static func make(sizes: [Int], targetBins: Int = 24) -> SizeHistogram {
        let nonEmpty = sizes.filter { $0 > 0 }
        let nEmpty = sizes.count - nonEmpty.count
        guard let lo = nonEmpty.min(), let hi = nonEmpty.max() else { return SizeHistogram(edges: [], counts: [], nEmpty: nEmpty, logScale: false) }
        var edges: [Double]
        let log = Double(hi) / Double(lo) >= 10
        if log {
            // Log-spaced, snapped to half-integers so each bin holds whole sizes (no empty slivers at small sizes).
            let a = log10(Double(lo) - 0.5), b = log10(Double(hi) + 0.5)
            var e: [Double] = []
            for i in 0...targetBins {
                let v = (pow(10, a + (b - a) * Double(i) / Double(targetBins)) - 0.5).rounded() + 0.5
                if e.last.map({ v > $0 }) ?? true { e.append(v) }
            }
            e[0] = Double(lo) - 0.5
            if e.last! < Double(hi) + 0.5 { e.append(Double(hi) + 0.5) } else { e[e.count - 1] = Double(hi) + 0.5 }
            edges = e
        } else {
            let width = max(1, Int((Double(hi - lo + 1) / Double(targetBins)).rounded(.up)))
            let n = (hi - lo) / width + 1
            edges = (0...n).map { Double(lo) - 0.5 + Double($0 * width) }
        }
        var counts = [Int](repeating: 0, count: edges.count - 1)
        for s in nonEmpty { counts[bin(Double(s), edges)] += 1 }
        return SizeHistogram(edges: edges, counts: counts, nEmpty: nEmpty, logScale: log)
    }

    /// Bin of `v`: the last b with edges[b] ≤ v, clamped to the bins.
    static func bin(_ v: Double, _ edges: [Double]) -> Int {
        var lo = 0, hi = edges.count - 1          // invariant: edges[lo] ≤ v (or lo = 0), answer < hi
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if edges[mid] <= v { lo = mid } else { hi = mid }
        }
        return min(lo, edges.count - 2)
    }
}

enum ClusterSizePlot {
    static func chart(condition: String, lag: Int, sizes: [Int], minClusterSize: Int) -> (SVGChart, SizeHistogram) {
        let h = SizeHistogram.make(sizes: sizes)
        let effective = sizes.filter { $0 >= minClusterSize }.count
        let nonEmpty = sizes.filter { $0 > 0 }.sorted()
        let median = nonEmpty.isEmpty ? 0 : nonEmpty[nonEmpty.count / 2]
        var c = SVGChart(title: "Cluster sizes: \(condition) (lag \(lag))",
                         xLabel: "cluster size (train samples\(h.logScale ? ", log scale" : ""))", yLabel: "number of clusters")
        c.subtitle = "\(sizes.count) ids: \(effective) effective (≥ \(minClusterSize)), \(nonEmpty.count - effective) excluded, "
            + "\(h.nEmpty) empty (not shown); median size \(median)"
        c.xScale = h.logScale ? .log10 : .linear
        c.marks.append(.bars((0..<h.counts.count).map { (h.edges[$0], h.edges[$0 + 1], Double(h.counts[$0])) }, label: "clusters"))
        c.marks.append(.vline(Double(minClusterSize), label: "min_cluster_size = \(minClusterSize)", color: "#d62728"))
        if let lo = h.edges.first, let hi = h.edges.last {
            let m = Double(minClusterSize)
            c.xRange = h.logScale ? min(lo, m) / 1.15...max(hi, m) * 1.15 : min(lo, m - 1)...max(hi, m + 1)
        }
        let top = Double(max(h.counts.max() ?? 1, 1))
        if top >= 50 * Double(h.counts.filter { $0 > 0 }.min() ?? 1) {
            c.yScale = .log10
            c.yLabel = "number of clusters (log scale)"
            c.yRange = 0.7...top * 1.6
        } else {
            c.yRange = 0...top * 1.08
        }
        return (c, h)
    }
}
