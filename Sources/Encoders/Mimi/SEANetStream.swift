import Numerics

/// Receives a named intermediate activation: (name, [rows, columns] row-major time-major, rows, columns).
/// Names follow the fixtures: `seanet_layerNN` (moshi `encoder.model` index), `after_seanet`,
/// `transformer_layerN`, `after_transformer`, `latent`, `latent_projected`.
public typealias MimiTap = (_ name: String, _ values: UnsafePointer<Float>, _ rows: Int, _ columns: Int) -> Void

/// Element-wise activation applied while staging a conv's input.
enum StageActivation { case identity, elu }

/// A causal conv plus its streaming state: the last `padLeft` input rows of the previous chunk
/// (zeros at the start, or copies of the first input row in replicate mode). Feeding a signal in
/// chunks gives exactly the same output as feeding it whole.
final class CausalConvStream: @unchecked Sendable {
    let layer: ConvLayer
    let replicate: Bool
    private var started = false
    /// [padLeft history rows | current chunk rows] × inChannels.
    private let staging = FloatBuffer()

    init(_ layer: ConvLayer, replicate: Bool = false) {
        self.layer = layer
        self.replicate = replicate
        staging.reserve(layer.padLeft * layer.inChannels)
    }

    /// Back to the start-of-signal state (zero / unseeded history); keeps the buffers.
    func reset() {
        started = false
        staging.pointer.update(repeating: 0, count: layer.padLeft * layer.inChannels)
    }

    /// Runs the conv on `steps` new input rows (activation applied first); `steps` must be a
    /// multiple of the stride. Writes steps/stride rows to `output` (added to it when `accumulate`).
    func run(_ input: UnsafePointer<Float>, steps: Int, activation: StageActivation,
             output: UnsafeMutablePointer<Float>, accumulate: Bool = false, threads: Int) {
        let cin = layer.inChannels, pad = layer.padLeft
        let histCount = pad * cin
        staging.reserve((pad + steps) * cin, preserving: histCount)
        let dst = staging.pointer + histCount
        switch activation {
        case .identity: dst.update(from: input, count: steps * cin)
        case .elu: parallelElementwise(steps * cin, threads: threads) { lo, hi in eluArray(input + lo, dst + lo, count: hi - lo, kernels: layer.kernels) }
        }
        if replicate && !started && steps > 0 {
            for r in 0..<pad { (staging.pointer + r * cin).update(from: dst, count: cin) }
        }
        started = true
        layer.forward(input: staging.pointer, steps: steps, output: output, accumulate: accumulate, threads: threads)
        // Keep the last padLeft rows of [history; chunk] as the next chunk's history.
        if pad > 0 { staging.pointer.update(from: staging.pointer + steps * cin, count: histCount) }
    }
}

/// Splits `count` elements into fixed blocks run on `threads` threads: body(lo, hi).
func parallelElementwise(_ count: Int, threads: Int, _ body: (Int, Int) -> Void) {
    let block = 1 << 15
    let blocks = (count + block - 1) / block
    if threads <= 1 || blocks <= 1 { body(0, count); return }
    parallelFor(blocks, threads: threads) { b in body(b * block, min(count, (b + 1) * block)) }
}

/// The SEANet encoder with streaming state: conv0 → [residual blocks → ELU → strided conv] per
/// stage → ELU → last conv. Time-major activations; input [samples, 1], output [samples/hop, D].
final class SEANetStream: @unchecked Sendable {
    struct Block { let conv1: CausalConvStream; let conv2: ConvLayer; let index: Int }
    struct Stage { let blocks: [Block]; let down: CausalConvStream; let downIndex: Int }

    let first: CausalConvStream
    let stages: [Stage]
    let last: CausalConvStream
    let lastIndex: Int
    let hop: Int
    private let bufA = FloatBuffer(), bufB = FloatBuffer(), hidden = FloatBuffer(), mid = FloatBuffer()

    init(_ w: MimiWeights, kernels: SIMDKernelSet) {
        let cfg = w.config
        first = CausalConvStream(ConvLayer(w.firstConv, kernels: kernels))
        var st: [Stage] = []
        for (si, stride) in cfg.encoderStrides.enumerated() {
            let blocks = w.stages[si].residualBlocks.enumerated().map { j, b in
                Block(conv1: CausalConvStream(ConvLayer(b.conv1, dilation: cfg.dilation(block: j), kernels: kernels)),
                      conv2: ConvLayer(b.conv2, kernels: kernels), index: cfg.residualIndex(stage: si, block: j))
            }
            st.append(Stage(blocks: blocks, down: CausalConvStream(ConvLayer(w.stages[si].downsample, stride: stride, kernels: kernels)),
                            downIndex: cfg.downsampleIndex(stage: si)))
        }
        stages = st
        last = CausalConvStream(ConvLayer(w.lastConv, kernels: kernels))
        lastIndex = cfg.lastConvIndex
        hop = cfg.seanetHop
    }

