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
    let narrow = KernelChoice.narrow
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

/// One task: `rows` × `panels` of C, the inner dimension in blocks of 256 (a 16 KB B block
/// stays in L1 while the rows stream past it).
@inline(__always)
func gemmBlock(rows: Range<Int>, panels: Range<Int>, a: UnsafePointer<Float>, lda: Int, b: PackedMatrix,
               bias: UnsafePointer<Float>?, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, narrow: Bool) {
    let kTotal = b.k, n = b.n
    let kc = 256
    let firstStart: KernelStart = accumulate ? (bias == nil ? .c : .cPlusBias) : (bias == nil ? .zero : .bias)
    var k0 = 0
    while k0 < kTotal {
        let k1 = min(kTotal, k0 + kc)
        let start = k0 == 0 ? firstStart : .c
        for p in panels {
            let col0 = p * 16
            let width = min(16, n - col0)
            let bp = b.panel(p) + k0 * 16
            let biasP = bias.map { $0 + col0 }
            if narrow {
                for half in 0..<2 where half * 8 < width {
                    let cols = (half * 8, min(8, width - half * 8))
                    var r = rows.lowerBound
                    func tile(_ rowsHere: Int) {
                        kernel8(rows: rowsHere, a: a + r * lda + k0, lda: lda, kCount: k1 - k0, b: bp + cols.0,
                                c: c + r * ldc + col0 + cols.0, ldc: ldc, width: cols.1, start: start, bias: biasP.map { $0 + cols.0 })
                        r += rowsHere
                    }
                    while r + 6 <= rows.upperBound { tile(6) }
                    if r + 4 <= rows.upperBound { tile(4) }
                    if r + 2 <= rows.upperBound { tile(2) }
                    if r < rows.upperBound { tile(1) }
                }
            } else {
                var r = rows.lowerBound
                func tile(_ rowsHere: Int) {
                    kernel16(rows: rowsHere, a: a + r * lda + k0, lda: lda, kCount: k1 - k0, b: bp,
                             c: c + r * ldc + col0, ldc: ldc, width: width, start: start, bias: biasP)
                    r += rowsHere
                }
                while r + 6 <= rows.upperBound { tile(6) }
                if r + 4 <= rows.upperBound { tile(4) }
                if r + 2 <= rows.upperBound { tile(2) }
                if r < rows.upperBound { tile(1) }
            }
        }
        k0 = k1
    }
}

/// Where a micro-kernel's accumulators start.
enum KernelStart { case zero, bias, c, cPlusBias }




/// acc += a · b. Fused (one rounding) when compiled with `-Xswiftc -DENGRAM_FMA` for a CPU with
/// FMA, or on arm64; otherwise a multiply and an add (on the default x86-64 target `addProduct`
/// is a library call per lane).
@inline(__always)
func madd<V: SIMD>(_ acc: inout V, _ a: Float, _ b: V) where V.Scalar == Float {
    #if ENGRAM_FMA || arch(arm64)
    acc.addProduct(V(repeating: a), b)
    #else
    acc += V(repeating: a) * b
    #endif
}

@inline(__always)
func loadPartial<V: SIMD>(_ p: UnsafePointer<Float>, width: Int) -> V where V.Scalar == Float {
    if width == V.scalarCount { return UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    var v = V()
    for i in 0..<width { v[i] = p[i] }
    return v
}

@inline(__always)
func storePartial<V: SIMD>(_ v: V, _ p: UnsafeMutablePointer<Float>, width: Int) where V.Scalar == Float {
    if width == V.scalarCount { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self); return }
    for i in 0..<width { p[i] = v[i] }
}

@inline(__always)
func startValue<V: SIMD>(_ start: KernelStart, c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, width: Int) -> V where V.Scalar == Float {
    switch start {
    case .zero: return V()
    case .bias: return loadPartial(bias!, width: width)
    case .c: return loadPartial(UnsafePointer(c), width: width)
    case .cPlusBias: return loadPartial(UnsafePointer(c), width: width) + loadPartial(bias!, width: width) as V
    }
}

