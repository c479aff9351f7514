import EngramCore
import Foundation

/// Principal component analysis as scikit-learn's `PCA` (components of the centred data, sample
/// covariance with divisor n − 1, components sorted by explained variance).
///
/// Sign convention: each component is flipped so that its largest-|value| entry is positive
/// (first such entry on ties) — scikit-learn ≥ 1.5's `svd_flip(u_based_decision=False)`.
public struct PCA: Sendable, Codable, Equatable {
    /// Column mean of the training data, [d].
    public var mean: [Float]
    /// Principal axes as rows, [k, d] row-major, unit length.
    public var components: [Float]
    /// Variance along each component (eigenvalues of the covariance, divisor n − 1), [k].
    public var explainedVariance: [Double]
    /// `explainedVariance` / total variance (trace of the covariance), [k].
    public var explainedVarianceRatio: [Double]
    public var nSamples: Int
    public var d: Int
    public var k: Int

    public init(mean: [Float], components: [Float], explainedVariance: [Double], explainedVarianceRatio: [Double], nSamples: Int) {
        precondition(components.count == explainedVariance.count * mean.count)
        self.mean = mean; self.components = components
        self.explainedVariance = explainedVariance; self.explainedVarianceRatio = explainedVarianceRatio
        self.nSamples = nSamples; d = mean.count; k = explainedVariance.count
    }

    /// PCA of a covariance matrix [d, d] (Double): top-k eigenpairs by subspace iteration when k ≪ d,
    /// otherwise (or if that does not converge) a full Householder + QL decomposition.
    init(covariance cov: [Double], mean: [Double], d: Int, k: Int, nSamples: Int, threads: Int) throws {
        var values: [Double] = []
        var vectors: [Double] = []
        var solved = false
        if d >= 64 && k * 8 <= d {
            // Subspace iteration; if it stalls (tiny eigengap), retry with a basis twice as wide.
            // Still unconverged: the full solver when d ≤ 1024, else the best Ritz pairs found.
            let b = (2 * k + 8 + 7) / 8 * 8
            for (attempt, block) in [b, 2 * b].enumerated() {
                guard let top = topEigenpairsBySubspaceIteration(cov, d: d, k: k, blockSize: block, threads: threads) else { break }
                if top.converged || (attempt == 1 && d > 1024) {
                    (values, vectors) = (top.values, top.vectors)
                    solved = true
                    break
                }
            }
        }
        if !solved {
            let eig = try SymmetricEigen(symmetric: cov, n: d)
            values = Array(eig.values[0..<k])
            vectors = Array(eig.vectors[0..<(k * d)])
        }
        values = values.map { max($0, 0) }
        for q in 0..<k {
            var arg = 0
            for j in 1..<d where abs(vectors[q * d + j]) > abs(vectors[q * d + arg]) { arg = j }
            if vectors[q * d + arg] < 0 { for j in 0..<d { vectors[q * d + j] = -vectors[q * d + j] } }
        }
        var trace = 0.0
        for i in 0..<d { trace += cov[i * d + i] }
        self.init(mean: mean.map { Float($0) }, components: vectors.map { Float($0) }, explainedVariance: values,
                  explainedVarianceRatio: values.map { trace > 0 ? $0 / trace : 0 }, nSamples: nSamples)
    }

    /// Fits on `n` rows [n, d] row-major float32 held in memory (same as streaming them through a
    /// `CovarianceAccumulator`).
    public static func fit(data: UnsafePointer<Float>, n: Int, d: Int, components k: Int, threads: Int? = nil) throws -> PCA {
        let acc = CovarianceAccumulator(dimension: d, threads: threads)
        try acc.add(rows: data, count: n)
        return try acc.finish(components: k)
    }

    /// Projections (x − mean)·componentsᵀ of `n` rows [n, d] → [n, k] row-major float32.
    public func transform(_ x: UnsafePointer<Float>, n: Int, threads: Int? = nil) -> [Float] {
        var out = [Float](repeating: 0, count: n * k)
        if n == 0 { return out }
        let ws = KMeansWorkspace(x: x, n: n, d: d, maxColumns: k, threads: Parallelism.resolve(threads), centring: mean)
        let k = self.k
        let packed = components.withUnsafeBufferPointer { PackedB($0.baseAddress!, ld: d, transposed: true, k: d, n: k) }
        out.withUnsafeMutableBufferPointer { ob in
            let o = SharedMutablePointer(ob.baseAddress!)
            parallelFor(ws.nChunks, threads: ws.threads) { w, c in
                let dots = ws.chunkDots(c, worker: w, packed)
                let r = ws.rows(ofChunk: c)
                (o.base + r.lowerBound * k).update(from: dots, count: r.count * k)
            }
        }
        return out
    }

    /// `transform` of a row-major array whose length is a multiple of `d`.
    public func transform(_ x: [Float], threads: Int? = nil) -> [Float] {
        precondition(x.count % d == 0, "PCA.transform: length is not a multiple of d")
        return x.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return [] }
            return transform(base, n: x.count / d, threads: threads)
        }
    }
}
