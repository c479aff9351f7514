import Foundation

/// Diagonal-Gaussian entropy, the research pipeline's definition (SPEC §5):
/// H(S) = ½ Σ_d log var_d(S), population variance floored at 1e-10 (nats, up to a constant).
public enum Entropy {
    public static let minVariance = 1e-10

    /// H from Σz and Σz² of `count` samples (dimensions `offset ..< offset + dim` of the arrays).
    public static func diagonalGaussian(count n: Int, sum: [Double], sumSquares: [Double], offset: Int, dim: Int) -> Double {
        let inv = 1 / Double(n)
        var h = 0.0
        for j in 0..<dim {
            let m = sum[offset + j] * inv
            let v = sumSquares[offset + j] * inv - m * m
            h += log(max(v, minVariance))
        }
        return 0.5 * h
    }

    /// (H − H_cond)/H with the research pipeline's conventions: NaN if either is NaN; for H = 0,
    /// 0 if H_cond = 0 else −∞.
    public static func relativeReduction(h: Double, hCond: Double) -> Double {
        if h.isNaN || hCond.isNaN { return .nan }
        if h == 0 { return hCond == 0 ? 0 : -.infinity }
        return (h - hCond) / h
    }
}

/// Pooled VR and entropy of one sample set from grouped moments (SPEC §5).
public struct PooledScores: Sendable {
    public var nSamples: Int
    public var sseWithin: Double
    public var sseTotal: Double
    public var varianceRatio: Double
    /// H of the included samples.
    public var entropy: Double
    /// Count-weighted mean of H(cluster) over clusters with ≥ 2 samples (NaN if none).
    public var entropyConditional: Double

    public var entropyReduction: Double { Entropy.relativeReduction(h: entropy, hCond: entropyConditional) }

    public init(_ m: GroupedMoments, withEntropy: Bool = true) {
        let d = m.dim
        let n = m.count.reduce(0, +)
        nSamples = n
        var total = [Double](repeating: 0, count: d), totalSq = [Double](repeating: 0, count: d)
        var within = 0.0
        var hw = 0.0, w = 0
        for g in 0..<m.nGroups where m.count[g] > 0 {
            let c = m.count[g], off = g * d
            let inv = 1 / Double(c)
            var sse = 0.0
            for j in 0..<d {
                let s = m.sum[off + j], q = m.sumSquares[off + j]
                total[j] += s; totalSq[j] += q
                sse += q - s * s * inv
            }
            within += sse
            if withEntropy && c >= 2 {
                hw += Double(c) * Entropy.diagonalGaussian(count: c, sum: m.sum, sumSquares: m.sumSquares, offset: off, dim: d)
                w += c
            }
        }
        var tot = 0.0
        if n > 0 { for j in 0..<d { tot += totalSq[j] - total[j] * total[j] / Double(n) } }
        sseWithin = max(within, 0)
        sseTotal = max(tot, 0)
        varianceRatio = Self.ratio(within: sseWithin, total: sseTotal, n: n)
        entropy = n > 0 && withEntropy ? Entropy.diagonalGaussian(count: n, sum: total, sumSquares: totalSq, offset: 0, dim: d) : .nan
        entropyConditional = w > 0 ? hw / Double(w) : .nan
    }

    /// The research pipeline's VR conventions: NaN without samples; 0/0 → 0; x/0 → ∞.
    static func ratio(within: Double, total: Double, n: Int) -> Double {
        if n == 0 { return .nan }
        if total == 0 { return within == 0 ? 0 : .infinity }
        return within / total
    }

    /// VR of the same samples against fixed cluster means `means` [nGroups, D] (e.g. the train
    /// lookup table): Σ_c Σ_{i∈c} ‖z_i − m_c‖² / Σ_i ‖z_i − z̄‖².
    public static func varianceRatio(_ m: GroupedMoments, against means: [Double], total sseTotal: Double) -> Double {
        let d = m.dim
        var within = 0.0
        var n = 0
        for g in 0..<m.nGroups where m.count[g] > 0 {
            let c = Double(m.count[g]), off = g * d
            n += m.count[g]
            for j in 0..<d {
                let mu = means[off + j]
                within += m.sumSquares[off + j] - 2 * mu * m.sum[off + j] + c * mu * mu
            }
        }
        return ratio(within: max(within, 0), total: sseTotal, n: n)
    }

    /// Cluster means [nGroups, D] (zeros for empty groups).
    public static func means(_ m: GroupedMoments) -> [Double] {
        var out = [Double](repeating: 0, count: m.nGroups * m.dim)
        for g in 0..<m.nGroups where m.count[g] > 0 {
            let inv = 1 / Double(m.count[g])
            for j in 0..<m.dim { out[g * m.dim + j] = m.sum[g * m.dim + j] * inv }
        }
        return out
    }
}
