import EngramCore

/// Architecture of a Mimi encoder path (SEANet → transformer → learnt downsample → quantizer
/// projections). A value type, so the released model and the tiny test model run the same code.
public struct MimiConfig: Equatable, Sendable {
    /// SEANet encoder settings (moshi `seanet` kwargs).
    public struct SEANet: Equatable, Sendable {
        /// Input channels (1: mono).
        public var channels = 1
        /// Output width D of the encoder (512 released).
        public var dimension = 512
        /// Base width (64 released); stage i has n_filters · 2^i channels.
        public var nFilters = 64
        /// Residual layers per stage (1 released); layer j uses dilation dilationBase^j.
        public var nResidualLayers = 1
        /// Decoder-order ratios [8, 6, 5, 4]; the encoder applies them reversed (strides 4, 5, 6, 8).
        public var ratios = [8, 6, 5, 4]
        /// Kernel of the first conv (7).
        public var kernelSize = 7
        /// Kernel of the first conv of each residual block (3).
        public var residualKernelSize = 3
        /// Kernel of the last conv (3).
        public var lastKernelSize = 3
        /// Dilation growth per residual layer (2).
        public var dilationBase = 2
        /// Width divisor inside residual blocks (2).
        public var compress = 2

        public init() {}
    }

    /// Encoder transformer settings (moshi `transformer` kwargs).
    public struct Transformer: Equatable, Sendable {
        public var dModel = 512
        public var numHeads = 8
        public var numLayers = 8
        /// Feed-forward width (2048).
        public var dimFeedforward = 2048
        /// Attention window in 25 Hz steps: query t sees keys s with 0 ≤ t − s < context (250).
        public var context = 250
        /// RoPE max period (10000).
        public var maxPeriod: Double = 10000
        /// LayerNorm epsilon (1e-5).
        public var normEps: Float = 1e-5

        public init() {}
        /// Width of one attention head.
        public var headDim: Int { dModel / numHeads }
    }

    public var sampleRate = 24000
    public var seanet = SEANet()
    public var transformer = Transformer()
    /// Inner width of the quantizer projections (256 released): input_proj D → q, output_proj q → D.
    public var quantizerDimension = 256
    /// Stride of the learnt downsample (2: 25 Hz → 12.5 Hz).
    public var downsampleStride = 2

    public init() {}

    /// Kyutai's released Mimi (`tokenizer-e351c8d8-checkpoint125`, HF `kyutai/mimi`).
    public static let released = MimiConfig()

    /// The fixtures' tiny model: same ratios and kernels, n_filters 4, dimension 32,
    /// 2 layers × 4 heads of 8, FFN 64, context 16, quantizer dimension 8.
    public static let tiny: MimiConfig = {
        var c = MimiConfig()
        c.seanet.dimension = 32
        c.seanet.nFilters = 4
        c.transformer.dModel = 32
        c.transformer.numHeads = 4
        c.transformer.numLayers = 2
        c.transformer.dimFeedforward = 64
        c.transformer.context = 16
        c.quantizerDimension = 8
        return c
    }()

    /// Strides of the SEANet downsampling convs in encoder order (reversed ratios: 4, 5, 6, 8).
    public var encoderStrides: [Int] { seanet.ratios.reversed() }
    /// Total SEANet stride (960 released): input samples per 25 Hz step.
    public var seanetHop: Int { encoderStrides.reduce(1, *) }
    /// Input samples per latent frame (1920 released).
    public var frameSize: Int { seanetHop * downsampleStride }
    /// Latent width (= transformer width = SEANet dimension).
    public var latentDim: Int { seanet.dimension }

    /// Checks the settings this implementation supports; throws naming the offending field.
    public func validate(_ location: String = "mimi config") throws {
        func need(_ ok: Bool, _ what: String) throws { if !ok { throw EngramError(location, what) } }
        try need(seanet.channels == 1, "channels must be 1 (mono), got \(seanet.channels)")
        try need(seanet.dimension > 0 && seanet.nFilters > 0, "dimension and n_filters must be positive")
        try need(!seanet.ratios.isEmpty && seanet.ratios.allSatisfy { $0 >= 1 }, "ratios must be positive, got \(seanet.ratios)")
        try need(seanet.nResidualLayers >= 0, "n_residual_layers must be ≥ 0")
        try need([seanet.kernelSize, seanet.residualKernelSize, seanet.lastKernelSize].allSatisfy { $0 >= 1 }, "kernel sizes must be ≥ 1")
        try need(seanet.dilationBase >= 1 && seanet.compress >= 1, "dilation base and compress must be ≥ 1")
        try need(seanet.nFilters % seanet.compress == 0, "n_filters \(seanet.nFilters) must be divisible by compress \(seanet.compress)")
        try need(transformer.dModel == seanet.dimension, "transformer d_model \(transformer.dModel) must equal SEANet dimension \(seanet.dimension)")
        try need(transformer.numHeads > 0 && transformer.dModel % transformer.numHeads == 0, "d_model must be divisible by num_heads")
        try need(transformer.headDim % 2 == 0, "head dimension must be even for RoPE")
        try need(transformer.context >= 1, "context must be ≥ 1")
        try need(transformer.numLayers >= 0 && transformer.dimFeedforward > 0, "bad layer count or FFN width")
        try need(quantizerDimension > 0, "quantizer dimension must be positive")
        try need(downsampleStride >= 1, "downsample stride must be ≥ 1")
    }
}
