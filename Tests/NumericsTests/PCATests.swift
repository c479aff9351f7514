import Numerics
import XCTest

final class PCATests: XCTestCase {
    /// n rows with a planted spectrum: x = mean + Σ_j s_j z_j r_j (random orthogonal-ish directions).
    func plantedData(n: Int, d: Int, scales: [Double], offset: Double, seed: UInt64) -> [Float] {
        var r = TestRandom(seed)
        let dirs = (0..<(d * d)).map { _ in r.normal() }   // d random directions (not orthogonalised)
        let mean = (0..<d).map { _ in offset * r.normal() }
        var x = [Float](repeating: 0, count: n * d)
        for i in 0..<n {
            var row = mean
            for j in 0..<d {
                let z = r.normal() * (j < scales.count ? scales[j] : 0.3)
                for f in 0..<d { row[f] += z * dirs[j * d + f] / Double(d).squareRoot() }
            }
            for f in 0..<d { x[i * d + f] = Float(row[f]) }
        }
        return x
    }

    /// Largest principal angle (radians) between the row spaces of a [k, d] and b [k, d].
    func subspaceAngle(_ a: [Double], _ b: [Double], k: Int, d: Int) throws -> Double {
        var m = [Double](repeating: 0, count: k * k)
        for i in 0..<k { for j in 0..<k { for f in 0..<d { m[i * k + j] += a[i * d + f] * b[j * d + f] } } }
        var mtm = [Double](repeating: 0, count: k * k)
        for i in 0..<k { for j in 0..<k { for q in 0..<k { mtm[i * k + j] += m[q * k + i] * m[q * k + j] } } }
        let eig = try SymmetricEigen(symmetric: mtm, n: k)
        return asin(max(0, 1 - eig.values[k - 1]).squareRoot())
    }

    func compareWithSklearn(n: Int, d: Int, k: Int, scales: [Double], seed: UInt64) throws {
        try NumericsOracle.require()
        let x = plantedData(n: n, d: d, scales: scales, offset: 10, seed: seed)
        let pca = try x.withUnsafeBufferPointer { try PCA.fit(data: $0.baseAddress!, n: n, d: d, components: k) }
        let ref = try NumericsOracle.run(["pca", try NumericsOracle.writeFloat32(x), "\(n)", "\(d)", "\(k)"])
        let comps = matrix(ref["components"]).flatMap { $0 }
        let ours = pca.components.map(Double.init)
        XCTAssertLessThan(try subspaceAngle(ours, comps, k: k, d: d), 1e-3)
        // same signs (sklearn's svd_flip on the components' rows) and components individually close
        for q in 0..<k {
            var dotq = 0.0
            for f in 0..<d { dotq += ours[q * d + f] * comps[q * d + f] }
            XCTAssertGreaterThan(dotq, 0.999, "component \(q) differs in sign or direction")
        }
        let ev = doubles(ref["explained_variance"])
        for q in 0..<k { XCTAssertEqual(pca.explainedVariance[q], ev[q], accuracy: 1e-4 * ev[q]) }
        let mean = doubles(ref["mean"])
        for f in 0..<d { XCTAssertEqual(Double(pca.mean[f]), mean[f], accuracy: 1e-4 * max(1, abs(mean[f]))) }
    }

    func testFullEigensolverPathMatchesSklearn() throws {
        try compareWithSklearn(n: 2000, d: 24, k: 5, scales: [6, 5, 4, 3, 2.5, 1], seed: 1)
    }

    func testSubspaceIterationPathMatchesSklearn() throws {
        try compareWithSklearn(n: 1500, d: 96, k: 4, scales: [8, 6, 5, 4, 2, 1.5, 1.2], seed: 2)
    }

