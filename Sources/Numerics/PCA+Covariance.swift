import EngramCore

extension PCA {
    /// PCA from an already accumulated sample covariance [d, d] (Double, row-major, divisor n − 1)
    /// and the data mean [d] — for callers that build the covariance in their own way (e.g. the
    /// flattened context windows of Phase 0, assembled from lagged products of latent rows).
    /// Same eigen-solver and sign convention as `CovarianceAccumulator.finish(components:)`.
    public static func fromCovariance(_ cov: [Double], mean: [Double], nSamples: Int, components k: Int,
                                      threads: Int? = nil) throws -> PCA {
        let d = mean.count
        guard cov.count == d * d else { throw EngramError("PCA", "covariance has \(cov.count) values, expected \(d)×\(d)") }
        guard k >= 1, k <= d else { throw EngramError("PCA", "components must be in 1...\(d) (got \(k))") }
        return try PCA(covariance: cov, mean: mean, d: d, k: k, nSamples: nSamples, threads: Parallelism.resolve(threads))
    }
}
