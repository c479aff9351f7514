// One query row of the Mimi transformer's windowed attention (scores, softmax, weighted sum of
// values), compiled per CPU class like GEMMCore.swift.

/// Attention for one query and one head, for this module's target CPU.
public enum AttentionKernel {
    /// out[c] = Σ_s softmax_s(scale · q·k_s) · v_s[c] for c < dim over the `count` keys/values
    /// k_s = keys + s·ld, v_s = values + s·ld (s in order). `scores` is scratch for `count` + 16 floats.
    @inline(never)
    public static func attendRow(q: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, ld: Int,
                                 count n: Int, dim: Int, scale: Float, scores: UnsafeMutablePointer<Float>,
                                 out: UnsafeMutablePointer<Float>) {
        var mx = -Float.infinity
        for s in 0..<n {
            let x = dot(q, keys + s * ld, dim) * scale
            scores[s] = x
            mx = max(mx, x)
        }
        var sum: Float = 0
        softmaxExp(scores, n, mx, &sum)
        weightedSum(scores, n: n, v: values, ldv: ld, dim: dim, scale: 1 / sum, out: out)
    }
}

/// Σ a[i]·b[i] over n floats.
@inline(__always)
private func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var i = 0
    var acc = SIMD16<Float>()
    let ar = UnsafeRawPointer(a), br = UnsafeRawPointer(b)
    while i + 16 <= n {
        acc += ar.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self) * br.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
        i += 16
    }
    var s = acc.sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}

/// scores[s] = exp(scores[s] − mx) for s < n; accumulates their sum.
@inline(__always)
private func softmaxExp(_ scores: UnsafeMutablePointer<Float>, _ n: Int, _ mx: Float, _ sum: inout Float) {
    var i = 0
    let r = UnsafeMutableRawPointer(scores)
    var acc = SIMD16<Float>()
    while i + 16 <= n {
        let e = VectorMath.expNonPositive(r.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self) - mx)
        r.storeBytes(of: e, toByteOffset: 4 * i, as: SIMD16<Float>.self)
        acc += e
        i += 16
    }
    if i < n {
        var v = SIMD16<Float>(repeating: -Float.infinity)
        for j in 0..<(n - i) { v[j] = scores[i + j] - mx }
        let e = VectorMath.expNonPositive(v)
        for j in 0..<(n - i) { scores[i + j] = e[j]; acc[j] += e[j] }
    }
    sum = acc.sum()
}

/// out[c] = scale · Σ_s p[s] · v[s·ldv + c] for c < dim.
@inline(__always)
private func weightedSum(_ p: UnsafePointer<Float>, n: Int, v: UnsafePointer<Float>, ldv: Int, dim: Int, scale: Float,
                 out: UnsafeMutablePointer<Float>) {
    var c = 0
    // 64 columns at a time: four independent accumulators (one would serialise on the add
    // latency). Each column is still summed over s in order, as in the 16-column loop below.
    while c + 64 <= dim {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
        for s in 0..<n {
            let w = SIMD16<Float>(repeating: p[s])
            let row = UnsafeRawPointer(v + s * ldv + c)
            a0 += w * row.loadUnaligned(as: SIMD16<Float>.self)
            a1 += w * row.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
            a2 += w * row.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self)
            a3 += w * row.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self)
        }
        let o = UnsafeMutableRawPointer(out + c)
        o.storeBytes(of: a0 * scale, as: SIMD16<Float>.self)
        o.storeBytes(of: a1 * scale, toByteOffset: 64, as: SIMD16<Float>.self)
        o.storeBytes(of: a2 * scale, toByteOffset: 128, as: SIMD16<Float>.self)
        o.storeBytes(of: a3 * scale, toByteOffset: 192, as: SIMD16<Float>.self)
        c += 64
    }
    while c + 16 <= dim {
        var acc = SIMD16<Float>()
        for s in 0..<n {
            acc += SIMD16(repeating: p[s]) * UnsafeRawPointer(v + s * ldv + c).loadUnaligned(as: SIMD16<Float>.self)
        }
        UnsafeMutableRawPointer(out + c).storeBytes(of: acc * scale, as: SIMD16<Float>.self)
        c += 16
    }
    while c < dim {
        var acc: Float = 0
        for s in 0..<n { acc += p[s] * v[s * ldv + c] }
        out[c] = acc * scale
        c += 1
    }
}
