import EngramCore
import Numerics
import XCTest

final class KMeansTests: XCTestCase {
    /// `k` blobs far apart (centres ~ N(0, 20²), noise N(0, 1)), `perCluster` points each, shuffled.
    func blobs(k: Int, d: Int, perCluster: Int, spread: Double, seed: UInt64) -> (x: [Float], truth: [Int]) {
        var r = TestRandom(seed)
        let centres = (0..<(k * d)).map { _ in r.normal() * spread }
        var rows: [(Int, [Float])] = []
        for c in 0..<k {
            for _ in 0..<perCluster { rows.append((c, (0..<d).map { Float(centres[c * d + $0] + r.normal()) })) }
        }
        // deterministic shuffle
        for i in stride(from: rows.count - 1, to: 0, by: -1) { rows.swapAt(i, r.rng.nextInt(below: i + 1)) }
        return (rows.flatMap { $0.1 }, rows.map { $0.0 })
    }

    func samePartition(_ a: [Int32], _ b: [Int]) -> Bool {
        var ab = [Int32: Int](), ba = [Int: Int32]()
        for (x, y) in zip(a, b) {
            if let m = ab[x], m != y { return false }
            if let m = ba[y], m != x { return false }
            ab[x] = y; ba[y] = x
        }
        return true
    }

    func testPlantedBlobsRecoveredAndInertiaMatchesSklearn() throws {
        let (k, d) = (6, 5)
        let (x, truth) = blobs(k: k, d: d, perCluster: 80, spread: 20, seed: 7)
        let res = try KMeans.fit(data: x, d: d, k: k, seed: 42)
        XCTAssertTrue(samePartition(res.labels, truth), "planted clusters not recovered")
        XCTAssertEqual(res.labels, KMeans.assign(points: x, d: d, centroids: res.centroids))
        try NumericsOracle.require()
        let path = try NumericsOracle.writeFloat32(x)
        let ref = try NumericsOracle.run(["kmeans", path, "\(truth.count)", "\(d)", "\(k)", "10", "0"])
        let skInertia = (ref["inertia"] as! NSNumber).doubleValue
        XCTAssertEqual(res.inertia, skInertia, accuracy: 1e-4 * skInertia)
    }

    func testHarderDatasetInertiaCloseToSklearn() throws {
        try NumericsOracle.require()
        // 1500 points from 20 overlapping Gaussians in 10-D, fitted with k = 12.
        let (x, truth) = blobs(k: 20, d: 10, perCluster: 75, spread: 1.5, seed: 99)
        let d = 10, k = 12
        let res = try KMeans.fit(data: x, d: d, k: k, nInit: 10, seed: 1)
        let path = try NumericsOracle.writeFloat32(x)
        let ref = try NumericsOracle.run(["kmeans", path, "\(truth.count)", "\(d)", "\(k)", "10", "0"])
        let skInertia = (ref["inertia"] as! NSNumber).doubleValue
        XCTAssertLessThanOrEqual(res.inertia, skInertia * 1.005, "ours \(res.inertia) vs sklearn \(skInertia)")
        // our reported inertia is the true sum of squared distances for our labels/centroids
        var direct = 0.0
        for i in 0..<truth.count {
            let l = Int(res.labels[i])
            for f in 0..<d { let v = Double(x[i * d + f]) - Double(res.centroids[l * d + f]); direct += v * v }
        }
        XCTAssertEqual(res.inertia, direct, accuracy: 1e-9 * direct)
    }

