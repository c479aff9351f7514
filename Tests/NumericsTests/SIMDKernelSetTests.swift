import Foundation
@testable import Numerics
import XCTest

/// Skips (saying why) when this CPU cannot run `set`; never skips a set the CPU supports.
func requireKernels(_ set: SIMDKernelSet) throws {
    if let why = set.unsupportedReason { throw XCTSkip("\(set.rawValue) kernels not tested: \(why)") }
}

/// Every kernel build (baseline SSE2, AVX2+FMA, AVX-512) that this CPU supports, each forced
/// explicitly, against a naive Double product; plus the run-time selection itself.
final class SIMDKernelSetTests: XCTestCase {
    func reference(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transA: Bool, transB: Bool) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    s += Double(transA ? a[p * m + i] : a[i * k + p]) * Double(transB ? b[j * k + p] : b[p * n + j])
                }
                c[i * n + j] = s
            }
        }
        return c
    }

    func multiply(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transA: Bool, transB: Bool, c c0: [Float],
                  accumulate: Bool, upperOnly: Bool, threads: Int, kernels: SIMDKernelSet) -> [Float] {
        var c = c0
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    GEMM.multiply(m: m, n: n, k: k, a: ap.baseAddress!, lda: transA ? m : k, transA: transA,
                                  b: bp.baseAddress!, ldb: transB ? k : n, transB: transB, c: cp.baseAddress!, ldc: n,
                                  accumulate: accumulate, upperOnly: upperOnly, threads: threads, kernels: kernels)
                }
            }
        }
        return c
    }

    /// Odd shapes (edge tiles in both directions, several k-blocks), all transposes, accumulate,
    /// upperOnly; error within float32 accumulation bounds; identical bits for 1, 2 and 3 threads.
    func checkGEMM(_ kernels: SIMDKernelSet) throws {
        try requireKernels(kernels)
        var r = TestRandom(41)
        for (m, n, k) in [(1, 1, 1), (6, 16, 256), (13, 37, 300), (150, 20, 513), (7, 33, 5), (145, 17, 257)] {
            let a = r.floats(m * k), b = r.floats(k * n), c0 = r.floats(m * n)
            for transA in [false, true] {
                for transB in [false, true] {
                    for accumulate in [false, true] {
                        let ref = reference(a, b, m: m, n: n, k: k, transA: transA, transB: transB)
                        let runs = [1, 2, 3].map {
                            multiply(a, b, m: m, n: n, k: k, transA: transA, transB: transB, c: c0, accumulate: accumulate,
                                     upperOnly: false, threads: $0, kernels: kernels)
                        }
                        var worst = 0.0
                        for i in 0..<(m * n) {
                            worst = max(worst, abs(Double(runs[0][i]) - (ref[i] + (accumulate ? Double(c0[i]) : 0))))
                        }
                        let label = "\(kernels) m\(m) n\(n) k\(k) tA\(transA) tB\(transB) acc\(accumulate)"
                        XCTAssertLessThan(worst, 4e-5 * Double(k).squareRoot(), label)
                        XCTAssertEqual(runs[0], runs[1], "threads 1 vs 2: " + label)
                        XCTAssertEqual(runs[0], runs[2], "threads 1 vs 3: " + label)
                    }
                }
            }
        }
        // Symmetric XᵀX, upper triangle only (tiles below the diagonal are skipped), accumulated onto 1.
        for (n, k) in [(40, 300), (23, 7)] {
            let x = r.floats(k * n)
            let ones = [Float](repeating: 1, count: n * n)
            let ref = reference(x, x, m: n, n: n, k: k, transA: true, transB: false)
            let runs = [1, 2].map {
                multiply(x, x, m: n, n: n, k: k, transA: true, transB: false, c: ones, accumulate: true, upperOnly: true,
                         threads: $0, kernels: kernels)
            }
            for i in 0..<n { for j in i..<n { XCTAssertEqual(Double(runs[0][i * n + j]), ref[i * n + j] + 1, accuracy: 1e-3) } }
            XCTAssertEqual(runs[0], runs[1])
        }
    }

    /// The k-means path (B packed once, products by row chunks) equals GEMM.multiply with A·Bᵀ bit for bit.
    func checkPackedB(_ kernels: SIMDKernelSet) throws {
        try requireKernels(kernels)
        var r = TestRandom(42)
        let rows = 150, d = 300, centres = 21
        let a = r.floats(rows * d), cen = r.floats(centres * d)
        let packed = cen.withUnsafeBufferPointer { PackedB($0.baseAddress!, ld: d, transposed: true, k: d, n: centres, kernels: kernels) }
        XCTAssertEqual(packed.kernels, kernels)
        var out = [Float](repeating: .nan, count: rows * centres)
        let scratch = allocateAligned(PackedB.scratchCount)
        defer { scratch.deallocate() }
        a.withUnsafeBufferPointer { ap in
            out.withUnsafeMutableBufferPointer { op in
                packed.multiply(a: ap.baseAddress!, lda: d, rows: rows, c: op.baseAddress!, ldc: centres, aScratch: scratch)
            }
        }
        XCTAssertEqual(out, GEMM.multiply(a, cen, m: rows, n: centres, k: d, transB: true, threads: 2, kernels: kernels))
    }

    func testBaselineGEMM() throws { try checkGEMM(.baseline) }
    func testAVX2GEMM() throws { try checkGEMM(.avx2) }
    func testAVX512GEMM() throws { try checkGEMM(.avx512) }
    func testBaselinePackedB() throws { try checkPackedB(.baseline) }
    func testAVX2PackedB() throws { try checkPackedB(.avx2) }
    func testAVX512PackedB() throws { try checkPackedB(.avx512) }

    /// The sets really are different builds: on x86-64 the AVX2/AVX-512 modules use 16/32-column FMA
    /// tiles; the default-target baseline uses 8-column tiles without FMA, so its bits differ.
    func testKernelBuildsDiffer() throws {
        #if arch(x86_64)
        XCTAssertEqual(SIMDKernelSet.avx2.gemmPanelWidth, 16)
        XCTAssertEqual(SIMDKernelSet.avx512.gemmPanelWidth, 32)
        XCTAssertTrue(SIMDKernelSet.avx2.gemmUsesFMA)
        XCTAssertTrue(SIMDKernelSet.avx512.gemmUsesFMA)
        try requireKernels(.avx2)
        if SIMDKernelSet.baseline.gemmUsesFMA {
            throw XCTSkip("package built with ENGRAM_TARGET_CPU: the baseline module also uses FMA")
        }
        XCTAssertEqual(SIMDKernelSet.baseline.gemmPanelWidth, 8)
        var r = TestRandom(43)
        let m = 30, n = 40, k = 500
        let a = r.floats(m * k), b = r.floats(k * n)
        XCTAssertNotEqual(GEMM.multiply(a, b, m: m, n: n, k: k, kernels: .baseline),
                          GEMM.multiply(a, b, m: m, n: n, k: k, kernels: .avx2),
                          "fused and unfused multiply-adds should round differently somewhere in 1200 sums of 500 products")
        #else
        XCTAssertEqual(SIMDKernelSet.supported, [.baseline])
        #endif
    }

    /// Feature parsing and the choice: the best set whose features are all present.
    func testFeatureParsingAndRequirements() {
        let avx2Only = CPUFeatures.parse(cpuinfo: "processor\t: 0\nflags\t\t: fpu sse sse2 avx avx2 fma bmi2\nbugs\t: none\n")
        XCTAssertEqual(avx2Only.source, "/proc/cpuinfo")
        XCTAssertTrue(avx2Only.flags.isSuperset(of: ["avx2", "fma", "sse2"]))
        XCTAssertEqual(CPUFeatures.parse(cpuinfo: "processor : 0\n").flags, [])
        #if arch(x86_64)
        XCTAssertEqual(SIMDKernelSet.baseline.missingFeatures(avx2Only), [])
        XCTAssertEqual(SIMDKernelSet.avx2.missingFeatures(avx2Only), [])
        XCTAssertEqual(SIMDKernelSet.avx512.missingFeatures(avx2Only), ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"])
        let noFMA = CPUFeatures.parse(cpuinfo: "flags : sse2 avx avx2 avx512f avx512cd avx512bw avx512dq avx512vl\n")
        XCTAssertEqual(SIMDKernelSet.avx2.missingFeatures(noFMA), ["fma"])
        XCTAssertEqual(SIMDKernelSet.avx512.missingFeatures(noFMA), ["fma"])
        #endif
        XCTAssertTrue(SIMDKernelSet.active.isSupported)
        XCTAssertTrue(SIMDKernelSet.supported.contains(.baseline))
        if ProcessInfo.processInfo.environment["ENGRAM_KERNELS"] == nil {
            XCTAssertEqual(SIMDKernelSet.active, SIMDKernelSet.supported.last)
        }
        XCTAssertTrue(SIMDKernelSet.activeSummary.hasPrefix("kernels: \(SIMDKernelSet.active.rawValue) ("), SIMDKernelSet.activeSummary)
    }
}
