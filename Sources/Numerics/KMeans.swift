import EngramCore
import Foundation

/// Result of a k-means fit.
public struct KMeansResult: Sendable, Equatable {
    /// Cluster centres, [k, d] row-major float32.
    public var centroids: [Float]
    /// Cluster of each point, [n]; consistent with `centroids` (equal to `KMeans.assign` on them).
    public var labels: [Int32]
    /// Sum of squared Euclidean distances of points to their centroid (Double accumulation).
    public var inertia: Double
    /// Lloyd iterations run by the winning initialisation (as scikit-learn's `n_iter_`).
    public var nIter: Int

    public init(centroids: [Float], labels: [Int32], inertia: Double, nIter: Int) {
        self.centroids = centroids; self.labels = labels; self.inertia = inertia; self.nIter = nIter
    }
}

/// k-means (Lloyd) with scikit-learn's behaviour: greedy k-means++ initialisation
/// (2 + ⌊ln k⌋ local trials, first centre uniform), `nInit` restarts, convergence when the labels stop
/// changing or the summed squared centre shift ≤ `tol` × mean per-feature variance, empty clusters
/// relocated to the points farthest from their centre, best inertia wins.
///
/// Points are [n, d] row-major float32. Distances use ‖x‖² − 2x·c + ‖c‖² on mean-centred data with a
/// blocked float32 GEMM; centroid sums and inertia are accumulated in Double. Seeded with our own
/// generator (`SplitMix64`): deterministic for a seed and independent of the thread count; not
/// bit-identical to scikit-learn, which draws from numpy's generator.
public enum KMeans {
    /// Fits k-means to `n` points of dimension `d`.
    /// - Parameters:
    ///   - tol: relative tolerance; the absolute tolerance is `tol` × mean of the per-feature variances.
    ///   - threads: worker threads (`nil`: `Parallelism.defaultThreads`); results do not depend on it.
    /// - Throws: `EngramError` for bad shapes (n < k, k < 1, d < 1) or non-finite input.
    public static func fit(data: UnsafePointer<Float>, n: Int, d: Int, k: Int, nInit: Int = 10, maxIter: Int = 100,
                           tol: Double = 1e-4, seed: UInt64, threads: Int? = nil) throws -> KMeansResult {
        guard nInit >= 1 else { throw EngramError("k-means", "nInit must be at least 1 (got \(nInit))") }
        let setup = try Setup(data: data, n: n, d: d, k: k, maxIter: maxIter, tol: tol, threads: threads)
        var rng = SplitMix64(seed: seed)
        var best: (centres: [Float], labels: [Int32], inertia: Double, nIter: Int)? = nil
        for initIndex in 0..<nInit {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let initial = greedyKMeansPlusPlus(setup.ws, k: k, trials: setup.trials, xNorms: setup.xNorms, rng: &rng)
            let t1 = DispatchTime.now().uptimeNanoseconds
            var fullRows = 0
            let run = lloyd(setup.ws, initial: initial, k: k, maxIter: maxIter, tol: setup.absTol, fullRows: &fullRows)
            if let trace {
                let t2 = DispatchTime.now().uptimeNanoseconds
                trace(InitTrace(n: n, d: d, k: k, initIndex: initIndex, seedingSeconds: Double(t1 - t0) / 1e9,
                                lloydSeconds: Double(t2 - t1) / 1e9, iterations: run.nIter, inertia: run.inertia,
                                fullDistanceRows: fullRows))
            }
            if let b = best {
                if run.inertia < b.inertia && !sameClustering(run.labels, b.labels, k: k) { best = run }
            } else {
                best = run
            }
        }
        return setup.finalResult(best!)
    }