    /// From the same initial centroids, our Lloyd loop must follow scikit-learn's step for step:
    /// same labels, same centres, same iteration count (convergence rule and tolerance), including
    /// a run where a centroid starts far from all data and its cluster is relocated.
    func testLloydFromSameInitMatchesSklearnExactly() throws {
        try NumericsOracle.require()
        let d = 4, k = 5
        let (x, truth) = blobs(k: 4, d: d, perCluster: 60, spread: 3, seed: 17)
        let n = truth.count
        var initSets: [[Float]] = [Array(x[0..<(k * d)])]
        var far = Array(x[(10 * d)..<((10 + k) * d)])
        for f in 0..<d { far[2 * d + f] = 1000 }   // centroid 2 gets no points → relocation
        initSets.append(far)
        let xPath = try NumericsOracle.writeFloat32(x)
        let runs = try NumericsOracle.run(["kmeans_from", xPath, "\(n)", "\(d)", "\(k)", "100"]
                                          + initSets.map { try NumericsOracle.writeFloat32($0) })["runs"] as! [[String: Any]]
        for (initial, ref) in zip(initSets, runs) {
            let ours = try x.withUnsafeBufferPointer {
                try KMeans.fit(data: $0.baseAddress!, n: n, d: d, initialCentroids: initial)
            }
            XCTAssertEqual(ours.nIter, (ref["n_iter"] as! NSNumber).intValue)
            XCTAssertEqual(ours.labels.map(Int.init), (ref["labels"] as! [NSNumber]).map { $0.intValue })
            let centres = matrix(ref["centers"]).flatMap { $0 }
            for i in 0..<(k * d) { XCTAssertEqual(Double(ours.centroids[i]), centres[i], accuracy: 1e-4) }
            let inertia = (ref["inertia"] as! NSNumber).doubleValue
            XCTAssertEqual(ours.inertia, inertia, accuracy: 1e-5 * inertia)
        }
        XCTAssertEqual(runs.count, 2)
    }

    func testDeterministicAcrossThreadCounts() throws {
        let (x, _) = blobs(k: 10, d: 70, perCluster: 60, spread: 1.0, seed: 5)
        let a = try KMeans.fit(data: x, d: 70, k: 8, nInit: 2, seed: 3, threads: 1)
        let b = try KMeans.fit(data: x, d: 70, k: 8, nInit: 2, seed: 3, threads: 2)
        XCTAssertEqual(a, b)
        let c = try KMeans.fit(data: x, d: 70, k: 8, nInit: 2, seed: 4, threads: 2)
        XCTAssertNotEqual(a.centroids, c.centroids, "a different seed should give a different run")
    }

    /// Hamerly's bounds only skip work: the run must equal the plain Lloyd run exactly.
    func testSeedingPruningKeepsTheCentres() throws {
        // Separated blobs (pruning skips most points late in the seeding) in 8 and in 64 dims.
        for d in [8, 64] {
            var rng = SplitMix64(seed: 11)
            let k = 40, n = 6000
            let centres = (0..<(k * d)).map { _ in Float(20 * rng.normal()) }
            let x = (0..<(n * d)).map { i in centres[((i / d) % k) * d + i % d] + Float(rng.normal()) }
            func seed(_ threads: Int? = nil) throws -> [Float] {
                try x.withUnsafeBufferPointer { try KMeans.kMeansPlusPlus(data: $0.baseAddress!, n: n, d: d, k: k, seed: 5, threads: threads) }
            }
            KMeans.useSeedingPruning = false
            let plain = try seed()
            KMeans.useSeedingPruning = true
            let pruned = try seed()
            XCTAssertEqual(plain, pruned, "d=\(d)")
            let one = try seed(1)
            XCTAssertEqual(one, pruned, "d=\(d), 1 thread")
        }
    }

    func testHamerlyBoundsDoNotChangeTheResult() throws {
        let (x, _) = blobs(k: 30, d: 3, perCluster: 40, spread: 2, seed: 12)
        defer { KMeans.useHamerlyBounds = true }
        KMeans.useHamerlyBounds = true
        let a = try KMeans.fit(data: x, d: 3, k: 25, nInit: 2, seed: 8)
        KMeans.useHamerlyBounds = false
        let b = try KMeans.fit(data: x, d: 3, k: 25, nInit: 2, seed: 8)
        XCTAssertEqual(a, b)
        XCTAssertGreaterThan(a.nIter, 5, "want a run long enough for the bounds to matter")
    }

