// Register-blocked single-precision GEMM core for Numerics.GEMM: B packed into nr-column panels,
// A packed into 6-row micro-panels, a 6×nr micro-kernel of `PanelVector` accumulators, the inner
// dimension blocked by the caller. Each output element is the float sum over k-blocks (in order)
// of the float sum over the block (in order), so results do not depend on threading.
//
// This file is compiled into several modules (SIMDKernels, and through symlinks SIMDKernelsAVX2,
// SIMDKernelsAVX512) with different target-CPU flags; Numerics picks one module at run time.
// Entry points are public and `@inline(never)` so their bodies are only ever compiled with this
// module's flags, never inlined into a caller built for another CPU.

/// One vector of a micro-tile row: 16 floats (two AVX registers, or one AVX-512 register) when
/// the module targets AVX2+FMA, else 8 floats (two SSE registers), so that the 6 accumulators
/// fit the 16 vector registers. The AVX-512 build uses two per row (6×32 tile, 12 zmm
/// accumulators, enough independent FMAs to cover their latency). (`SIMD32<Float>` is not an
/// option: this Swift lowers its arithmetic lane by lane, ~0.4 GFLOP/s.)
#if ENGRAM_FMA || arch(arm64)
typealias PanelVector = SIMD16<Float>
#else
typealias PanelVector = SIMD8<Float>
#endif

/// Packing and the micro-kernel of Numerics' GEMM, for this module's target CPU.
public enum GEMMCore {
    /// Rows of the micro-kernel.
    public static let mr = 6
    /// Columns of the micro-kernel (one packed B panel): 32 for AVX-512, 16 for AVX2+FMA (and arm64),
    /// 8 on the baseline x86-64 target.
    #if ENGRAM_AVX512
    public static let nr = 2 * PanelVector.scalarCount
    #else
    public static let nr = PanelVector.scalarCount
    #endif
    /// true when the micro-kernel uses fused multiply-adds (one rounding per product-sum).
    public static let fusedMultiplyAdd: Bool = {
        #if ENGRAM_FMA || arch(arm64)
        return true
        #else
        return false
        #endif
    }()

    /// Packs rows `k0..<k0+kcb` of op(B) — B read as [k, n] (row stride `ld`), or as [n, k] when
    /// `transposed` — panels `panelStart..<panelEnd` (nr columns each, zero-padded past `n`) into
    /// `out`: panel p at `out + p * kcb * nr`, laid out [kcb][nr].
    @inline(never)
    public static func packB(_ base: UnsafePointer<Float>, ld: Int, transposed: Bool, k0: Int, kcb: Int, n: Int,
                             panelStart: Int, panelEnd: Int, into out: UnsafeMutablePointer<Float>) {
        for p in panelStart..<panelEnd {
            let j0 = p * nr
            let w = min(nr, n - j0)
            let dst = out + p * kcb * nr
            if !transposed {
                if w == nr {
                    let vw = PanelVector.scalarCount
                    for pp in 0..<kcb {
                        let src = UnsafeRawPointer(base + (k0 + pp) * ld + j0)
                        let d = UnsafeMutableRawPointer(dst + pp * nr)
                        for h in stride(from: 0, to: nr, by: vw) {
                            d.storeBytes(of: src.loadUnaligned(fromByteOffset: 4 * h, as: PanelVector.self), toByteOffset: 4 * h, as: PanelVector.self)
                        }
                    }
                } else {
                    for pp in 0..<kcb {
                        let src = base + (k0 + pp) * ld + j0
                        let row = dst + pp * nr
                        for jj in 0..<w { row[jj] = src[jj] }
                        for jj in w..<nr { row[jj] = 0 }
                    }
                }
            } else {
                for jj in 0..<w {
                    let src = base + (j0 + jj) * ld + k0
                    for pp in 0..<kcb { dst[pp * nr + jj] = src[pp] }
                }
                if w < nr { for pp in 0..<kcb { for jj in w..<nr { dst[pp * nr + jj] = 0 } } }
            }
        }
    }

    /// Packs rows `i0..<i0+rows`, columns `k0..<k0+kcb` of op(A) — A read as [m, k] (row stride
    /// `ld`), or as [k, m] when `transposed` — into 6-row micro-panels (zero-padded),
    /// micro-panel q at `out + q * kcb * 6`, laid out [kcb][6].
    @inline(never)
    public static func packA(_ base: UnsafePointer<Float>, ld: Int, transposed: Bool, i0: Int, rows: Int, k0: Int, kcb: Int,
                             into out: UnsafeMutablePointer<Float>) {
        let nq = (rows + mr - 1) / mr
        for q in 0..<nq {
            let r0 = i0 + q * mr
            let h = min(mr, rows - q * mr)
            let dst = out + q * kcb * mr
            if !transposed {
                for r in 0..<h {
                    let src = base + (r0 + r) * ld + k0
                    for pp in 0..<kcb { dst[pp * mr + r] = src[pp] }
                }
                if h < mr { for pp in 0..<kcb { for r in h..<mr { dst[pp * mr + r] = 0 } } }
            } else {
                for pp in 0..<kcb {
                    let src = base + (k0 + pp) * ld + r0
                    let d = dst + pp * mr
                    for r in 0..<h { d[r] = src[r] }
                    for r in h..<mr { d[r] = 0 }
                }
            }
        }
    }

