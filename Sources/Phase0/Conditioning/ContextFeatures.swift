import Foundation
import EngramCore
import Numerics

/// Context features of frames computed on the fly from a `LatentCorpus` (SPEC §3), never
/// materialising the [N, W·D] flat matrix: `mean` features are built block by block, flat windows
/// are contiguous slices of the corpus buffer (W consecutive rows), gathered only into small blocks.
public struct ContextFeatures: @unchecked Sendable {
    public let corpus: LatentCorpus
    public let geometry: ContextGeometry
    /// Global corpus row of each frame's target t.
    public let targetRow: [Int]

    public init(corpus: LatentCorpus, table: FrameTable, geometry: ContextGeometry) {
        self.corpus = corpus
        self.geometry = geometry
        var rows = [Int](repeating: 0, count: table.count)
        for i in 0..<table.count { rows[i] = corpus.globalRow(Int(table.utterance[i]), Int(table.t[i])) }
        targetRow = rows
    }

    public var dim: Int { corpus.dim }
    /// W·D.
    public var flatDim: Int { geometry.windowSize * corpus.dim }

    /// Global row of the first context frame of frame `i` at `lag`.
    @inline(__always) public func contextStartRow(_ i: Int, lag: Int) -> Int {
        targetRow[i] - lag - geometry.windowSize + 1
    }

    /// Pointer to the flat context (W·D contiguous floats) of frame `i` at `lag`.
    @inline(__always) public func flatContext(_ i: Int, lag: Int) -> UnsafePointer<Float> {
        UnsafePointer(corpus.x + contextStartRow(i, lag: lag) * corpus.dim)
    }

    /// `mean` features of `frames` at `lag` into `out` ([frames.count, D]): the float32 average of the
    /// W context rows, summed in window order then divided by W (numpy's `mean(axis=0)` on [W, D]).
    public func meanFeatures(_ frames: UnsafeBufferPointer<Int32>, lag: Int, into out: UnsafeMutablePointer<Float>) {
        let d = corpus.dim, w = geometry.windowSize
        let invW = Float(w)
        for (r, f) in frames.enumerated() {
            let src = flatContext(Int(f), lag: lag)
            let dst = out + r * d
            dst.update(from: src, count: d)
            for k in 1..<max(w, 1) {
                let row = src + k * d
                for j in 0..<d { dst[j] += row[j] }
            }
            for j in 0..<d { dst[j] /= invW }
        }
    }

    /// `mean` features of all `frames` at `lag` as a new [n, D] array (parallel over fixed blocks).
    public func meanFeatures(_ frames: [Int32], lag: Int) -> [Float] {
        let d = corpus.dim
        var out = [Float](repeating: 0, count: frames.count * d)
        let block = 4096
        let nBlocks = (frames.count + block - 1) / block
        out.withUnsafeMutableBufferPointer { ob in
            let o = SendablePointer(ob.baseAddress!)
            frames.withUnsafeBufferPointer { fb in
                let fp = SendableConstPointer(fb.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: nBlocks) { b in
                    let lo = b * block, hi = min(frames.count, lo + block)
                    meanFeatures(UnsafeBufferPointer(start: fp.base + lo, count: hi - lo), lag: lag, into: o.base + lo * d)
                }
            }
        }
        return out
    }

    /// Feeds the flat contexts of `frames` at `lag` to a covariance accumulator, in blocks.
    public func accumulateFlat(_ frames: [Int32], lag: Int, into acc: CovarianceAccumulator) throws {
        let fd = flatDim
        let block = CovarianceAccumulator.blockRows
        let staging = UnsafeMutablePointer<Float>.allocate(capacity: block * fd)
        defer { staging.deallocate() }
        var lo = 0
        while lo < frames.count {
            let hi = min(frames.count, lo + block)
            for r in lo..<hi { (staging + (r - lo) * fd).update(from: flatContext(Int(frames[r]), lag: lag), count: fd) }
            try acc.add(rows: staging, count: hi - lo)
            lo = hi
        }
    }

