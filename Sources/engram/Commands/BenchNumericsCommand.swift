import ArgumentParser
import EngramCore
import Foundation
import Numerics

/// `engram bench numerics`: GEMM, k-means and PCA throughput (build with `-c release`).
/// Compare with `scripts/bench_sklearn.py` run on the same machine at the same time.
struct BenchNumericsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "numerics", abstract: "GEMM, k-means and PCA throughput.")

    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Option(help: "Rows of the k-means / PCA data.") var n: Int = 200_000
    @Option(help: "Dimension of the k-means / PCA data.") var d: Int = 512
    @Option(help: "Clusters.") var k: Int = 256
    @Option(help: "Lloyd iterations to time.") var iterations: Int = 3
    @Option(help: "Repetitions of each GEMM (best is reported).") var repeats: Int = 3
    @Flag(help: "Also time the greedy k-means++ initialisation (slow: ~(2+ln k)·k passes over the data).") var initialisation = false
    @Flag(help: "Only the GEMM part.") var gemmOnly = false
    @Flag(help: "Skip the GEMM part.") var skipGemm = false
    @Flag(help: "Skip the k-means part.") var skipKmeans = false

    func run() throws {
        try reportingErrors {
            let t = threads ?? Parallelism.defaultThreads
            print("threads \(t); \(SIMDKernelSet.activeSummary)")
            for (m, nn, kk, transA) in skipGemm ? [] : [(16384, 1024, 512, false), (512, 512, 65536, false), (512, 512, 65536, true)] {
                gemm(m: m, n: nn, k: kk, transA: transA, threads: t)
            }
            if gemmOnly { return }
            print("generating \(n)×\(d) data (\(k) Gaussian blobs)…")
            let x = blobs(n: n, d: d, clusters: k)
            try x.withUnsafeBufferPointer { xb in
                let xp = xb.baseAddress!
                // Lloyd from a fixed start (first k rows) with tol 0: time maxIter = 1 and 1 + iterations;
                // the difference is `iterations` pure Lloyd iterations (E-step GEMM + argmin + M-step),
                // without setup, the final E-step and the inertia.
                let initial = Array(x[0..<(k * d)])
                if !skipKmeans {
                for useBounds in [false, true] {
                    KMeans.useHamerlyBounds = useBounds
                    var wall = [Double](), cpuTime = [Double](), inertia = 0.0
                    for maxIter in [1, 1 + iterations] {
                        let s0 = now(), c0 = cpu()
                        let r = try KMeans.fit(data: xp, n: n, d: d, initialCentroids: initial, maxIter: maxIter, tol: 0, threads: t)
                        wall.append(now() - s0); cpuTime.append(cpu() - c0); inertia = r.inertia
                    }
                    let perIter = (wall[1] - wall[0]) / Double(iterations)
                    let perIterCPU = (cpuTime[1] - cpuTime[0]) / Double(iterations)
                    let flops = 2 * Double(n) * Double(k) * Double(d)
                    print(String(format: "k-means Lloyd %d×%d K=%d, iterations 2–%d, %@: %.3f s/iteration wall (%.1f GFLOP/s), %.3f CPU-s/iteration (%.1f GFLOP per CPU-second%@); inertia %.6g",
                                 n, d, k, 1 + iterations, useBounds ? "Hamerly bounds" : "no bounds", perIter, flops / perIter / 1e9,
                                 perIterCPU, flops / perIterCPU / 1e9, useBounds ? ", effective" : "", inertia))
                }
                // Full Lloyd run to convergence (tol 1e-4, max 100 iterations) from the same start,
                // with and without Hamerly's bounds.
                for useBounds in [true, false] {
                    KMeans.useHamerlyBounds = useBounds
                    let s0 = now(), c0 = cpu()
                    let r = try KMeans.fit(data: xp, n: n, d: d, initialCentroids: initial, maxIter: 100, tol: 1e-4, threads: t)
                    print(String(format: "k-means Lloyd to convergence (%@): %d iterations, %.2f s wall, %.2f CPU-s, inertia %.8g",
                                 useBounds ? "Hamerly bounds" : "no bounds", r.nIter, now() - s0, cpu() - c0, r.inertia))
                }
                KMeans.useHamerlyBounds = true
                if initialisation {
                    let s0 = now(), c0 = cpu()
                    _ = try KMeans.kMeansPlusPlus(data: xp, n: n, d: d, k: k, seed: 0, threads: t)
                    print(String(format: "k-means++ init (greedy, %d trials): %.2f s wall, %.2f CPU-s", 2 + Int(log(Double(k))), now() - s0, cpu() - c0))
                }
                }
                let p0 = now(), pc0 = cpu()
                let acc = CovarianceAccumulator(dimension: d, threads: t)
                try acc.add(rows: xp, count: n)
                let p1 = now()
                let pca = try acc.finish(components: 8)
                let p2 = now()
                print(String(format: "PCA(8) %d×%d: covariance %.2f s (%.1f GFLOP/s useful on the upper triangle), eigen %.3f s, total %.2f s wall, %.2f CPU-s; top variance %.4g",
                             n, d, p1 - p0, Double(n) * Double(d) * Double(d + 16) / (p1 - p0) / 1e9, p2 - p1, p2 - p0, cpu() - pc0, pca.explainedVariance[0]))
            }
        }
    }

    func gemm(m: Int, n: Int, k: Int, transA: Bool, threads: Int) {
        var rng = SplitMix64(seed: 1)
        let a = (0..<(m * k)).map { _ in Float(rng.nextDouble() - 0.5) }
        let b = (0..<(k * n)).map { _ in Float(rng.nextDouble() - 0.5) }
        var c = [Float](repeating: 0, count: m * n)
        var best = Double.infinity, bestCPU = Double.infinity
        for _ in 0..<repeats {
            let s = now(), sc = cpu()
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { cp in
                        GEMM.multiply(m: m, n: n, k: k, a: ap.baseAddress!, lda: transA ? m : k, transA: transA,
                                      b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n, threads: threads)
                    }
                }
            }
            best = min(best, now() - s)
            bestCPU = min(bestCPU, cpu() - sc)
        }
        let flops = 2 * Double(m) * Double(n) * Double(k)
        print(String(format: "GEMM %@ %d×%d×%d: %.3f s, %.1f GFLOP/s wall, %.1f GFLOP per CPU-second", transA ? "AᵀB" : "AB ", m, n, k, best,
                     flops / best / 1e9, flops / bestCPU / 1e9))
    }

    /// n points around `clusters` random centres (centres N(0, 2²), noise N(0, 1)), row-major.
    func blobs(n: Int, d: Int, clusters: Int) -> [Float] {
        var rng = SplitMix64(seed: 7)
        func normal() -> Float {
            let u1 = max(rng.nextDouble(), 1e-300), u2 = rng.nextDouble()
            return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
        }
        let centres = (0..<(clusters * d)).map { _ in 2 * normal() }
        var x = [Float](repeating: 0, count: n * d)
        for i in 0..<n {
            let c = rng.nextInt(below: clusters)
            for f in 0..<d { x[i * d + f] = centres[c * d + f] + normal() }
        }
        return x
    }

    func now() -> Double { Date().timeIntervalSinceReferenceDate }

    /// Process CPU time (user + system) in seconds: on a shared machine, flops per CPU-second is the
    /// per-core rate even when the wall clock is stretched by other processes.
    func cpu() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) * 1e-6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) * 1e-6
    }
}
