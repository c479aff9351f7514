import EngramCore
import Numerics
import Foundation

/// Kyutai's Mimi encoder on the CPU: 24 kHz mono float32 → latents [T, 512] at 12.5 Hz,
/// T = ceil(samples / 1920). The waveform is zero-padded at the end to a multiple of 1920,
/// then SEANet → transformer → learnt downsample (→ quantizer projections when `project`).
///
/// Long inputs run in chunks of `chunkFrames` latent frames with carried state (conv
/// histories, a windowed KV cache), which bounds memory and gives exactly the offline result.
public final class MimiEncoder: LatentEncoder, @unchecked Sendable {
    public let config: MimiConfig
    /// true: the research pipeline's projected latent Po₁Pi₁e + Po₂Pi₂e; false: the raw latent e.
    public let project: Bool
    /// Latent frames per chunk (default 48 = 3.84 s: a multiple of 3 keeps the 25 Hz GEMMs in whole
    /// 6-row tiles). Memory grows with it only below 1.2 kHz (the SEANet's first stages run in
    /// fixed 0.32 s sub-chunks); ~20 MB of scratch at the default.
    public var chunkFrames: Int
    /// Worker threads for the GEMMs and element-wise passes (results do not depend on it).
    public var threads: Int
    /// The SIMD kernel build used by every GEMM (default: the process's `SIMDKernelSet.active`).
    /// Results are identical for any `threads` and `chunkFrames`, and differ between kernel sets
    /// only by float32 rounding (fused vs separate multiply-add).
    public let kernels: SIMDKernelSet
    public let weights: MimiWeights

    public var name: String { "mimi" }
    public var sampleRate: Int { config.sampleRate }
    public var frameSize: Int { config.frameSize }
    public var latentDim: Int { config.latentDim }

    /// Prepared (packed) model shared by the streams this encoder creates.
    let prepared: Prepared

    /// Builds an encoder from weights. Throws when `project` is requested but the weights lack projections.
    public init(weights: MimiWeights, project: Bool = true, chunkFrames: Int = 48,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount, kernels: SIMDKernelSet = .active) throws {
        try weights.config.validate()
        if project && weights.projections == nil {
            throw EngramError("mimi", "projected latents requested but the checkpoint has no quantizer projections")
        }
        self.config = weights.config
        self.project = project
        self.chunkFrames = max(1, chunkFrames)
        self.threads = max(1, threads)
        self.weights = weights
        self.kernels = kernels
        self.prepared = Prepared(weights, kernels: kernels)
    }

    /// The pipeline's entry point: `checkpoint` is a moshi-named `.safetensors` file, or a Hugging
    /// Face folder (`model.safetensors` + `config.json`), or a `.safetensors` in either naming.
    public convenience init(config: MimiConfig = .released, checkpoint: URL?, project: Bool = true) throws {
        guard let checkpoint else {
            throw EngramError("mimi", "no checkpoint given: set vae.checkpoint or run `engram weights fetch mimi`")
        }
        let w = try MimiWeightsLoader.load(checkpoint, config: config, projections: project)
        try self.init(weights: w, project: project)
    }

    /// Loads moshi's released file (`tokenizer-e351c8d8-checkpoint125.safetensors`).
    public static func load(moshi url: URL, config: MimiConfig = .released, project: Bool = true) throws -> MimiEncoder {
        try MimiEncoder(weights: MimiWeightsLoader.load(safetensors: url, naming: .moshi, config: config, projections: project),
                        project: project)
    }

    /// Loads a Hugging Face `kyutai/mimi` folder (`model.safetensors` + `config.json`).
    public static func load(huggingFace dir: URL, project: Bool = true) throws -> MimiEncoder {
        try MimiEncoder(weights: MimiWeightsLoader.load(huggingFace: dir, projections: project), project: project)
    }

    /// Encodes one utterance; returns [T, D] row-major, T = ceil(samples / frameSize).
    public func encode(_ waveform: [Float]) throws -> [Float] {
        try encode(waveform, tap: nil)
    }

    /// As `encode`, also reporting intermediate activations (time-major) to `tap`, chunk by chunk.
    public func encode(_ waveform: [Float], tap: MimiTap?) throws -> [Float] {
        guard waveform.allSatisfy({ $0.isFinite }) else {
            throw EngramError("mimi", "waveform contains NaN or infinite samples")
        }
        let frames = frameCount(samples: waveform.count)
        var out = [Float](repeating: 0, count: frames * latentDim)
        let stream = takeStream()
        defer { returnStream(stream) }
        let chunkSamples = chunkFrames * frameSize
        var chunk = [Float](repeating: 0, count: chunkSamples)
        var frame = 0
        var start = 0
        while frame < frames {
            let n = min(chunkSamples, waveform.count - start)
            let framesHere = (n + frameSize - 1) / frameSize
            let padded = framesHere * frameSize
            chunk.withUnsafeMutableBufferPointer { c in
                waveform.withUnsafeBufferPointer { w in
                    c.baseAddress!.update(from: w.baseAddress! + start, count: n)
                }
                (c.baseAddress! + n).update(repeating: 0, count: padded - n)
            }
            out.withUnsafeMutableBufferPointer { o in
                chunk.withUnsafeBufferPointer { c in
                    stream.run(c.baseAddress!, samples: padded, output: o.baseAddress! + frame * latentDim, tap: tap)
                }
            }
            frame += framesHere
            start += n
        }
        return out
    }