    /// Runs the micro-kernel for one packed A block (rows `i0..<i0+rows`) against packed B panels
    /// `panelStart..<panelEnd`, writing C (row stride `ldc`, column count `n`); C = (accumulate ? C : 0) + A·B.
    /// Edge tiles go through a scratch tile. With `upperOnly`, tiles lying entirely below the
    /// diagonal (all columns < first row) are skipped.
    @inline(never)
    public static func computeBlock(aPack: UnsafePointer<Float>, i0: Int, rows: Int, bPack: UnsafePointer<Float>,
                                    panelStart: Int, panelEnd: Int, kcb: Int, n: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                                    accumulate: Bool, upperOnly: Bool) {
        let nq = (rows + mr - 1) / mr
        withUnsafeTemporaryAllocation(of: Float.self, capacity: mr * nr) { tileBuf in
            let tile = tileBuf.baseAddress!
            for p in panelStart..<panelEnd {
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
}

/// `acc += a * b`, fused where the module targets a CPU with FMA (on the baseline x86-64 target
/// `addProduct` would be a library call per lane).
@inline(__always)
private func multiplyAdd(_ acc: inout PanelVector, _ a: PanelVector, _ b: PanelVector) {
    #if ENGRAM_FMA || arch(arm64)
    acc.addProduct(a, b)
    #else
    acc += a * b
    #endif
}

#if ENGRAM_AVX512
/// C[6,32] (row stride `ldc`) = (accumulate ? C : 0) + Apanel[kcb][6]ᵀ · Bpanel[kcb][32], as two
/// 16-column halves sharing each broadcast of A.
@inline(__always)
private func microKernel(kcb: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                         c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    var x0 = PanelVector(), x1 = PanelVector(), x2 = PanelVector()
    var x3 = PanelVector(), x4 = PanelVector(), x5 = PanelVector()
    var y0 = PanelVector(), y1 = PanelVector(), y2 = PanelVector()
    var y3 = PanelVector(), y4 = PanelVector(), y5 = PanelVector()
    var pa = a
    var pb = UnsafeRawPointer(b)
    let half = MemoryLayout<PanelVector>.size
    for _ in 0..<kcb {
        let u = pb.loadUnaligned(as: PanelVector.self)
        let v = pb.loadUnaligned(fromByteOffset: half, as: PanelVector.self)
        var s = PanelVector(repeating: pa[0])
        multiplyAdd(&x0, s, u); multiplyAdd(&y0, s, v)
        s = PanelVector(repeating: pa[1])
        multiplyAdd(&x1, s, u); multiplyAdd(&y1, s, v)
        s = PanelVector(repeating: pa[2])
        multiplyAdd(&x2, s, u); multiplyAdd(&y2, s, v)
        s = PanelVector(repeating: pa[3])
        multiplyAdd(&x3, s, u); multiplyAdd(&y3, s, v)
        s = PanelVector(repeating: pa[4])
        multiplyAdd(&x4, s, u); multiplyAdd(&y4, s, v)
        s = PanelVector(repeating: pa[5])
        multiplyAdd(&x5, s, u); multiplyAdd(&y5, s, v)
        pa += 6
        pb += 2 * half
    }
    let w = PanelVector.scalarCount
    storeRow(x0, c, accumulate); storeRow(y0, c + w, accumulate)
    storeRow(x1, c + ldc, accumulate); storeRow(y1, c + ldc + w, accumulate)
    storeRow(x2, c + 2 * ldc, accumulate); storeRow(y2, c + 2 * ldc + w, accumulate)
    storeRow(x3, c + 3 * ldc, accumulate); storeRow(y3, c + 3 * ldc + w, accumulate)
    storeRow(x4, c + 4 * ldc, accumulate); storeRow(y4, c + 4 * ldc + w, accumulate)
    storeRow(x5, c + 5 * ldc, accumulate); storeRow(y5, c + 5 * ldc + w, accumulate)
}
#else
/// C[6,nr] (row stride `ldc`) = (accumulate ? C : 0) + Apanel[kcb][6]ᵀ · Bpanel[kcb][nr].
@inline(__always)
private func microKernel(kcb: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                         c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    var c0 = PanelVector(), c1 = PanelVector(), c2 = PanelVector()
    var c3 = PanelVector(), c4 = PanelVector(), c5 = PanelVector()
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kcb {
        let bv = pb.loadUnaligned(as: PanelVector.self)
        multiplyAdd(&c0, PanelVector(repeating: pa[0]), bv)
        multiplyAdd(&c1, PanelVector(repeating: pa[1]), bv)
        multiplyAdd(&c2, PanelVector(repeating: pa[2]), bv)
        multiplyAdd(&c3, PanelVector(repeating: pa[3]), bv)
        multiplyAdd(&c4, PanelVector(repeating: pa[4]), bv)
        multiplyAdd(&c5, PanelVector(repeating: pa[5]), bv)
        pa += 6
        pb += MemoryLayout<PanelVector>.size
    }
    storeRow(c0, c, accumulate)
    storeRow(c1, c + ldc, accumulate)
    storeRow(c2, c + 2 * ldc, accumulate)
    storeRow(c3, c + 3 * ldc, accumulate)
    storeRow(c4, c + 4 * ldc, accumulate)
    storeRow(c5, c + 5 * ldc, accumulate)
}
#endif

@inline(__always)
private func storeRow(_ v: PanelVector, _ p: UnsafeMutablePointer<Float>, _ accumulate: Bool) {
    let raw = UnsafeMutableRawPointer(p)
    if accumulate {
        raw.storeBytes(of: raw.loadUnaligned(as: PanelVector.self) + v, as: PanelVector.self)
    } else {
        raw.storeBytes(of: v, as: PanelVector.self)
    }
}
