import SIMDKernels
import SIMDKernelsAVX2
import SIMDKernelsAVX512

/// Dot products of mean-shifted rows with a handful of vectors, for products too narrow for the
/// packed GEMM (k-means++ candidates): `FewVectorDots.shiftedDots` of the active kernel set
/// (`SIMDKernelSet.active`; fused multiply-add on AVX2 / AVX-512).
///
/// `vectors` holds `groups` groups of 8 vectors, each group [8][d] row-major (pad unused vectors
/// with zeros). For the l-th row i of `rows`, out[l·(8·groups) + t] = (x_i − shift)·v_t.
func shiftedDotsWithFewVectors(x: UnsafePointer<Float>, rows: UnsafeBufferPointer<Int>, d: Int, shift: UnsafePointer<Float>,
                               vectors: UnsafePointer<Float>, groups: Int, out: UnsafeMutablePointer<Float>) {
    switch SIMDKernelSet.active {
    case .baseline:
        SIMDKernels.FewVectorDots.shiftedDots(x: x, rows: rows, d: d, shift: shift, vectors: vectors, groups: groups, out: out)
    case .avx2:
        SIMDKernelsAVX2.FewVectorDots.shiftedDots(x: x, rows: rows, d: d, shift: shift, vectors: vectors, groups: groups, out: out)
    case .avx512:
        SIMDKernelsAVX512.FewVectorDots.shiftedDots(x: x, rows: rows, d: d, shift: shift, vectors: vectors, groups: groups, out: out)
    }
}