    func testStreamingChunksAndThreadsGiveIdenticalResult() throws {
        let n = 2600, d = 33
        let x = plantedData(n: n, d: d, scales: [3, 2, 1], offset: 50, seed: 3)
        let whole = try x.withUnsafeBufferPointer { try PCA.fit(data: $0.baseAddress!, n: n, d: d, components: 3, threads: 1) }
        let acc = CovarianceAccumulator(dimension: d, threads: 2)
        var start = 0
        for size in [1, 500, 1023, 77, 999] {
            try acc.add(rows: Array(x[(start * d)..<((start + size) * d)]))
            start += size
        }
        XCTAssertEqual(start, n)
        XCTAssertEqual(try acc.finish(components: 3), whole)
    }

    func testTransformIsCentredProjection() throws {
        let n = 300, d = 12
        let x = plantedData(n: n, d: d, scales: [2, 1], offset: 3, seed: 4)
        let pca = try x.withUnsafeBufferPointer { try PCA.fit(data: $0.baseAddress!, n: n, d: d, components: 2) }
        let y = pca.transform(x)
        for i in 0..<n {
            for q in 0..<2 {
                var s = 0.0
                for f in 0..<d { s += Double(x[i * d + f] - pca.mean[f]) * Double(pca.components[q * d + f]) }
                XCTAssertEqual(Double(y[i * 2 + q]), s, accuracy: 1e-4)
            }
        }
        // projected data is centred with variance = explained variance
        for q in 0..<2 {
            let v = (0..<n).map { Double(y[$0 * 2 + q]) }
            let m = v.reduce(0, +) / Double(n)
            XCTAssertEqual(m, 0, accuracy: 1e-4)
            let varq = v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n - 1)
            XCTAssertEqual(varq, pca.explainedVariance[q], accuracy: 1e-4 * varq)
        }
    }

    func testSymmetricEigenAnalyticAndResidual() throws {
        let e2 = try SymmetricEigen(symmetric: [2, 1, 1, 2], n: 2)
        XCTAssertEqual(e2.values[0], 3, accuracy: 1e-14)
        XCTAssertEqual(e2.values[1], 1, accuracy: 1e-14)
        XCTAssertEqual(abs(e2.vectors[0]), 0.5.squareRoot(), accuracy: 1e-14)
        var r = TestRandom(8)
        let n = 40
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in i..<n { let v = r.normal(); a[i * n + j] = v; a[j * n + i] = v } }
        let eig = try SymmetricEigen(symmetric: a, n: n)
        for q in 0..<n {
            for i in 0..<n {
                var s = 0.0
                for j in 0..<n { s += a[i * n + j] * eig.vectors[q * n + j] }
                XCTAssertEqual(s, eig.values[q] * eig.vectors[q * n + i], accuracy: 1e-11)
            }
            if q > 0 { XCTAssertGreaterThanOrEqual(eig.values[q - 1], eig.values[q]) }
        }
        var trace = 0.0
        for i in 0..<n { trace += a[i * n + i] }
        XCTAssertEqual(eig.values.reduce(0, +), trace, accuracy: 1e-10)
    }

    func testSubspaceIterationAgreesWithFullDecomposition() throws {
        let n = 1200, d = 80
        let x = plantedData(n: n, d: d, scales: [5, 4, 3.5, 3, 2, 1.5, 1.2, 1.1, 1], offset: 1, seed: 6)
        let acc = CovarianceAccumulator(dimension: d)
        try acc.add(rows: x)
        let pca = try acc.finish(components: 8)   // 8·8 ≤ 80: subspace iteration
        let full = try SymmetricEigen(symmetric: try acc.covariance(), n: d)
        for q in 0..<8 {
            XCTAssertEqual(pca.explainedVariance[q], full.values[q], accuracy: 1e-9 * full.values[0])
            var dq = 0.0
            for f in 0..<d { dq += Double(pca.components[q * d + f]) * full.vectors[q * d + f] }
            XCTAssertEqual(abs(dq), 1, accuracy: 1e-6)
        }
    }
}
