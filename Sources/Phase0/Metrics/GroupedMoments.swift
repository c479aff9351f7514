import Foundation
import EngramCore

/// First and second moments of normalised targets grouped by cluster (and, inside each cluster, by
/// speaker), accumulated in Double in one pass — the sufficient statistics behind every VR and
/// entropy figure of SPEC §5.
///
/// Samples are sorted by (cluster, speaker, frame); each run of equal (cluster, speaker) is a
/// *cell*. Cells give the per-speaker within-cluster sums; clusters and speakers get the cells'
/// sums. Work is split into fixed chunks of whole clusters (chunking depends only on the data), and
/// chunk results are combined in chunk order, so results do not depend on the thread count.
public struct GroupedMoments: Sendable {
    public let dim: Int
    public let nGroups: Int
    /// Samples per group, [nGroups].
    public var count: [Int]
    /// Σ z per group, [nGroups, D].
    public var sum: [Double]
    /// Σ z² per group and dimension, [nGroups, D].
    public var sumSquares: [Double]
    /// Per speaker (when speakers were given), else empty.
    public var speakers: SpeakerMoments?

    /// Per-speaker sums: totals and the within-cell parts.
    public struct SpeakerMoments: Sendable {
        public var count: [Int]
        /// [nSpeakers, D].
        public var sum: [Double]
        /// [nSpeakers, D].
        public var sumSquares: [Double]
        /// Σ over the speaker's cells of ‖Σ_cell z‖² / n_cell.
        public var cellExplained: [Double]
        /// Σ over cells with ≥ 2 samples of n_cell · H(cell).
        public var cellEntropyWeighted: [Double]
        /// Σ over cells with ≥ 2 samples of n_cell.
        public var cellEntropyWeight: [Int]
        /// Distinct groups per speaker.
        public var groupsUsed: [Int]
    }

    /// Accumulates over `samples` (frame indices) with group `group[j]` ∈ 0..<nGroups for sample j
    /// (pass −1 to leave a sample out) and, optionally, speaker `speaker[j]` ∈ 0..<nSpeakers.
    public static func accumulate(targets: NormalizedTargets, samples: [Int32], group: [Int32], nGroups: Int,
                                  speaker: [Int32]? = nil, nSpeakers: Int = 0) -> GroupedMoments {
        precondition(group.count == samples.count && (speaker == nil || speaker!.count == samples.count))
        let d = targets.dim
        // Stable counting sorts: by speaker, then by group → (group, speaker, frame order).
        var order = Array(0..<samples.count).filter { group[$0] >= 0 }
        if let speaker, nSpeakers > 1 { order = countingSort(order, keys: speaker, nKeys: nSpeakers) }
        order = countingSort(order, keys: group, nKeys: nGroups)
        var groupStart = [Int](repeating: 0, count: nGroups + 1)
        for j in order { groupStart[Int(group[j]) + 1] += 1 }
        for g in 0..<nGroups { groupStart[g + 1] += groupStart[g] }
        // Fixed chunks of whole groups, ~1/64 of the samples each.
        let target = max(1, order.count / 64)
        var chunks: [Range<Int>] = []
        var g0 = 0
        for g in 0..<nGroups where groupStart[g + 1] - groupStart[g0] >= target || g == nGroups - 1 {
            chunks.append(g0..<(g + 1)); g0 = g + 1
        }
        var count = [Int](repeating: 0, count: nGroups)
        var sum = [Double](repeating: 0, count: nGroups * d)
        var sumSq = [Double](repeating: 0, count: nGroups * d)
        let withSpeakers = speaker != nil
        let nS = withSpeakers ? nSpeakers : 0
        let partials = PartialBox(count: chunks.count)
        count.withUnsafeMutableBufferPointer { cb in
            sum.withUnsafeMutableBufferPointer { sb in
                sumSq.withUnsafeMutableBufferPointer { qb in
                    let cp = SendablePointer(cb.baseAddress!), sp = SendablePointer(sb.baseAddress!), qp = SendablePointer(qb.baseAddress!)
                    DispatchQueue.concurrentPerform(iterations: chunks.count) { c in
                        var part = withSpeakers ? SpeakerPartial(nSpeakers: nS, dim: d) : nil
                        var cellSum = [Double](repeating: 0, count: d)
                        var cellSq = [Double](repeating: 0, count: d)
                        for g in chunks[c] {
                            var a = groupStart[g]
                            let end = groupStart[g + 1]
                            cp.base[g] = end - a
                            let gs = sp.base + g * d, gq = qp.base + g * d
                            while a < end {
                                // One cell: equal speaker within the group (the whole group without speakers).
                                var b = a + 1
                                if let speaker { while b < end && speaker[order[b]] == speaker[order[a]] { b += 1 } } else { b = end }
                                for j in 0..<d { cellSum[j] = 0; cellSq[j] = 0 }
                                cellSum.withUnsafeMutableBufferPointer { cs in
                                    cellSq.withUnsafeMutableBufferPointer { cq in
                                        for k in a..<b { addSquares(targets.z(Int(samples[order[k]])), d, cs.baseAddress!, cq.baseAddress!) }
                                    }
                                }
                                let n = b - a
                                for j in 0..<d { gs[j] += cellSum[j]; gq[j] += cellSq[j] }
                                if let speaker { part!.add(speaker: Int(speaker[order[a]]), n: n, sum: cellSum, sumSquares: cellSq) }
                                a = b
                            }
                        }
                        if let part { partials.set(c, part) }
                    }
                }
            }
        }
        var result = GroupedMoments(dim: d, nGroups: nGroups, count: count, sum: sum, sumSquares: sumSq, speakers: nil)
        if withSpeakers {
            var total = SpeakerPartial(nSpeakers: nS, dim: d)
            for c in 0..<chunks.count { if let p = partials.get(c) { total.merge(p) } }
            result.speakers = SpeakerMoments(count: total.count, sum: total.sum, sumSquares: total.sumSquares,
                                             cellExplained: total.cellExplained, cellEntropyWeighted: total.cellEntropyWeighted,
                                             cellEntropyWeight: total.cellEntropyWeight, groupsUsed: total.groupsUsed)
        }
        return result
    }

