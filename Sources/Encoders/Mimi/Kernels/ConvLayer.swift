import Numerics

/// A 1-D convolution's parameters in PyTorch layout: weight [out, in, k] row-major, bias [out] or nil.
public struct ConvParameters: Sendable {
    public var outChannels: Int
    public var inChannels: Int
    public var kernel: Int
    public var weight: [Float]
    public var bias: [Float]?

    public init(outChannels: Int, inChannels: Int, kernel: Int, weight: [Float], bias: [Float]?) {
        precondition(weight.count == outChannels * inChannels * kernel)
        precondition(bias == nil || bias!.count == outChannels)
        self.outChannels = outChannels
        self.inChannels = inChannels
        self.kernel = kernel
        self.weight = weight
        self.bias = bias
    }
}

/// A causal convolution on time-major activations ([T, C] row-major float32), computed as GEMMs
/// with no im2col copy: with dilation 1, the kernel window of output step t is the contiguous
/// run of `kernel` input rows starting at row stride·t of the left-padded input, so the input
/// itself, read with row step stride·C, is the [T_out, kernel·C] patch matrix.
final class ConvLayer: @unchecked Sendable {
    let inChannels: Int
    let outChannels: Int
    let kernel: Int
    let stride: Int
    let dilation: Int
    /// Left padding (k − 1)·dilation + 1 − stride rows (moshi's causal padding); no right padding.
    let padLeft: Int
    /// dilation 1: one matrix [kernel·in, out]; otherwise one [in, out] per tap.
    let packed: [PackedMatrix]
    let bias: [Float]?
    /// The SIMD kernel build of its GEMMs (and of the activations staged before it).
    let kernels: SIMDKernelSet

    init(_ p: ConvParameters, stride: Int = 1, dilation: Int = 1, kernels: SIMDKernelSet = .active) {
        precondition(stride >= 1 && dilation >= 1)
        inChannels = p.inChannels
        outChannels = p.outChannels
        kernel = p.kernel
        self.stride = stride
        self.dilation = dilation
        padLeft = (p.kernel - 1) * dilation + 1 - stride
        precondition(padLeft >= 0, "kernel span shorter than stride")
        bias = p.bias
        self.kernels = kernels
        let cin = p.inChannels, k = p.kernel
        let w = p.weight
        if dilation == 1 {
            packed = [PackedMatrix(k: k * cin, n: p.outChannels, kernels: kernels) { kk, o in
                let j = kk / cin, i = kk % cin
                return w[(o * cin + i) * k + j]
            }]
        } else {
            packed = (0..<k).map { j in
                PackedMatrix(k: cin, n: p.outChannels, kernels: kernels) { i, o in w[(o * cin + i) * k + j] }
            }
        }
    }

    /// Output steps for `steps` input steps (`steps` must be a multiple of `stride`).
    func outputSteps(_ steps: Int) -> Int { steps / stride }

    /// `input` holds padLeft + steps rows of `inChannels` (the first padLeft rows are the
    /// causal history); writes steps/stride rows of `outChannels` to `output` (row step `ldc`,
    /// default outChannels). With `accumulate`, adds conv(x) + bias to what `output` holds.
    func forward(input: UnsafePointer<Float>, steps: Int, output: UnsafeMutablePointer<Float>, ldc: Int? = nil,
                 accumulate: Bool = false, threads: Int) {
        precondition(steps % stride == 0)
        let tOut = steps / stride
        let ldc = ldc ?? outChannels
        bias?.withUnsafeBufferPointer { bp in
            run(input: input, tOut: tOut, output: output, ldc: ldc, accumulate: accumulate, bias: bp.baseAddress, threads: threads)
        } ?? run(input: input, tOut: tOut, output: output, ldc: ldc, accumulate: accumulate, bias: nil, threads: threads)
    }

    private func run(input: UnsafePointer<Float>, tOut: Int, output: UnsafeMutablePointer<Float>, ldc: Int,
                     accumulate: Bool, bias: UnsafePointer<Float>?, threads: Int) {
        let lda = stride * inChannels
        if dilation == 1 {
            gemm(m: tOut, a: input, lda: lda, b: packed[0], bias: bias, c: output, ldc: ldc,
                 accumulate: accumulate, threads: threads)
        } else {
            for j in 0..<kernel {
                gemm(m: tOut, a: input + j * dilation * inChannels, lda: lda, b: packed[j],
                     bias: j == 0 ? bias : nil, c: output, ldc: ldc, accumulate: accumulate || j > 0, threads: threads)
            }
        }
    }
}
