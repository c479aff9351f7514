// Dot products of mean-shifted rows with a handful of vectors (k-means++ candidates), compiled per
// CPU class like GEMMCore.swift (fused multiply-add in the AVX2 / AVX-512 builds).

/// Dot products too narrow for the packed GEMM: one pass over each row, no packing, no centred copy.
public enum FewVectorDots {
    /// `vectors` holds `groups` groups of 8 vectors, each group [8][d] row-major (pad unused vectors
    /// with zeros). For the l-th index i of `rows`, out[l·(8·groups) + t] = (x_i − shift)·v_t.
    /// The sum over d runs in a fixed order (8 lanes, then the lanes' sum), independent of threading.
    public static func shiftedDots(x: UnsafePointer<Float>, rows: UnsafeBufferPointer<Int>, d: Int, shift: UnsafePointer<Float>,
                                   vectors: UnsafePointer<Float>, groups: Int, out: UnsafeMutablePointer<Float>) {
        let d8 = d / 8 * 8
        let width = 8 * groups
        for (li, i) in rows.enumerated() {
            let row = x + i * d
            for g in 0..<groups {
                let v = vectors + g * 8 * d
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                var a4 = SIMD8<Float>(), a5 = SIMD8<Float>(), a6 = SIMD8<Float>(), a7 = SIMD8<Float>()
                var f = 0
                while f < d8 {
                    let xv = load8(row + f) - load8(shift + f)
                    fma8(&a0, xv, load8(v + f))
                    fma8(&a1, xv, load8(v + d + f))
                    fma8(&a2, xv, load8(v + 2 * d + f))
                    fma8(&a3, xv, load8(v + 3 * d + f))
                    fma8(&a4, xv, load8(v + 4 * d + f))
                    fma8(&a5, xv, load8(v + 5 * d + f))
                    fma8(&a6, xv, load8(v + 6 * d + f))
                    fma8(&a7, xv, load8(v + 7 * d + f))
                    f += 8
                }
                let o = out + li * width + g * 8
                o[0] = a0.sum(); o[1] = a1.sum(); o[2] = a2.sum(); o[3] = a3.sum()
                o[4] = a4.sum(); o[5] = a5.sum(); o[6] = a6.sum(); o[7] = a7.sum()
                if d8 < d {
                    for t in 0..<8 {
                        var s: Float = 0
                        for f in d8..<d { s += (row[f] - shift[f]) * v[t * d + f] }
                        o[t] += s
                    }
                }
            }
        }
    }

    /// Σ_f ((x_f − mean_f) − c_f)² in float32, 8 lanes (a row centred in float32, as the GEMM sees it).
    @inline(__always)
    public static func centredSquaredDistance(_ x: UnsafePointer<Float>, _ mean: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
                                              _ d: Int) -> Float {
        let d8 = d / 8 * 8
        var acc = SIMD8<Float>()
        var f = 0
        while f < d8 {
            let v = (load8(x + f) - load8(mean + f)) - load8(c + f)
            fma8(&acc, v, v)
            f += 8
        }
        var s = acc.sum()
        while f < d { let v = (x[f] - mean[f]) - c[f]; s += v * v; f += 1 }
        return s
    }
}

@inline(__always)
private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// acc += a·b, fused where the build targets FMA.
@inline(__always)
private func fma8(_ acc: inout SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) {
    #if ENGRAM_FMA || arch(arm64)
    acc.addProduct(a, b)
    #else
    acc += a * b
    #endif
}
