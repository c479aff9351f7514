import Dispatch

/// The right-hand matrix B [K, N] of a GEMM, packed once (at weight-load time) into column panels
/// of 16: panel p holds B[kk, 16p ..< 16p + 16] for kk in 0..<K as [K][16] row-major, columns
/// past N zero-filled. A conv weight [out, in, k] becomes B[(j · in + i), o] = w[o, i, j], so a
/// time-major ([T, C] row-major) input turns the whole conv into one GEMM (see `ConvLayer`).
public final class PackedMatrix: @unchecked Sendable {
    /// Panel width (columns per panel); one `SIMD16<Float>`.
    public static let panelWidth = 16
    /// Inner dimension K.
    public let k: Int
    /// Output columns N.
    public let n: Int
    /// Number of 16-column panels.
    public var panelCount: Int { (n + 15) / 16 }
    let storage: UnsafeMutablePointer<Float>

    /// Packs B given by `element(kk, col)` for kk in 0..<k, col in 0..<n.
    public init(k: Int, n: Int, element: (Int, Int) -> Float) {
        precondition(k > 0 && n > 0)
        self.k = k
        self.n = n
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
    public convenience init(transposing w: [Float], rows n: Int, columns k: Int) {
        precondition(w.count == n * k)
        self.init(k: k, n: n) { kk, col in w[col * k + kk] }
    }

    deinit { storage.deallocate() }

    @inline(__always) func panel(_ p: Int) -> UnsafePointer<Float> { UnsafePointer(storage + p * k * 16) }
}

/// Work split for the GEMMs and element-wise passes. Results never depend on `threads`:
/// every output element is computed by one task with a fixed summation order.
public struct ComputeOptions: Sendable {
    /// Worker threads (≥ 1).
    public var threads: Int
    public init(threads: Int = 1) { self.threads = max(1, threads) }
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
/// Sums run over kk in increasing order for every element, whatever the blocking or threads.
func gemm(m: Int, a: UnsafePointer<Float>, lda: Int, b: PackedMatrix, bias: UnsafePointer<Float>?,
          c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false, threads: Int = 1) {
    if m <= 0 { return }
    let kTotal = b.k, n = b.n, panels = b.panelCount
    let kc = 256                     // inner-dimension block (B block 16 KB stays in L1)
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
    let firstStart: KernelStart = accumulate ? (bias == nil ? .c : .cPlusBias) : (bias == nil ? .zero : .bias)
    parallelFor(rowBlocks * panelGroups, threads: threads) { task in
        let rb = task / panelGroups, pg = task % panelGroups
        let r0 = rb * mc, r1 = min(m, r0 + mc)
        let p0 = pg * panelsPerGroup, p1 = min(panels, p0 + panelsPerGroup)
        var k0 = 0
        while k0 < kTotal {
            let k1 = min(kTotal, k0 + kc)
            let start = k0 == 0 ? firstStart : .c
            for p in p0..<p1 {
                let col0 = p * 16
                let width = min(16, n - col0)
                let bp = b.panel(p) + k0 * 16
                let biasP = bias.map { $0 + col0 }
                var r = r0
                while r + 6 <= r1 {
                    kernel6x16(a: a + r * lda + k0, lda: lda, kCount: k1 - k0, b: bp,
                               c: c + r * ldc + col0, ldc: ldc, width: width,
                               start: start, bias: biasP)
                    r += 6
                }
                while r < r1 {
                    kernel1x16(a: a + r * lda + k0, kCount: k1 - k0, b: bp, c: c + r * ldc + col0, width: width,
                               start: start, bias: biasP)
                    r += 1
                }
            }
            k0 = k1
        }
    }
}

/// Where a micro-kernel's accumulators start.
enum KernelStart { case zero, bias, c, cPlusBias }

@inline(__always)
func loadRow(_ p: UnsafePointer<Float>, width: Int) -> SIMD16<Float> {
    if width == 16 { return UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) }
    var v = SIMD16<Float>()
    for i in 0..<width { v[i] = p[i] }
    return v
}

@inline(__always)
func storeRow(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, width: Int) {
    if width == 16 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self); return }
    for i in 0..<width { p[i] = v[i] }
}

@inline(__always)
func startValue(_ start: KernelStart, c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, width: Int) -> SIMD16<Float> {
    switch start {
    case .zero: return SIMD16<Float>()
    case .bias: return loadRow(bias!, width: width)
    case .c: return loadRow(UnsafePointer(c), width: width)
    case .cPlusBias: return loadRow(UnsafePointer(c), width: width) + loadRow(bias!, width: width)
    }
}

/// 6 rows × 16 columns: acc[r] += A[r, kk] · B[kk, 0..<16] over kCount taps.
@inline(__always)
func kernel6x16(a: UnsafePointer<Float>, lda: Int, kCount: Int, b: UnsafePointer<Float>,
                c: UnsafeMutablePointer<Float>, ldc: Int, width: Int, start: KernelStart, bias: UnsafePointer<Float>?) {
    var c0 = startValue(start, c: c, bias: bias, width: width)
    var c1 = startValue(start, c: c + ldc, bias: bias, width: width)
    var c2 = startValue(start, c: c + 2 * ldc, bias: bias, width: width)
    var c3 = startValue(start, c: c + 3 * ldc, bias: bias, width: width)
    var c4 = startValue(start, c: c + 4 * ldc, bias: bias, width: width)
    var c5 = startValue(start, c: c + 5 * ldc, bias: bias, width: width)
    let a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda
    let braw = UnsafeRawPointer(b)
    for kk in 0..<kCount {
        let bv = braw.loadUnaligned(fromByteOffset: kk * 64, as: SIMD16<Float>.self)
        c0 += SIMD16(repeating: a0[kk]) * bv
        c1 += SIMD16(repeating: a1[kk]) * bv
        c2 += SIMD16(repeating: a2[kk]) * bv
        c3 += SIMD16(repeating: a3[kk]) * bv
        c4 += SIMD16(repeating: a4[kk]) * bv
        c5 += SIMD16(repeating: a5[kk]) * bv
    }
    storeRow(c0, c, width: width)
    storeRow(c1, c + ldc, width: width)
    storeRow(c2, c + 2 * ldc, width: width)
    storeRow(c3, c + 3 * ldc, width: width)
    storeRow(c4, c + 4 * ldc, width: width)
    storeRow(c5, c + 5 * ldc, width: width)
}

/// 1 row × 16 columns (row remainder).
@inline(__always)
func kernel1x16(a: UnsafePointer<Float>, kCount: Int, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                width: Int, start: KernelStart, bias: UnsafePointer<Float>?) {
    var c0 = startValue(start, c: c, bias: bias, width: width)
    let braw = UnsafeRawPointer(b)
    for kk in 0..<kCount {
        c0 += SIMD16(repeating: a[kk]) * braw.loadUnaligned(fromByteOffset: kk * 64, as: SIMD16<Float>.self)
    }
    storeRow(c0, c, width: width)
}
