import Foundation
import XCTest
@testable import Encoders
@testable import SIMDKernels
import TestSupport

/// The encoder's kernels against direct definitions evaluated in Float64.
final class MimiKernelTests: XCTestCase {
    var rng = SystemRandomNumberGenerator()
    func randoms(_ n: Int) -> [Float] { (0..<n).map { _ in Float.random(in: -1...1, using: &rng) } }

    func testGEMMAgainstDirectSum() {
        for (m, k, n, lda) in [(1, 1, 1, 1), (7, 5, 3, 5), (13, 300, 40, 300), (25, 64, 17, 70), (100, 513, 33, 513), (6, 16, 16, 4), (11, 40, 8, 40), (5, 9, 12, 9)] {
            let g = PanelGEMMCase(m: m, k: k, n: n, lda: lda, a: randoms((m - 1) * lda + k), b: randoms(k * n),
                                  bias: randoms(n), c0: randoms(m * n))
            let packed = PackedMatrix(k: k, n: n) { kk, col in g.b[kk * n + col] }
            for accumulate in [false, true] {
                let ref = g.directSum(accumulate: accumulate)
                var results: [[Float]] = []
                for threads in [1, 2, 3] {
                    let c = g.run { a, bias, c in
                        gemm(m: m, a: a, lda: lda, b: packed, bias: bias, c: c, ldc: n, accumulate: accumulate, threads: threads)
                    }
                    XCTAssertLessThan(maxAbsDiff(c, ref), 2e-5 * Float(k).squareRoot(), "m\(m) k\(k) n\(n) lda\(lda) acc \(accumulate)")
                    results.append(c)
                }
                XCTAssertEqual(results[0], results[1], "thread count must not change results")
                XCTAssertEqual(results[0], results[2])
                // Both micro-kernels (6×16 and 6×8) give the same bits.
                for narrow in [false, true] {
                    let c = g.run { a, bias, c in
                        gemmSerial(m: m, a: a, lda: lda, b: packed, bias: bias, c: c, ldc: n, accumulate: accumulate, narrow: narrow)
                    }
                    XCTAssertEqual(c, results[0], "narrow kernel \(narrow)")
                }
            }
        }
    }

    /// y[o, t] = b[o] + Σ_{i,j} w[o, i, j] · x[i, stride·t + j·dilation − pad], pad = (k−1)·dilation + 1 − stride.
    func directConv(_ x: [Float], steps: Int, cin: Int, _ p: ConvParameters, stride: Int, dilation: Int) -> [Float] {
        let pad = (p.kernel - 1) * dilation + 1 - stride
        let tOut = steps / stride
        var y = [Float](repeating: 0, count: tOut * p.outChannels)
        for t in 0..<tOut {
            for o in 0..<p.outChannels {
                var s = Double(p.bias?[o] ?? 0)
                for i in 0..<cin {
                    for j in 0..<p.kernel {
                        let src = stride * t + j * dilation - pad
                        if src >= 0 { s += Double(p.weight[(o * cin + i) * p.kernel + j]) * Double(x[src * cin + i]) }
                    }
                }
                y[t * p.outChannels + o] = Float(s)
            }
        }
        return y
    }

    func testCausalConvStreamsMatchDirectConvolution() {
        for (cin, cout, k, stride, dilation) in [(1, 4, 7, 1, 1), (4, 8, 8, 4, 1), (3, 5, 3, 1, 2), (6, 2, 3, 1, 3), (5, 7, 10, 5, 1), (2, 3, 1, 1, 1)] {
            let steps = 60
            let p = ConvParameters(outChannels: cout, inChannels: cin, kernel: k, weight: randoms(cout * cin * k), bias: randoms(cout))
            let x = randoms(steps * cin)
            let ref = directConv(x, steps: steps, cin: cin, p, stride: stride, dilation: dilation)
            let layer = ConvLayer(p, stride: stride, dilation: dilation)
            // Whole, then in uneven chunks (multiples of the stride): identical output.
            for chunks in [[60], [stride, 2 * stride, 60 - 3 * stride], [20, 20, 20]] {
                let stream = CausalConvStream(layer)
                var y: [Float] = []
                var start = 0
                for n in chunks {
                    var out = [Float](repeating: 0, count: n / stride * cout)
                    x.withUnsafeBufferPointer { xp in
                        out.withUnsafeMutableBufferPointer { op in
                            stream.run(xp.baseAddress! + start * cin, steps: n, activation: .identity, output: op.baseAddress!, threads: 2)
                        }
                    }
                    y += out
                    start += n
                }
                XCTAssertLessThan(maxAbsDiff(y, ref), 1e-5, "cin\(cin) cout\(cout) k\(k) s\(stride) d\(dilation) chunks \(chunks)")
            }
        }
    }