    /// PCA projections (x_flat − mean)·componentsᵀ of all frames at `lag` → [N, k] float32.
    ///
    /// Computed without gathering windows: for each chunk of whole utterances the rows are shifted by
    /// the PCA mean's per-position average, multiplied once by the components rearranged as
    /// [W·k, D] (one GEMM), and each frame's projection is the sum over window positions w of the
    /// products of its context row w with component block w.
    public func project(pca: PCA, lag: Int, table: FrameTable) -> [Float] {
        let d = corpus.dim, w = geometry.windowSize, k = pca.k
        precondition(pca.d == w * d, "PCA dimension \(pca.d) is not W·D = \(w * d)")
        // Per-dimension shift s = average over window positions of the PCA mean; the remaining offset
        // (mean − tile(s))·componentsᵀ is subtracted at the end.
        var shift = [Float](repeating: 0, count: d)
        for j in 0..<d {
            var s = 0.0
            for p in 0..<w { s += Double(pca.mean[p * d + j]) }
            shift[j] = Float(s / Double(w))
        }
        var offset = [Double](repeating: 0, count: k)
        for q in 0..<k {
            var s = 0.0
            for p in 0..<w { for j in 0..<d { s += Double(pca.mean[p * d + j] - shift[j]) * Double(pca.components[q * pca.d + p * d + j]) } }
            offset[q] = s
        }
        // Components as [W·k, D]: row (p, q) = components[q, p·D ..< (p+1)·D].
        var cmat = [Float](repeating: 0, count: w * k * d)
        for p in 0..<w { for q in 0..<k { for j in 0..<d { cmat[(p * k + q) * d + j] = pca.components[q * pca.d + p * d + j] } } }

        // Frames of each utterance (frame tables list an utterance's frames contiguously, but do not rely on it).
        let nU = table.utteranceIds.count
        var framesOf = [[Int32]](repeating: [], count: nU)
        for i in 0..<table.count { framesOf[Int(table.utterance[i])].append(Int32(i)) }
        // Chunks of whole utterances, consecutive in the buffer, of about `chunkRows` rows.
        let chunkRows = 2048
        var chunks: [ArraySlice<Int>] = []
        let order = corpus.layout
        var start = 0, rows = 0
        for (p, u) in order.enumerated() {
            rows += corpus.nFrames[u]
            if rows >= chunkRows { chunks.append(order[start...p]); start = p + 1; rows = 0 }
        }
        if start < nU { chunks.append(order[start..<nU]) }

        var out = [Float](repeating: 0, count: table.count * k)
        let wk = w * k
        out.withUnsafeMutableBufferPointer { ob in
            let o = SendablePointer(ob.baseAddress!)
            cmat.withUnsafeBufferPointer { cb in
                let cp = SendableConstPointer(cb.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: chunks.count) { c in
                    let us = chunks[c]
                    let r0 = corpus.rowOffset[us.first!]
                    let r1 = corpus.rowOffset[us.last!] + corpus.nFrames[us.last!]
                    let n = r1 - r0
                    let xs = UnsafeMutablePointer<Float>.allocate(capacity: n * d)
                    let y = UnsafeMutablePointer<Float>.allocate(capacity: n * wk)
                    defer { xs.deallocate(); y.deallocate() }
                    for r in 0..<n {
                        let src = corpus.x + (r0 + r) * d, dst = xs + r * d
                        for j in 0..<d { dst[j] = src[j] - shift[j] }
                    }
                    GEMM.multiply(m: n, n: wk, k: d, a: xs, lda: d, b: cp.base, ldb: d, transB: true, c: y, ldc: wk, threads: 1)
                    for u in us {
                        for f in framesOf[u] {
                            let startRow = contextStartRow(Int(f), lag: lag) - r0
                            for q in 0..<k {
                                var s = 0.0
                                for p in 0..<w { s += Double(y[(startRow + p) * wk + p * k + q]) }
                                o.base[Int(f) * k + q] = Float(s - offset[q])
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}

/// A pointer that concurrent closures may capture (each writes a disjoint part).
struct SendablePointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}

struct SendableConstPointer<T>: @unchecked Sendable {
    let base: UnsafePointer<T>
    init(_ base: UnsafePointer<T>) { self.base = base }
}
