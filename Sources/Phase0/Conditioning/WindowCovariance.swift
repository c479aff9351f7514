import Foundation
import EngramCore
import Numerics

/// Sample covariance of the flat contexts (W·D) of a set of utterances' frames at every lag, built
/// from lagged products of latent rows instead of W·D-wide outer products.
///
/// Block (a, b), b = a + δ, of Σ_frames w wᵀ (w = the W context rows of a frame) is
/// Σ_s x[s + a] x[s + a + δ]ᵀ over the window starts s of the utterance's frames. When an utterance
/// contributes all its valid frames t ∈ [t0, T), t0 = W − 1 + max L, the starts at lag L are
/// s ∈ [max L − L, T − L − W + 1), so every block is a sum of the row products p_i = x_i x_{i+δ}ᵀ over
/// i ∈ [lo, T − hi) with small offsets lo, hi < A = max L + W from the utterance's ends. That sum
/// is split into a *core* i ∈ [A, T − A) shared by every (lag, a) and per-offset *head* and *tail*
/// terms; summed over utterances these are W + 2·A·W matrices of D×D, accumulated with the blocked
/// GEMM. Cost per frame: W·D² multiply-adds for all lags together, instead of (W·D)²/2 per lag.
/// Utterances shorter than 2·A, or with only some of their frames, are accumulated directly from
/// their gathered windows. Rows are shifted by a fixed vector first (less cancellation); sums are
/// Double, each GEMM block float32, in an order fixed by the data (not by the thread count).
final class WindowCovariance {
    let d: Int
    let w: Int
    let lags: [Int]
    let maxLag: Int
    /// A = max L + W.
    let edge: Int
    /// Per-dimension shift applied to every row.
    let shift: [Float]

    /// Σ over frames (shifted rows): core[δ], head[δ][k], tail[δ][j], each D×D.
    private var core: [[Double]]
    private var head: [[[Double]]]
    private var tail: [[[Double]]]
    /// Row sums for the means: coreSum, headSum[k], tailSum[j].
    private var coreSum: [Double]
    private var headSum: [[Double]]
    private var tailSum: [[Double]]
    /// Frames of the regular utterances.
    private var regularFrames = 0
    /// Directly accumulated windows per lag: upper triangle of Σ w wᵀ ([W·D]²) and Σ w, frame count.
    private var direct: [Int: (gram: [Double], sum: [Double], n: Int)] = [:]

