import EngramCore
/// scikit-learn's greedy k-means++ (`_kmeans_plusplus`) on the workspace's centred points:
/// first centre uniform; each next centre samples `trials` candidates with probability proportional
/// to the squared distance to the closest chosen centre and keeps the one that minimises the total
/// potential. Candidate distances come from one narrow dot-product pass over the data per centre
/// (`shiftedDotsWithFewVectors`); sums are Double in chunk order.
/// Returns the centred centres [k, d].
func greedyKMeansPlusPlus(_ ws: KMeansWorkspace, k: Int, trials: Int, xNorms: [Double], rng: inout SplitMix64) -> [Float] {
    let n = ws.n, d = ws.d, nChunks = ws.nChunks
    var centres = [Float](repeating: 0, count: k * d)
    func copyCentred(_ i: Int, into j: Int) {
        for f in 0..<d { centres[j * d + f] = ws.x[i * d + f] - ws.mean[f] }
    }
    // closest[i]: squared distance of point i to its closest chosen centre (float32, as scikit-learn).
    let closest = UnsafeMutablePointer<Float>.allocate(capacity: n)
    closest.initialize(repeating: .infinity, count: n)
    // Distances of every point to each candidate: [trials][n].
    let candidateDist = UnsafeMutablePointer<Float>.allocate(capacity: trials * n)
    // Potential of each chunk for each candidate: [nChunks][trials].
    let partial = UnsafeMutablePointer<Double>.allocate(capacity: nChunks * trials)
    var chunkPot = [Double](repeating: 0, count: nChunks)
    defer { closest.deallocate(); candidateDist.deallocate(); partial.deallocate() }
    let dist = SharedMutablePointer(candidateDist)
    let part = SharedMutablePointer(partial)
    let cl = SharedMutablePointer(closest)

    /// Fills candidateDist/partial for the candidate points `ids`; returns the potential per candidate.
    let groups = (trials + 7) / 8
    let width = 8 * groups
    let cand = allocateAligned(width * d)
    let dotScratch = allocateAligned(ws.workers * KMeansWorkspace.chunkRows * width)
    defer { cand.deallocate(); dotScratch.deallocate() }
    let dots = SharedMutablePointer(dotScratch)
    func evaluate(_ ids: [Int]) -> [Double] {
        let m = ids.count
        cand.update(repeating: 0, count: width * d)
        var cNorm = [Double](repeating: 0, count: m)
        for (t, i) in ids.enumerated() {
            for f in 0..<d {
                let v = ws.x[i * d + f] - ws.mean[f]
                cand[t * d + f] = v
                cNorm[t] += Double(v) * Double(v)
            }
        }
        let cp = UnsafePointer(cand)
        ws.mean.withUnsafeBufferPointer { mean in
            xNorms.withUnsafeBufferPointer { xn in
                parallelFor(nChunks, threads: ws.threads) { w, c in
                    let rows = ws.rows(ofChunk: c)
                    let out = dots.base + w * KMeansWorkspace.chunkRows * width
                    shiftedDotsWithFewVectors(x: ws.x, rows: rows, d: d, shift: mean.baseAddress!, vectors: cp,
                                              groups: groups, out: out)
                    var pots = [Double](repeating: 0, count: m)
                    for (li, i) in rows.enumerated() {
                        let cli = cl.base[i]
                        for t in 0..<m {
                            let v = Float(max(0, xn[i] - 2 * Double(out[li * width + t]) + cNorm[t]))
                            dist.base[t * n + i] = v
                            pots[t] += Double(min(cli, v))
                        }
                    }
                    for t in 0..<m { part.base[c * trials + t] = pots[t] }
                }
            }
        }
        var total = [Double](repeating: 0, count: m)
        for c in 0..<nChunks { for t in 0..<m { total[t] += partial[c * trials + t] } }
        return total
    }

    /// Makes candidate `t` (from the last `evaluate`) the new closest distances.
    func accept(_ t: Int) {
        parallelFor(nChunks, threads: ws.threads) { c in
            for i in ws.rows(ofChunk: c) { cl.base[i] = min(cl.base[i], dist.base[t * n + i]) }
        }
        for c in 0..<nChunks { chunkPot[c] = partial[c * trials + t] }
    }

    /// First index whose running sum of `closest` reaches `r` (numpy's searchsorted, side "left"),
    /// clipped to n − 1. Chunk potentials locate the chunk; the chunk is then scanned in order.
    func searchCumulative(_ r: Double) -> Int {
        var prefix = 0.0
        for c in 0..<nChunks {
            if prefix + chunkPot[c] >= r {
                var local = 0.0
                for i in ws.rows(ofChunk: c) {
                    local += Double(closest[i])
                    if prefix + local >= r { return i }
                }
                return ws.rows(ofChunk: c).upperBound - 1
            }
            prefix += chunkPot[c]
        }
        return n - 1
    }

    let first = rng.nextInt(below: n)
    copyCentred(first, into: 0)
    var pot = evaluate([first])[0]
    accept(0)
    if k == 1 { return centres }
    for j in 1..<k {
        var ids = [Int]()
        ids.reserveCapacity(trials)
        for _ in 0..<trials { ids.append(searchCumulative(rng.nextDouble() * pot)) }
        let pots = evaluate(ids)
        var best = 0
        for t in 1..<trials where pots[t] < pots[best] { best = t }
        pot = pots[best]
        accept(best)
        copyCentred(ids[best], into: j)
    }
    return centres
}
