import Foundation

/// A complex discrete Fourier transform of fixed length n (any n ≥ 1), forward sign convention
///
///     X[s] = Σ_t x[t] · exp(−2πi · s · t / n),   s, t ∈ [0, n)
///
/// (numpy.fft.fft's convention, unnormalised). Mixed-radix Stockham autosort algorithm: n is
/// factored into radices 4, 2, 3, 5 and, for other primes, a direct O(p²) butterfly; every stage
/// reads one buffer and writes the other, so no bit-reversal pass is needed. Data are split
/// real / imaginary float32 arrays; twiddle factors are computed in Double and rounded once.
///
/// Immutable and `Sendable`: build one plan per length and share it; each call needs its own
/// scratch buffers (see `forward(re:im:scratchRe:scratchIm:)`).
public struct FFT: Sendable {
    public let length: Int
    /// Radices in the order the stages apply them (their product is `length`).
    public let radices: [Int]
    /// Per stage: twiddles ω_L^{s·r} for s ∈ [0, l), r ∈ [0, p), stored [s][r] (cos, −sin parts).
    private let twiddleRe: [[Float]]
    private let twiddleIm: [[Float]]
    /// Per distinct radix p > 5: the p-th roots ω_p^j, j ∈ [0, p).
    private let rootsRe: [Int: [Float]]
    private let rootsIm: [Int: [Float]]

    public init(length n: Int) {
        precondition(n >= 1, "FFT length must be positive")
        length = n
        var radices = [Int](), rest = n
        while rest % 4 == 0 { radices.append(4); rest /= 4 }
        while rest % 2 == 0 { radices.append(2); rest /= 2 }
        var f = 3
        while rest > 1 {
            while rest % f == 0 { radices.append(f); rest /= f }
            f += 2
            if f * f > rest && rest > 1 { radices.append(rest); rest = 1 }
        }
        self.radices = radices
        var twRe = [[Float]](), twIm = [[Float]]()
        var l = 1
        for p in radices {
            let L = l * p
            var re = [Float](repeating: 0, count: l * p), im = re
            for s in 0..<l {
                for r in 0..<p {
                    let a = -2.0 * Double.pi * Double((s * r) % L) / Double(L)
                    re[s * p + r] = Float(cos(a)); im[s * p + r] = Float(sin(a))
                }
            }
            twRe.append(re); twIm.append(im)
            l = L
        }
        twiddleRe = twRe; twiddleIm = twIm
        var rRe = [Int: [Float]](), rIm = [Int: [Float]]()
        for p in Set(radices) where p > 5 {
            rRe[p] = (0..<p).map { Float(cos(-2.0 * Double.pi * Double($0) / Double(p))) }
            rIm[p] = (0..<p).map { Float(sin(-2.0 * Double.pi * Double($0) / Double(p))) }
        }
        rootsRe = rRe; rootsIm = rIm
    }

    /// In-place forward transform of `re`/`im` (each `length` values). `scratchRe`/`scratchIm`
    /// must hold `length` values each (contents are overwritten).
    public func forward(re: UnsafeMutablePointer<Float>, im: UnsafeMutablePointer<Float>,
                        scratchRe: UnsafeMutablePointer<Float>, scratchIm: UnsafeMutablePointer<Float>) {
        let n = length
        var srcRe = re, srcIm = im, dstRe = scratchRe, dstIm = scratchIm
        var l = 1
        for (stage, p) in radices.enumerated() {
            let m = n / (l * p)
            twiddleRe[stage].withUnsafeBufferPointer { wr in
                twiddleIm[stage].withUnsafeBufferPointer { wi in
                    switch p {
                    case 2: Self.radix2(l: l, m: m, srcRe, srcIm, dstRe, dstIm, wr.baseAddress!, wi.baseAddress!)
                    case 3: Self.radix3(l: l, m: m, srcRe, srcIm, dstRe, dstIm, wr.baseAddress!, wi.baseAddress!)
                    case 4: Self.radix4(l: l, m: m, srcRe, srcIm, dstRe, dstIm, wr.baseAddress!, wi.baseAddress!)
                    case 5: Self.radix5(l: l, m: m, srcRe, srcIm, dstRe, dstIm, wr.baseAddress!, wi.baseAddress!)
                    default:
                        rootsRe[p]!.withUnsafeBufferPointer { rr in
                            rootsIm[p]!.withUnsafeBufferPointer { ri in
                                Self.radixGeneric(p: p, l: l, m: m, srcRe, srcIm, dstRe, dstIm,
                                                  wr.baseAddress!, wi.baseAddress!, rr.baseAddress!, ri.baseAddress!)
                            }
                        }
                    }
                }
            }
            swap(&srcRe, &dstRe); swap(&srcIm, &dstIm)
            l *= p
        }
        if srcRe != re {
            re.update(from: srcRe, count: n)
            im.update(from: srcIm, count: n)
        }
    }

