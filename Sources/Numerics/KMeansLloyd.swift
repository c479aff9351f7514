/// One Lloyd run from `initial` centres (centred coordinates, [k, d]), following scikit-learn's
/// `_kmeans_single_lloyd`: E-step, M-step with empty-cluster relocation, stop on identical labels
/// (strict convergence) or summed squared centre shift ≤ `tol`; without strict convergence a final
/// E-step makes the labels match the centres. The E-step uses Hamerly's bounds (`HamerlyBounds`),
/// which skip the distance computations of points that provably keep their centre. Returns
/// centred centres.
extension KMeans {
    /// Use Hamerly's bounds in the Lloyd E-step (default true). Off: every point's distances to
    /// every centre are computed each iteration (for benchmarks and cross-checks).
    nonisolated(unsafe) public static var useHamerlyBounds = true
}

func lloyd(_ ws: KMeansWorkspace, initial: [Float], k: Int, maxIter: Int, tol: Double, fullRows: inout Int)
    -> (centres: [Float], labels: [Int32], inertia: Double, nIter: Int) {
    let n = ws.n
    var centres = initial
    var labels = [Int32](repeating: -1, count: n)
    var labelsOld = labels
    var strict = false
    var iterations = 0
    let bounds = HamerlyBounds(n: n)
    let sums = ClusterSums(k: k, d: ws.d)
    for it in 0..<maxIter {
        iterations = it + 1
        labels.withUnsafeMutableBufferPointer {
            if KMeans.useHamerlyBounds {
                bounds.assign(ws, centres: centres, k: k, labels: $0.baseAddress!)
                fullRows += bounds.lastFullCount
            } else {
                assignLabels(ws, centres: centres, k: k, labels: $0.baseAddress!)
                fullRows += n
            }
        }
        let updated = sums.update(ws, labels: labels, previous: labelsOld, old: centres)
        let shifts = centreShifts(updated, centres, k: k, d: ws.d)
        let shift = shifts.reduce(0) { $0 + $1 * $1 }
        bounds.update(labels: labels, shifts: shifts)
        centres = updated
        if labels == labelsOld { strict = true; break }
        if shift <= tol { break }
        labelsOld = labels
    }
    if !strict {
        labels.withUnsafeMutableBufferPointer {
            if KMeans.useHamerlyBounds {
                bounds.assign(ws, centres: centres, k: k, labels: $0.baseAddress!)
                fullRows += bounds.lastFullCount
            } else {
                assignLabels(ws, centres: centres, k: k, labels: $0.baseAddress!)
                fullRows += n
            }
        }
    }
    let inertia = centredInertia(ws, centres: centres, labels: labels)
    return (centres, labels, inertia, iterations)
}

/// ‖a_j − b_j‖ for each of the k rows, in Double.
func centreShifts(_ a: [Float], _ b: [Float], k: Int, d: Int) -> [Double] {
    (0..<k).map { j in
        var s = 0.0
        for f in 0..<d { let v = Double(a[j * d + f]) - Double(b[j * d + f]); s += v * v }
        return s.squareRoot()
    }
}

/// M-step state of one Lloyd run: the raw (uncentred) per-cluster sums in Double and the counts of
/// the labels they were built from. The first M-step sums every point (feature blocks in parallel,
/// rows in order); later ones only move the points whose label changed (subtract from the old
/// cluster, add to the new, in point order), so an iteration late in a run, when few labels change,
/// reads a handful of rows instead of the whole [n, d] matrix. After an empty-cluster relocation the
/// sums no longer match the labels and the next M-step sums from scratch again. Results do not
/// depend on threads; they can differ from a from-scratch sum in the last bits of the Double sums.
final class ClusterSums {
    let k: Int, d: Int
    var sums: [Double]
    var counts: [Int]
    /// Whether `sums`/`counts` are those of the `previous` labels passed to the next `update`.
    private var valid = false

    init(k: Int, d: Int) {
        self.k = k; self.d = d
        sums = [Double](repeating: 0, count: k * d)
        counts = [Int](repeating: 0, count: k)
    }

