// Vectorised float32 exp / expm1 / erfc used by Elementwise.swift and AttentionKernel.swift,
// compiled per CPU class like GEMMCore.swift.

/// Vectorised float32 exp / expm1 / erfc for the encoder's element-wise passes (ELU, GELU,
/// softmax). Libm calls per element would cost more than the convolutions they follow.
/// Accuracy: a few ulp (Cephes-style range reduction and polynomial); expm1 keeps full
/// relative precision near 0.
enum VectorMath {
    typealias V = SIMD16<Float>
    typealias VI = SIMD16<Int32>

    static let log2e: Float = 1.44269504088896341
    static let ln2Hi: Float = 0.693359375
    static let ln2Lo: Float = -2.12194440e-4

    /// exp(r) − 1 for |r| ≤ ln2/2 (Cephes expf polynomial).
    @inline(__always)
    static func expm1Reduced(_ r: V) -> V {
        var p = V(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        return r + (r * r) * p
    }

    /// 1.5 · 2²³: adding it to |v| < 2²² rounds v to an integer held in the low mantissa bits.
    static let magic: Float = 12582912
    static let magicBits: Int32 = 0x4B40_0000

    /// x = n·ln2 + r with n integer, |r| ≤ ln2/2. Returns (n as float, 2^n, r); x in [-87.3, 88.3].
    /// 2^n is built from the bits of n + magic, avoiding a float → int vector conversion (which
    /// the default x86-64 target lowers to a slow generic loop).
    @inline(__always)
    static func reduce(_ x: V) -> (V, V, V) {
        let shifted = x * log2e + magic
        let n = shifted - magic
        let r = (x - n * ln2Hi) - n * ln2Lo
        let nInt = unsafeBitCast(shifted, to: VI.self) &- magicBits
        let scale = unsafeBitCast((nInt &+ 127) &<< 23, to: V.self)
        return (n, scale, r)
    }

    /// All-ones lanes where v < 0 (sign bit set), else zero. SIMD comparisons and
    /// `replacing(with:where:)` compile to per-lane loops on the default x86-64 target, so the
    /// selections below use the sign bit and bitwise ops instead.
    @inline(__always)
    static func negativeMask(_ v: V) -> VI { unsafeBitCast(v, to: VI.self) &>> 31 }

    /// Lanes of `a` where mask is set, else lanes of `b`.
    @inline(__always)
    static func select(_ mask: VI, _ a: V, _ b: V) -> V {
        unsafeBitCast((unsafeBitCast(a, to: VI.self) & mask) | (unsafeBitCast(b, to: VI.self) & ~mask), to: V.self)
    }

    /// max(x, lo) for lanes (x − lo must not be NaN).
    @inline(__always)
    static func atLeast(_ x: V, _ lo: Float) -> V { select(negativeMask(x - lo), V(repeating: lo), x) }

    /// exp(x) for x ≤ 0 (−inf allowed); x below −87.3 gives exp(−87.3) ≈ 1.2e-38.
    @inline(__always)
    static func expNonPositive(_ x: V) -> V {
        let (_, s, r) = reduce(atLeast(x, -87.3))
        return (expm1Reduced(r) + 1) * s
    }

    /// exp(x) − 1 for x ≤ 0 (ELU's negative branch); x clamped below at −87.
    @inline(__always)
    static func expm1NonPositive(_ x: V) -> V {
        let (_, s, r) = reduce(atLeast(x, -87))
        return s * expm1Reduced(r) + (s - 1)
    }

    /// erfc(z) for z ≥ 0 (Numerical Recipes' Chebyshev fit, fractional error < 1.2e-7).
    @inline(__always)
    static func erfcNonNegative(_ z: V) -> V {
        let t = 1 / (z * 0.5 + 1)
        var p = V(repeating: 0.17087277)
        p = p * t - 0.82215223
        p = p * t + 1.48851587
        p = p * t - 1.13520398
        p = p * t + 0.27886807
        p = p * t - 0.18628806
        p = p * t + 0.09678418
        p = p * t + 0.37409196
        p = p * t + 1.00002368
        p = p * t - 1.26551223
        return t * expNonPositive(p - z * z)
    }

    /// ELU (α = 1): x for x > 0, exp(x) − 1 otherwise.
    @inline(__always)
    static func elu(_ x: V) -> V {
        let neg = negativeMask(x)
        let xNeg = unsafeBitCast(unsafeBitCast(x, to: VI.self) & neg, to: V.self)     // min(x, 0)
        return select(neg, expm1NonPositive(xNeg), x)
    }

    /// Exact (erf) GELU: x·Φ(x) = x·(1 − ½·erfc(x/√2)) for x ≥ 0, ½·x·erfc(−x/√2) otherwise.
    @inline(__always)
    static func gelu(_ x: V) -> V {
        let absX = unsafeBitCast(unsafeBitCast(x, to: VI.self) & 0x7FFF_FFFF, to: V.self)
        let e = erfcNonNegative(absX * 0.70710678118654752)
        return select(negativeMask(x), 0.5 * x * e, x * (1 - 0.5 * e))
    }
}
