import EngramCore
import Foundation

/// Read access to a checkpoint's tensors by name: shapes up front, float32 values on demand
/// (readers widen F16/BF16). Wraps whatever file reader produced it.
public struct TensorSource {
    /// File (or folder) the tensors come from, for error messages.
    public var location: String
    /// Every tensor name in the file.
    public var names: Set<String>
    /// Shape of a tensor, nil when absent.
    public var shape: (String) -> [Int]?
    /// Values of a tensor, row-major float32.
    public var values: (String) throws -> [Float]

    public init(location: String, names: Set<String>, shape: @escaping (String) -> [Int]?,
                values: @escaping (String) throws -> [Float]) {
        self.location = location
        self.names = names
        self.shape = shape
        self.values = values
    }

    /// In-memory tensors (tests, formula weights): name → (shape, values).
    public init(location: String, tensors: [String: (shape: [Int], values: [Float])]) {
        self.init(location: location, names: Set(tensors.keys), shape: { tensors[$0]?.shape },
                  values: { name in
                      guard let t = tensors[name] else { throw EngramError(location, "tensor '\(name)' missing") }
                      return t.values
                  })
    }
}

/// Tensor naming of a Mimi checkpoint.
public enum MimiNaming: String, Sendable {
    /// moshi's released file (`tokenizer-e351c8d8-checkpoint125.safetensors`):
    /// `encoder.model.N.conv.conv.weight`, `…self_attn.in_proj_weight`, `quantizer.rvq_first.…`.
    case moshi
    /// Hugging Face `kyutai/mimi` (`model.safetensors`): `encoder.layers.N.conv.weight`,
    /// `…self_attn.{q,k,v}_proj.weight` with q/k rows permuted for rotate-half RoPE.
    case huggingFace
}

/// Builds `MimiWeights` from a checkpoint in either naming. Strict: a missing or wrongly shaped
/// tensor, or an unexpected tensor on the encoder path, is an error naming it. Decoder,
/// upsampler and codebook tensors are ignored. Weight-norm pairs (`weight_g`/`weight_v`, or
/// `parametrizations.weight.original0/1`) are folded: w = g · v / ‖v‖ per output channel.
public struct MimiCheckpoint {
    public let source: TensorSource
    public let naming: MimiNaming
    public let config: MimiConfig
    private var used = Set<String>()

    public init(source: TensorSource, naming: MimiNaming, config: MimiConfig) {
        self.source = source
        self.naming = naming
        self.config = config
    }

    /// Guesses the naming from the tensor names (nil when neither layout's first conv is present).
    public static func detectNaming(_ names: Set<String>) -> MimiNaming? {
        let moshi = ["encoder.model.0.conv.conv.weight", "encoder.model.0.conv.conv.weight_v",
                     "encoder.model.0.conv.conv.parametrizations.weight.original1"]
        let hf = ["encoder.layers.0.conv.weight", "encoder.layers.0.conv.weight_v",
                  "encoder.layers.0.conv.parametrizations.weight.original1"]
        if moshi.contains(where: names.contains) { return .moshi }
        if hf.contains(where: names.contains) { return .huggingFace }
        return nil
    }

    /// Reads every encoder-path tensor; `projections` requires the quantizer projections too.
    public mutating func weights(projections: Bool) throws -> MimiWeights {
        try config.validate(source.location)
        let s = config.seanet, tr = config.transformer
        let first = try conv(index: 0, sub: "", out: s.nFilters, in: s.channels, k: s.kernelSize)
        var stages: [MimiWeights.Stage] = []
        for (si, stride) in config.encoderStrides.enumerated() {
            let c = config.seanetWidth(si)
            var blocks: [MimiWeights.ResidualBlock] = []
            for j in 0..<s.nResidualLayers {
                let idx = config.residualIndex(stage: si, block: j)
                let hidden = c / s.compress
                blocks.append(.init(conv1: try conv(index: idx, sub: "block.1.", out: hidden, in: c, k: s.residualKernelSize),
                                    conv2: try conv(index: idx, sub: "block.3.", out: c, in: hidden, k: 1)))
            }
            let down = try conv(index: config.downsampleIndex(stage: si), sub: "", out: 2 * c, in: c, k: 2 * stride)
            stages.append(.init(residualBlocks: blocks, downsample: down))
        }
        let last = try conv(index: config.lastConvIndex, sub: "", out: s.dimension,
                            in: config.seanetWidth(config.encoderStrides.count), k: s.lastKernelSize)
        var layers: [MimiWeights.TransformerLayer] = []
        for i in 0..<tr.numLayers { layers.append(try layer(i)) }
        let d = tr.dModel
        let downName = naming == .moshi ? "downsample.conv.conv.conv." : "downsample.conv."
        let dsK = 2 * config.downsampleStride
        let down = ConvParameters(outChannels: d, inChannels: d, kernel: dsK,
                                  weight: try convWeight(downName, shape: [d, d, dsK]), bias: nil)
        var proj: MimiWeights.Projections? = nil
        if projections || hasProjections {
            let (f, r) = projectionPrefixes
            let q = config.quantizerDimension
            proj = .init(firstInput: try tensor(f + "input_proj.weight", shape: [q, d, 1]),
                         firstOutput: try tensor(f + "output_proj.weight", shape: [d, q, 1]),
                         restInput: try tensor(r + "input_proj.weight", shape: [q, d, 1]),
                         restOutput: try tensor(r + "output_proj.weight", shape: [d, q, 1]))
        }
        try checkNoUnexpectedTensors()
        return MimiWeights(config: config, firstConv: first, stages: stages, lastConv: last, layers: layers,
                           downsample: down, projections: proj)
    }

