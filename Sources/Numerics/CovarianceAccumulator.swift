import EngramCore

/// Streaming sample covariance of rows of dimension `d`, for PCA of data too large to hold at once.
///
/// Rows are staged in blocks of `blockRows`; each full block is shifted by a fixed vector (the mean
/// of the first block, so the sums do not cancel badly), its Gram matrix XᵀX formed with the blocked
/// float32 GEMM (upper triangle) and added to a Double accumulator, along with Double column sums.
/// The result does not depend on how callers split the rows into `add` calls, nor on `threads`.
public final class CovarianceAccumulator {
    /// Rows per staged block.
    public static let blockRows = 1024

    public let d: Int
    /// Rows added so far.
    public private(set) var count = 0
    /// Worker threads (`nil`: `Parallelism.defaultThreads`).
    public var threads: Int?

    private var shift: [Float]?
    private var sum: [Double]
    private var gram: [Double]
    private let staging: UnsafeMutablePointer<Float>
    private var staged = 0
    private let blockGram: UnsafeMutablePointer<Float>

    public init(dimension d: Int, threads: Int? = nil) {
        precondition(d >= 1, "CovarianceAccumulator: dimension must be >= 1")
        self.d = d
        self.threads = threads
        sum = [Double](repeating: 0, count: d)
        gram = [Double](repeating: 0, count: d * d)
        staging = allocateAligned(Self.blockRows * d)
        blockGram = allocateAligned(d * d)
    }

    deinit { staging.deallocate(); blockGram.deallocate() }

    /// Adds `count` rows, [count, d] row-major float32.
    /// - Throws: `EngramError` naming the row if a value is not finite (nothing is added then).
    public func add(rows: UnsafePointer<Float>, count n: Int) throws {
        if let bad = firstNonFinite(rows, count: n * d) {
            throw EngramError("covariance", "row \(self.count + bad / d) column \(bad % d) is not finite")
        }
        var r = 0
        while r < n {
            let take = min(n - r, Self.blockRows - staged)
            (staging + staged * d).update(from: rows + r * d, count: take * d)
            staged += take
            r += take
            if staged == Self.blockRows { flush() }
        }
        count += n
    }

    /// Adds rows from a row-major array whose length is a multiple of `d`.
    public func add(rows: [Float]) throws {
        guard rows.count % d == 0 else {
            throw EngramError("covariance", "row data length \(rows.count) is not a multiple of d=\(d)")
        }
        try rows.withUnsafeBufferPointer { if let p = $0.baseAddress { try add(rows: p, count: rows.count / d) } }
    }

    /// Column means of the rows added so far (Double), [d].
    public func mean() -> [Double] {
        flush()
        let s = shift.map { $0.map(Double.init) } ?? [Double](repeating: 0, count: d)
        return (0..<d).map { s[$0] + sum[$0] / Double(max(count, 1)) }
    }

    /// Sample covariance (divisor n − 1, as numpy's `cov` and scikit-learn's PCA), [d, d] row-major Double.
    /// - Throws: `EngramError` with fewer than 2 rows.
    public func covariance() throws -> [Double] {
        guard count >= 2 else { throw EngramError("covariance", "need at least 2 rows, have \(count)") }
        flush()
        let n = Double(count)
        let m = sum.map { $0 / n }
        var c = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in i..<d {
                let v = (gram[i * d + j] - n * m[i] * m[j]) / (n - 1)
                c[i * d + j] = v; c[j * d + i] = v
            }
        }
        return c
    }

    /// PCA with the top `k` components of the rows added so far (see `PCA`).
    public func finish(components k: Int) throws -> PCA {
        guard k >= 1, k <= d else { throw EngramError("PCA", "components must be in 1...\(d) (got \(k))") }
        let cov = try covariance()
        return try PCA(covariance: cov, mean: mean(), d: d, k: k, nSamples: count, threads: Parallelism.resolve(threads))
    }

    /// Folds the staged rows into the sums.
    private func flush() {
        if staged == 0 { return }
        let rows = staged
        if shift == nil {
            var m = [Double](repeating: 0, count: d)
            for r in 0..<rows { for f in 0..<d { m[f] += Double(staging[r * d + f]) } }
            shift = m.map { Float($0 / Double(rows)) }
        }
        let s = shift!
        for r in 0..<rows {
            let row = staging + r * d
            for f in 0..<d { row[f] -= s[f]; sum[f] += Double(row[f]) }
        }
        let t = Parallelism.resolve(threads)
        GEMM.multiply(m: d, n: d, k: rows, a: staging, lda: d, transA: true, b: staging, ldb: d,
                      c: blockGram, ldc: d, upperOnly: true, threads: t)
        let d = self.d
        let bg = SharedMutablePointer(blockGram)
        gram.withUnsafeMutableBufferPointer { gb in
            let g = SharedMutablePointer(gb.baseAddress!)
            parallelFor(d, threads: t) { i in
                for j in i..<d { g.base[i * d + j] += Double(bg.base[i * d + j]) }
            }
        }
        staged = 0
    }
}
