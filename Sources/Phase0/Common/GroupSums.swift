import Foundation

/// Per-group sums of the normalised targets z over a sample set — n, Σ‖z‖², ‖Σz‖²/n and, on
/// request, Σz — the sufficient statistics of a pooled VR (SPEC §5), optionally for every prefix of
/// a ranking: sample j carries a bin b_j ∈ 0..<nBins and row b of the results covers all samples
/// with bin ≤ b (e.g. the most confident 10 %, 20 %, … of the assignments).
///
/// Memory is O(nBins·(nGroups + D)) plus Σz [nGroups, D] only when `keepSums` is set, so it also
/// serves 4^8 quartile bins. Samples are sorted by (group, bin, position) with counting sorts and
/// processed in fixed chunks of whole groups (chunking depends only on the data); chunk totals are
/// combined in chunk order, so results do not depend on the thread count.
struct GroupSums: Sendable {
    let dim: Int
    let nGroups: Int
    let nBins: Int
    /// Cumulative sample counts, [nBins, nGroups].
    var count: [Int]
    /// Cumulative Σ‖z‖², [nBins, nGroups].
    var sumSquares: [Double]
    /// ‖Σz‖²/n of the cumulative samples (0 when there are none), [nBins, nGroups].
    var explained: [Double]
    /// Cumulative Σz over all groups, [nBins, D].
    var total: [Double]
    /// Σz of each group over all bins, [nGroups, D] (nil unless `keepSums`).
    var sums: [Double]?

    /// - Parameters:
    ///   - samples: frame indices into `source`.
    ///   - group: group of each sample ∈ 0..<nGroups, or −1 to leave it out.
    ///   - bin: bin of each sample ∈ 0..<nBins (nil: one bin).
    static func accumulate(_ targets: NormalizedTargets, samples: [Int32], group: [Int32], nGroups: Int,
                           bin: [Int32]? = nil, nBins: Int = 1, keepSums: Bool = false) -> GroupSums {
        precondition(group.count == samples.count && (bin == nil || bin!.count == samples.count) && nBins >= 1)
        let d = targets.dim
        if nGroups == 0 {
            return GroupSums(dim: d, nGroups: 0, nBins: nBins, count: [], sumSquares: [], explained: [],
                             total: [Double](repeating: 0, count: nBins * d), sums: keepSums ? [] : nil)
        }
        var order = Array(0..<samples.count).filter { group[$0] >= 0 }
        if let bin, nBins > 1 { order = GroupedMoments.countingSort(order, keys: bin, nKeys: nBins) }
        order = GroupedMoments.countingSort(order, keys: group, nKeys: nGroups)
        var groupStart = [Int](repeating: 0, count: nGroups + 1)
        for j in order { groupStart[Int(group[j]) + 1] += 1 }
        for g in 0..<nGroups { groupStart[g + 1] += groupStart[g] }
        let target = max(1, order.count / 64)
        var chunks: [Range<Int>] = []
        var g0 = 0
        for g in 0..<nGroups where groupStart[g + 1] - groupStart[g0] >= target || g == nGroups - 1 {
            chunks.append(g0..<(g + 1)); g0 = g + 1
        }
        var count = [Int](repeating: 0, count: nBins * nGroups)
        var sumSq = [Double](repeating: 0, count: nBins * nGroups)
        var explained = [Double](repeating: 0, count: nBins * nGroups)
        var chunkTotals = [Double](repeating: 0, count: chunks.count * nBins * d)
        var sums = [Double](repeating: 0, count: keepSums ? nGroups * d : 0)
        count.withUnsafeMutableBufferPointer { cb in
        sumSq.withUnsafeMutableBufferPointer { qb in
        explained.withUnsafeMutableBufferPointer { eb in
        chunkTotals.withUnsafeMutableBufferPointer { tb in
        sums.withUnsafeMutableBufferPointer { sb in
            let cp = SendablePointer(cb.baseAddress!), qp = SendablePointer(qb.baseAddress!)
            let ep = SendablePointer(eb.baseAddress!), tp = SendablePointer(tb.baseAddress!)
            let sp = keepSums ? SendablePointer(sb.baseAddress!) : nil
            DispatchQueue.concurrentPerform(iterations: chunks.count) { c in
                let run = UnsafeMutablePointer<Double>.allocate(capacity: d)
                defer { run.deallocate() }
                let chunkTotal = tp.base + c * nBins * d
                for g in chunks[c] {
                    run.initialize(repeating: 0, count: d)
                    var n = 0, q = 0.0, b = 0
                    func flush(_ b: Int) {
                        let k = b * nGroups + g
                        cp.base[k] = n; qp.base[k] = q
                        var s2 = 0.0
                        for j in 0..<d { s2 += run[j] * run[j] }
                        ep.base[k] = n > 0 ? s2 / Double(n) : 0
                        let t = chunkTotal + b * d
                        for j in 0..<d { t[j] += run[j] }
                    }
                    for k in groupStart[g]..<groupStart[g + 1] {
                        let s = order[k]
                        let sb = bin.map { Int($0[s]) } ?? 0
                        while b < sb { flush(b); b += 1 }
                        q += addRow(targets.z(Int(samples[s])), d, run)
                        n += 1
                    }
                    while b < nBins { flush(b); b += 1 }
                    if let sp { (sp.base + g * d).update(from: run, count: d) }
                }
            }
        }}}}}
        var total = [Double](repeating: 0, count: nBins * d)
        for c in 0..<chunks.count {
            for i in 0..<(nBins * d) { total[i] += chunkTotals[c * nBins * d + i] }
        }
        return GroupSums(dim: d, nGroups: nGroups, nBins: nBins, count: count, sumSquares: sumSq, explained: explained,
                         total: total, sums: keepSums ? sums : nil)
    }

