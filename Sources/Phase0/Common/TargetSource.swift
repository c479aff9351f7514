import Foundation

/// Read access to the normalised targets z = (Δx − μ)/σ of frames (SPEC §4), either already in
/// place (`NormalizedTargets`, after the evaluate step rewrote the corpus) or computed on the fly
/// from the raw latents, z_j = ((x_t,j − x_{t−1},j) − μ_j)/σ_j in float32 — the same expression,
/// so both give bit-identical z. Nothing is copied: the on-the-fly form reads two corpus rows.
struct TargetSource: @unchecked Sendable {
    let x: UnsafeMutablePointer<Float>
    let dim: Int
    /// Global corpus row of each frame's target t.
    let rows: [Int]
    /// μ, σ [D] when z is computed from raw latents; nil when the rows already hold z.
    let mu: [Float]?
    let sigma: [Float]?

    init(_ t: NormalizedTargets) {
        x = t.corpus.x; dim = t.dim; rows = t.targetRow; mu = nil; sigma = nil
    }

    init(latents: LatentCorpus, targetRows: [Int], norm: NormStats) {
        precondition(norm.mu.count == latents.dim && norm.sigma.count == latents.dim)
        x = latents.x; dim = latents.dim; rows = targetRows; mu = norm.mu; sigma = norm.sigma
    }

    /// z of frame `i` ([D] float32): the corpus row itself, or computed into `scratch` ([D]).
    @inline(__always) func z(_ i: Int, scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        let cur = x + rows[i] * dim
        guard let mu, let sigma else { return UnsafePointer(cur) }
        let prev = cur - dim
        mu.withUnsafeBufferPointer { m in
            sigma.withUnsafeBufferPointer { s in
                for j in 0..<dim { scratch[j] = ((cur[j] - prev[j]) - m[j]) / s[j] }
            }
        }
        return UnsafePointer(scratch)
    }
}
