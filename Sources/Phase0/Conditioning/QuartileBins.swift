import Foundation
import EngramCore
import Numerics

/// Axis-aligned quartile bins of PCA coordinates (SPEC §4 `pca_quartile`): per component the train
/// 25/50/75th percentiles (numpy's linear rule, stored as float32 like the research pipeline); a
/// value's bin is the number of edges ≤ it (`np.digitize`), and the id is Σ_d bin_d · 4^d.
public struct QuartileBins: Equatable, Sendable {
    /// [dims, 3] row-major float32.
    public var edges: [Float]
    public var dims: Int

    public init(edges: [Float], dims: Int) {
        precondition(edges.count == dims * 3)
        self.edges = edges; self.dims = dims
    }

    /// 4^dims.
    public var nBins: Int { 1 << (2 * dims) }

    /// Fits on `n` points [n, dims].
    public static func fit(points: [Float], dims: Int) throws -> QuartileBins {
        let n = points.count / dims
        var edges = [Float](repeating: 0, count: dims * 3)
        var column = [Double](repeating: 0, count: n)
        for q in 0..<dims {
            for i in 0..<n { column[i] = Double(points[i * dims + q]) }
            column.sort()
            for (e, pct) in [25.0, 50.0, 75.0].enumerated() {
                edges[q * 3 + e] = Float(try Percentile.linear(sorted: column, q: pct))
            }
        }
        return QuartileBins(edges: edges, dims: dims)
    }

    /// Bin id of each of the points [n, dims].
    public func assign(points: [Float]) -> [Int32] {
        let n = points.count / dims
        var out = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            var id = 0
            for q in 0..<dims {
                let v = points[i * dims + q]
                var b = 0
                for e in 0..<3 where edges[q * 3 + e] <= v { b += 1 }
                id += b << (2 * q)
            }
            out[i] = Int32(id)
        }
        return out
    }
}
