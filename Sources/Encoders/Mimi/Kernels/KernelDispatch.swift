import Numerics
import SIMDKernels
import SIMDKernelsAVX2
import SIMDKernelsAVX512

/// dst[i] = ELU(src[i]) for i in 0..<count (dst may equal src), with the kernel build `kernels`.
func eluArray(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int, kernels: SIMDKernelSet = .active) {
    switch kernels {
    case .baseline: SIMDKernels.Elementwise.elu(src, dst, count: count)
    case .avx2: SIMDKernelsAVX2.Elementwise.elu(src, dst, count: count)
    case .avx512: SIMDKernelsAVX512.Elementwise.elu(src, dst, count: count)
    }
}

/// dst[i] = GELU(src[i]) (exact erf form), with the kernel build `kernels`.
func geluArray(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int, kernels: SIMDKernelSet = .active) {
    switch kernels {
    case .baseline: SIMDKernels.Elementwise.gelu(src, dst, count: count)
    case .avx2: SIMDKernelsAVX2.Elementwise.gelu(src, dst, count: count)
    case .avx512: SIMDKernelsAVX512.Elementwise.gelu(src, dst, count: count)
    }
}

/// One query row and head of the windowed attention (see `AttentionKernel.attendRow`), with the kernel build `kernels`.
func attendRow(q: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, ld: Int, count: Int, dim: Int,
               scale: Float, scores: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, kernels: SIMDKernelSet) {
    switch kernels {
    case .baseline:
        SIMDKernels.AttentionKernel.attendRow(q: q, keys: keys, values: values, ld: ld, count: count, dim: dim, scale: scale, scores: scores, out: out)
    case .avx2:
        SIMDKernelsAVX2.AttentionKernel.attendRow(q: q, keys: keys, values: values, ld: ld, count: count, dim: dim, scale: scale, scores: scores, out: out)
    case .avx512:
        SIMDKernelsAVX512.AttentionKernel.attendRow(q: q, keys: keys, values: values, ld: ld, count: count, dim: dim, scale: scale, scores: scores, out: out)
    }
}
