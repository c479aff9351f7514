import EngramCore

extension KMeans {
    /// Triangle-inequality pruning in the k-means++ seeding (default true; same centres either way up
    /// to the summation order of the potentials). Off: every point's distance to every candidate.
    nonisolated(unsafe) public static var useSeedingPruning = true
}

/// scikit-learn's greedy k-means++ (`_kmeans_plusplus`) on the workspace's centred points:
/// first centre uniform; each next centre samples `trials` candidates with probability proportional
/// to the squared distance to the closest chosen centre and keeps the one that minimises the total
/// potential. Candidate distances come from one narrow dot-product pass over the data per centre
/// (`shiftedDotsWithFewVectors`); sums are Double in chunk order.
///
/// Triangle-inequality pruning (exact): a point whose closest chosen centre a is at (computed)
/// squared distance cl keeps cl under every candidate c when ‖c − a‖² ≥ 4·(cl + e), e the float32
/// error bound of the computed distances; such points need no dot products, their potential term
/// is cl for every candidate, and their closest distance does not change on acceptance. Late in the
/// seeding, when candidates lie in far regions, most rows are skipped without being read.
/// Returns the centred centres [k, d].
func greedyKMeansPlusPlus(_ ws: KMeansWorkspace, k: Int, trials: Int, xNorms: [Double], rng: inout SplitMix64) -> [Float] {
    let n = ws.n, d = ws.d, nChunks = ws.nChunks
    var centres = [Float](repeating: 0, count: k * d)
    func copyCentred(_ i: Int, into j: Int) {
        for f in 0..<d { centres[j * d + f] = ws.x[i * d + f] - ws.mean[f] }
    }
    // closest[i]: squared distance of point i to its closest chosen centre (float32, as scikit-learn);
    // owner[i]: that centre (the first chosen among equals).
    let closest = UnsafeMutablePointer<Float>.allocate(capacity: n)
    closest.initialize(repeating: .infinity, count: n)
    let owner = UnsafeMutablePointer<Int32>.allocate(capacity: n)
    owner.initialize(repeating: 0, count: n)
    // pruned[i] = 1 when the last `evaluate` skipped point i (its distances were not computed).
    let prunedFlags = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
    prunedFlags.initialize(repeating: 0, count: n)
    // Distances of every point to each candidate: [trials][n].
    let candidateDist = UnsafeMutablePointer<Float>.allocate(capacity: trials * n)
    // Potential of each chunk for each candidate: [nChunks][trials].
    let partial = UnsafeMutablePointer<Double>.allocate(capacity: nChunks * trials)
    var chunkPot = [Double](repeating: 0, count: nChunks)
    let rowLists = UnsafeMutablePointer<Int>.allocate(capacity: ws.workers * KMeansWorkspace.chunkRows)
    defer {
        closest.deallocate(); owner.deallocate(); prunedFlags.deallocate(); candidateDist.deallocate()
        partial.deallocate(); rowLists.deallocate()
    }
    let dist = SharedMutablePointer(candidateDist)
    let part = SharedMutablePointer(partial)
    let cl = SharedMutablePointer(closest)
    let own = SharedMutablePointer(owner)
    let pruned = SharedMutablePointer(prunedFlags)
    let lists = SharedMutablePointer(rowLists)

    let groups = (trials + 7) / 8
    let width = 8 * groups
    let cand = allocateAligned(width * d)
    let dotScratch = allocateAligned(ws.workers * KMeansWorkspace.chunkRows * width)
    defer { cand.deallocate(); dotScratch.deallocate() }
    let dots = SharedMutablePointer(dotScratch)
    // Bound on |computed − exact| squared distance relative to ‖x‖² + ‖c‖² (as the Lloyd E-step's).
    let errorScale = Double(4 * (d + 2)) * Double(Float.ulpOfOne) / 2
    var normMax = 0.0
    var chosen = 0

    /// Fills candidateDist/partial for the candidate points `ids`; returns the potential per candidate.
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
        normMax = max(normMax, cNorm.max() ?? 0)
        // Smallest squared distance from any candidate to each chosen centre (slightly shrunk).
        var minD2 = [Double](repeating: .infinity, count: max(chosen, 1))
        for j in 0..<chosen {
            for t in 0..<m {
                var s = 0.0
                for f in 0..<d { let v = Double(cand[t * d + f]) - Double(centres[j * d + f]); s += v * v }
                minD2[j] = min(minD2[j], s * (1 - 1e-9))
            }
        }
        let cp = UnsafePointer(cand)
        let nm = normMax
        let prune = KMeans.useSeedingPruning
        ws.mean.withUnsafeBufferPointer { mean in
            xNorms.withUnsafeBufferPointer { xn in
                minD2.withUnsafeBufferPointer { md in
                    parallelFor(nChunks, threads: ws.threads) { w, c in
                        let rows = ws.rows(ofChunk: c)
                        let list = lists.base + w * KMeansWorkspace.chunkRows
                        var count = 0
                        var prunedPot = 0.0
                        for i in rows {
                            let cli = cl.base[i]
                            if prune && cli.isFinite {
                                let bound = 4 * (Double(cli) * (1 + 1e-6) + errorScale * (xn[i] + nm))
                                if md[Int(own.base[i])] >= bound {
                                    pruned.base[i] = 1
                                    prunedPot += Double(cli)
                                    continue
                                }
                            }
                            pruned.base[i] = 0
                            list[count] = i
                            count += 1
                        }
                        let out = dots.base + w * KMeansWorkspace.chunkRows * width
                        shiftedDotsWithFewVectors(x: ws.x, rows: UnsafeBufferPointer(start: list, count: count), d: d,
                                                  shift: mean.baseAddress!, vectors: cp, groups: groups, out: out)
                        var pots = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
                        withUnsafeMutableBytes(of: &pots) { raw in
                            let pp = raw.bindMemory(to: Double.self)
                            let local = m <= 8 ? pp.baseAddress! : UnsafeMutablePointer<Double>.allocate(capacity: m)
                            for t in 0..<m { local[t] = 0 }
                            for li in 0..<count {
                                let i = list[li]
                                let cli = cl.base[i]
                                for t in 0..<m {
                                    let v = Float(max(0, xn[i] - 2 * Double(out[li * width + t]) + cNorm[t]))
                                    dist.base[t * n + i] = v
                                    local[t] += Double(min(cli, v))
                                }
                            }
                            for t in 0..<m { part.base[c * trials + t] = local[t] + prunedPot }
                            if m > 8 { local.deallocate() }
                        }
                    }
                }
            }
        }
        var total = [Double](repeating: 0, count: m)
        for c in 0..<nChunks { for t in 0..<m { total[t] += partial[c * trials + t] } }
        return total
    }

    /// Makes candidate `t` (from the last `evaluate`) the new closest distances, as centre `j`.
    func accept(_ t: Int, as j: Int) {
        parallelFor(nChunks, threads: ws.threads) { c in
            for i in ws.rows(ofChunk: c) where pruned.base[i] == 0 {
                let v = dist.base[t * n + i]
                if v < cl.base[i] { cl.base[i] = v; own.base[i] = Int32(j) }
            }
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
    var pot = evaluate([first])[0]
    accept(0, as: 0)
    copyCentred(first, into: 0)
    chosen = 1
    if k == 1 { return centres }
    for j in 1..<k {
        var ids = [Int]()
        ids.reserveCapacity(trials)
        for _ in 0..<trials { ids.append(searchCumulative(rng.nextDouble() * pot)) }
        let pots = evaluate(ids)
        var best = 0
        for t in 1..<trials where pots[t] < pots[best] { best = t }
        pot = pots[best]
        accept(best, as: j)
        copyCentred(ids[best], into: j)
        chosen = j + 1
    }
    return centres
}
