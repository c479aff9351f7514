import Foundation
import EngramCore

/// The `mean` context features of every frame and lag without a second [N, D] matrix.
///
/// The corpus buffer is overwritten in place with sliding means: row j of an utterance becomes
/// M_j = (x_{j−W+1} + … + x_j)/W (float32, summed in window order, as `ContextFeatures.meanFeatures`
/// and numpy's `mean(axis=0)`), for j ≥ W − 1; rows are rewritten from the last one backwards so
/// each sum still reads raw rows. The mean feature of target t at lag L is then the single row
/// M_{t−L}. For a lag, the train frames' rows of an utterance, t ∈ [t0, T), are the contiguous rows
/// [t0 − L, T − L); when the train utterances come first in the buffer these runs can be moved
/// together into one [N_train, D] prefix for k-means (`withCompactedRows`) and moved back after.
/// After the transform the buffer no longer holds latents.
final class SlidingMeans: @unchecked Sendable {
    let corpus: LatentCorpus
    let geometry: ContextGeometry

    /// Transforms `corpus` in place.
    init(transforming corpus: LatentCorpus, geometry: ContextGeometry) {
        self.corpus = corpus
        self.geometry = geometry
        let d = corpus.dim, w = geometry.windowSize
        let nU = corpus.nFrames.count
        let fw = Float(w)
        DispatchQueue.concurrentPerform(iterations: max(1, min(64, nU))) { c in
            var acc = [Float](repeating: 0, count: d)
            var u = c
            while u < nU {
                let T = corpus.nFrames[u]
                var j = T - 1
                while j >= w - 1 {
                    let first = corpus.row(u, j - w + 1)
                    for k in 0..<d { acc[k] = first[k] }
                    for p in 1..<max(w, 1) { let r = corpus.row(u, j - w + 1 + p); for k in 0..<d { acc[k] += r[k] } }
                    let dst = corpus.row(u, j)
                    for k in 0..<d { dst[k] = acc[k] / fw }
                    j -= 1
                }
                u += 64
            }
        }
    }

    /// Mean feature row of target `t` of utterance `u` at `lag`.
    @inline(__always) func row(_ u: Int, _ t: Int, lag: Int) -> UnsafePointer<Float> { UnsafePointer(corpus.row(u, t - lag)) }

    /// Whether `utterances` occupy the start of the buffer in this order, each with all its valid
    /// frames in `frames` (the condition for `withCompactedRows`).
    static func canCompact(corpus: LatentCorpus, geometry: ContextGeometry, utterances: [Int], frames: [[Int32]]) -> Bool {
        var next = 0
        for u in utterances {
            guard corpus.rowOffset[u] == next else { return false }
            let valid = geometry.validFrames(nFrames: corpus.nFrames[u])
            let f = frames[u]
            guard f.count == valid.count, f.first.map(Int.init) == valid.lowerBound, f.last.map(Int.init) == valid.upperBound - 1 else { return false }
            next += corpus.nFrames[u]
        }
        return true
    }

    /// Calls `body` with the mean features at `lag` of all frames of `utterances` (in order, t
    /// ascending) as one contiguous [n, D] prefix of the buffer, then restores the buffer.
    func withCompactedRows<R>(utterances: [Int], lag: Int, _ body: (UnsafePointer<Float>, Int) throws -> R) rethrows -> R {
        let d = corpus.dim, t0 = geometry.firstValidFrame
        // Rows outside the runs are overwritten by the move: keep them.
        var saved: [[Float]] = []
        saved.reserveCapacity(utterances.count)
        var dst = 0
        for u in utterances {
            let T = corpus.nFrames[u]
            let head = UnsafeBufferPointer(start: corpus.row(u, 0), count: (t0 - lag) * d)
            let tail = UnsafeBufferPointer(start: corpus.row(u, T - lag), count: lag * d)
            saved.append(Array(head) + Array(tail))
            let n = T - t0
            memmove(corpus.x + dst * d, corpus.row(u, t0 - lag), n * d * MemoryLayout<Float>.stride)
            dst += n
        }
        defer {
            // Move the runs back (last first: destinations are never behind their sources) and restore.
            var end = dst
            for (k, u) in utterances.enumerated().reversed() {
                let T = corpus.nFrames[u]
                let n = T - t0
                end -= n
                memmove(corpus.row(u, t0 - lag), corpus.x + end * d, n * d * MemoryLayout<Float>.stride)
                let s = saved[k]
                s.withUnsafeBufferPointer { sp in
                    corpus.row(u, 0).update(from: sp.baseAddress!, count: (t0 - lag) * d)
                    corpus.row(u, T - lag).update(from: sp.baseAddress! + (t0 - lag) * d, count: lag * d)
                }
            }
        }
        return try body(UnsafePointer(corpus.x), dst)
    }
}