    /// Stable counting sort of `items` by `keys[item]`.
    static func countingSort(_ items: [Int], keys: [Int32], nKeys: Int) -> [Int] {
        var start = [Int](repeating: 0, count: nKeys + 1)
        for i in items { start[Int(keys[i]) + 1] += 1 }
        for k in 0..<nKeys { start[k + 1] += start[k] }
        var out = [Int](repeating: 0, count: items.count)
        for i in items { let k = Int(keys[i]); out[start[k]] = i; start[k] += 1 }
        return out
    }
}

/// s += z, q += z² (Double) over D values.
@inline(__always)
func addSquares(_ z: UnsafePointer<Float>, _ d: Int, _ s: UnsafeMutablePointer<Double>, _ q: UnsafeMutablePointer<Double>) {
    var j = 0
    while j + 4 <= d {
        let v = SIMD4<Double>(Double(z[j]), Double(z[j + 1]), Double(z[j + 2]), Double(z[j + 3]))
        let sv = UnsafeMutableRawPointer(s + j).loadUnaligned(as: SIMD4<Double>.self) + v
        let qv = UnsafeMutableRawPointer(q + j).loadUnaligned(as: SIMD4<Double>.self) + v * v
        UnsafeMutableRawPointer(s + j).storeBytes(of: sv, as: SIMD4<Double>.self)
        UnsafeMutableRawPointer(q + j).storeBytes(of: qv, as: SIMD4<Double>.self)
        j += 4
    }
    while j < d { let v = Double(z[j]); s[j] += v; q[j] += v * v; j += 1 }
}

/// Per-speaker sums of one chunk.
struct SpeakerPartial {
    var count: [Int]
    var sum: [Double]
    var sumSquares: [Double]
    var cellExplained: [Double]
    var cellEntropyWeighted: [Double]
    var cellEntropyWeight: [Int]
    var groupsUsed: [Int]
    let dim: Int

    init(nSpeakers: Int, dim: Int) {
        self.dim = dim
        count = [Int](repeating: 0, count: nSpeakers)
        sum = [Double](repeating: 0, count: nSpeakers * dim)
        sumSquares = [Double](repeating: 0, count: nSpeakers * dim)
        cellExplained = [Double](repeating: 0, count: nSpeakers)
        cellEntropyWeighted = [Double](repeating: 0, count: nSpeakers)
        cellEntropyWeight = [Int](repeating: 0, count: nSpeakers)
        groupsUsed = [Int](repeating: 0, count: nSpeakers)
    }

    mutating func add(speaker s: Int, n: Int, sum cs: [Double], sumSquares cq: [Double]) {
        count[s] += n
        groupsUsed[s] += 1
        var explained = 0.0
        let inv = 1 / Double(n)
        for j in 0..<dim {
            sum[s * dim + j] += cs[j]; sumSquares[s * dim + j] += cq[j]
            explained += cs[j] * cs[j] * inv
        }
        cellExplained[s] += explained
        if n >= 2 {
            cellEntropyWeighted[s] += Double(n) * Entropy.diagonalGaussian(count: n, sum: cs, sumSquares: cq, offset: 0, dim: dim)
            cellEntropyWeight[s] += n
        }
    }

    mutating func merge(_ o: SpeakerPartial) {
        for s in 0..<count.count {
            count[s] += o.count[s]; cellExplained[s] += o.cellExplained[s]
            cellEntropyWeighted[s] += o.cellEntropyWeighted[s]; cellEntropyWeight[s] += o.cellEntropyWeight[s]
            groupsUsed[s] += o.groupsUsed[s]
        }
        for j in 0..<sum.count { sum[j] += o.sum[j]; sumSquares[j] += o.sumSquares[j] }
    }
}

/// Chunk results written by concurrent workers (each index once).
final class PartialBox: @unchecked Sendable {
    private var items: [SpeakerPartial?]
    private let lock = NSLock()
    init(count: Int) { items = [SpeakerPartial?](repeating: nil, count: count) }
    func set(_ i: Int, _ p: SpeakerPartial) { lock.lock(); items[i] = p; lock.unlock() }
    func get(_ i: Int) -> SpeakerPartial? { lock.lock(); defer { lock.unlock() }; return items[i] }
}
