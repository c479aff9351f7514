import Foundation

/// Shared state of one k-means fit: the points [n, d] row-major float32, their column mean, fixed
/// row chunks (the unit of parallel work and of partial sums) and per-worker scratch.
///
/// Distances are computed on mean-centred rows (as scikit-learn does) without copying the data:
/// each chunk is centred into a worker's scratch buffer just before its GEMM.
final class KMeansWorkspace: @unchecked Sendable {
    /// Rows per chunk: one packed A block of the GEMM. Fixed, so results do not depend on threads.
    static let chunkRows = GEMMBlocking.mc

    let x: UnsafePointer<Float>
    let n: Int
    let d: Int
    let threads: Int
    let nChunks: Int
    let workers: Int
    /// The shift subtracted from every row before distances (float32; the column mean in `fit`).
    let mean: [Float]
    private let centredScratch: UnsafeMutablePointer<Float>
    private let packScratch: UnsafeMutablePointer<Float>
    private let dotScratch: UnsafeMutablePointer<Float>
    private let maxColumns: Int

    /// - Parameters:
    ///   - maxColumns: the widest product computed per chunk (centroids or candidates).
    ///   - centring: the shift subtracted from every row (default: the column mean).
    init(x: UnsafePointer<Float>, n: Int, d: Int, maxColumns: Int, threads: Int, centring: [Float]? = nil) {
        self.x = x; self.n = n; self.d = d; self.threads = threads
        self.maxColumns = maxColumns
        nChunks = (n + Self.chunkRows - 1) / Self.chunkRows
        workers = workerCount(nChunks, threads: threads)
        mean = centring ?? columnMeans(x, n: n, d: d, threads: threads).map { Float($0) }
        centredScratch = allocateAligned(workers * Self.chunkRows * d)
        packScratch = allocateAligned(workers * PackedB.scratchCount)
        dotScratch = allocateAligned(workers * Self.chunkRows * maxColumns)
    }

    deinit {
        centredScratch.deallocate(); packScratch.deallocate(); dotScratch.deallocate()
    }

    func rows(ofChunk c: Int) -> Range<Int> {
        let s = c * Self.chunkRows
        return s..<min(n, s + Self.chunkRows)
    }

    /// Writes chunk `c`'s rows minus `mean` into worker `w`'s scratch and returns it ([rows, d]).
    func centredChunk(_ c: Int, worker w: Int) -> UnsafeMutablePointer<Float> {
        let r = rows(ofChunk: c)
        let out = centredScratch + w * Self.chunkRows * d
        mean.withUnsafeBufferPointer { m in
            for (li, i) in r.enumerated() {
                let src = x + i * d
                let dst = out + li * d
                for f in 0..<d { dst[f] = src[f] - m[f] }
            }
        }
        return out
    }

    /// Worker `w`'s centred rows, as last written by `centredChunk` / `chunkDots`.
    func centredScratch(worker w: Int) -> UnsafeMutablePointer<Float> { centredScratch + w * Self.chunkRows * d }

    /// Dot products of chunk `c`'s centred rows with the packed columns: [rows, packed.n], row stride packed.n.
    func chunkDots(_ c: Int, worker w: Int, _ packed: PackedB) -> UnsafeMutablePointer<Float> {
        precondition(packed.n <= maxColumns)
        let xc = centredChunk(c, worker: w)
        let out = dotScratch + w * Self.chunkRows * maxColumns
        packed.multiply(a: xc, lda: d, rows: rows(ofChunk: c).count, c: out, ldc: packed.n,
                        aScratch: packScratch + w * PackedB.scratchCount)
        return out
    }

    /// Centres the given rows (at most `chunkRows`) into worker `w`'s scratch, compacted, and multiplies
    /// them with the packed columns. Returns (centred rows [count, d], dots [count, packed.n]).
    func gatheredDots(_ indices: [Int], worker w: Int, _ packed: PackedB)
        -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) {
        precondition(indices.count <= Self.chunkRows && packed.n <= maxColumns)
        let xc = centredScratch + w * Self.chunkRows * d
        mean.withUnsafeBufferPointer { m in
            for (li, i) in indices.enumerated() {
                let src = x + i * d, dst = xc + li * d
                for f in 0..<d { dst[f] = src[f] - m[f] }
            }
        }
        let out = dotScratch + w * Self.chunkRows * maxColumns
        packed.multiply(a: xc, lda: d, rows: indices.count, c: out, ldc: packed.n,
                        aScratch: packScratch + w * PackedB.scratchCount)
        return (xc, out)
    }

    /// Squared norms of the centred rows (Double).
    func centredSquaredNorms() -> [Double] {
        var out = [Double](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { ob in
            let o = SharedMutablePointer(ob.baseAddress!)
            parallelFor(nChunks, threads: threads) { w, c in
                let xc = self.centredChunk(c, worker: w)
                let r = self.rows(ofChunk: c)
                for (li, i) in r.enumerated() {
                    var s = 0.0
                    let row = xc + li * self.d
                    for f in 0..<self.d { let v = Double(row[f]); s += v * v }
                    o.base[i] = s
                }
            }
        }
        return out
    }
}

/// Feature-column blocks used for column-wise passes (fixed width, so results ignore threads).
let featureBlockWidth = 64

/// Column means of [n, d] in Double (each column summed in row order).
func columnMeans(_ x: UnsafePointer<Float>, n: Int, d: Int, threads: Int) -> [Double] {
    var sums = [Double](repeating: 0, count: d)
    let blocks = (d + featureBlockWidth - 1) / featureBlockWidth
    sums.withUnsafeMutableBufferPointer { sb in
        let s = SharedMutablePointer(sb.baseAddress!)
        parallelFor(blocks, threads: threads) { b in
            let f0 = b * featureBlockWidth, f1 = min(d, f0 + featureBlockWidth)
            for i in 0..<n {
                let row = x + i * d
                for f in f0..<f1 { s.base[f] += Double(row[f]) }
            }
        }
    }
    return sums.map { $0 / Double(max(n, 1)) }
}

/// Population variance of each column of [n, d] (two-pass, Double), given the column means.
func columnVariances(_ x: UnsafePointer<Float>, n: Int, d: Int, means: [Double], threads: Int) -> [Double] {
    var sums = [Double](repeating: 0, count: d)
    let blocks = (d + featureBlockWidth - 1) / featureBlockWidth
    sums.withUnsafeMutableBufferPointer { sb in
        let s = SharedMutablePointer(sb.baseAddress!)
        means.withUnsafeBufferPointer { m in
            parallelFor(blocks, threads: threads) { b in
                let f0 = b * featureBlockWidth, f1 = min(d, f0 + featureBlockWidth)
                for i in 0..<n {
                    let row = x + i * d
                    for f in f0..<f1 { let v = Double(row[f]) - m[f]; s.base[f] += v * v }
                }
            }
        }
    }
    return sums.map { $0 / Double(max(n, 1)) }
}
