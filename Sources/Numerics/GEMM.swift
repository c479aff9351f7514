import EngramCore

/// Single-precision matrix multiplication C = op(A)·op(B) on row-major storage.
///
/// Shapes: op(A) is [m, k], op(B) is [k, n], C is [m, n] with row stride `ldc`.
/// `transA: false` reads A as [m, k] (row stride `lda`); `transA: true` reads A as [k, m] and uses Aᵀ.
/// Likewise for B: `transB: true` reads B as [n, k] (so C = A·Bᵀ). Hence
/// `multiply(a: X, transA: true, b: X, …)` is XᵀX (covariance shape) and `transB: true` gives
/// point–centroid dot products.
///
/// Deterministic: each C element is accumulated in a fixed order (k-blocks of 256, each summed in
/// order), independent of `threads`. Threads split the rows of C. The micro-kernels come from
/// `kernels` (default: the process's `SIMDKernelSet.active`); different sets may differ in the last bits.
public enum GEMM {
    /// The micro-kernel of the active kernel set, e.g. "avx2 (6×16 FMA)" (for benchmark reports).
    public static var microKernelDescription: String { SIMDKernelSet.active.description }

    /// C = op(A)·op(B) (or C += op(A)·op(B) with `accumulate`).
    /// - Parameter upperOnly: only guarantees C[i, j] for j ≥ i (tiles strictly below the diagonal are
    ///   skipped); for symmetric products such as XᵀX. Requires m == n.
    /// - Parameter kernels: which SIMD kernel build to run (must be supported by this CPU).
    public static func multiply(m: Int, n: Int, k: Int,
                                a: UnsafePointer<Float>, lda: Int, transA: Bool = false,
                                b: UnsafePointer<Float>, ldb: Int, transB: Bool = false,
                                c: UnsafeMutablePointer<Float>, ldc: Int,
                                accumulate: Bool = false, upperOnly: Bool = false, threads: Int? = nil,
                                kernels: SIMDKernelSet = .active) {
        precondition(m >= 0 && n >= 0 && k >= 0 && ldc >= n, "GEMM: bad shape")
        precondition(!upperOnly || m == n, "GEMM: upperOnly needs a square result")
        if m == 0 || n == 0 { return }
        if k == 0 {
            if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        let t = Parallelism.resolve(threads)
        let A = MatrixOperand(base: a, ld: lda, transposed: transA)
        let B = MatrixOperand(base: b, ld: ldb, transposed: transB)
        let nr = kernels.gemmPanelWidth, kc = GEMMBlocking.kc, mc = GEMMBlocking.mc
        let panels = (n + nr - 1) / nr
        let bPack = allocateAligned(kc * panels * nr)
        defer { bPack.deallocate() }
        let C = SharedMutablePointer(c)
        let BP = SharedMutablePointer(bPack)
        let mBlocks = (m + mc - 1) / mc
        let aScratch = allocateAligned(workerCount(mBlocks, threads: t) * PackedB.scratchCount)
        defer { aScratch.deallocate() }
        let AP = SharedMutablePointer(aScratch)
        let panelGroup = 8
        var k0 = 0
        while k0 < k {
            let kcb = min(kc, k - k0)
            let kStart = k0
            let groups = (panels + panelGroup - 1) / panelGroup
            parallelFor(groups, threads: t) { g in
                packB(B, k0: kStart, kcb: kcb, n: n, panels: (g * panelGroup)..<min(panels, (g + 1) * panelGroup), into: BP.base,
                      kernels: kernels)
            }
            let acc = accumulate || k0 > 0
            parallelFor(mBlocks, threads: t) { w, mb in
                let i0 = mb * mc
                let rows = min(mc, m - i0)
                let aPack = AP.base + w * PackedB.scratchCount
                packA(A, i0: i0, rows: rows, k0: kStart, kcb: kcb, into: aPack, kernels: kernels)
                let firstPanel = upperOnly ? i0 / nr : 0
                computeBlock(aPack: aPack, i0: i0, rows: rows, bPack: BP.base, panels: firstPanel..<panels, kcb: kcb,
                             n: n, c: C.base, ldc: ldc, accumulate: acc, upperOnly: upperOnly, kernels: kernels)
            }
            k0 += kcb
        }
    }

    /// C[m, n] = op(A)·op(B) for row-major arrays (A is [m, k], or [k, m] if `transA`; B is [k, n], or [n, k] if `transB`).
    public static func multiply(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int,
                                transA: Bool = false, transB: Bool = false, threads: Int? = nil,
                                kernels: SIMDKernelSet = .active) -> [Float] {
        precondition(a.count == m * k && b.count == k * n, "GEMM: array sizes do not match the shape")
        var c = [Float](repeating: 0, count: m * n)
        if m == 0 || n == 0 { return c }
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    multiply(m: m, n: n, k: k, a: ap.baseAddress!, lda: transA ? m : k, transA: transA,
                             b: bp.baseAddress!, ldb: transB ? k : n, transB: transB,
                             c: cp.baseAddress!, ldc: n, threads: threads, kernels: kernels)
                }
            }
        }
        return c
    }
}

