import Foundation
import EngramCore

/// Per-dimension normalisation of the target Δx_t = x_t − x_{t−1} (SPEC §4): μ and population σ
/// over the train samples, σ floored at 1e-6; z = (Δx − μ)/σ in float32, as the research pipeline.
/// Saved as `norm_stats_lag{L}.json` {mu, sigma, n_samples}.
public struct NormStats: Equatable, Sendable {
    /// [D] float32.
    public var mu: [Float]
    /// [D] float32, ≥ 1e-6.
    public var sigma: [Float]
    public var nSamples: Int

    public static let minSigma = 1e-6

    public init(mu: [Float], sigma: [Float], nSamples: Int) {
        self.mu = mu; self.sigma = sigma; self.nSamples = nSamples
    }

    /// μ, σ of Δx over the frames with target rows `rows` of `corpus` (two passes, Double sums,
    /// parallel over fixed blocks of dimensions, so the result does not depend on the thread count).
    public static func fit(corpus: LatentCorpus, targetRows rows: [Int]) throws -> NormStats {
        guard !rows.isEmpty else { throw EngramError("normalisation", "no train samples") }
        let d = corpus.dim
        let n = Double(rows.count)
        var mu = [Double](repeating: 0, count: d)
        var variance = [Double](repeating: 0, count: d)
        let block = 16
        let nBlocks = (d + block - 1) / block
        mu.withUnsafeMutableBufferPointer { mb in
            variance.withUnsafeMutableBufferPointer { vb in
                let m = SendablePointer(mb.baseAddress!), v = SendablePointer(vb.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: nBlocks) { b in
                    let lo = b * block, hi = min(d, lo + block), w = hi - lo
                    var s = [Double](repeating: 0, count: w)
                    for r in rows {
                        let cur = corpus.x + r * d + lo, prev = cur - d
                        for j in 0..<w { s[j] += Double(cur[j] - prev[j]) }
                    }
                    for j in 0..<w { s[j] /= n }
                    var q = [Double](repeating: 0, count: w)
                    for r in rows {
                        let cur = corpus.x + r * d + lo, prev = cur - d
                        for j in 0..<w { let e = Double(cur[j] - prev[j]) - s[j]; q[j] += e * e }
                    }
                    for j in 0..<w { m.base[lo + j] = s[j]; v.base[lo + j] = q[j] / n }
                }
            }
        }
        return NormStats(mu: mu.map { Float($0) },
                         sigma: variance.map { Float(max($0.squareRoot(), minSigma)) },
                         nSamples: rows.count)
    }

    /// The JSON the research pipeline writes (`json.dump` without indent).
    public var json: OrderedJSON {
        .object([("mu", mu.json), ("sigma", sigma.json), ("n_samples", .int(nSamples))])
    }

    public func write(to url: URL) throws { try AtomicFile.write(json.serialized(indent: nil), to: url) }

    public static func read(from url: URL, dim: Int) throws -> NormStats {
        struct Raw: Decodable { var mu: [Float]; var sigma: [Float]; var n_samples: Int }
        let raw: Raw
        do { raw = try OrderedJSON.decoder.decode(Raw.self, from: Data(contentsOf: url)) } catch {
            throw EngramError(url.path, "cannot read normalisation stats: \(error)")
        }
        guard raw.mu.count == dim, raw.sigma.count == dim else {
            throw EngramError(url.path, "mu/sigma have \(raw.mu.count)/\(raw.sigma.count) values, expected \(dim)")
        }
        guard raw.sigma.allSatisfy({ $0 > 0 && $0.isFinite }), raw.mu.allSatisfy(\.isFinite) else {
            throw EngramError(url.path, "mu must be finite and sigma positive")
        }
        return NormStats(mu: raw.mu, sigma: raw.sigma, nSamples: raw.n_samples)
    }
}