    /// What one initialisation of `fit` cost (for benchmarks; see `trace`).
    public struct InitTrace: Sendable {
        public var n: Int, d: Int, k: Int, initIndex: Int
        /// Wall seconds of the k-means++ seeding and of the Lloyd iterations.
        public var seedingSeconds: Double, lloydSeconds: Double
        public var iterations: Int
        public var inertia: Double
        /// Σ over E-steps of the points whose distances to all k centres were computed (the rest
        /// were skipped by the bounds); n × E-steps without bounds.
        public var fullDistanceRows: Int
    }

    /// Called after every initialisation of `fit` when set (benchmarks); not thread-safe to change during a fit.
    nonisolated(unsafe) public static var trace: ((InitTrace) -> Void)? = nil

    /// One Lloyd run from given initial centroids [k, d] (scikit-learn's `init=array`, `n_init=1`).
    /// With `tol: 0` it runs until the labels stop changing or `maxIter` iterations.
    public static func fit(data: UnsafePointer<Float>, n: Int, d: Int, initialCentroids: [Float], maxIter: Int = 100,
                           tol: Double = 1e-4, threads: Int? = nil) throws -> KMeansResult {
        guard d >= 1, !initialCentroids.isEmpty, initialCentroids.count % d == 0 else {
            throw EngramError("k-means", "initial centroids length \(initialCentroids.count) is not a positive multiple of d=\(d)")
        }
        let k = initialCentroids.count / d
        if let bad = initialCentroids.firstIndex(where: { !$0.isFinite }) {
            throw EngramError("k-means", "initial centroid \(bad / d) has a non-finite value")
        }
        let setup = try Setup(data: data, n: n, d: d, k: k, maxIter: maxIter, tol: tol, threads: threads)
        var centred = initialCentroids
        for i in 0..<centred.count { centred[i] -= setup.ws.mean[i % d] }
        var fullRows = 0
        return setup.finalResult(lloyd(setup.ws, initial: centred, k: k, maxIter: maxIter, tol: setup.absTol, fullRows: &fullRows))
    }

    /// scikit-learn's greedy k-means++ seeding alone: `k` initial centroids [k, d] (rows of the data).
    public static func kMeansPlusPlus(data: UnsafePointer<Float>, n: Int, d: Int, k: Int, seed: UInt64,
                                      threads: Int? = nil) throws -> [Float] {
        let setup = try Setup(data: data, n: n, d: d, k: k, maxIter: 1, tol: 0, threads: threads)
        var rng = SplitMix64(seed: seed)
        var c = greedyKMeansPlusPlus(setup.ws, k: k, trials: setup.trials, xNorms: setup.xNorms, rng: &rng)
        for i in 0..<c.count { c[i] += setup.ws.mean[i % d] }
        return c
    }

    /// Validated input and the shared precomputations of a fit.
    private struct Setup {
        let ws: KMeansWorkspace
        let n: Int, d: Int, k: Int, threads: Int, trials: Int
        let absTol: Double
        let xNorms: [Double]

        init(data: UnsafePointer<Float>, n: Int, d: Int, k: Int, maxIter: Int, tol: Double, threads: Int?) throws {
            guard d >= 1 else { throw EngramError("k-means", "dimension d must be at least 1 (got \(d))") }
            guard k >= 1 else { throw EngramError("k-means", "number of clusters k must be at least 1 (got \(k))") }
            guard n >= k else { throw EngramError("k-means", "n_samples=\(n) should be >= n_clusters=\(k)") }
            guard maxIter >= 1 else { throw EngramError("k-means", "maxIter must be at least 1 (got \(maxIter))") }
            guard tol >= 0, tol.isFinite else { throw EngramError("k-means", "tol must be finite and >= 0 (got \(tol))") }
            if let bad = firstNonFinite(data, count: n * d) {
                throw EngramError("k-means", "input contains a non-finite value at row \(bad / d), column \(bad % d)")
            }
            self.n = n; self.d = d; self.k = k
            let t = Parallelism.resolve(threads)
            self.threads = t
            trials = 2 + Int(log(Double(k)))
            let means = columnMeans(data, n: n, d: d, threads: t)
            ws = KMeansWorkspace(x: data, n: n, d: d, maxColumns: max(k, trials), threads: t, centring: means.map { Float($0) })
            let variances = columnVariances(data, n: n, d: d, means: means, threads: t)
            absTol = tol == 0 ? 0 : variances.reduce(0, +) / Double(d) * tol
            xNorms = ws.centredSquaredNorms()
        }

