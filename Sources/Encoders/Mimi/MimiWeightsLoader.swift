import EngramCore
import Formats
import Foundation

/// Reads Mimi checkpoints from disk in moshi or Hugging Face layout.
public enum MimiWeightsLoader {
    /// `url` is a folder with `model.safetensors` + `config.json` (Hugging Face), or a
    /// `.safetensors` file whose naming is detected from its tensor names.
    public static func load(_ url: URL, config: MimiConfig, projections: Bool) throws -> MimiWeights {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw EngramError(url.path, "Mimi checkpoint not found (run `engram weights fetch mimi` or set vae.checkpoint)")
        }
        if isDir.boolValue { return try load(huggingFace: url, projections: projections) }
        let source = try openSafetensors(url)
        guard let naming = MimiCheckpoint.detectNaming(source.names) else {
            throw EngramError(url.path, "not a Mimi checkpoint: neither 'encoder.model.0.conv.conv.weight' (moshi) nor 'encoder.layers.0.conv.weight' (Hugging Face) is present")
        }
        var ck = MimiCheckpoint(source: source, naming: naming, config: config)
        return try ck.weights(projections: projections)
    }

    /// A `.safetensors` file in the given naming.
    public static func load(safetensors url: URL, naming: MimiNaming, config: MimiConfig, projections: Bool) throws -> MimiWeights {
        var ck = MimiCheckpoint(source: try openSafetensors(url), naming: naming, config: config)
        return try ck.weights(projections: projections)
    }

    /// A Hugging Face folder: the architecture comes from `config.json`.
    public static func load(huggingFace dir: URL, projections: Bool) throws -> MimiWeights {
        let cfgURL = dir.appendingPathComponent("config.json")
        let data: Data
        do { data = try Data(contentsOf: cfgURL) } catch {
            throw EngramError(cfgURL.path, "cannot read Hugging Face config: \(error.localizedDescription)")
        }
        let config = try MimiConfig(huggingFaceJSON: data, location: cfgURL.path)
        var ck = MimiCheckpoint(source: try openSafetensors(dir.appendingPathComponent("model.safetensors")),
                                naming: .huggingFace, config: config)
        return try ck.weights(projections: projections)
    }

    /// Tensor names of a `.safetensors` file (header only).
    public static func tensorNames(_ url: URL) throws -> Set<String> {
        try openSafetensors(url).names
    }

    /// Opens a safetensors file as a tensor source (values widened to float32).
    static func openSafetensors(_ url: URL) throws -> TensorSource {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw EngramError(url.path, "checkpoint file not found")
        }
        let file = try SafetensorsFile(url)
        let infos = file.infos
        return TensorSource(location: url.path, names: Set(infos.keys), shape: { infos[$0]?.shape }) { name in
            try file.floats(name)
        }
    }
}

extension MimiConfig {
    /// Parses a transformers `MimiConfig` (`config.json`); absent keys take transformers'
    /// defaults (which describe `kyutai/mimi`). Settings this port does not implement are errors.
    public init(huggingFaceJSON data: Data, location: String) throws {
        guard let j = try JSON.parse(data, location: location).objectValue else {
            throw EngramError(location, "not a JSON object")
        }
        func present(_ key: String) -> JSONValue? {
            guard let v = j[key], !v.isNull else { return nil }
            return v
        }
        func int(_ key: String, _ def: Int) throws -> Int {
            guard let v = present(key) else { return def }
            if let i = v.intValue { return i }
            throw EngramError(location, "key '\(key)': expected an integer, got \(JSON.serialize(v, indent: nil))")
        }
        func double(_ key: String, _ def: Double) throws -> Double {
            guard let v = present(key) else { return def }
            if let d = v.doubleValue { return d }
            throw EngramError(location, "key '\(key)': expected a number, got \(JSON.serialize(v, indent: nil))")
        }
        func string(_ key: String, _ def: String) throws -> String {
            guard let v = present(key) else { return def }
            if let s = v.stringValue { return s }
            throw EngramError(location, "key '\(key)': expected a string, got \(JSON.serialize(v, indent: nil))")
        }
        func bool(_ key: String, _ def: Bool) throws -> Bool {
            guard let v = present(key) else { return def }
            if let b = v.boolValue { return b }
            throw EngramError(location, "key '\(key)': expected true/false, got \(JSON.serialize(v, indent: nil))")
        }
        var c = MimiConfig()
        if let mt = present("model_type")?.stringValue, mt != "mimi" {
            throw EngramError(location, "model_type is '\(mt)', expected 'mimi'")
        }
        c.sampleRate = try int("sampling_rate", 24000)
        c.seanet.channels = try int("audio_channels", 1)
        let hidden = try int("hidden_size", 512)
        c.seanet.dimension = hidden
        c.seanet.nFilters = try int("num_filters", 64)
        c.seanet.nResidualLayers = try int("num_residual_layers", 1)
        if let r = present("upsampling_ratios") {
            guard let arr = r.arrayValue?.compactMap(\.intValue), arr.count == r.arrayValue?.count else {
                throw EngramError(location, "key 'upsampling_ratios': expected a list of integers")
            }
            c.seanet.ratios = arr
        }
        c.seanet.kernelSize = try int("kernel_size", 7)
        c.seanet.residualKernelSize = try int("residual_kernel_size", 3)
        c.seanet.lastKernelSize = try int("last_kernel_size", 3)
        c.seanet.dilationBase = try int("dilation_growth_rate", 2)
        c.seanet.compress = try int("compress", 2)
        c.transformer.dModel = hidden
        c.transformer.numLayers = try int("num_hidden_layers", 8)
        c.transformer.numHeads = try int("num_attention_heads", 8)
        c.transformer.dimFeedforward = try int("intermediate_size", 2048)
        c.transformer.context = try int("sliding_window", 250)
        c.transformer.maxPeriod = try double("rope_theta", 10000)
        c.transformer.normEps = Float(try double("norm_eps", 1e-5))
        c.quantizerDimension = try int("vector_quantization_hidden_dimension", 256)
        let headDim = try int("head_dim", hidden / max(1, c.transformer.numHeads))
        let kvHeads = try int("num_key_value_heads", c.transformer.numHeads)
        func unsupported(_ ok: Bool, _ what: String) throws { if !ok { throw EngramError(location, "unsupported Mimi setting: \(what)") } }
        try unsupported(headDim * c.transformer.numHeads == hidden, "head_dim \(headDim) × heads \(c.transformer.numHeads) ≠ hidden_size \(hidden)")
        try unsupported(kvHeads == c.transformer.numHeads, "num_key_value_heads \(kvHeads) ≠ num_attention_heads")
        try unsupported(try bool("use_causal_conv", true), "use_causal_conv false")
        try unsupported(try string("pad_mode", "constant") == "constant", "pad_mode '\(try string("pad_mode", "constant"))'")
        try unsupported(!(try bool("use_conv_shortcut", false)), "use_conv_shortcut true")
        try unsupported(try string("hidden_act", "gelu") == "gelu", "hidden_act '\(try string("hidden_act", "gelu"))'")
        try unsupported(!(try bool("attention_bias", false)), "attention_bias true")
        try c.validate(location)
        self = c
    }
}
