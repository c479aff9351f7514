/// All tensors of a Mimi encoder path in PyTorch layout, independent of the checkpoint naming.
/// Attention projections are in moshi's order (interleaved RoPE pairs); HF weights are
/// un-permuted on load (`MimiCheckpoint`).
public struct MimiWeights: Sendable {
    /// One SEANet residual block: x + conv2(ELU(conv1(ELU(x)))).
    public struct ResidualBlock: Sendable {
        /// k = residual kernel, C → C/compress (`block.1`).
        public var conv1: ConvParameters
        /// k = 1, C/compress → C (`block.3`).
        public var conv2: ConvParameters
        public init(conv1: ConvParameters, conv2: ConvParameters) { self.conv1 = conv1; self.conv2 = conv2 }
    }

    /// One SEANet stage: residual blocks, then ELU and the strided downsampling conv.
    public struct Stage: Sendable {
        public var residualBlocks: [ResidualBlock]
        public var downsample: ConvParameters
        public init(residualBlocks: [ResidualBlock], downsample: ConvParameters) {
            self.residualBlocks = residualBlocks
            self.downsample = downsample
        }
    }

    /// One pre-norm transformer layer. Linear weights are [out, in] row-major.
    public struct TransformerLayer: Sendable {
        public var norm1Weight: [Float], norm1Bias: [Float]
        /// Fused Q/K/V projection [3D, D]: Q rows 0..<D, K rows D..<2D, V rows 2D..<3D.
        public var inProj: [Float]
        /// [D, D].
        public var outProj: [Float]
        public var norm2Weight: [Float], norm2Bias: [Float]
        /// [F, D].
        public var linear1: [Float]
        /// [D, F].
        public var linear2: [Float]
        /// Layer scales [D].
        public var layerScale1: [Float], layerScale2: [Float]

        public init(norm1Weight: [Float], norm1Bias: [Float], inProj: [Float], outProj: [Float],
                    norm2Weight: [Float], norm2Bias: [Float], linear1: [Float], linear2: [Float],
                    layerScale1: [Float], layerScale2: [Float]) {
            self.norm1Weight = norm1Weight; self.norm1Bias = norm1Bias
            self.inProj = inProj; self.outProj = outProj
            self.norm2Weight = norm2Weight; self.norm2Bias = norm2Bias
            self.linear1 = linear1; self.linear2 = linear2
            self.layerScale1 = layerScale1; self.layerScale2 = layerScale2
        }
    }

    /// The split quantizer's 1×1 projections (no bias), [out, in] each:
    /// first/rest input D → q and output q → D.
    public struct Projections: Sendable {
        public var firstInput: [Float], firstOutput: [Float]
        public var restInput: [Float], restOutput: [Float]
        public init(firstInput: [Float], firstOutput: [Float], restInput: [Float], restOutput: [Float]) {
            self.firstInput = firstInput; self.firstOutput = firstOutput
            self.restInput = restInput; self.restOutput = restOutput
        }
    }

    public var config: MimiConfig
    /// `encoder.model.0`: channels → n_filters, kernel `kernelSize`.
    public var firstConv: ConvParameters
    public var stages: [Stage]
    /// Last conv: widest → dimension, kernel `lastKernelSize`.
    public var lastConv: ConvParameters
    public var layers: [TransformerLayer]
    /// Learnt downsample [D, D, 2·stride], no bias.
    public var downsample: ConvParameters
    /// Quantizer projections; nil when the checkpoint lacks them (raw latents only).
    public var projections: Projections?

    public init(config: MimiConfig, firstConv: ConvParameters, stages: [Stage], lastConv: ConvParameters,
                layers: [TransformerLayer], downsample: ConvParameters, projections: Projections?) {
        self.config = config
        self.firstConv = firstConv
        self.stages = stages
        self.lastConv = lastConv
        self.layers = layers
        self.downsample = downsample
        self.projections = projections
    }
}

/// Shapes the encoder expects, in PyTorch layout, keyed by role. Used by the checkpoint loader
/// and the formula weights, so a wrongly shaped tensor is caught with its name.
extension MimiConfig {
    /// SEANet channel width entering stage `s` (n_filters · 2^s); index `stages` is the widest.
    func seanetWidth(_ s: Int) -> Int { seanet.nFilters << s }

    /// `encoder.model` index of the first conv of stage `s`'s residual block `j`, of stage `s`'s
    /// downsampling conv, and of the last conv (ELUs occupy the gaps).
    func residualIndex(stage s: Int, block j: Int) -> Int { 1 + s * (seanet.nResidualLayers + 2) + j }
    func downsampleIndex(stage s: Int) -> Int { 1 + s * (seanet.nResidualLayers + 2) + seanet.nResidualLayers + 1 }
    /// Dilation of residual block j's first conv: dilationBase^j.
    func dilation(block j: Int) -> Int { (0..<j).reduce(1) { r, _ in r * seanet.dilationBase } }
    var lastConvIndex: Int { 1 + seanet.ratios.count * (seanet.nResidualLayers + 2) + 1 }
}