        /// Un-centres the winning run's centres; labels recomputed with `assign` so that
        /// `labels == assign(points, centroids)`, and the inertia from those labels.
        func finalResult(_ b: (centres: [Float], labels: [Int32], inertia: Double, nIter: Int)) -> KMeansResult {
            var centroids = [Float](repeating: 0, count: k * d)
            for j in 0..<k { for f in 0..<d { centroids[j * d + f] = b.centres[j * d + f] + ws.mean[f] } }
            let labels = centroids.withUnsafeBufferPointer {
                assign(points: ws.x, n: n, d: d, centroids: $0.baseAddress!, k: k, threads: threads)
            }
            let inertia = centroids.withUnsafeBufferPointer {
                KMeans.inertia(points: ws.x, n: n, d: d, centroids: $0.baseAddress!, labels: labels, threads: threads)
            }
            return KMeansResult(centroids: centroids, labels: labels, inertia: inertia, nIter: b.nIter)
        }
    }

    /// `fit` on a row-major array of `data.count / d` points.
    public static func fit(data: [Float], d: Int, k: Int, nInit: Int = 10, maxIter: Int = 100, tol: Double = 1e-4,
                           seed: UInt64, threads: Int? = nil) throws -> KMeansResult {
        guard d >= 1, data.count % d == 0 else {
            throw EngramError("k-means", "data length \(data.count) is not a multiple of d=\(d)")
        }
        if data.isEmpty { throw EngramError("k-means", "n_samples=0 should be >= n_clusters=\(k)") }
        return try data.withUnsafeBufferPointer {
            try fit(data: $0.baseAddress!, n: data.count / d, d: d, k: k, nInit: nInit, maxIter: maxIter, tol: tol, seed: seed, threads: threads)
        }
    }

    /// Sum over points of the squared Euclidean distance to their labelled centroid (Double, fixed chunk order).
    public static func inertia(points: UnsafePointer<Float>, n: Int, d: Int, centroids: UnsafePointer<Float>,
                               labels: [Int32], threads: Int? = nil) -> Double {
        precondition(labels.count == n)
        let chunk = KMeansWorkspace.chunkRows
        let nChunks = (n + chunk - 1) / chunk
        var partial = [Double](repeating: 0, count: nChunks)
        partial.withUnsafeMutableBufferPointer { pb in
            let p = SharedMutablePointer(pb.baseAddress!)
            labels.withUnsafeBufferPointer { lb in
                parallelFor(nChunks, threads: Parallelism.resolve(threads)) { c in
                    var s = 0.0
                    for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                        let row = points + i * d, cen = centroids + Int(lb[i]) * d
                        for f in 0..<d { let v = Double(row[f]) - Double(cen[f]); s += v * v }
                    }
                    p.base[c] = s
                }
            }
        }
        return partial.reduce(0, +)
    }
}

/// Index of the first non-finite value, if any.
func firstNonFinite(_ p: UnsafePointer<Float>, count: Int) -> Int? {
    for i in 0..<count where !p[i].isFinite { return i }
    return nil
}

/// True when two labelings are equal up to a permutation of cluster ids (scikit-learn's `_is_same_clustering`).
func sameClustering(_ a: [Int32], _ b: [Int32], k: Int) -> Bool {
    var mapping = [Int32](repeating: -1, count: k)
    for i in 0..<a.count {
        let l = Int(a[i])
        if mapping[l] == -1 { mapping[l] = b[i] } else if mapping[l] != b[i] { return false }
    }
    return true
}
