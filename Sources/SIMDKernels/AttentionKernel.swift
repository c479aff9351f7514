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
        var s = 0
        // Four keys at a time share the loads of q and give four independent accumulators;
        // each score is computed exactly as by `dot`.
        while s + 4 <= n {
            let x = dot4(q, keys + s * ld, ld, dim)
            for j in 0..<4 {
                scores[s + j] = x[j] * scale
                mx = max(mx, x[j] * scale)
            }
            s += 4
        }
        while s < n {
            let x = dot(q, keys + s * ld, dim) * scale
            scores[s] = x
            mx = max(mx, x)
            s += 1
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

/// (q·k₀, q·k₁, q·k₂, q·k₃) for keys k_j = k + j·ld, each summed exactly as `dot(q, k_j, n)`.
@inline(__always)
private func dot4(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ ld: Int, _ n: Int) -> SIMD4<Float> {
    var i = 0
    var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
    let qr = UnsafeRawPointer(q)
    let k0 = UnsafeRawPointer(k), k1 = UnsafeRawPointer(k + ld), k2 = UnsafeRawPointer(k + 2 * ld), k3 = UnsafeRawPointer(k + 3 * ld)
    while i + 16 <= n {
        let qv = qr.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
        a0 += qv * k0.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
        a1 += qv * k1.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
        a2 += qv * k2.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
        a3 += qv * k3.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
        i += 16
    }
    var r = SIMD4<Float>(a0.sum(), a1.sum(), a2.sum(), a3.sum())
    while i < n {
        r[0] += q[i] * k[i]; r[1] += q[i] * k[ld + i]; r[2] += q[i] * k[2 * ld + i]; r[3] += q[i] * k[3 * ld + i]
        i += 1
    }
    return r
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
