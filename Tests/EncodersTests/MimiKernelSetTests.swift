import EngramCore
import Foundation
import Numerics
import XCTest
@testable import Encoders
import TestSupport

/// Skips (saying why) when this CPU cannot run `set`; never skips a set the CPU supports.
private func requireKernels(_ set: SIMDKernelSet) throws {
    if let why = set.unsupportedReason { throw XCTSkip("\(set.rawValue) kernels not tested: \(why)") }
}

/// The Mimi encoder with each SIMD kernel build forced explicitly (baseline always; AVX2 and
/// AVX-512 where the CPU has them): the conv GEMM against a Float64 direct sum, the tiny
/// checkpoint's every stage and the released architecture's latents against moshi's, and
/// bit-identical output for any thread count and chunk size.
final class MimiKernelSetTests: XCTestCase {
    func checkGEMM(_ kernels: SIMDKernelSet) throws {
        try requireKernels(kernels)
        var rng = SplitMix64(seed: 7)
        for (m, k, n, lda) in [(1, 1, 1, 1), (13, 300, 40, 300), (25, 64, 17, 70), (100, 513, 33, 513), (11, 40, 8, 40)] {
            let g = PanelGEMMCase(m: m, k: k, n: n, lda: lda, a: rng.floats((m - 1) * lda + k), b: rng.floats(k * n),
                                  bias: rng.floats(n), c0: rng.floats(m * n))
            let packed = PackedMatrix(k: k, n: n, kernels: kernels) { kk, col in g.b[kk * n + col] }
            for accumulate in [false, true] {
                let ref = g.directSum(accumulate: accumulate)
                var results: [[Float]] = []
                for threads in [1, 2, 3] {
                    let c = g.run { a, bias, c in
                        gemm(m: m, a: a, lda: lda, b: packed, bias: bias, c: c, ldc: n, accumulate: accumulate, threads: threads)
                    }
                    XCTAssertLessThan(maxAbsDiff(c, ref), 2e-5 * Float(k).squareRoot(), "\(kernels) m\(m) k\(k) n\(n) acc \(accumulate)")
                    results.append(c)
                }
                XCTAssertEqual(results[0], results[1], "\(kernels): thread count must not change results")
                XCTAssertEqual(results[0], results[2], "\(kernels): thread count must not change results")
            }
        }
    }

    func checkTiny(_ kernels: SIMDKernelSet) throws {
        try requireKernels(kernels)
        let w = try MimiWeightsLoader.load(safetensors: MimiFixtures.tinyMoshiCheckpoint, naming: .moshi, config: .tiny, projections: true)
        let enc = try MimiEncoder(weights: w, project: true, threads: 2, kernels: kernels)
        XCTAssertEqual(enc.kernels, kernels)
        let (latents, taps) = try encodeWithTaps(enc, try MimiFixtures.input(count: 76800))
        for stage in ["after_seanet", "after_transformer", "latent"] {
            assertRelClose(taps[stage]!, try MimiFixtures.timeMajor("tiny/caseA_\(stage).npy").values, tol: 1e-5, "\(kernels) tiny \(stage)")
        }
        assertRelClose(latents, try MimiFixtures.timeMajor("tiny/caseA_latent_projected.npy").values, tol: 1e-5, "\(kernels) tiny projected")
    }

    /// Released architecture, 12.8 s (longer than the attention window): one chunk on 2 threads
    /// against moshi, and 16-frame chunks on 1 thread bit-identical to it.
    func checkFull(_ kernels: SIMDKernelSet) throws {
        try requireKernels(kernels)
        let w = try MimiWeightFormula.weights(config: .released, entries: try MimiFixtures.table("full"))
        let input = try MimiFixtures.input()
        let offline = try MimiEncoder(weights: w, project: true, chunkFrames: 1000, threads: 2, kernels: kernels).encode(input)
        assertRelClose(offline, try MimiFixtures.timeMajor("full/latent_projected.npy").values, tol: 1e-5, "\(kernels) full projected latent")
        let chunked = try MimiEncoder(weights: w, project: true, chunkFrames: 16, threads: 1, kernels: kernels).encode(input)
        XCTAssertEqual(chunked, offline, "\(kernels): 16-frame chunks on 1 thread == one chunk on 2 threads, bit for bit")
    }