    /// Back to the start-of-signal state.
    func reset() {
        first.reset()
        for st in stages {
            for b in st.blocks { b.conv1.reset() }
            st.down.reset()
        }
        last.reset()
    }

    /// The first `earlyStages` stages (24 kHz → 1.2 kHz in the released model) run in
    /// sub-chunks of `subChunkSamples` so their wide, high-rate activations stay cache-sized and
    /// memory does not grow with the chunk; the low-rate stages then run on the whole chunk, which
    /// keeps their GEMMs tall enough to amortise the large weights.
    static let earlyStages = 2
    static let subChunkSamples = 7680

    /// Encodes `samples` new samples (a multiple of the total stride) into `samples/hop` rows of D
    /// written to `output`.
    func run(_ input: UnsafePointer<Float>, samples: Int, output: UnsafeMutablePointer<Float>, threads: Int, tap: MimiTap?) {
        precondition(samples % hop == 0)
        let early = min(Self.earlyStages, stages.count)
        let earlyHop = stages.prefix(early).reduce(1) { $0 * $1.down.layer.stride }
        let width = early == 0 ? first.layer.outChannels : stages[early - 1].down.layer.outChannels
        let sub = max(hop, Self.subChunkSamples / hop * hop)
        mid.reserve(samples / earlyHop * width)
        var done = 0
        while done < samples {
            let n = min(sub, samples - done)
            let (res, steps) = runStages(input + done, steps: n, range: 0..<early, withFirst: true, threads: threads, tap: tap)
            (mid.pointer + done / earlyHop * width).update(from: res, count: steps * width)
            done += n
        }
        let (res, steps) = runStages(mid.pointer, steps: samples / earlyHop, range: early..<stages.count, withFirst: false,
                                     threads: threads, tap: tap)
        last.run(res, steps: steps, activation: .elu, output: output, threads: threads)
        tap?(layerName(lastIndex), output, steps, last.layer.outChannels)
    }

    /// Runs (the first conv and) `stages[range]` on `steps` rows; returns the result (in a
    /// scratch buffer, valid until the next call) and its row count.
    private func runStages(_ input: UnsafePointer<Float>, steps: Int, range: Range<Int>, withFirst: Bool,
                           threads: Int, tap: MimiTap?) -> (UnsafePointer<Float>, Int) {
        var steps = steps
        var cur = bufA, next = bufB
        var src = input
        if withFirst {
            cur.reserve(steps * first.layer.outChannels)
            first.run(input, steps: steps, activation: .identity, output: cur.pointer, threads: threads)
            tap?(layerName(0), cur.pointer, steps, first.layer.outChannels)
            src = UnsafePointer(cur.pointer)
        }
        for stage in stages[range] {
            if !stage.blocks.isEmpty && src != UnsafePointer(cur.pointer) {
                // Residual blocks update in place: work on a copy of the caller's input.
                let c = stage.down.layer.inChannels
                cur.reserve(steps * c)
                cur.pointer.update(from: src, count: steps * c)
                src = UnsafePointer(cur.pointer)
            }
            for b in stage.blocks {
                let c = b.conv1.layer.inChannels, h = b.conv1.layer.outChannels
                hidden.reserve(steps * h)
                b.conv1.run(cur.pointer, steps: steps, activation: .elu, output: hidden.pointer, threads: threads)
                let hp = hidden.pointer
                parallelElementwise(steps * h, threads: threads) { lo, hi in eluArray(hp + lo, hp + lo, count: hi - lo, kernels: b.conv2.kernels) }
                b.conv2.forward(input: hidden.pointer, steps: steps, output: cur.pointer, accumulate: true, threads: threads)
                tap?(layerName(b.index), cur.pointer, steps, c)
            }
            let out = stage.down.layer.outputSteps(steps)
            next.reserve(out * stage.down.layer.outChannels)
            stage.down.run(src, steps: steps, activation: .elu, output: next.pointer, threads: threads)
            steps = out
            swap(&cur, &next)
            src = UnsafePointer(cur.pointer)
            tap?(layerName(stage.downIndex), cur.pointer, steps, stage.down.layer.outChannels)
        }
        return (src, steps)
    }

    private func layerName(_ i: Int) -> String { i < 10 ? "seanet_layer0\(i)" : "seanet_layer\(i)" }
}
