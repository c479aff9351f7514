// Register-blocked single-precision GEMM core: B packed into nr-column panels, A packed into
// 6-row micro-panels, a 6×nr micro-kernel of `PanelVector` accumulators (nr = 16 with ENGRAM_FMA,
// 8 on the baseline target), the inner dimension blocked by `GEMMBlocking.kc`. Each output element is the float sum over k-blocks (in order) of
// the float sum over the block (in order), so results do not depend on threading.

/// One row of a micro-tile: 16 floats (two AVX registers) when the build targets AVX2+FMA, else
/// 8 floats (two SSE registers), so that the 6 accumulators fit the 16 vector registers.
#if ENGRAM_FMA || arch(arm64)
typealias PanelVector = SIMD16<Float>
#else
typealias PanelVector = SIMD8<Float>
#endif

/// Block sizes of the packed GEMM.
enum GEMMBlocking {
    /// Rows of the micro-kernel.
    static let mr = 6
    /// Columns of the micro-kernel (one B panel).
    static let nr = PanelVector.scalarCount
    /// Inner-dimension block.
    static let kc = 256
    /// Rows of A packed together (a multiple of `mr`).
    static let mc = 144
}

/// A read-only matrix view: element (r, c) is `base[c * ld + r]` when `transposed`, else `base[r * ld + c]`.
struct MatrixOperand: @unchecked Sendable {
    let base: UnsafePointer<Float>
    let ld: Int
    let transposed: Bool
}

/// 64-byte-aligned scratch floats.
@inline(__always)
func allocateAligned(_ count: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<Float>.stride, alignment: 64)
        .bindMemory(to: Float.self, capacity: max(1, count))
}

/// Packs B rows `k0..<k0+kcb`, panels `panels` (16 columns each, zero-padded past `n`) into `out`,
/// panel p at `out + p * kcb * 16`, laid out [kcb][16].
func packB(_ b: MatrixOperand, k0: Int, kcb: Int, n: Int, panels: Range<Int>, into out: UnsafeMutablePointer<Float>) {
    let nr = GEMMBlocking.nr
    for p in panels {
        let j0 = p * nr
        let w = min(nr, n - j0)
        let dst = out + p * kcb * nr
        if !b.transposed {
            if w == nr {
                for pp in 0..<kcb {
                    let src = UnsafeRawPointer(b.base + (k0 + pp) * b.ld + j0)
                    UnsafeMutableRawPointer(dst + pp * nr).storeBytes(of: src.loadUnaligned(as: PanelVector.self), as: PanelVector.self)
                }
            } else {
                for pp in 0..<kcb {
                    let src = b.base + (k0 + pp) * b.ld + j0
                    let row = dst + pp * nr
                    for jj in 0..<w { row[jj] = src[jj] }
                    for jj in w..<nr { row[jj] = 0 }
                }
            }
        } else {
            for jj in 0..<w {
                let src = b.base + (j0 + jj) * b.ld + k0
                for pp in 0..<kcb { dst[pp * nr + jj] = src[pp] }
            }
            if w < nr { for pp in 0..<kcb { for jj in w..<nr { dst[pp * nr + jj] = 0 } } }
        }
    }
}

/// Packs A rows `i0..<i0+rows`, columns `k0..<k0+kcb` into 6-row micro-panels (zero-padded),
/// micro-panel q at `out + q * kcb * 6`, laid out [kcb][6].
func packA(_ a: MatrixOperand, i0: Int, rows: Int, k0: Int, kcb: Int, into out: UnsafeMutablePointer<Float>) {
    let mr = GEMMBlocking.mr
    let nq = (rows + mr - 1) / mr
    for q in 0..<nq {
        let r0 = i0 + q * mr
        let h = min(mr, rows - q * mr)
        let dst = out + q * kcb * mr
        if !a.transposed {
            for r in 0..<h {
                let src = a.base + (r0 + r) * a.ld + k0
                for pp in 0..<kcb { dst[pp * mr + r] = src[pp] }
            }
            if h < mr { for pp in 0..<kcb { for r in h..<mr { dst[pp * mr + r] = 0 } } }
        } else {
            for pp in 0..<kcb {
                let src = a.base + (k0 + pp) * a.ld + r0
                let d = dst + pp * mr
                for r in 0..<h { d[r] = src[r] }
                for r in h..<mr { d[r] = 0 }
            }
        }
    }
}