    /// ELU and exact GELU against Float64 definitions over [-30, 10] and edge values.
    func checkElementwise(_ kernels: SIMDKernelSet) throws {
        try requireKernels(kernels)
        var xs: [Float] = stride(from: -30, through: 10, by: 0.003).map { Float($0) }
        xs += [-100, -88, -87.5, -1e-7, 0, 1e-7, 1e-30, -1e-30, 5e-4, -5e-4]
        var elu = [Float](repeating: 0, count: xs.count), gelu = elu
        xs.withUnsafeBufferPointer { x in
            elu.withUnsafeMutableBufferPointer { eluArray(x.baseAddress!, $0.baseAddress!, count: xs.count, kernels: kernels) }
            gelu.withUnsafeMutableBufferPointer { geluArray(x.baseAddress!, $0.baseAddress!, count: xs.count, kernels: kernels) }
        }
        var worstElu = 0.0, worstGelu = 0.0
        for (i, x) in xs.enumerated() {
            let xd = Double(x)
            let e = xd > 0 ? xd : Foundation.expm1(xd)
            let g = 0.5 * xd * (1 + Foundation.erf(xd / 2.0.squareRoot()))
            worstElu = max(worstElu, abs(Double(elu[i]) - e) / max(abs(e), 1e-30))
            worstGelu = max(worstGelu, abs(Double(gelu[i]) - g) / max(abs(xd), 1e-30))
        }
        XCTAssertLessThan(worstElu, 5e-7, "\(kernels) ELU relative error")
        XCTAssertLessThan(worstGelu, 5e-7, "\(kernels) GELU error relative to |x|")
    }

    /// One attention row (scores, softmax, weighted values) against Float64, for window lengths
    /// 1 to 250 and head dimensions 64, 20 and 83 (16-column and scalar tails).
    func checkAttention(_ kernels: SIMDKernelSet) throws {
        try requireKernels(kernels)
        var rng = SplitMix64(seed: 11)
        for (n, dim) in [(1, 64), (17, 64), (250, 64), (33, 20), (40, 83)] {
            let ld = dim + 3
            let q = rng.floats(dim).map { $0 * 3 }, keys = rng.floats(n * ld), values = rng.floats(n * ld)
            let scale = 1 / Float(dim).squareRoot()
            var out = [Float](repeating: .nan, count: dim)
            var scores = [Float](repeating: 0, count: n + 16)
            q.withUnsafeBufferPointer { qp in
                keys.withUnsafeBufferPointer { kp in
                    values.withUnsafeBufferPointer { vp in
                        scores.withUnsafeMutableBufferPointer { sp in
                            out.withUnsafeMutableBufferPointer { op in
                                attendRow(q: qp.baseAddress!, keys: kp.baseAddress!, values: vp.baseAddress!, ld: ld, count: n, dim: dim,
                                          scale: scale, scores: sp.baseAddress!, out: op.baseAddress!, kernels: kernels)
                            }
                        }
                    }
                }
            }
            var logits = [Double](repeating: 0, count: n)
            for s in 0..<n { for c in 0..<dim { logits[s] += Double(q[c]) * Double(keys[s * ld + c]) }; logits[s] *= Double(scale) }
            let mx = logits.max()!
            let w = logits.map { Foundation.exp($0 - mx) }
            let total = w.reduce(0, +)
            var worst = 0.0
            for c in 0..<dim {
                var r = 0.0
                for s in 0..<n { r += w[s] / total * Double(values[s * ld + c]) }
                worst = max(worst, abs(Double(out[c]) - r))
            }
            XCTAssertLessThan(worst, 2e-6, "\(kernels) attention n\(n) dim\(dim)")
        }
    }

    func testBaselineAttention() throws { try checkAttention(.baseline) }
    func testAVX2Attention() throws { try checkAttention(.avx2) }
    func testAVX512Attention() throws { try checkAttention(.avx512) }
    func testBaselineElementwise() throws { try checkElementwise(.baseline) }
    func testAVX2Elementwise() throws { try checkElementwise(.avx2) }
    func testAVX512Elementwise() throws { try checkElementwise(.avx512) }
    func testBaselineGEMM() throws { try checkGEMM(.baseline) }
    func testAVX2GEMM() throws { try checkGEMM(.avx2) }
    func testAVX512GEMM() throws { try checkGEMM(.avx512) }
    func testBaselineTinyParity() throws { try checkTiny(.baseline) }
    func testAVX2TinyParity() throws { try checkTiny(.avx2) }
    func testAVX512TinyParity() throws { try checkTiny(.avx512) }
    func testBaselineFullParity() throws { try checkFull(.baseline) }
    func testAVX2FullParity() throws { try checkFull(.avx2) }
    func testAVX512FullParity() throws { try checkFull(.avx512) }
}

private extension SplitMix64 {
    /// Deterministic uniform floats in [-1, 1).
    mutating func floats(_ n: Int) -> [Float] { (0..<n).map { _ in Float(nextDouble() * 2 - 1) } }
}