    /// Forward transform of arrays (allocates scratch; convenient, not for hot loops).
    public func forward(re: inout [Float], im: inout [Float]) {
        precondition(re.count == length && im.count == length, "FFT input length mismatch")
        var sRe = [Float](repeating: 0, count: length), sIm = sRe
        re.withUnsafeMutableBufferPointer { r in
            im.withUnsafeMutableBufferPointer { i in
                sRe.withUnsafeMutableBufferPointer { a in
                    sIm.withUnsafeMutableBufferPointer { b in
                        forward(re: r.baseAddress!, im: i.baseAddress!, scratchRe: a.baseAddress!, scratchIm: b.baseAddress!)
                    }
                }
            }
        }
    }

    // One Stockham stage of radix p: for s ∈ [0, l), k ∈ [0, m), with a_r = ω_L^{s r} · src[(s·p + r)·m + k]
    // (the length-l transforms of the p interleaved subsequences), writes
    // dst[(s + l·q)·m + k] = Σ_r ω_p^{q r} a_r for q ∈ [0, p).
    // (src is indexed [s][r][k] because the previous stage wrote its outputs as [s' = s·p + r][k].)

    private static func radix2(l: Int, m: Int, _ xr: UnsafeMutablePointer<Float>, _ xi: UnsafeMutablePointer<Float>,
                                _ yr: UnsafeMutablePointer<Float>, _ yi: UnsafeMutablePointer<Float>,
                                _ wr: UnsafePointer<Float>, _ wi: UnsafePointer<Float>) {
        for s in 0..<l {
            let w1r = wr[s * 2 + 1], w1i = wi[s * 2 + 1]
            let i0 = (s * 2) * m, i1 = i0 + m
            let o0 = s * m, o1 = (s + l) * m
            for k in 0..<m {
                let ar = xr[i0 + k], ai = xi[i0 + k]
                let br = xr[i1 + k] * w1r - xi[i1 + k] * w1i
                let bi = xr[i1 + k] * w1i + xi[i1 + k] * w1r
                yr[o0 + k] = ar + br; yi[o0 + k] = ai + bi
                yr[o1 + k] = ar - br; yi[o1 + k] = ai - bi
            }
        }
    }

