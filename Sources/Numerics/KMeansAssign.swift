extension KMeans {
    /// Nearest centroid (squared Euclidean; ties go to the lowest index) of each of `n` points.
    /// Points [n, d] and centroids [k, d] are row-major float32. Candidates come from ‖c‖² − 2x·c
    /// (blocked float32 GEMM on data shifted by the centroids' mean); every centroid within the GEMM's
    /// rounding-error bound of the best is then re-scored exactly as Σ(x − c)² in Double, so the
    /// result is the exact nearest centroid. Deterministic and independent of `threads`.
    /// Inputs are trusted (validate untrusted data first, as `fit` does): a point with a non-finite
    /// value gets an unspecified label.
    public static func assign(points: UnsafePointer<Float>, n: Int, d: Int, centroids: UnsafePointer<Float>, k: Int,
                              threads: Int? = nil) -> [Int32] {
        precondition(n >= 0 && d >= 1 && k >= 1, "assign: bad shape")
        if n == 0 { return [] }
        var shift = [Double](repeating: 0, count: d)
        for j in 0..<k { for f in 0..<d { shift[f] += Double(centroids[j * d + f]) } }
        let shiftF = shift.map { Float($0 / Double(k)) }
        var shifted = [Float](repeating: 0, count: k * d)
        for j in 0..<k { for f in 0..<d { shifted[j * d + f] = centroids[j * d + f] - shiftF[f] } }
        let ws = KMeansWorkspace(x: points, n: n, d: d, maxColumns: k, threads: Parallelism.resolve(threads), centring: shiftF)
        var labels = [Int32](repeating: 0, count: n)
        labels.withUnsafeMutableBufferPointer { lb in
            assignLabels(ws, centres: shifted, k: k, labels: lb.baseAddress!, exactAgainst: centroids)
        }
        return labels
    }

    /// `assign` for row-major arrays (`points.count / d` points, `centroids.count / d` centroids).
    public static func assign(points: [Float], d: Int, centroids: [Float], threads: Int? = nil) -> [Int32] {
        precondition(d >= 1 && points.count % d == 0 && centroids.count % d == 0 && !centroids.isEmpty, "assign: bad shape")
        if points.isEmpty { return [] }
        return points.withUnsafeBufferPointer { p in
            centroids.withUnsafeBufferPointer { c in
                assign(points: p.baseAddress!, n: points.count / d, d: d,
                       centroids: c.baseAddress!, k: centroids.count / d, threads: threads)
            }
        }
    }
}

/// E-step: label of each point = argmin_j ‖c_j‖² − 2 x·c_j over the workspace's centred rows, with
/// `centres` [k, d] given in the same centred coordinates. Ties go to the lowest j.
/// With `exactAgainst` (the centroids in the points' own coordinates), all j within the float32
/// error bound of the minimum are compared by the exact Double distance instead.
func assignLabels(_ ws: KMeansWorkspace, centres: [Float], k: Int, labels: UnsafeMutablePointer<Int32>,
                  exactAgainst raw: UnsafePointer<Float>? = nil) {
    let d = ws.d
    let packed = centres.withUnsafeBufferPointer { PackedB($0.baseAddress!, ld: d, transposed: true, k: d, n: k) }
    var norms = [Float](repeating: 0, count: k)
    for j in 0..<k {
        var s: Float = 0
        for f in 0..<d { let v = centres[j * d + f]; s += v * v }
        norms[j] = s
    }
    let out = SharedMutablePointer(labels)
    let cnMax = norms.max() ?? 0
    // Bound on the float32 rounding error of ‖c‖² − 2x·c relative to ‖x‖² + ‖c‖² (generous: 4(d+2)u).
    let errorScale = Float(4 * (d + 2)) * Float.ulpOfOne / 2
    norms.withUnsafeBufferPointer { nb in
        let cn = nb.baseAddress!
        parallelFor(ws.nChunks, threads: ws.threads) { w, c in
            let dots = ws.chunkDots(c, worker: w, packed)
            let centredRows = ws.centredScratch(worker: w)
            for (li, i) in ws.rows(ofChunk: c).enumerated() {
                let row = UnsafePointer(dots + li * k)
                var (best, bestD) = nearestCentre(norms: cn, dots: row, k: k)
                if let raw {
                    let xc = centredRows + li * d
                    var xn: Float = 0
                    for f in 0..<d { xn += xc[f] * xc[f] }
                    let margin = errorScale * (xn + cnMax)
                    var candidates = 0
                    for j in 0..<k where cn[j] - 2 * row[j] <= bestD + margin { candidates += 1 }
                    if candidates > 1 {
                        var bestExact = Double.infinity
                        let x = ws.x + i * d
                        for j in 0..<k where cn[j] - 2 * row[j] <= bestD + margin {
                            let c = raw + j * d
                            var s = 0.0
                            for f in 0..<d { let v = Double(x[f]) - Double(c[f]); s += v * v }
                            if s < bestExact { bestExact = s; best = j }
                        }
                    }
                }
                out.base[i] = Int32(best)
            }
        }
    }
}