    /// Centred centres (Float) = mean of each cluster's points under `labels`; `previous` are the
    /// labels of the last call (ignored on the first). Empty clusters take the points farthest from
    /// their old centre (scikit-learn's `_relocate_empty_clusters_dense`); if no point is away from
    /// its centre they stay at 0.
    func update(_ ws: KMeansWorkspace, labels: [Int32], previous: [Int32], old: [Float]) -> [Float] {
        let n = ws.n, d = self.d, x = ws.x, k = self.k
        var changed: [Int] = []
        if valid {
            for i in 0..<n where labels[i] != previous[i] { changed.append(i) }
            // Beyond about a third of the points a fresh sum reads no more rows.
            if changed.count * 3 > n { valid = false }
        }
        let blocks = (d + featureBlockWidth - 1) / featureBlockWidth
        if valid {
            for i in changed { counts[Int(previous[i])] -= 1; counts[Int(labels[i])] += 1 }
            sums.withUnsafeMutableBufferPointer { sb in
                let s = SharedMutablePointer(sb.baseAddress!)
                labels.withUnsafeBufferPointer { lb in
                    previous.withUnsafeBufferPointer { pb in
                        changed.withUnsafeBufferPointer { cb in
                            parallelFor(blocks, threads: ws.threads) { b in
                                let f0 = b * featureBlockWidth, f1 = min(d, f0 + featureBlockWidth)
                                for i in cb {
                                    let row = x + i * d
                                    let from = s.base + Int(pb[i]) * d, to = s.base + Int(lb[i]) * d
                                    for f in f0..<f1 { let v = Double(row[f]); from[f] -= v; to[f] += v }
                                }
                            }
                        }
                    }
                }
            }
        } else {
            for j in 0..<k { counts[j] = 0 }
            for l in labels { counts[Int(l)] += 1 }
            sums.withUnsafeMutableBufferPointer { sb in
                sb.update(repeating: 0)
                let s = SharedMutablePointer(sb.baseAddress!)
                labels.withUnsafeBufferPointer { lb in
                    parallelFor(blocks, threads: ws.threads) { b in
                        let f0 = b * featureBlockWidth, f1 = min(d, f0 + featureBlockWidth)
                        for i in 0..<n {
                            let row = x + i * d
                            let dst = s.base + Int(lb[i]) * d
                            for f in f0..<f1 { dst[f] += Double(row[f]) }
                        }
                    }
                }
            }
        }
        valid = true
        let empty = (0..<k).filter { counts[$0] == 0 }
        if !empty.isEmpty {
            relocateEmptyClusters(ws, empty: empty, labels: labels, old: old, sums: &sums, counts: &counts)
            valid = false
        }
        var centres = [Float](repeating: 0, count: k * d)
        for j in 0..<k where counts[j] > 0 {
            let inv = 1.0 / Double(counts[j])
            for f in 0..<d { centres[j * d + f] = Float(sums[j * d + f] * inv - Double(ws.mean[f])) }
        }
        return centres
    }
}

/// Moves each empty cluster onto one of the points farthest from their (old) centre, largest first
/// (ties: lowest index), updating the raw sums and counts.
private func relocateEmptyClusters(_ ws: KMeansWorkspace, empty: [Int], labels: [Int32], old: [Float],
                                   sums: inout [Double], counts: inout [Int]) {
    let n = ws.n, d = ws.d, x = ws.x
    var dist = [Double](repeating: 0, count: n)
    dist.withUnsafeMutableBufferPointer { db in
        let o = SharedMutablePointer(db.baseAddress!)
        parallelFor(ws.nChunks, threads: ws.threads) { c in
            for i in ws.rows(ofChunk: c) {
                let row = x + i * d
                let cen = Int(labels[i]) * d
                var s = 0.0
                for f in 0..<d { let v = Double(row[f] - ws.mean[f]) - Double(old[cen + f]); s += v * v }
                o.base[i] = s
            }
        }
    }
    guard let maxDist = dist.max(), maxDist > 0 else { return }
    let far = (0..<n).sorted { dist[$0] != dist[$1] ? dist[$0] > dist[$1] : $0 < $1 }.prefix(empty.count)
    for (newCluster, farIdx) in zip(empty, far) {
        let oldCluster = Int(labels[farIdx])
        let row = x + farIdx * d
        for f in 0..<d {
            sums[oldCluster * d + f] -= Double(row[f])
            sums[newCluster * d + f] = Double(row[f])
        }
        counts[newCluster] = 1
        counts[oldCluster] -= 1
    }
}

/// Inertia of centred centres against the workspace's centred points (Double, fixed chunk order).
func centredInertia(_ ws: KMeansWorkspace, centres: [Float], labels: [Int32]) -> Double {
    let d = ws.d, x = ws.x
    var partial = [Double](repeating: 0, count: ws.nChunks)
    partial.withUnsafeMutableBufferPointer { pb in
        let p = SharedMutablePointer(pb.baseAddress!)
        ws.mean.withUnsafeBufferPointer { m in
            centres.withUnsafeBufferPointer { cb in
                parallelFor(ws.nChunks, threads: ws.threads) { c in
                    var s = 0.0
                    for i in ws.rows(ofChunk: c) {
                        let row = x + i * d, cen = cb.baseAddress! + Int(labels[i]) * d
                        for f in 0..<d { let v = Double(row[f] - m[f]) - Double(cen[f]); s += v * v }
                    }
                    p.base[c] = s
                }
            }
        }
    }
    return partial.reduce(0, +)
}