/// B packed once for repeated products with many A blocks (e.g. centroids in k-means):
/// holds op(B) [k, n] as k-blocks of nr-column panels, nr being the panel width of `kernels`
/// (the products use the same kernel set).
final class PackedB: @unchecked Sendable {
    let k: Int
    let n: Int
    let panels: Int
    let kernels: SIMDKernelSet
    let storage: UnsafeMutablePointer<Float>

    /// Packs op(B): `transposed: true` reads `b` as [n, k] row-major (so products are A·Bᵀ).
    init(_ b: UnsafePointer<Float>, ld: Int, transposed: Bool, k: Int, n: Int, kernels: SIMDKernelSet = .active) {
        self.k = k
        self.n = n
        self.kernels = kernels
        let nr = kernels.gemmPanelWidth
        panels = (n + nr - 1) / nr
        storage = allocateAligned(max(1, k) * panels * nr)
        let op = MatrixOperand(base: b, ld: ld, transposed: transposed)
        var k0 = 0
        while k0 < k {
            let kcb = min(GEMMBlocking.kc, k - k0)
            packB(op, k0: k0, kcb: kcb, n: n, panels: 0..<panels, into: storage + k0 * panels * nr, kernels: kernels)
            k0 += kcb
        }
    }

    deinit { storage.deallocate() }

    /// C[rows, n] (row stride `ldc`) = A[rows, k] · op(B), single-threaded (callers parallelise over row chunks).
    /// `aScratch` must hold `GEMMBlocking.mc rounded up to 6 × GEMMBlocking.kc` floats.
    func multiply(a: UnsafePointer<Float>, lda: Int, rows: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                  aScratch: UnsafeMutablePointer<Float>) {
        let A = MatrixOperand(base: a, ld: lda, transposed: false)
        let mc = GEMMBlocking.mc, nr = kernels.gemmPanelWidth
        var k0 = 0
        while k0 < k {
            let kcb = min(GEMMBlocking.kc, k - k0)
            var i0 = 0
            while i0 < rows {
                let r = min(mc, rows - i0)
                packA(A, i0: i0, rows: r, k0: k0, kcb: kcb, into: aScratch, kernels: kernels)
                computeBlock(aPack: aScratch, i0: i0, rows: r, bPack: storage + k0 * panels * nr,
                             panels: 0..<panels, kcb: kcb, n: n, c: c, ldc: ldc, accumulate: k0 > 0, upperOnly: false,
                             kernels: kernels)
                i0 += r
            }
            k0 += kcb
        }
    }

    /// Scratch size for `multiply`'s packed A.
    static var scratchCount: Int { ((GEMMBlocking.mc + 5) / 6) * 6 * GEMMBlocking.kc }
}
