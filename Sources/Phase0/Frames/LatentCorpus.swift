import Foundation
import EngramCore

/// The latents of the utterances of a frame table, in memory as one contiguous [ΣT, D] row-major
/// float32 buffer (utterance u occupies rows `rowOffset[u] ..< rowOffset[u] + nFrames[u]`).
/// This is the analysis' only large allocation; features and targets are computed from it on the fly.
public final class LatentCorpus: @unchecked Sendable {
    /// D.
    public let dim: Int
    /// T of each utterance (same order as the frame table's `utteranceIds`).
    public let nFrames: [Int]
    /// First row of each utterance.
    public let rowOffset: [Int]
    /// ΣT.
    public let totalRows: Int
    /// [ΣT, D].
    public let x: UnsafeMutablePointer<Float>

    /// Utterances in buffer order (a permutation of the utterance indices).
    public let layout: [Int]

    /// - Parameter layout: placement order of the utterances in the buffer (default: index order).
    init(dim: Int, nFrames: [Int], layout: [Int]? = nil) {
        self.dim = dim
        self.nFrames = nFrames
        let order = layout ?? Array(0..<nFrames.count)
        precondition(order.count == nFrames.count && Set(order).count == order.count, "layout must be a permutation")
        self.layout = order
        var off = [Int](repeating: 0, count: nFrames.count)
        var total = 0
        for u in order { off[u] = total; total += nFrames[u] }
        rowOffset = off
        totalRows = total
        x = UnsafeMutablePointer<Float>.allocate(capacity: max(total * dim, 1))
    }

    deinit { x.deallocate() }

    /// Pointer to row t of utterance u.
    @inline(__always) public func row(_ u: Int, _ t: Int) -> UnsafeMutablePointer<Float> {
        x + (rowOffset[u] + t) * dim
    }

    /// Global row of (u, t).
    @inline(__always) public func globalRow(_ u: Int, _ t: Int) -> Int { rowOffset[u] + t }

    /// Loads the latents of every utterance of `table` from `store`, checking width, finiteness and
    /// that every frame of the table is a valid target frame of its utterance under `geometry`
    /// (the table must have been built with the same `context` settings and store).
    /// `layout`: placement order of the utterances (indices into `table.utteranceIds`; default table order).
    public static func load(table: FrameTable, store: LatentReading, expectedDim: Int, geometry: ContextGeometry,
                            framesFile: String, layout: [Int]? = nil, progress: ProgressReporter? = nil) throws -> LatentCorpus {
        let check = UtteranceCheck(expectedDim: expectedDim, geometry: geometry, storeLocation: store.location)
        var shapes: [Int] = []
        shapes.reserveCapacity(table.utteranceIds.count)
        for id in table.utteranceIds {
            guard store.contains(id) else {
                throw EngramError("\(store.location)/\(id)", "utterance listed in \(framesFile) is missing from the latents store")
            }
            let s = try store.shape(of: id)
            try check.checkShape(id, frames: s.frames, dim: s.dim, indexFrames: nil)
            shapes.append(s.frames)
        }
        let corpus = LatentCorpus(dim: expectedDim, nFrames: shapes, layout: layout)
        for (u, id) in table.utteranceIds.enumerated() {
            let buf = UnsafeMutableBufferPointer(start: corpus.row(u, 0), count: shapes[u] * expectedDim)
            try store.readLatents(id, into: buf)
            try check.checkFinite(id, x: UnsafeBufferPointer(buf), dim: expectedDim)
            progress?.advance()
        }
        // Every frame must be a valid target of its utterance.
        for i in 0..<table.count {
            let u = Int(table.utterance[i]), t = Int(table.t[i])
            let valid = geometry.validFrames(nFrames: shapes[u])
            if !valid.contains(t) {
                throw EngramError("\(framesFile): row \(i)", "frame t=\(t) of \(table.utteranceIds[u]) (T=\(shapes[u])) is not a valid target frame for window_size \(geometry.windowSize), lags \(geometry.lags) (valid: \(valid.lowerBound)..<\(valid.upperBound)); rerun `engram phase0 frames`")
            }
        }
        return corpus
    }
}