    func testAssignMatchesBruteForce() {
        var r = TestRandom(21)
        let d = 9, k = 17, n = 400
        var x = r.floats(n * d)
        let c = r.floats(k * d)
        // near-ties: points at midpoints between centroid pairs
        for i in 0..<20 { for f in 0..<d { x[i * d + f] = (c[(i % k) * d + f] + c[((i + 1) % k) * d + f]) / 2 } }
        let labels = KMeans.assign(points: x, d: d, centroids: c)
        for i in 0..<n {
            let dist = (0..<k).map { j -> Double in
                var s = 0.0
                for f in 0..<d { let v = Double(x[i * d + f]) - Double(c[j * d + f]); s += v * v }
                return s
            }
            let best = dist.indices.min { dist[$0] < dist[$1] }!   // first minimum
            XCTAssertEqual(Int(labels[i]), best, "point \(i)")
        }
        // exact ties go to the lowest index
        XCTAssertEqual(KMeans.assign(points: [0, 0], d: 2, centroids: [1, 0, -1, 0, 0, 1]), [0])
    }

    func testDuplicatePointsAndEmptyClusters() throws {
        // 12 points with only 3 distinct values, k = 5: k-means++ picks duplicates, clusters go empty.
        let base: [[Float]] = [[0, 0], [5, 5], [10, 0]]
        let x = (0..<12).flatMap { base[$0 % 3] }
        let res = try KMeans.fit(data: x, d: 2, k: 5, nInit: 3, seed: 9)
        XCTAssertEqual(res.labels.count, 12)
        XCTAssertTrue(res.labels.allSatisfy { $0 >= 0 && $0 < 5 })
        XCTAssertEqual(res.inertia, 0, accuracy: 1e-9)
        XCTAssertTrue(res.centroids.allSatisfy { $0.isFinite })
    }

    func testExtremeClusterCounts() throws {
        var r = TestRandom(31)
        // k = n: every point its own centre, inertia 0
        let x = r.floats(40 * 3)
        let all = try KMeans.fit(data: x, d: 3, k: 40, nInit: 1, seed: 2)
        XCTAssertEqual(Set(all.labels).count, 40)
        XCTAssertEqual(all.inertia, 0, accuracy: 1e-9)
        // k = 1: the mean
        let one = try KMeans.fit(data: x, d: 3, k: 1, nInit: 2, seed: 2)
        for f in 0..<3 {
            let m = (0..<40).map { Double(x[$0 * 3 + f]) }.reduce(0, +) / 40
            XCTAssertEqual(Double(one.centroids[f]), m, accuracy: 1e-5)
        }
        // k > e^7: 9 k-means++ candidates, two groups of the narrow dot kernel
        let y = r.floats(1200 * 2)
        let c = try y.withUnsafeBufferPointer { try KMeans.kMeansPlusPlus(data: $0.baseAddress!, n: 1200, d: 2, k: 1100, seed: 5) }
        var rows = Set<[Float]>()
        for j in 0..<1100 { rows.insert(Array(c[(j * 2)..<(j * 2 + 2)])) }
        XCTAssertEqual(rows.count, 1100, "k-means++ picked a point twice")
    }

    func testBadInputThrows() {
        XCTAssertThrowsError(try KMeans.fit(data: [1, 2, 3, 4], d: 2, k: 3, seed: 0))
        XCTAssertThrowsError(try KMeans.fit(data: [1, .nan, 3, 4], d: 2, k: 1, seed: 0)) { e in
            XCTAssertTrue("\(e)".contains("row 0, column 1"), "\(e)")
        }
        XCTAssertThrowsError(try KMeans.fit(data: [1, 2, 3], d: 2, k: 1, seed: 0))
    }
}
