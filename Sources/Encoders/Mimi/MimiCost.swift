/// Multiply-add counts of the Mimi encoder (ARCHITECTURE.md §8), for benchmarks' GFLOP/s.
public struct MimiCost: Sendable {
    /// SEANet convolutions.
    public var seanet = 0
    /// Transformer projections and feed-forward.
    public var transformerLinear = 0
    /// Attention scores and weighted sums (keys limited by the window).
    public var attention = 0
    /// Learnt downsample.
    public var downsample = 0
    /// Quantizer projections (when projecting).
    public var projections = 0
    public var total: Int { seanet + transformerLinear + attention + downsample + projections }

    /// Counts for `samples` input samples (after padding to whole frames).
    public init(config c: MimiConfig, samples: Int, project: Bool) {
        let frames = (samples + c.frameSize - 1) / c.frameSize
        var steps = frames * c.frameSize
        let s = c.seanet
        seanet += steps * s.nFilters * s.channels * s.kernelSize
        for (si, stride) in c.encoderStrides.enumerated() {
            let w = c.seanetWidth(si)
            seanet += s.nResidualLayers * steps * (w / s.compress * w * s.residualKernelSize + w * (w / s.compress))
            steps /= stride
            seanet += steps * 2 * w * w * 2 * stride
        }
        seanet += steps * s.dimension * c.seanetWidth(c.encoderStrides.count) * s.lastKernelSize
        let tr = c.transformer, d = tr.dModel
        transformerLinear = tr.numLayers * steps * (4 * d * d + 2 * d * tr.dimFeedforward)
        var keys = 0
        for t in 0..<steps { keys += min(t + 1, tr.context) }
        attention = tr.numLayers * keys * d * 2
        downsample = frames * d * d * 2 * c.downsampleStride
        projections = project ? frames * 4 * d * c.quantizerDimension : 0
    }
}