/// `acc += a * b` (or a fused multiply-add where the build targets a CPU with FMA: see README).
@inline(__always)
func multiplyAdd(_ acc: inout PanelVector, _ a: PanelVector, _ b: PanelVector) {
    #if ENGRAM_FMA || arch(arm64)
    acc.addProduct(a, b)
    #else
    acc += a * b
    #endif
}

/// C[6,nr] (row stride `ldc`) = (accumulate ? C : 0) + Apanel[kcb][6]ᵀ · Bpanel[kcb][nr].
@inline(__always)
func microKernel(kcb: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                     c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    var c0 = PanelVector(), c1 = PanelVector(), c2 = PanelVector()
    var c3 = PanelVector(), c4 = PanelVector(), c5 = PanelVector()
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kcb {
        let bv = pb.load(as: PanelVector.self)
        multiplyAdd(&c0, PanelVector(repeating: pa[0]), bv)
        multiplyAdd(&c1, PanelVector(repeating: pa[1]), bv)
        multiplyAdd(&c2, PanelVector(repeating: pa[2]), bv)
        multiplyAdd(&c3, PanelVector(repeating: pa[3]), bv)
        multiplyAdd(&c4, PanelVector(repeating: pa[4]), bv)
        multiplyAdd(&c5, PanelVector(repeating: pa[5]), bv)
        pa += 6
        pb += MemoryLayout<PanelVector>.size
    }
    store(c0, c, accumulate)
    store(c1, c + ldc, accumulate)
    store(c2, c + 2 * ldc, accumulate)
    store(c3, c + 3 * ldc, accumulate)
    store(c4, c + 4 * ldc, accumulate)
    store(c5, c + 5 * ldc, accumulate)
}

@inline(__always)
private func store(_ v: PanelVector, _ p: UnsafeMutablePointer<Float>, _ accumulate: Bool) {
    let raw = UnsafeMutableRawPointer(p)
    if accumulate {
        raw.storeBytes(of: raw.loadUnaligned(as: PanelVector.self) + v, as: PanelVector.self)
    } else {
        raw.storeBytes(of: v, as: PanelVector.self)
    }
}

/// Runs the micro-kernel for one packed A block (rows `i0..<i0+rows`) against packed B panels
/// `panels`, writing C (row stride `ldc`, column count `n`). Edge tiles go through a scratch tile.
/// With `upperOnly`, tiles lying entirely below the diagonal (all columns < first row) are skipped.
func computeBlock(aPack: UnsafePointer<Float>, i0: Int, rows: Int, bPack: UnsafePointer<Float>,
                  panels: Range<Int>, kcb: Int, n: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                  accumulate: Bool, upperOnly: Bool) {
    let mr = GEMMBlocking.mr, nr = GEMMBlocking.nr
    let nq = (rows + mr - 1) / mr
    withUnsafeTemporaryAllocation(of: Float.self, capacity: mr * nr) { tileBuf in
        let tile = tileBuf.baseAddress!
        for p in panels {
            let j0 = p * nr
            let w = min(nr, n - j0)
            let bp = bPack + p * kcb * nr
            for q in 0..<nq {
                let r0 = i0 + q * mr
                if upperOnly && j0 + nr <= r0 { continue }
                let h = min(mr, rows - q * mr)
                let ap = aPack + q * kcb * mr
                let cp = c + r0 * ldc + j0
                if h == mr && w == nr {
                    microKernel(kcb: kcb, a: ap, b: bp, c: cp, ldc: ldc, accumulate: accumulate)
                } else {
                    if accumulate {
                        for r in 0..<mr { for j in 0..<nr { tile[r * nr + j] = (r < h && j < w) ? cp[r * ldc + j] : 0 } }
                    }
                    microKernel(kcb: kcb, a: ap, b: bp, c: tile, ldc: nr, accumulate: accumulate)
                    for r in 0..<h { for j in 0..<w { cp[r * ldc + j] = tile[r * nr + j] } }
                }
            }
        }
    }
}
