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
            let a = rng.floats((m - 1) * lda + k), b = rng.floats(k * n), bias = rng.floats(n), c0 = rng.floats(m * n)
            let packed = PackedMatrix(k: k, n: n, kernels: kernels) { kk, col in b[kk * n + col] }
            for accumulate in [false, true] {
                var ref = [Float](repeating: 0, count: m * n)
                for r in 0..<m {
                    for col in 0..<n {
                        var s = Double(bias[col]) + (accumulate ? Double(c0[r * n + col]) : 0)
                        for kk in 0..<k { s += Double(a[r * lda + kk]) * Double(b[kk * n + col]) }
                        ref[r * n + col] = Float(s)
                    }
                }
                var results: [[Float]] = []
                for threads in [1, 2, 3] {
                    var c = c0
                    a.withUnsafeBufferPointer { ap in
                        bias.withUnsafeBufferPointer { bp in
                            c.withUnsafeMutableBufferPointer { cp in
                                gemm(m: m, a: ap.baseAddress!, lda: lda, b: packed, bias: bp.baseAddress!, c: cp.baseAddress!,
                                     ldc: n, accumulate: accumulate, threads: threads)
                            }
                        }
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
