import Foundation
import Numerics

/// Per-speaker VR and its summary across speakers (SPEC §5), as the research pipeline's
/// `compute_speaker_level_metrics` + `aggregate_speaker_metrics`.
public struct SpeakerStatistics: Sendable {
    /// Speakers with at least this many included samples are scored.
    public static let minSamples = 50

    /// Scored speakers, ascending id.
    public var speakers: [SpeakerMetrics]
    public var mean: Double
    /// Population std (ddof 0).
    public var std: Double
    /// mean ∓ t_{0.975, n−1} · std(ddof 1)/√n over the finite VRs; NaN for n < 2 or zero spread
    /// (scipy's `t.interval` with scale 0).
    public var ciLower: Double
    public var ciUpper: Double
    public var min: Double
    public var max: Double

    /// - Parameters:
    ///   - speakerIds: the real id of each dense speaker index.
    public init(_ m: GroupedMoments.SpeakerMoments, dim d: Int, speakerIds: [Int]) {
        var out: [SpeakerMetrics] = []
        for s in 0..<m.count.count where m.count[s] >= Self.minSamples {
            let n = m.count[s]
            var total = 0.0, within = 0.0
            for j in 0..<d {
                let sm = m.sum[s * d + j], q = m.sumSquares[s * d + j]
                total += q - sm * sm / Double(n)
                within += q
            }
            within -= m.cellExplained[s]
            let vr = PooledScores.ratio(within: Swift.max(within, 0), total: Swift.max(total, 0), n: n)
            let h = Entropy.diagonalGaussian(count: n, sum: m.sum, sumSquares: m.sumSquares, offset: s * d, dim: d)
            let hCond = m.cellEntropyWeight[s] > 0 ? m.cellEntropyWeighted[s] / Double(m.cellEntropyWeight[s]) : .nan
            out.append(SpeakerMetrics(speakerId: speakerIds[s], nSamples: n, varianceRatio: vr,
                                      entropyReduction: Entropy.relativeReduction(h: h, hCond: hCond),
                                      nClustersUsed: m.groupsUsed[s]))
        }
        out.sort { $0.speakerId < $1.speakerId }
        speakers = out
        let v = out.map(\.varianceRatio).filter { !$0.isNaN }
        (mean, std, ciLower, ciUpper, min, max) = Self.summarise(v)
    }

    /// mean, std (ddof 0), 95 % t interval, min, max of `v` (NaN where undefined).
    static func summarise(_ v: [Double]) -> (Double, Double, Double, Double, Double, Double) {
        guard !v.isEmpty else { return (.nan, .nan, .nan, .nan, .nan, .nan) }
        let n = Double(v.count)
        let mean = v.reduce(0, +) / n
        let ss = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let std = (ss / n).squareRoot()
        var lo = Double.nan, hi = Double.nan
        if v.count >= 2 {
            let sem = (ss / (n - 1)).squareRoot() / n.squareRoot()
            if sem > 0 && sem.isFinite {
                let t = StudentT.quantile(p: 0.975, df: n - 1)
                lo = mean - t * sem; hi = mean + t * sem
            }
        }
        return (mean, std, lo, hi, v.min()!, v.max()!)
    }
}