    // MARK: names

    private var projectionPrefixes: (String, String) {
        naming == .moshi ? ("quantizer.rvq_first.", "quantizer.rvq_rest.")
            : ("quantizer.semantic_residual_vector_quantizer.", "quantizer.acoustic_residual_vector_quantizer.")
    }

    private var hasProjections: Bool {
        let (f, r) = projectionPrefixes
        return [f, r].contains { source.names.contains($0 + "input_proj.weight") || source.names.contains($0 + "output_proj.weight") }
    }

    /// The first of `names` present in the file, else the first (so the error names the canonical one).
    private func firstPresent(_ names: String...) -> String {
        names.first(where: source.names.contains) ?? names[0]
    }

    private func convPrefix(_ index: Int, _ sub: String) -> String {
        naming == .moshi ? "encoder.model.\(index).\(sub)conv.conv." : "encoder.layers.\(index).\(sub)conv."
    }

    // MARK: tensors

    private mutating func conv(index: Int, sub: String, out: Int, in cin: Int, k: Int) throws -> ConvParameters {
        let p = convPrefix(index, sub)
        let w = try convWeight(p, shape: [out, cin, k])
        let b = try tensor(p + "bias", shape: [out])
        return ConvParameters(outChannels: out, inChannels: cin, kernel: k, weight: w, bias: b)
    }

    /// `prefix + "weight"`, or a weight-norm pair folded into it.
    private mutating func convWeight(_ prefix: String, shape: [Int]) throws -> [Float] {
        let plain = prefix + "weight"
        if source.names.contains(plain) { return try tensor(plain, shape: shape) }
        for (gName, vName) in [(prefix + "weight_g", prefix + "weight_v"),
                               (prefix + "parametrizations.weight.original0", prefix + "parametrizations.weight.original1")]
        where source.names.contains(gName) || source.names.contains(vName) {
            let v = try tensor(vName, shape: shape)
            guard let gShape = source.shape(gName) else {
                throw EngramError(source.location, "tensor '\(gName)' missing (weight-norm gain for '\(vName)')")
            }
            guard gShape.reduce(1, *) == shape[0], gShape.first == shape[0] else {
                throw EngramError(source.location, "tensor '\(gName)' has shape \(gShape), expected [\(shape[0]), 1, 1]")
            }
            let g = try tensor(gName, shape: gShape)
            return foldWeightNorm(g: g, v: v, out: shape[0])
        }
        throw EngramError(source.location, "tensor '\(plain)' missing (expected shape \(shape))")
    }

    private mutating func tensor(_ name: String, shape: [Int]) throws -> [Float] {
        guard let got = source.shape(name) else {
            throw EngramError(source.location, "tensor '\(name)' missing (expected shape \(shape))")
        }
        guard got == shape else {
            throw EngramError(source.location, "tensor '\(name)' has shape \(got), expected \(shape)")
        }
        let v = try source.values(name)
        guard v.count == shape.reduce(1, *) else {
            throw EngramError(source.location, "tensor '\(name)' holds \(v.count) values, expected \(shape.reduce(1, *))")
        }
        used.insert(name)
        return v
    }

