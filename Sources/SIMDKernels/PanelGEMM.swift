// The Mimi encoder's GEMM block kernel (Encoders' `gemm`): C rows += A rows · B, with B packed
// in 16-column panels ([K][16] per panel) and A read in place with any row stride (rows may
// overlap, which turns a time-major convolution into a plain GEMM).
//
// Compiled into SIMDKernels and, through symlinks, SIMDKernelsAVX2 / SIMDKernelsAVX512 with
// different target-CPU flags; the caller picks the module at run time. See GEMMCore.swift.

/// Where a micro-kernel's accumulators start.
enum KernelStart { case zero, bias, c, cPlusBias }

/// The packed-panel GEMM of the Mimi encoder, for this module's target CPU.
public enum PanelGEMM {
    /// true when multiply-adds are fused (one rounding), i.e. the module targets FMA hardware or arm64.
    public static let fusedMultiplyAdd: Bool = {
        #if ENGRAM_FMA || arch(arm64)
        return true
        #else
        return false
        #endif
    }()

    /// One task: C[r, col] for r in `rows`, col in the 16-column panels `panelStart..<panelEnd`, equal to
    /// init + Σ_kk A[r, kk] · B[kk, col], where row r of A starts at `a + r · lda`, B is `k` × `n`
    /// packed at `b` (panel p at `b + p · k · 16`), and init is `bias[col]` (or 0), or C (+ bias) with
    /// `accumulate`. The inner dimension runs in blocks of 256 (a 16 KB B block stays in L1 while
    /// the rows stream past it); every element is summed over kk in increasing order, so results do
    /// not depend on how the caller splits rows and panels. `narrow` uses two 6×8 tiles per panel
    /// instead of one 6×16 tile (same bits; faster where 16-float vectors spill registers, i.e. on
    /// the SSE2 baseline).
    @inline(never)
    public static func block(rows: Range<Int>, panelStart: Int, panelEnd: Int, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, k kTotal: Int, n: Int, bias: UnsafePointer<Float>?,
                             c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, narrow: Bool) {
        let kc = 256
        let firstStart: KernelStart = accumulate ? (bias == nil ? .c : .cPlusBias) : (bias == nil ? .zero : .bias)
        var k0 = 0
        while k0 < kTotal {
            let k1 = min(kTotal, k0 + kc)
            let start = k0 == 0 ? firstStart : .c
            #if ENGRAM_AVX512
            // Two panels per tile: 6 × 32 columns = 12 zmm accumulators, enough independent FMAs
            // to cover their latency (6 × 16 would leave the FMA units a quarter idle). Each
            // element is summed exactly as in the one-panel tile, so pairing never changes bits.
            var p = panelStart
            while !narrow && p + 1 < panelEnd {
                let col0 = p * 16
                let width1 = min(16, n - col0 - 16)
                let bp = b + p * kTotal * 16 + k0 * 16
                let biasP = bias.map { $0 + col0 }
                var r = rows.lowerBound
                func tile(_ rowsHere: Int) {
                    kernelPair(rows: rowsHere, a: a + r * lda + k0, lda: lda, kCount: k1 - k0, b0: bp, b1: bp + kTotal * 16,
                               c: c + r * ldc + col0, ldc: ldc, width1: width1, start: start, bias: biasP)
                    r += rowsHere
                }
                while r + 6 <= rows.upperBound { tile(6) }
                if r + 4 <= rows.upperBound { tile(4) }
                if r + 2 <= rows.upperBound { tile(2) }
                if r < rows.upperBound { tile(1) }
                p += 2
            }
            let singles = p..<panelEnd
            #else
            let singles = panelStart..<panelEnd
            #endif
            for p in singles {
                let col0 = p * 16
                let width = min(16, n - col0)
                let bp = b + p * kTotal * 16 + k0 * 16
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
}

/// acc += a · b, fused (one rounding) where the module targets FMA hardware or arm64; otherwise a
/// multiply and an add (on the default x86-64 target `addProduct` is a library call per lane).
@inline(__always)
private func madd<V: SIMD>(_ acc: inout V, _ a: Float, _ b: V) where V.Scalar == Float {
    #if ENGRAM_FMA || arch(arm64)
    acc.addProduct(V(repeating: a), b)
    #else
    acc += V(repeating: a) * b
    #endif
}

@inline(__always)
private func loadPartial<V: SIMD>(_ p: UnsafePointer<Float>, width: Int) -> V where V.Scalar == Float {
    if width == V.scalarCount { return UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    var v = V()
    for i in 0..<width { v[i] = p[i] }
    return v
}

@inline(__always)
private func storePartial<V: SIMD>(_ v: V, _ p: UnsafeMutablePointer<Float>, width: Int) where V.Scalar == Float {
    if width == V.scalarCount { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self); return }
    for i in 0..<width { p[i] = v[i] }
}

@inline(__always)
private func startValue<V: SIMD>(_ start: KernelStart, c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, width: Int) -> V where V.Scalar == Float {
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
private func kernel<V: SIMD>(_: V.Type, rows: Int, a: UnsafePointer<Float>, lda: Int, kCount: Int, b: UnsafePointer<Float>,
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
private func kernel16(rows: Int, a: UnsafePointer<Float>, lda: Int, kCount: Int, b: UnsafePointer<Float>,
                      c: UnsafeMutablePointer<Float>, ldc: Int, width: Int, start: KernelStart, bias: UnsafePointer<Float>?) {
    switch rows {
    case 6: kernel(SIMD16<Float>.self, rows: 6, a: a, lda: lda, kCount: kCount, b: b, c: c, ldc: ldc, width: width, start: start, bias: bias)
    case 4: kernel(SIMD16<Float>.self, rows: 4, a: a, lda: lda, kCount: kCount, b: b, c: c, ldc: ldc, width: width, start: start, bias: bias)
    case 2: kernel(SIMD16<Float>.self, rows: 2, a: a, lda: lda, kCount: kCount, b: b, c: c, ldc: ldc, width: width, start: start, bias: bias)
    default: kernel(SIMD16<Float>.self, rows: 1, a: a, lda: lda, kCount: kCount, b: b, c: c, ldc: ldc, width: width, start: start, bias: bias)
    }
}

/// `rows` × 32 columns: two adjacent 16-column panels (the first full, the second `width1` wide)
/// with 2 × `rows` `SIMD16` accumulators. Same operations per element as `kernel16`.
@inline(__always)
private func kernelPair(rows: Int, a: UnsafePointer<Float>, lda: Int, kCount: Int, b0: UnsafePointer<Float>, b1: UnsafePointer<Float>,
                        c: UnsafeMutablePointer<Float>, ldc: Int, width1: Int, start: KernelStart, bias: UnsafePointer<Float>?) {
    switch rows {
    case 6: pairTile(rows: 6, a: a, lda: lda, kCount: kCount, b0: b0, b1: b1, c: c, ldc: ldc, width1: width1, start: start, bias: bias)
    case 4: pairTile(rows: 4, a: a, lda: lda, kCount: kCount, b0: b0, b1: b1, c: c, ldc: ldc, width1: width1, start: start, bias: bias)
    case 2: pairTile(rows: 2, a: a, lda: lda, kCount: kCount, b0: b0, b1: b1, c: c, ldc: ldc, width1: width1, start: start, bias: bias)
    default: pairTile(rows: 1, a: a, lda: lda, kCount: kCount, b0: b0, b1: b1, c: c, ldc: ldc, width1: width1, start: start, bias: bias)
    }
}

@inline(__always)
private func pairTile(rows: Int, a: UnsafePointer<Float>, lda: Int, kCount: Int, b0: UnsafePointer<Float>, b1: UnsafePointer<Float>,
                      c: UnsafeMutablePointer<Float>, ldc: Int, width1: Int, start: KernelStart, bias: UnsafePointer<Float>?) {
    typealias V = SIMD16<Float>
    let c1p = c + 16, bias1 = bias.map { $0 + 16 }
    var x0: V = startValue(start, c: c, bias: bias, width: 16)
    var x1: V = rows > 1 ? startValue(start, c: c + ldc, bias: bias, width: 16) : V()
    var x2: V = rows > 2 ? startValue(start, c: c + 2 * ldc, bias: bias, width: 16) : V()
    var x3: V = rows > 3 ? startValue(start, c: c + 3 * ldc, bias: bias, width: 16) : V()
    var x4: V = rows > 4 ? startValue(start, c: c + 4 * ldc, bias: bias, width: 16) : V()
    var x5: V = rows > 5 ? startValue(start, c: c + 5 * ldc, bias: bias, width: 16) : V()
    var y0: V = startValue(start, c: c1p, bias: bias1, width: width1)
    var y1: V = rows > 1 ? startValue(start, c: c1p + ldc, bias: bias1, width: width1) : V()
    var y2: V = rows > 2 ? startValue(start, c: c1p + 2 * ldc, bias: bias1, width: width1) : V()
    var y3: V = rows > 3 ? startValue(start, c: c1p + 3 * ldc, bias: bias1, width: width1) : V()
    var y4: V = rows > 4 ? startValue(start, c: c1p + 4 * ldc, bias: bias1, width: width1) : V()
    var y5: V = rows > 5 ? startValue(start, c: c1p + 5 * ldc, bias: bias1, width: width1) : V()
    let a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda
    let braw0 = UnsafeRawPointer(b0), braw1 = UnsafeRawPointer(b1)
    for kk in 0..<kCount {
        let u = braw0.loadUnaligned(fromByteOffset: kk * 64, as: V.self)
        let v = braw1.loadUnaligned(fromByteOffset: kk * 64, as: V.self)
        madd(&x0, a0[kk], u); madd(&y0, a0[kk], v)
        if rows > 1 { madd(&x1, a1[kk], u); madd(&y1, a1[kk], v) }
        if rows > 2 { madd(&x2, a2[kk], u); madd(&y2, a2[kk], v) }
        if rows > 3 { madd(&x3, a3[kk], u); madd(&y3, a3[kk], v) }
        if rows > 4 { madd(&x4, a4[kk], u); madd(&y4, a4[kk], v) }
        if rows > 5 { madd(&x5, a5[kk], u); madd(&y5, a5[kk], v) }
    }
    storePartial(x0, c, width: 16); storePartial(y0, c1p, width: width1)
    if rows > 1 { storePartial(x1, c + ldc, width: 16); storePartial(y1, c1p + ldc, width: width1) }
    if rows > 2 { storePartial(x2, c + 2 * ldc, width: 16); storePartial(y2, c1p + 2 * ldc, width: width1) }
    if rows > 3 { storePartial(x3, c + 3 * ldc, width: 16); storePartial(y3, c1p + 3 * ldc, width: width1) }
    if rows > 4 { storePartial(x4, c + 4 * ldc, width: 16); storePartial(y4, c1p + 4 * ldc, width: width1) }
    if rows > 5 { storePartial(x5, c + 5 * ldc, width: 16); storePartial(y5, c1p + 5 * ldc, width: width1) }
}

/// `rows` × 8 columns (half a panel) with `SIMD8` accumulators.
@inline(__always)
private func kernel8(rows: Int, a: UnsafePointer<Float>, lda: Int, kCount: Int, b: UnsafePointer<Float>,
                     c: UnsafeMutablePointer<Float>, ldc: Int, width: Int, start: KernelStart, bias: UnsafePointer<Float>?) {
    switch rows {
    case 6: kernel(SIMD8<Float>.self, rows: 6, a: a, lda: lda, kCount: kCount, b: b, c: c, ldc: ldc, width: width, start: start, bias: bias)
    case 4: kernel(SIMD8<Float>.self, rows: 4, a: a, lda: lda, kCount: kCount, b: b, c: c, ldc: ldc, width: width, start: start, bias: bias)
    case 2: kernel(SIMD8<Float>.self, rows: 2, a: a, lda: lda, kCount: kCount, b: b, c: c, ldc: ldc, width: width, start: start, bias: bias)
    default: kernel(SIMD8<Float>.self, rows: 1, a: a, lda: lda, kCount: kCount, b: b, c: c, ldc: ldc, width: width, start: start, bias: bias)
    }
}