    private static func radix3(l: Int, m: Int, _ xr: UnsafeMutablePointer<Float>, _ xi: UnsafeMutablePointer<Float>,
                                _ yr: UnsafeMutablePointer<Float>, _ yi: UnsafeMutablePointer<Float>,
                                _ wr: UnsafePointer<Float>, _ wi: UnsafePointer<Float>) {
        let c1: Float = -0.5                       // cos(2π/3)
        let s1: Float = -0.866025403784438646763   // −sin(2π/3)
        for s in 0..<l {
            let w1r = wr[s * 3 + 1], w1i = wi[s * 3 + 1], w2r = wr[s * 3 + 2], w2i = wi[s * 3 + 2]
            let i0 = (s * 3) * m, i1 = i0 + m, i2 = i1 + m
            let o0 = s * m, o1 = (s + l) * m, o2 = (s + 2 * l) * m
            for k in 0..<m {
                let ar = xr[i0 + k], ai = xi[i0 + k]
                let br = xr[i1 + k] * w1r - xi[i1 + k] * w1i, bi = xr[i1 + k] * w1i + xi[i1 + k] * w1r
                let cr = xr[i2 + k] * w2r - xi[i2 + k] * w2i, ci = xr[i2 + k] * w2i + xi[i2 + k] * w2r
                let tr = br + cr, ti = bi + ci
                let ur = ar + c1 * tr, ui = ai + c1 * ti
                let vr = s1 * (bi - ci), vi = s1 * (br - cr)   // −i·s1·(b − c) split
                yr[o0 + k] = ar + tr; yi[o0 + k] = ai + ti
                yr[o1 + k] = ur - vr; yi[o1 + k] = ui + vi
                yr[o2 + k] = ur + vr; yi[o2 + k] = ui - vi
            }
        }
    }

    private static func radix4(l: Int, m: Int, _ xr: UnsafeMutablePointer<Float>, _ xi: UnsafeMutablePointer<Float>,
                                _ yr: UnsafeMutablePointer<Float>, _ yi: UnsafeMutablePointer<Float>,
                                _ wr: UnsafePointer<Float>, _ wi: UnsafePointer<Float>) {
        for s in 0..<l {
            let w1r = wr[s * 4 + 1], w1i = wi[s * 4 + 1]
            let w2r = wr[s * 4 + 2], w2i = wi[s * 4 + 2]
            let w3r = wr[s * 4 + 3], w3i = wi[s * 4 + 3]
            let i0 = (s * 4) * m, i1 = i0 + m, i2 = i1 + m, i3 = i2 + m
            let o0 = s * m, o1 = (s + l) * m, o2 = (s + 2 * l) * m, o3 = (s + 3 * l) * m
            for k in 0..<m {
                let ar = xr[i0 + k], ai = xi[i0 + k]
                let br = xr[i1 + k] * w1r - xi[i1 + k] * w1i, bi = xr[i1 + k] * w1i + xi[i1 + k] * w1r
                let cr = xr[i2 + k] * w2r - xi[i2 + k] * w2i, ci = xr[i2 + k] * w2i + xi[i2 + k] * w2r
                let dr = xr[i3 + k] * w3r - xi[i3 + k] * w3i, di = xr[i3 + k] * w3i + xi[i3 + k] * w3r
                // X0 = a+b+c+d, X1 = a−ib−c+id, X2 = a−b+c−d, X3 = a+ib−c−id
                let t0r = ar + cr, t0i = ai + ci, t1r = ar - cr, t1i = ai - ci
                let t2r = br + dr, t2i = bi + di, t3r = br - dr, t3i = bi - di
                yr[o0 + k] = t0r + t2r; yi[o0 + k] = t0i + t2i
                yr[o1 + k] = t1r + t3i; yi[o1 + k] = t1i - t3r
                yr[o2 + k] = t0r - t2r; yi[o2 + k] = t0i - t2i
                yr[o3 + k] = t1r - t3i; yi[o3 + k] = t1i + t3r
            }
        }
    }