    /// s += z (Double) over D values; returns ‖z‖².
    @inline(__always)
    static func addRow(_ z: UnsafePointer<Float>, _ d: Int, _ s: UnsafeMutablePointer<Double>) -> Double {
        var acc = SIMD4<Double>()
        var j = 0
        while j + 4 <= d {
            let v = SIMD4<Double>(Double(z[j]), Double(z[j + 1]), Double(z[j + 2]), Double(z[j + 3]))
            let sv = UnsafeMutableRawPointer(s + j).loadUnaligned(as: SIMD4<Double>.self) + v
            UnsafeMutableRawPointer(s + j).storeBytes(of: sv, as: SIMD4<Double>.self)
            acc += v * v
            j += 4
        }
        var q = acc.sum()
        while j < d { let v = Double(z[j]); s[j] += v; q += v * v; j += 1 }
        return q
    }

    /// Samples in bin ≤ `b`.
    func nSamples(bin b: Int) -> Int { count[(b * nGroups)..<((b + 1) * nGroups)].reduce(0, +) }

    /// Σ_i ‖z_i − z̄‖² of the samples in bin ≤ `b` (z̄ their mean).
    func sseTotal(bin b: Int) -> Double {
        let n = nSamples(bin: b)
        guard n > 0 else { return 0 }
        var q = 0.0, t2 = 0.0
        for g in 0..<nGroups { q += sumSquares[b * nGroups + g] }
        for j in 0..<dim { let t = total[b * dim + j]; t2 += t * t }
        return max(q - t2 / Double(n), 0)
    }

    /// Pooled VR of the samples in bin ≤ `b` with their own group means (SPEC §5, the research
    /// pipeline's conventions for empty sets and zero total variance).
    func varianceRatio(bin b: Int) -> Double {
        var within = 0.0
        for g in 0..<nGroups { within += sumSquares[b * nGroups + g] - explained[b * nGroups + g] }
        return PooledScores.ratio(within: max(within, 0), total: sseTotal(bin: b), n: nSamples(bin: b))
    }

    /// VR of all samples against fixed group means [nGroups, D] (e.g. the train lookup table):
    /// Σ_g (Σ‖z‖² − 2 Σz·m_g + n_g‖m_g‖²) / Σ_i ‖z_i − z̄‖². Needs `keepSums`.
    func varianceRatio(against means: [Double]) -> Double {
        guard let sums else { preconditionFailure("GroupSums.varianceRatio(against:) needs keepSums") }
        let b = nBins - 1
        var within = 0.0
        for g in 0..<nGroups {
            let n = count[b * nGroups + g]
            guard n > 0 else { continue }
            var dot = 0.0, mm = 0.0
            for j in 0..<dim { let m = means[g * dim + j]; dot += sums[g * dim + j] * m; mm += m * m }
            within += sumSquares[b * nGroups + g] - 2 * dot + Double(n) * mm
        }
        return PooledScores.ratio(within: max(within, 0), total: sseTotal(bin: b), n: nSamples(bin: b))
    }

    /// Group means [nGroups, D] over all bins (zeros for empty groups). Needs `keepSums`.
    var means: [Double] {
        guard let sums else { preconditionFailure("GroupSums.means needs keepSums") }
        var out = [Double](repeating: 0, count: nGroups * dim)
        let b = nBins - 1
        for g in 0..<nGroups where count[b * nGroups + g] > 0 {
            let inv = 1 / Double(count[b * nGroups + g])
            for j in 0..<dim { out[g * dim + j] = sums[g * dim + j] * inv }
        }
        return out
    }

    /// Mean squared deviation from the group mean per dimension, (Σ‖z‖² − ‖Σz‖²/n)/(n·D), over all
    /// bins, [nGroups] (NaN for empty groups).
    var withinVariancePerDim: [Double] {
        let b = nBins - 1
        return (0..<nGroups).map { g in
            let n = count[b * nGroups + g]
            guard n > 0 else { return .nan }
            return max(sumSquares[b * nGroups + g] - explained[b * nGroups + g], 0) / (Double(n) * Double(dim))
        }
    }
}
