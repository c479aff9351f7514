import Foundation
import SIMDKernels
import SIMDKernelsAVX2
import SIMDKernelsAVX512

/// Hamerly's bounds for the Lloyd E-step (G. Hamerly, "Making k-means even faster", SDM 2010):
/// per point an upper bound on the distance to its assigned centre and a lower bound on the
/// distance to every other centre. A point whose upper bound is below both its lower bound and
/// half the distance from its centre to the nearest other centre keeps its label without any
/// distance computation; the rest go through the blocked GEMM in gathered row batches.
///
/// Bounds are Euclidean distances (Double), widened by the float32 GEMM's rounding-error bound so
/// that they stay valid. The result is the nearest centre as in plain Lloyd (up to float32 near-ties);
/// it depends on the points' history only, never on threads.
final class HamerlyBounds {
    let n: Int
    let upper: UnsafeMutablePointer<Double>
    let lower: UnsafeMutablePointer<Double>
    /// Points whose distances were fully recomputed in the last E-step (for reports/tests).
    private(set) var lastFullCount = 0

    init(n: Int) {
        self.n = n
        upper = .allocate(capacity: max(n, 1))
        lower = .allocate(capacity: max(n, 1))
        upper.initialize(repeating: .infinity, count: n)
        lower.initialize(repeating: 0, count: n)
    }

    deinit { upper.deallocate(); lower.deallocate() }

    /// After centres moved by `shifts` (Euclidean, per centre): upper += own shift, lower −= the largest
    /// shift of any other centre.
    func update(labels: [Int32], shifts: [Double]) {
        var first = -1, second = -1
        for j in 0..<shifts.count {
            if first < 0 || shifts[j] > shifts[first] { second = first; first = j }
            else if second < 0 || shifts[j] > shifts[second] { second = j }
        }
        let maxShift = first >= 0 ? shifts[first] : 0
        let secondShift = second >= 0 ? shifts[second] : 0
        for i in 0..<n {
            let a = Int(labels[i])
            upper[i] += shifts[a]
            lower[i] = max(0, lower[i] - (a == first ? secondShift : maxShift))
        }
    }

    /// E-step with bounds; `labels` must hold the previous labels (any value on the first call, when
    /// all upper bounds are infinite). `centres` are in the workspace's centred coordinates.
    func assign(_ ws: KMeansWorkspace, centres: [Float], k: Int, labels: UnsafeMutablePointer<Int32>) {
        let d = ws.d
        // half the distance from each centre to its nearest other centre
        var half = [Double](repeating: .infinity, count: k)
        if k > 1 {
            for j in 0..<k {
                for j2 in (j + 1)..<k {
                    var s = 0.0
                    for f in 0..<d { let v = Double(centres[j * d + f]) - Double(centres[j2 * d + f]); s += v * v }
                    let h = 0.5 * s.squareRoot()
                    if h < half[j] { half[j] = h }
                    if h < half[j2] { half[j2] = h }
                }
            }
        }
        let packed = centres.withUnsafeBufferPointer { PackedB($0.baseAddress!, ld: d, transposed: true, k: d, n: k) }
        var norms = [Float](repeating: 0, count: k)
        for j in 0..<k {
            var s: Float = 0
            for f in 0..<d { let v = centres[j * d + f]; s += v * v }
            norms[j] = s
        }
        let cnMax = norms.max() ?? 0
        let errorScale = Float(4 * (d + 2)) * Float.ulpOfOne / 2
        // float32 Σ((x − mean) − c)² of d non-negative terms in 8 lanes: relative error below
        // (d/8 + 8)·u; (1 + 2(d + 16)u) keeps the result an upper bound with a wide margin.
        let tightenSlack = 1 + 2 * Double(d + 16) * Double(Float.ulpOfOne) / 2
        let out = SharedMutablePointer(labels)
        let up = SharedMutablePointer(upper), lo = SharedMutablePointer(lower)
        var fullPerChunk = [Int](repeating: 0, count: ws.nChunks)
        fullPerChunk.withUnsafeMutableBufferPointer { fb in
            let full = SharedMutablePointer(fb.baseAddress!)
            norms.withUnsafeBufferPointer { nb in
                centres.withUnsafeBufferPointer { cb in
                    ws.mean.withUnsafeBufferPointer { mb in
                        let cn = nb.baseAddress!, cp = cb.baseAddress!, mean = mb.baseAddress!
                        parallelFor(ws.nChunks, threads: ws.threads) { w, c in
                            var pending = [Int]()
                            pending.reserveCapacity(KMeansWorkspace.chunkRows)
                            for i in ws.rows(ofChunk: c) {
                                let a = Int(out.base[i])
                                if up.base[i].isFinite {
                                    let bound = max(half[a], lo.base[i])
                                    if up.base[i] <= bound { continue }
                                    // tighten the upper bound with the distance to the own centre
                                    let s = centredSquaredDistance(ws.x + i * d, mean, cp + a * d, d)
                                    up.base[i] = (Double(s) * tightenSlack).squareRoot()
                                    if up.base[i] <= bound { continue }
                                }
                                pending.append(i)
                            }
                            full.base[c] = pending.count
                            if pending.isEmpty { return }
                            let (xc, dots) = ws.gatheredDots(pending, worker: w, packed)
                            for (li, i) in pending.enumerated() {
                                let row = UnsafePointer(dots + li * k)
                                let (best, v1) = nearestCentre(norms: cn, dots: row, k: k)
                                let v2 = secondNearestValue(norms: cn, dots: row, k: k, excluded: best)
                                let r = xc + li * d
                                var xn: Float = 0
                                for f in 0..<d { xn += r[f] * r[f] }
                                let err = Double(errorScale * (xn + cnMax))
                                out.base[i] = Int32(best)
                                up.base[i] = (max(0, Double(xn) + Double(v1)) + err).squareRoot()
                                lo.base[i] = k > 1 ? max(0, Double(xn) + Double(v2) - err).squareRoot() : .infinity
                            }
                        }
                    }
                }
            }
        }
        lastFullCount = fullPerChunk.reduce(0, +)
    }
}

/// Σ_f ((x_f − mean_f) − c_f)² in float32, 8 lanes (the rows as the GEMM sees them, centred in
/// float32), with the active kernel set (fused multiply-add on AVX2 / AVX-512).
@inline(__always)
func centredSquaredDistance(_ x: UnsafePointer<Float>, _ mean: UnsafePointer<Float>, _ c: UnsafePointer<Float>, _ d: Int) -> Float {
    switch SIMDKernelSet.active {
    case .baseline: return SIMDKernels.FewVectorDots.centredSquaredDistance(x, mean, c, d)
    case .avx2: return SIMDKernelsAVX2.FewVectorDots.centredSquaredDistance(x, mean, c, d)
    case .avx512: return SIMDKernelsAVX512.FewVectorDots.centredSquaredDistance(x, mean, c, d)
    }
}