    private static func radix5(l: Int, m: Int, _ xr: UnsafeMutablePointer<Float>, _ xi: UnsafeMutablePointer<Float>,
                                _ yr: UnsafeMutablePointer<Float>, _ yi: UnsafeMutablePointer<Float>,
                                _ wr: UnsafePointer<Float>, _ wi: UnsafePointer<Float>) {
        let c1: Float = 0.309016994374947424102    // cos(2π/5)
        let c2: Float = -0.809016994374947424102   // cos(4π/5)
        let s1: Float = 0.951056516295153572116    // sin(2π/5)
        let s2: Float = 0.587785252292473129169    // sin(4π/5)
        for s in 0..<l {
            let w1r = wr[s * 5 + 1], w1i = wi[s * 5 + 1], w2r = wr[s * 5 + 2], w2i = wi[s * 5 + 2]
            let w3r = wr[s * 5 + 3], w3i = wi[s * 5 + 3], w4r = wr[s * 5 + 4], w4i = wi[s * 5 + 4]
            let i0 = (s * 5) * m, i1 = i0 + m, i2 = i1 + m, i3 = i2 + m, i4 = i3 + m
            let o0 = s * m, o1 = (s + l) * m, o2 = (s + 2 * l) * m, o3 = (s + 3 * l) * m, o4 = (s + 4 * l) * m
            for k in 0..<m {
                let ar = xr[i0 + k], ai = xi[i0 + k]
                let b1r = xr[i1 + k] * w1r - xi[i1 + k] * w1i, b1i = xr[i1 + k] * w1i + xi[i1 + k] * w1r
                let b2r = xr[i2 + k] * w2r - xi[i2 + k] * w2i, b2i = xr[i2 + k] * w2i + xi[i2 + k] * w2r
                let b3r = xr[i3 + k] * w3r - xi[i3 + k] * w3i, b3i = xr[i3 + k] * w3i + xi[i3 + k] * w3r
                let b4r = xr[i4 + k] * w4r - xi[i4 + k] * w4i, b4i = xr[i4 + k] * w4i + xi[i4 + k] * w4r
                let t1r = b1r + b4r, t1i = b1i + b4i, t2r = b2r + b3r, t2i = b2i + b3i
                let t3r = b1r - b4r, t3i = b1i - b4i, t4r = b2r - b3r, t4i = b2i - b3i
                let u1r = ar + c1 * t1r + c2 * t2r, u1i = ai + c1 * t1i + c2 * t2i
                let u2r = ar + c2 * t1r + c1 * t2r, u2i = ai + c2 * t1i + c1 * t2i
                // v1 = −i·(s1·t3 + s2·t4), v2 = −i·(s2·t3 − s1·t4)
                let v1r = s1 * t3i + s2 * t4i, v1i = -(s1 * t3r + s2 * t4r)
                let v2r = s2 * t3i - s1 * t4i, v2i = -(s2 * t3r - s1 * t4r)
                yr[o0 + k] = ar + t1r + t2r; yi[o0 + k] = ai + t1i + t2i
                yr[o1 + k] = u1r + v1r; yi[o1 + k] = u1i + v1i
                yr[o2 + k] = u2r + v2r; yi[o2 + k] = u2i + v2i
                yr[o3 + k] = u2r - v2r; yi[o3 + k] = u2i - v2i
                yr[o4 + k] = u1r - v1r; yi[o4 + k] = u1i - v1i
            }
        }
    }

    private static func radixGeneric(p: Int, l: Int, m: Int, _ xr: UnsafeMutablePointer<Float>, _ xi: UnsafeMutablePointer<Float>,
                                      _ yr: UnsafeMutablePointer<Float>, _ yi: UnsafeMutablePointer<Float>,
                                      _ wr: UnsafePointer<Float>, _ wi: UnsafePointer<Float>,
                                      _ rr: UnsafePointer<Float>, _ ri: UnsafePointer<Float>) {
        var ar = [Float](repeating: 0, count: p), ai = ar
        for s in 0..<l {
            for k in 0..<m {
                for r in 0..<p {
                    let zr = xr[(s * p + r) * m + k], zi = xi[(s * p + r) * m + k]
                    let tr = wr[s * p + r], ti = wi[s * p + r]
                    ar[r] = zr * tr - zi * ti; ai[r] = zr * ti + zi * tr
                }
                for q in 0..<p {
                    var sr: Float = 0, si: Float = 0
                    for r in 0..<p {
                        let e = (q * r) % p
                        sr += ar[r] * rr[e] - ai[r] * ri[e]
                        si += ar[r] * ri[e] + ai[r] * rr[e]
                    }
                    yr[(s + l * q) * m + k] = sr; yi[(s + l * q) * m + k] = si
                }
            }
        }
    }
}