    /// Streams (state + scratch buffers) kept between utterances so their memory is reused.
    private var spareStreams: [MimiStream] = []
    private let spareLock = NSLock()

    private func takeStream() -> MimiStream {
        spareLock.lock()
        let s = spareStreams.popLast()
        spareLock.unlock()
        if let s, s.project == project {
            s.reset(threads: threads)
            return s
        }
        return MimiStream(prepared, project: project, threads: threads)
    }

    private func returnStream(_ s: MimiStream) {
        spareLock.lock()
        if spareStreams.count < 4 { spareStreams.append(s) }
        spareLock.unlock()
    }

    /// Packed weights for every stage.
    final class Prepared: @unchecked Sendable {
        let weights: MimiWeights
        let kernels: SIMDKernelSet
        let downsample: ConvLayer
        let projections: (firstIn: PackedMatrix, firstOut: PackedMatrix, restIn: PackedMatrix, restOut: PackedMatrix)?

        init(_ w: MimiWeights, kernels: SIMDKernelSet) {
            weights = w
            self.kernels = kernels
            downsample = ConvLayer(w.downsample, stride: w.config.downsampleStride, kernels: kernels)
            let d = w.config.latentDim, q = w.config.quantizerDimension
            projections = w.projections.map { p in
                (PackedMatrix(transposing: p.firstInput, rows: q, columns: d, kernels: kernels),
                 PackedMatrix(transposing: p.firstOutput, rows: d, columns: q, kernels: kernels),
                 PackedMatrix(transposing: p.restInput, rows: q, columns: d, kernels: kernels),
                 PackedMatrix(transposing: p.restOutput, rows: d, columns: q, kernels: kernels))
            }
        }
    }
}

/// One utterance's streaming state through the whole encoder. Feed whole frames in order.
final class MimiStream: @unchecked Sendable {
    let seanet: SEANetStream
    let transformer: MimiTransformerStream
    let downsample: CausalConvStream
    let prepared: MimiEncoder.Prepared
    let project: Bool
    private(set) var threads: Int
    let d: Int
    private let hidden = FloatBuffer(), latent = FloatBuffer(), inner = FloatBuffer(), second = FloatBuffer()

    init(_ p: MimiEncoder.Prepared, project: Bool, threads: Int) {
        prepared = p
        seanet = SEANetStream(p.weights, kernels: p.kernels)
        transformer = MimiTransformerStream(p.weights, kernels: p.kernels)
        downsample = CausalConvStream(p.downsample, replicate: true)
        self.project = project
        self.threads = threads
        d = p.weights.config.latentDim
    }

    /// Back to the start of a new signal.
    func reset(threads: Int) {
        self.threads = threads
        seanet.reset()
        transformer.reset()
        downsample.reset()
    }

    /// Encodes `samples` (a multiple of the frame size) into samples/frameSize latent rows at `output`.
    func run(_ input: UnsafePointer<Float>, samples: Int, output: UnsafeMutablePointer<Float>, tap: MimiTap?) {
        let steps = samples / seanet.hop
        hidden.reserve(steps * d)
        seanet.run(input, samples: samples, output: hidden.pointer, threads: threads, tap: tap)
        tap?("after_seanet", hidden.pointer, steps, d)
        transformer.run(hidden.pointer, steps: steps, threads: threads, tap: tap)
        tap?("after_transformer", hidden.pointer, steps, d)
        let frames = downsample.layer.outputSteps(steps)
        let target: UnsafeMutablePointer<Float>
        if project { latent.reserve(frames * d); target = latent.pointer } else { target = output }
        downsample.run(hidden.pointer, steps: steps, activation: .identity, output: target, threads: threads)
        tap?("latent", target, frames, d)
        guard project, let pr = prepared.projections else { return }
        let q = pr.firstIn.n
        inner.reserve(frames * q); second.reserve(frames * d)
        gemm(m: frames, a: latent.pointer, lda: d, b: pr.firstIn, bias: nil, c: inner.pointer, ldc: q, threads: threads)
        gemm(m: frames, a: inner.pointer, lda: q, b: pr.firstOut, bias: nil, c: output, ldc: d, threads: threads)
        gemm(m: frames, a: latent.pointer, lda: d, b: pr.restIn, bias: nil, c: inner.pointer, ldc: q, threads: threads)
        gemm(m: frames, a: inner.pointer, lda: q, b: pr.restOut, bias: nil, c: second.pointer, ldc: d, threads: threads)
        for i in 0..<(frames * d) { output[i] += second.pointer[i] }
        tap?("latent_projected", output, frames, d)
    }
}
