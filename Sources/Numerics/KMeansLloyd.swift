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

func lloyd(_ ws: KMeansWorkspace, initial: [Float], k: Int, maxIter: Int, tol: Double)
    -> (centres: [Float], labels: [Int32], inertia: Double, nIter: Int) {
    let n = ws.n
    var centres = initial
    var labels = [Int32](repeating: -1, count: n)
    var labelsOld = labels
    var strict = false
    var iterations = 0
    let bounds = HamerlyBounds(n: n)
    for it in 0..<maxIter {
        iterations = it + 1
        labels.withUnsafeMutableBufferPointer {
            if KMeans.useHamerlyBounds {
                bounds.assign(ws, centres: centres, k: k, labels: $0.baseAddress!)
            } else {
                assignLabels(ws, centres: centres, k: k, labels: $0.baseAddress!)
            }
        }
        let updated = updateCentres(ws, labels: labels, old: centres, k: k)
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
            } else {
                assignLabels(ws, centres: centres, k: k, labels: $0.baseAddress!)
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

/// M-step: new centred centres = mean of each cluster's points (sums in Double, feature blocks in
/// parallel, rows in order). Empty clusters take the points farthest from their old centre (as
/// scikit-learn's `_relocate_empty_clusters_dense`); if no point is away from its centre they stay at 0.
func updateCentres(_ ws: KMeansWorkspace, labels: [Int32], old: [Float], k: Int) -> [Float] {
    let n = ws.n, d = ws.d, x = ws.x
    var sums = [Double](repeating: 0, count: k * d)
    var counts = [Int](repeating: 0, count: k)
    for l in labels { counts[Int(l)] += 1 }
    let blocks = (d + featureBlockWidth - 1) / featureBlockWidth
    sums.withUnsafeMutableBufferPointer { sb in
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
    let empty = (0..<k).filter { counts[$0] == 0 }
    if !empty.isEmpty {
        relocateEmptyClusters(ws, empty: empty, labels: labels, old: old, sums: &sums, counts: &counts)
    }
    var centres = [Float](repeating: 0, count: k * d)
    for j in 0..<k where counts[j] > 0 {
        let inv = 1.0 / Double(counts[j])
        for f in 0..<d { centres[j * d + f] = Float(sums[j * d + f] * inv - Double(ws.mean[f])) }
    }
    return centres
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
