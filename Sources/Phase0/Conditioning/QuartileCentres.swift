import Foundation

/// Assignment confidence for quartile bins (the counterpart of the k-means distance to the centroid):
/// each bin's centre is the point whose coordinate on component d is the mean of the fit samples'
/// coordinates inside the bin's quartile interval on d; the distance is Euclidean in PCA units.
/// (Outer intervals are unbounded, so the interval's sample mean is the natural centre.)
extension QuartileBins {
    /// Centre of each quartile interval per component, [dims, 4] (Double): mean of the fit coordinates
    /// in the interval; an empty interval takes its nearest edge (or the middle of its two edges).
    public func intervalCentres(fitPoints: [Float]) -> [Double] {
        let n = fitPoints.count / dims
        var sum = [Double](repeating: 0, count: dims * 4)
        var count = [Int](repeating: 0, count: dims * 4)
        for i in 0..<n {
            for q in 0..<dims {
                let v = fitPoints[i * dims + q]
                let b = interval(v, q)
                sum[q * 4 + b] += Double(v); count[q * 4 + b] += 1
            }
        }
        var out = [Double](repeating: 0, count: dims * 4)
        for q in 0..<dims {
            let e = (0..<3).map { Double(edges[q * 3 + $0]) }
            let fallback = [e[0], (e[0] + e[1]) / 2, (e[1] + e[2]) / 2, e[2]]
            for b in 0..<4 { out[q * 4 + b] = count[q * 4 + b] > 0 ? sum[q * 4 + b] / Double(count[q * 4 + b]) : fallback[b] }
        }
        return out
    }

    /// Distance of each point [n, dims] to its bin's centre (see `intervalCentres`), float32 [n].
    public func centreDistances(points: [Float], fitPoints: [Float]) -> [Float] {
        let c = intervalCentres(fitPoints: fitPoints)
        let n = points.count / dims
        var out = [Float](repeating: 0, count: n)
        for i in 0..<n {
            var s = 0.0
            for q in 0..<dims {
                let v = points[i * dims + q]
                let e = Double(v) - c[q * 4 + interval(v, q)]
                s += e * e
            }
            out[i] = Float(s.squareRoot())
        }
        return out
    }

    /// Quartile interval of `v` on component `q`: the number of edges ≤ v (as `assign`).
    @inline(__always) func interval(_ v: Float, _ q: Int) -> Int {
        var b = 0
        for e in 0..<3 where edges[q * 3 + e] <= v { b += 1 }
        return b
    }
}
