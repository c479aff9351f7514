import Dispatch
import Numerics
import SIMDKernels
import SIMDKernelsAVX2
import SIMDKernelsAVX512

/// The right-hand matrix B [K, N] of a GEMM, packed once (at weight-load time) into column panels
/// of 16: panel p holds B[kk, 16p ..< 16p + 16] for kk in 0..<K as [K][16] row-major, columns
/// past N zero-filled. A conv weight [out, in, k] becomes B[(j · in + i), o] = w[o, i, j], so a
/// time-major ([T, C] row-major) input turns the whole conv into one GEMM (see `ConvLayer`).
/// Products with it run the micro-kernels of `kernels` (the layout is the same for every set).
public final class PackedMatrix: @unchecked Sendable {
    /// Panel width (columns per panel); one `SIMD16<Float>`.
    public static let panelWidth = 16
    /// Inner dimension K.
    public let k: Int
    /// Output columns N.
    public let n: Int
    /// Number of 16-column panels.
    public var panelCount: Int { (n + 15) / 16 }
    /// The SIMD kernel build that multiplies with this matrix.
    public let kernels: SIMDKernelSet
    let storage: UnsafeMutablePointer<Float>

    /// Packs B given by `element(kk, col)` for kk in 0..<k, col in 0..<n.
    public init(k: Int, n: Int, kernels: SIMDKernelSet = .active, element: (Int, Int) -> Float) {
        precondition(k > 0 && n > 0)
        self.k = k
        self.n = n
        self.kernels = kernels
        let panels = (n + 15) / 16
        storage = .allocate(capacity: panels * k * 16)
        storage.initialize(repeating: 0, count: panels * k * 16)
        for p in 0..<panels {
            let base = storage + p * k * 16
            for c in 0..<min(16, n - 16 * p) {
                for kk in 0..<k { base[kk * 16 + c] = element(kk, 16 * p + c) }
            }
        }
    }

    /// Packs a row-major matrix W [N, K] as B = Wᵀ (a PyTorch linear weight [out, in]).
    public convenience init(transposing w: [Float], rows n: Int, columns k: Int, kernels: SIMDKernelSet = .active) {
        precondition(w.count == n * k)
        self.init(k: k, n: n, kernels: kernels) { kk, col in w[col * k + kk] }
    }

    deinit { storage.deallocate() }

}

/// Runs `body(task)` for task in 0..<count, on `threads` threads when > 1.
@inline(__always)
func parallelFor(_ count: Int, threads: Int, _ body: (Int) -> Void) {
    if threads <= 1 || count <= 1 {
        for i in 0..<count { body(i) }
    } else {
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }
}

/// C[m, 0..<N] = init(m) + A[m, 0..<K] · B for m in 0..<M, where row m of A starts at
/// `a + m · lda` (rows may overlap, which makes a time-major convolution a plain GEMM), `init`
/// is the bias row (or zero), or C (+ bias) when `accumulate`. C rows are `ldc` apart.
/// Sums run over kk in increasing order for every element, whatever the blocking, kernel or threads.
func gemm(m: Int, a: UnsafePointer<Float>, lda: Int, b: PackedMatrix, bias: UnsafePointer<Float>?,
          c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false, threads: Int = 1) {
    if m <= 0 { return }
    let panels = b.panelCount
    let mc = 96                      // row block (A block ≤ 96 × 256 floats ≈ 96 KB, L2)
    let rowBlocks = (m + mc - 1) / mc
    // Enough tasks to balance threads: split panels into groups when there are few row blocks.
    var panelGroups = 1
    if threads > 1 {
        let want = 4 * threads
        if rowBlocks < want { panelGroups = min(panels, (want + rowBlocks - 1) / rowBlocks) }
    }
    let panelsPerGroup = (panels + panelGroups - 1) / panelGroups
    panelGroups = (panels + panelsPerGroup - 1) / panelsPerGroup
    let narrow = b.kernels == .baseline && KernelChoice.narrow
    parallelFor(rowBlocks * panelGroups, threads: threads) { task in
        let rb = task / panelGroups, pg = task % panelGroups
        gemmBlock(rows: (rb * mc)..<min(m, rb * mc + mc), panels: (pg * panelsPerGroup)..<min(panels, (pg + 1) * panelsPerGroup),
                  a: a, lda: lda, b: b, bias: bias, c: c, ldc: ldc, accumulate: accumulate, narrow: narrow)
    }
}

/// The whole product on the calling thread with a given kernel (kernel calibration).
func gemmSerial(m: Int, a: UnsafePointer<Float>, lda: Int, b: PackedMatrix, bias: UnsafePointer<Float>?,
                c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, narrow: Bool) {
    gemmBlock(rows: 0..<m, panels: 0..<b.panelCount, a: a, lda: lda, b: b, bias: bias, c: c, ldc: ldc,
              accumulate: accumulate, narrow: narrow)
}

/// One task: `rows` × `panels` of C with the kernel build `b.kernels` (see `PanelGEMM.block`).
@inline(__always)
func gemmBlock(rows: Range<Int>, panels: Range<Int>, a: UnsafePointer<Float>, lda: Int, b: PackedMatrix,
               bias: UnsafePointer<Float>?, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, narrow: Bool) {
    let storage = UnsafePointer(b.storage)
    switch b.kernels {
    case .baseline:
        SIMDKernels.PanelGEMM.block(rows: rows, panelStart: panels.lowerBound, panelEnd: panels.upperBound, a: a, lda: lda,
                                    b: storage, k: b.k, n: b.n, bias: bias, c: c, ldc: ldc, accumulate: accumulate, narrow: narrow)
    case .avx2:
        SIMDKernelsAVX2.PanelGEMM.block(rows: rows, panelStart: panels.lowerBound, panelEnd: panels.upperBound, a: a, lda: lda,
                                        b: storage, k: b.k, n: b.n, bias: bias, c: c, ldc: ldc, accumulate: accumulate, narrow: narrow)
    case .avx512:
        SIMDKernelsAVX512.PanelGEMM.block(rows: rows, panelStart: panels.lowerBound, panelEnd: panels.upperBound, a: a, lda: lda,
                                          b: storage, k: b.k, n: b.n, bias: bias, c: c, ldc: ldc, accumulate: accumulate, narrow: narrow)
    }
}

/// Which micro-kernel suits the baseline kernel build: 6×16 (`SIMD16`) or 6×8 (`SIMD8`: 12 xmm
/// accumulators; the 6×16 tile spills registers on the default SSE2-only x86-64 target, ~30 vs
/// ~43 GFLOP/s per core, but not when the package is built with ENGRAM_TARGET_CPU). Both add the
/// same products in the same order with the same operations, so the choice changes speed only,
/// never results. Decided once per process by timing both on a small product. The AVX2 and
/// AVX-512 builds always use 6×16.
enum KernelChoice {
    static let narrow: Bool = {
        let m = 48, k = 256, n = 32
        let b = PackedMatrix(k: k, n: n, kernels: .baseline) { kk, col in Float((kk &* 7 &+ col &* 3) % 11) * 0.01 }
        let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { a.deallocate(); c.deallocate() }
        for i in 0..<(m * k) { a[i] = Float(i % 13) * 0.01 }
        func time(_ narrow: Bool) -> UInt64 {
            var best = UInt64.max
            for _ in 0..<7 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<4 { gemmSerial(m: m, a: a, lda: k, b: b, bias: nil, c: c, ldc: n, accumulate: false, narrow: narrow) }
                best = min(best, DispatchTime.now().uptimeNanoseconds - t0)
            }
            return best
        }
        return time(true) < time(false)
    }()
}
