import Numerics
import XCTest

/// GEMM against a naive Double reference, for every transpose combination and awkward shapes.
final class GEMMTests: XCTestCase {
    func reference(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transA: Bool, transB: Bool) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let av = transA ? a[p * m + i] : a[i * k + p]
                    let bv = transB ? b[j * k + p] : b[p * n + j]
                    s += Double(av) * Double(bv)
                }
                c[i * n + j] = s
            }
        }
        return c
    }

    func testAllTransposesAgainstDoubleReference() {
        var r = TestRandom(1)
        for (m, n, k) in [(1, 1, 1), (6, 16, 256), (13, 37, 300), (150, 20, 513), (7, 33, 5)] {
            let a = r.floats(m * k), b = r.floats(k * n)
            for transA in [false, true] {
                for transB in [false, true] {
                    let c = GEMM.multiply(a, b, m: m, n: n, k: k, transA: transA, transB: transB)
                    let ref = reference(a, b, m: m, n: n, k: k, transA: transA, transB: transB)
                    var worst = 0.0
                    for i in 0..<(m * n) { worst = max(worst, abs(Double(c[i]) - ref[i])) }
                    // float32 accumulation of k products of N(0,1) values: error ~ eps·sqrt(k)·few
                    XCTAssertLessThan(worst, 1e-5 * Double(k).squareRoot() * 4, "m\(m) n\(n) k\(k) tA\(transA) tB\(transB)")
                }
            }
        }
    }

    func testAccumulateAndUpperOnly() {
        var r = TestRandom(2)
        let n = 40, k = 300
        let x = r.floats(k * n)
        var c = [Float](repeating: 1, count: n * n)
        x.withUnsafeBufferPointer { xp in
            c.withUnsafeMutableBufferPointer { cp in
                GEMM.multiply(m: n, n: n, k: k, a: xp.baseAddress!, lda: n, transA: true, b: xp.baseAddress!, ldb: n,
                              c: cp.baseAddress!, ldc: n, accumulate: true, upperOnly: true)
            }
        }
        let ref = reference(x, x, m: n, n: n, k: k, transA: true, transB: false)
        for i in 0..<n { for j in i..<n { XCTAssertEqual(Double(c[i * n + j]), ref[i * n + j] + 1, accuracy: 1e-3) } }
    }

    func testThreadCountDoesNotChangeBits() {
        var r = TestRandom(3)
        let m = 300, n = 70, k = 600
        let a = r.floats(m * k), b = r.floats(k * n)
        let c1 = GEMM.multiply(a, b, m: m, n: n, k: k, threads: 1)
        let c2 = GEMM.multiply(a, b, m: m, n: n, k: k, threads: 2)
        let c3 = GEMM.multiply(a, b, m: m, n: n, k: k, threads: 3)
        XCTAssertEqual(c1, c2)
        XCTAssertEqual(c1, c3)
    }
}