/// rows (1…6) × V.scalarCount columns: acc[r] += A[r, kk] · B[kk, 0..<width] over kCount
/// inner steps, B rows 64 bytes apart (a 16-wide panel or half of one). `rows` is a constant at
/// every call site, so the unused accumulators fold away.
@inline(__always)
func kernel<V: SIMD>(_: V.Type, rows: Int, a: UnsafePointer<Float>, lda: Int, kCount: Int, b: UnsafePointer<Float>,
                     c: UnsafeMutablePointer<Float>, ldc: Int, width: Int, start: KernelStart, bias: UnsafePointer<Float>?) where V.Scalar == Float {
    var c0: V = startValue(start, c: c, bias: bias, width: width)
    var c1: V = rows > 1 ? startValue(start, c: c + ldc, bias: bias, width: width) : V()
    var c2: V = rows > 2 ? startValue(start, c: c + 2 * ldc, bias: bias, width: width) : V()
    var c3: V = rows > 3 ? startValue(start, c: c + 3 * ldc, bias: bias, width: width) : V()
    var c4: V = rows > 4 ? startValue(start, c: c + 4 * ldc, bias: bias, width: width) : V()
    var c5: V = rows > 5 ? startValue(start, c: c + 5 * ldc, bias: bias, width: width) : V()
    let a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda
    let braw = UnsafeRawPointer(b)
    for kk in 0..<kCount {
        let bv = braw.loadUnaligned(fromByteOffset: kk * 64, as: V.self)
        madd(&c0, a0[kk], bv)
        if rows > 1 { madd(&c1, a1[kk], bv) }
        if rows > 2 { madd(&c2, a2[kk], bv) }
        if rows > 3 { madd(&c3, a3[kk], bv) }
        if rows > 4 { madd(&c4, a4[kk], bv) }
        if rows > 5 { madd(&c5, a5[kk], bv) }
    }
    storePartial(c0, c, width: width)
    if rows > 1 { storePartial(c1, c + ldc, width: width) }
    if rows > 2 { storePartial(c2, c + 2 * ldc, width: width) }
    if rows > 3 { storePartial(c3, c + 3 * ldc, width: width) }
    if rows > 4 { storePartial(c4, c + 4 * ldc, width: width) }
    if rows > 5 { storePartial(c5, c + 5 * ldc, width: width) }
}

/// `rows` × 16 columns (one panel) with `SIMD16` accumulators; `rows` is switched to a
/// literal so each tile height is compiled on its own.
@inline(__always)
func kernel16(rows: Int, a: UnsafePointer<Float>, lda: Int, kCount: Int, b: UnsafePointer<Float>,
              c: UnsafeMutablePointer<Float>, ldc: Int, width: Int, start: KernelStart, bias: UnsafePointer<Float>?) {
    switch rows {
    case 6: kernel(SIMD16<Float>.self, rows: 6, a: a, lda: lda, kCount: kCount, b: b, c: c, ldc: ldc, width: width, start: start, bias: bias)
    case 4: kernel(SIMD16<Float>.self, rows: 4, a: a, lda: lda, kCount: kCount, b: b, c: c, ldc: ldc, width: width, start: start, bias: bias)
    case 2: kernel(SIMD16<Float>.self, rows: 2, a: a, lda: lda, kCount: kCount, b: b, c: c, ldc: ldc, width: width, start: start, bias: bias)
    default: kernel(SIMD16<Float>.self, rows: 1, a: a, lda: lda, kCount: kCount, b: b, c: c, ldc: ldc, width: width, start: start, bias: bias)
    }
}

/// `rows` × 8 columns (half a panel) with `SIMD8` accumulators.
@inline(__always)
func kernel8(rows: Int, a: UnsafePointer<Float>, lda: Int, kCount: Int, b: UnsafePointer<Float>,
             c: UnsafeMutablePointer<Float>, ldc: Int, width: Int, start: KernelStart, bias: UnsafePointer<Float>?) {
    switch rows {
    case 6: kernel(SIMD8<Float>.self, rows: 6, a: a, lda: lda, kCount: kCount, b: b, c: c, ldc: ldc, width: width, start: start, bias: bias)
    case 4: kernel(SIMD8<Float>.self, rows: 4, a: a, lda: lda, kCount: kCount, b: b, c: c, ldc: ldc, width: width, start: start, bias: bias)
    case 2: kernel(SIMD8<Float>.self, rows: 2, a: a, lda: lda, kCount: kCount, b: b, c: c, ldc: ldc, width: width, start: start, bias: bias)
    default: kernel(SIMD8<Float>.self, rows: 1, a: a, lda: lda, kCount: kCount, b: b, c: c, ldc: ldc, width: width, start: start, bias: bias)
    }
}

/// Which micro-kernel suits this build: 6×16 (`SIMD16`: 12 ymm accumulators with AVX2, 6 zmm
/// with AVX-512) or 6×8 (`SIMD8`: 12 xmm accumulators; the 6×16 tile spills registers on the
/// default SSE2-only x86-64 target, ~30 vs ~43 GFLOP/s per core). Both add the same products in
/// the same order with the same operations, so the choice changes speed only, never results.
/// Decided once per process by timing both on a small product.
enum KernelChoice {
    static let narrow: Bool = {
        let m = 48, k = 256, n = 32
        let b = PackedMatrix(k: k, n: n) { kk, col in Float((kk &* 7 &+ col &* 3) % 11) * 0.01 }
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
