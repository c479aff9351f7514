import Foundation
import EngramCore

/// Normalised targets z_t = (Δx_t − μ)/σ, Δx_t = x_t − x_{t−1}, of every frame (SPEC §4), in float32
/// exactly as the research pipeline computes them.
///
/// Built by overwriting the corpus in place: the target row of each frame is replaced by its z
/// (utterances are processed from their last row backwards, so x_{t−1} is still intact when row t is
/// rewritten). Afterwards the corpus no longer holds latents; z of frame i is row `targetRow[i]`.
public final class NormalizedTargets: @unchecked Sendable {
    public let corpus: LatentCorpus
    /// Global corpus row holding z of each frame.
    public let targetRow: [Int]
    public var dim: Int { corpus.dim }

    public init(consuming corpus: LatentCorpus, table: FrameTable, norm: NormStats) throws {
        guard norm.mu.count == corpus.dim else {
            throw EngramError("normalisation", "stats have \(norm.mu.count) dimensions, latents have \(corpus.dim)")
        }
        self.corpus = corpus
        let d = corpus.dim
        var rows = [Int](repeating: 0, count: table.count)
        var framesOf = [[Int32]](repeating: [], count: table.utteranceIds.count)
        for i in 0..<table.count {
            let u = Int(table.utterance[i]), t = Int(table.t[i])
            guard t >= 1 else { throw EngramError("frames", "frame t=0 of \(table.utteranceIds[u]) has no Δx") }
            rows[i] = corpus.globalRow(u, t)
            framesOf[u].append(table.t[i])
        }
        for u in 0..<framesOf.count {
            framesOf[u].sort(by: >)
            if let dup = zip(framesOf[u], framesOf[u].dropFirst()).first(where: { $0.0 == $0.1 }) {
                throw EngramError("frames", "frame t=\(dup.0) of \(table.utteranceIds[u]) is listed twice")
            }
        }
        targetRow = rows
        let mu = norm.mu, sigma = norm.sigma
        let nU = framesOf.count
        DispatchQueue.concurrentPerform(iterations: max(1, min(64, nU))) { c in
            var u = c
            while u < nU {
                for t in framesOf[u] {
                    let cur = corpus.row(u, Int(t)), prev = cur - d
                    for j in 0..<d { cur[j] = ((cur[j] - prev[j]) - mu[j]) / sigma[j] }
                }
                u += 64
            }
        }
    }

    /// Targets already in place (rows of `corpus` hold z), e.g. for tests.
    init(corpus: LatentCorpus, targetRows: [Int]) {
        self.corpus = corpus
        self.targetRow = targetRows
    }

    /// z of frame `i`, [D].
    @inline(__always) public func z(_ i: Int) -> UnsafePointer<Float> { UnsafePointer(corpus.x + targetRow[i] * corpus.dim) }
}