    init(dim: Int, geometry: ContextGeometry, shift: [Float]) {
        d = dim; w = geometry.windowSize; lags = geometry.lags; maxLag = geometry.maxLag
        edge = geometry.maxLag + geometry.windowSize
        self.shift = shift
        let dd = dim * dim
        core = [[Double]](repeating: [Double](repeating: 0, count: dd), count: w)
        head = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: dd), count: edge), count: w)
        tail = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: dd), count: edge), count: w)
        coreSum = [Double](repeating: 0, count: dim)
        headSum = [[Double]](repeating: [Double](repeating: 0, count: dim), count: edge)
        tailSum = [[Double]](repeating: [Double](repeating: 0, count: dim), count: edge)
    }

    /// Adds utterances; `frames[u]` are the target frames t of utterance u in the set.
    func add(corpus: LatentCorpus, utterances: [Int], frames: [[Int32]], geometry: ContextGeometry) {
        var regular: [Int] = []
        var irregular: [Int] = []
        for u in utterances {
            let T = corpus.nFrames[u]
            let valid = geometry.validFrames(nFrames: T)
            let f = frames[u]
            if f.isEmpty { continue }
            let complete = f.count == valid.count && f.first.map(Int.init) == valid.lowerBound && f.last.map(Int.init) == valid.upperBound - 1
            if complete && T >= 2 * edge { regular.append(u) } else { irregular.append(u) }
        }
        addRegular(corpus: corpus, utterances: regular, geometry: geometry)
        for lag in lags { addDirect(corpus: corpus, utterances: irregular, frames: frames, lag: lag) }
    }

    // MARK: regular utterances

    private func addRegular(corpus: LatentCorpus, utterances: [Int], geometry: ContextGeometry) {
        guard !utterances.isEmpty else { return }
        let d = self.d, w = self.w, A = edge
        let block = max(4096, 16 * w)
        let sa = UnsafeMutablePointer<Float>.allocate(capacity: (block + w) * d)
        let sb = UnsafeMutablePointer<Float>.allocate(capacity: (block + w) * d)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: d * d)
        defer { sa.deallocate(); sb.deallocate(); c.deallocate() }
        var rows = 0

        func shifted(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
            for j in 0..<d { dst[j] = src[j] - shift[j] }
        }
        func flushCore() {
            guard rows > 0 else { return }
            for delta in 0..<w where rows - delta > 0 {
                GEMM.multiply(m: d, n: d, k: rows - delta, a: sa, lda: d, transA: true, b: sb + delta * d, ldb: d, c: c, ldc: d)
                core[delta].withUnsafeMutableBufferPointer { acc in for i in 0..<(d * d) { acc[i] += Double(c[i]) } }
            }
            rows = 0
        }
        // Core rows i ∈ [A, T − A) in chunks; each chunk is followed by W − 1 rows that are zero in the
        // A operand and the real following rows in the B operand, so Σ_r A[r]·B[r + δ]ᵀ pairs every
        // core row with the row δ later and nothing else.
        for u in utterances {
            let T = corpus.nFrames[u]
            let n = T - 2 * A
            var i = 0
            while i < n {
                if rows + w > block { flushCore() }
                let take = min(n - i, block - rows - (w - 1))
                for r in 0..<take {
                    let src = corpus.row(u, A + i + r)
                    shifted(src, sa + (rows + r) * d)
                    (sb + (rows + r) * d).update(from: sa + (rows + r) * d, count: d)
                    for j in 0..<d { coreSum[j] += Double(sa[(rows + r) * d + j]) }
                }
                rows += take
                i += take
                for e in 0..<(w - 1) {
                    (sa + (rows + e) * d).update(repeating: 0, count: d)
                    shifted(corpus.row(u, A + i + e), sb + (rows + e) * d)
                }
                rows += w - 1
            }
        }
        flushCore()
        regularFrames += utterances.reduce(0) { $0 + corpus.nFrames[$1] - geometry.firstValidFrame }

        // Heads (first A + W − 1 rows) and tails (last A rows) of every utterance, one row per utterance.
        let headWidth = A + w - 1, tailWidth = A
        let batch = 4096
        let gh = UnsafeMutablePointer<Float>.allocate(capacity: batch * headWidth * d)
        let gt = UnsafeMutablePointer<Float>.allocate(capacity: batch * tailWidth * d)
        defer { gh.deallocate(); gt.deallocate() }
        var start = 0
        while start < utterances.count {
            let us = utterances[start..<min(utterances.count, start + batch)]
            for (r, u) in us.enumerated() {
                let T = corpus.nFrames[u]
                for k in 0..<headWidth { shifted(corpus.row(u, k), gh + (r * headWidth + k) * d) }
                for j in 0..<tailWidth { shifted(corpus.row(u, T - A + j), gt + (r * tailWidth + j) * d) }
                for k in 0..<A { for jj in 0..<d { headSum[k][jj] += Double(gh[(r * headWidth + k) * d + jj]) } }
                for j in 0..<A { for jj in 0..<d { tailSum[j][jj] += Double(gt[(r * tailWidth + j) * d + jj]) } }
            }
            let nu = us.count
            for delta in 0..<w {
                for k in 0..<A {
                    GEMM.multiply(m: d, n: d, k: nu, a: gh + k * d, lda: headWidth * d, transA: true,
                                  b: gh + (k + delta) * d, ldb: headWidth * d, c: c, ldc: d)
                    head[delta][k].withUnsafeMutableBufferPointer { acc in for i in 0..<(d * d) { acc[i] += Double(c[i]) } }
                }
                for j in 0..<(A - delta) {
                    GEMM.multiply(m: d, n: d, k: nu, a: gt + j * d, lda: tailWidth * d, transA: true,
                                  b: gt + (j + delta) * d, ldb: tailWidth * d, c: c, ldc: d)
                    tail[delta][j].withUnsafeMutableBufferPointer { acc in for i in 0..<(d * d) { acc[i] += Double(c[i]) } }
                }
            }
            start += batch
        }
    }

    // MARK: other utterances

    private func addDirect(corpus: LatentCorpus, utterances: [Int], frames: [[Int32]], lag: Int) {
        guard !utterances.isEmpty else { return }
        let fd = w * d
        var acc = direct[lag] ?? ([Double](repeating: 0, count: fd * fd), [Double](repeating: 0, count: fd), 0)
        let block = 1024
        let st = UnsafeMutablePointer<Float>.allocate(capacity: block * fd)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: fd * fd)
        defer { st.deallocate(); c.deallocate() }
        var rows = 0
        func flush() {
            guard rows > 0 else { return }
            GEMM.multiply(m: fd, n: fd, k: rows, a: st, lda: fd, transA: true, b: st, ldb: fd, c: c, ldc: fd, upperOnly: true)
            for i in 0..<fd { for j in i..<fd { acc.gram[i * fd + j] += Double(c[i * fd + j]) } }
            rows = 0
        }
        for u in utterances {
            for t in frames[u] {
                let s = Int(t) - lag - w + 1
                let dst = st + rows * fd
                for p in 0..<w {
                    let src = corpus.row(u, s + p)
                    for j in 0..<d { let v = src[j] - shift[j]; dst[p * d + j] = v; acc.sum[p * d + j] += Double(v) }
                }
                acc.n += 1
                rows += 1
                if rows == block { flush() }
            }
        }
        flush()
        direct[lag] = acc
    }

    // MARK: result

    /// Frames accumulated (same for every lag).
    var count: Int { regularFrames + (direct.values.first?.n ?? 0) }

    /// Adds another accumulator's sums (same shape and shift).
    func merge(_ o: WindowCovariance) {
        precondition(o.d == d && o.w == w && o.shift == shift)
        func add(_ a: inout [Double], _ b: [Double]) { for i in 0..<a.count { a[i] += b[i] } }
        for delta in 0..<w {
            add(&core[delta], o.core[delta])
            for k in 0..<edge { add(&head[delta][k], o.head[delta][k]); add(&tail[delta][k], o.tail[delta][k]) }
        }
        add(&coreSum, o.coreSum)
        for k in 0..<edge { add(&headSum[k], o.headSum[k]); add(&tailSum[k], o.tailSum[k]) }
        regularFrames += o.regularFrames
        for (lag, v) in o.direct {
            if var mine = direct[lag] { add(&mine.gram, v.gram); add(&mine.sum, v.sum); mine.n += v.n; direct[lag] = mine } else { direct[lag] = v }
        }
    }

    /// PCA with `k` components of the flat contexts at `lag`.
    func pca(lag: Int, components k: Int) throws -> PCA {
        let (cov, mean, n) = try covariance(lag: lag)
        return try PCA.fromCovariance(cov, mean: mean, nSamples: n, components: k)
    }

    /// Sample covariance (divisor n − 1) [W·D, W·D], mean [W·D] and count of the flat contexts at `lag`.
    func covariance(lag: Int) throws -> (cov: [Double], mean: [Double], n: Int) {
        let fd = w * d, A = edge
        let n = count
        guard n >= 2 else { throw EngramError("PCA", "need at least 2 frames, have \(n)") }
        var gram = [Double](repeating: 0, count: fd * fd)
        var sum = [Double](repeating: 0, count: fd)
        if regularFrames > 0 {
            for a in 0..<w {
                let lo = maxLag - lag + a
                let e = maxLag - lag + 1 + a
                // Mean block a.
                for j in 0..<d {
                    var s = coreSum[j]
                    for kk in lo..<A { s += headSum[kk][j] }
                    for jj in 0..<e { s += tailSum[jj][j] }
                    sum[a * d + j] += s
                }
                for b in a..<w {
                    let delta = b - a
                    for i in 0..<d {
                        for j in 0..<d {
                            var s = core[delta][i * d + j]
                            for kk in lo..<A { s += head[delta][kk][i * d + j] }
                            for jj in 0..<e { s += tail[delta][jj][i * d + j] }
                            gram[(a * d + i) * fd + (b * d + j)] += s
                        }
                    }
                }
            }
        }
        if let dr = direct[lag] {
            for i in 0..<fd { for j in i..<fd { gram[i * fd + j] += dr.gram[i * fd + j] } }
            for i in 0..<fd { sum[i] += dr.sum[i] }
        }
        // Upper triangle (block-upper plus the upper half of diagonal blocks) → full symmetric covariance.
        let nn = Double(n)
        let m = sum.map { $0 / nn }
        var cov = [Double](repeating: 0, count: fd * fd)
        for i in 0..<fd {
            for j in i..<fd {
                let v = (gram[i * fd + j] - nn * m[i] * m[j]) / (nn - 1)
                cov[i * fd + j] = v; cov[j * fd + i] = v
            }
        }
        var mean = [Double](repeating: 0, count: fd)
        for p in 0..<w { for j in 0..<d { mean[p * d + j] = m[p * d + j] + Double(shift[j]) } }
        return (cov, mean, n)
    }
}