    /// Replicate padding (the downsampler): history seeded with the first input row.
    func testReplicatePadding() {
        let p = ConvParameters(outChannels: 2, inChannels: 3, kernel: 4, weight: randoms(24), bias: nil)
        let x = randoms(10 * 3)
        let padded = Array(x.prefix(3)) + Array(x.prefix(3)) + x          // two copies of row 0
        let ref = directConv(padded, steps: 12, cin: 3, ConvParameters(outChannels: 2, inChannels: 3, kernel: 4, weight: p.weight, bias: nil), stride: 2, dilation: 1)
        // directConv zero-pads 2 more rows; drop the output that involves them (the first).
        let stream = CausalConvStream(ConvLayer(p, stride: 2), replicate: true)
        var y = [Float](repeating: 0, count: 10)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                stream.run(xp.baseAddress!, steps: 4, activation: .identity, output: yp.baseAddress!, threads: 1)
                stream.run(xp.baseAddress! + 12, steps: 6, activation: .identity, output: yp.baseAddress! + 4, threads: 1)
            }
        }
        XCTAssertLessThan(maxAbsDiff(y, Array(ref.suffix(10))), 1e-5)
    }

    func testElementwiseFunctionsAccuracy() {
        var xs: [Float] = stride(from: -30, through: 10, by: 0.001).map { Float($0) }
        xs += [-100, -88, -87.5, -1e-7, 0, 1e-7, 1e-30, -1e-30, 5e-4, -5e-4]
        var elu = [Float](repeating: 0, count: xs.count), gelu = elu
        xs.withUnsafeBufferPointer { x in
            elu.withUnsafeMutableBufferPointer { eluArray(x.baseAddress!, $0.baseAddress!, count: xs.count) }
            gelu.withUnsafeMutableBufferPointer { geluArray(x.baseAddress!, $0.baseAddress!, count: xs.count) }
        }
        var worstElu = 0.0, worstGelu = 0.0
        for (i, x) in xs.enumerated() {
            let xd = Double(x)
            let e = xd > 0 ? xd : Foundation.expm1(xd)
            let g = 0.5 * xd * (1 + Foundation.erf(xd / 2.0.squareRoot()))
            // Relative to the value, with a floor of 1e-30 (ELU near 0 keeps full precision).
            worstElu = max(worstElu, abs(Double(elu[i]) - e) / max(abs(e), 1e-30))
            worstGelu = max(worstGelu, abs(Double(gelu[i]) - g) / max(abs(xd), 1e-30))
        }
        XCTAssertLessThan(worstElu, 5e-7, "ELU relative error")
        XCTAssertLessThan(worstGelu, 5e-7, "GELU error relative to |x|")

        var ex: [Float] = stride(from: -87, through: 0, by: 0.01).map { Float($0) }
        ex += [0, -1e-8]
        var worst = 0.0
        for i in stride(from: 0, to: ex.count - 16, by: 16) {
            let v = VectorMath.expNonPositive(SIMD16<Float>(ex[i..<(i + 16)]))
            for j in 0..<16 { worst = max(worst, abs(Double(v[j]) / Foundation.exp(Double(ex[i + j])) - 1)) }
        }
        XCTAssertLessThan(worst, 5e-7, "exp relative error")
    }
}
