// Element-wise activations of the Mimi encoder (ELU after each SEANet stage, the exact GELU of
// the transformer's feed-forward), compiled per CPU class like GEMMCore.swift.

/// ELU and GELU over float arrays, for this module's target CPU.
public enum Elementwise {
    /// dst[i] = ELU(src[i]) (α = 1) for i in 0..<count (dst may equal src). The scalar tail uses the same maths.
    @inline(never)
    public static func elu(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        apply(src, dst, count: count, VectorMath.elu)
    }

    /// dst[i] = GELU(src[i]) (exact erf form) for i in 0..<count (dst may equal src).
    @inline(never)
    public static func gelu(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        apply(src, dst, count: count, VectorMath.gelu)
    }
}

@inline(__always)
private func apply(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int,
                   _ f: (SIMD16<Float>) -> SIMD16<Float>) {
    var i = 0
    let s = UnsafeRawPointer(src), d = UnsafeMutableRawPointer(dst)
    while i + 16 <= count {
        d.storeBytes(of: f(s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)), toByteOffset: 4 * i, as: SIMD16<Float>.self)
        i += 16
    }
    if i < count {
        var v = SIMD16<Float>()
        for j in 0..<(count - i) { v[j] = src[i + j] }
        let r = f(v)
        for j in 0..<(count - i) { dst[i + j] = r[j] }
    }
}