    private mutating func layer(_ i: Int) throws -> MimiWeights.TransformerLayer {
        let tr = config.transformer
        let d = tr.dModel, f = tr.dimFeedforward
        if naming == .moshi {
            let p = "encoder_transformer.transformer.layers.\(i)."
            // The file stores `in_proj_weight`/`out_proj.weight`; current moshi state dicts use `in_projs.0`/`out_projs.0`.
            let inName = firstPresent(p + "self_attn.in_proj_weight", p + "self_attn.in_projs.0.weight")
            let outName = firstPresent(p + "self_attn.out_proj.weight", p + "self_attn.out_projs.0.weight")
            return .init(norm1Weight: try tensor(p + "norm1.weight", shape: [d]), norm1Bias: try tensor(p + "norm1.bias", shape: [d]),
                         inProj: try tensor(inName, shape: [3 * d, d]),
                         outProj: try tensor(outName, shape: [d, d]),
                         norm2Weight: try tensor(p + "norm2.weight", shape: [d]), norm2Bias: try tensor(p + "norm2.bias", shape: [d]),
                         linear1: try tensor(p + "linear1.weight", shape: [f, d]),
                         linear2: try tensor(p + "linear2.weight", shape: [d, f]),
                         layerScale1: try tensor(p + "layer_scale_1.scale", shape: [d]),
                         layerScale2: try tensor(p + "layer_scale_2.scale", shape: [d]))
        }
        let p = "encoder_transformer.layers.\(i)."
        let q = unpermuteRotateHalf(try tensor(p + "self_attn.q_proj.weight", shape: [d, d]), heads: tr.numHeads, headDim: tr.headDim, columns: d)
        let k = unpermuteRotateHalf(try tensor(p + "self_attn.k_proj.weight", shape: [d, d]), heads: tr.numHeads, headDim: tr.headDim, columns: d)
        let v = try tensor(p + "self_attn.v_proj.weight", shape: [d, d])
        return .init(norm1Weight: try tensor(p + "input_layernorm.weight", shape: [d]),
                     norm1Bias: try tensor(p + "input_layernorm.bias", shape: [d]),
                     inProj: q + k + v,
                     outProj: try tensor(p + "self_attn.o_proj.weight", shape: [d, d]),
                     norm2Weight: try tensor(p + "post_attention_layernorm.weight", shape: [d]),
                     norm2Bias: try tensor(p + "post_attention_layernorm.bias", shape: [d]),
                     linear1: try tensor(p + "mlp.fc1.weight", shape: [f, d]),
                     linear2: try tensor(p + "mlp.fc2.weight", shape: [d, f]),
                     layerScale1: try tensor(p + "self_attn_layer_scale.scale", shape: [d]),
                     layerScale2: try tensor(p + "mlp_layer_scale.scale", shape: [d]))
    }

    /// Every tensor left over must belong to a part the encoder does not use.
    private func checkNoUnexpectedTensors() throws {
        let ignoredPrefixes = ["decoder.", "decoder_transformer.", "upsample."]
        let extra = source.names.subtracting(used).filter { name in
            if ignoredPrefixes.contains(where: name.hasPrefix) { return false }
            // Codebooks (moshi `….vq.layers.N._codebook.*`, HF `….layers.N.codebook.*`) are unused.
            if name.hasPrefix("quantizer.") && !name.contains("input_proj") && !name.contains("output_proj") { return false }
            if name == "__metadata__" { return false }
            return true
        }.sorted()
        if let first = extra.first {
            let more = extra.count > 1 ? " (and \(extra.count - 1) more: \(extra.dropFirst().prefix(4).joined(separator: ", "))…)" : ""
            throw EngramError(source.location, "unexpected tensor '\(first)'\(more): not part of a Mimi encoder with this configuration (\(naming.rawValue) naming)")
        }
    }
}

/// w = g · v / ‖v‖, the norm taken per output channel over all (input channel, tap) entries.
func foldWeightNorm(g: [Float], v: [Float], out: Int) -> [Float] {
    let per = v.count / out
    var w = v
    for o in 0..<out {
        var ss = 0.0
        for i in 0..<per { let x = Double(v[o * per + i]); ss += x * x }
        let scale = ss > 0 ? Double(g[o]) / ss.squareRoot() : 0
        for i in 0..<per { w[o * per + i] = Float(Double(v[o * per + i]) * scale) }
    }
    return w
}

/// Undoes transformers' RoPE row permutation of a q/k projection [heads·headDim, columns]:
/// HF row (h, j) = moshi row (h, 2j) and HF row (h, headDim/2 + j) = moshi row (h, 2j + 1).
func unpermuteRotateHalf(_ w: [Float], heads: Int, headDim: Int, columns: Int) -> [Float] {
    var out = w
    let half = headDim / 2
    for h in 0..<heads {
        for j in 0..<half {
            let src0 = (h * headDim + j) * columns, src1 = (h * headDim + half + j) * columns
            let dst0 = (h * headDim + 2 * j) * columns, dst1 = (h * headDim + 2 * j + 1) * columns
            for c in 0..<columns {
                out[dst0 + c] = w[src0 + c]
                out[dst1 + c] = w[src1 + c]
            }
        }
    }
    return out
}
