import EngramCore
import Formats
import Foundation

/// The Mimi fixtures' deterministic weights (fixtures.json → weight_formula): every tensor is
/// w[i] = Float32(offset + scale · u(seed, i)) evaluated in Float64, i the row-major index over
/// the PyTorch shape, u a SplitMix64-style hash in [-1, 1). Gives full-rank, layout-sensitive
/// weights for the released architecture without downloading anything (tests, benchmarks).
public enum MimiWeightFormula {
    /// One tensor's recipe.
    public struct Entry: Equatable, Sendable {
        public var name: String
        public var shape: [Int]
        public var seed: UInt64
        public var offset: Double
        public var scale: Double
        public init(name: String, shape: [Int], seed: UInt64, offset: Double, scale: Double) {
            self.name = name; self.shape = shape; self.seed = seed; self.offset = offset; self.scale = scale
        }
    }

    /// u(p, i) = (2k − 2²⁴)/2²⁴ with k the top 24 bits of the SplitMix64 finaliser of (p << 32 | i) + golden.
    @inline(__always)
    public static func u(_ p: UInt64, _ i: UInt64) -> Double {
        var z = ((p << 32) | i) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let k = Int64(z >> 40)
        return Double(2 * k - (1 << 24)) / Double(1 << 24)
    }

    /// The tensor's values, row-major.
    public static func values(_ e: Entry) -> [Float] {
        let n = e.shape.reduce(1, *)
        return [Float](unsafeUninitializedCapacity: n) { buf, count in
            for i in 0..<n { buf[i] = Float(e.offset + e.scale * u(e.seed, UInt64(i))) }
            count = n
        }
    }

    /// Parses a `tensors` table (`fixtures.json → full.tensors` / `tiny.tensors`).
    public static func entries(json: JSONValue, location: String) throws -> [Entry] {
        guard let rows = json.arrayValue else { throw EngramError(location, "tensor table: expected a list of objects") }
        return try rows.enumerated().map { idx, r in
            guard let name = r["name"]?.stringValue, let shape = r["shape"]?.arrayValue?.compactMap(\.intValue),
                  let seed = r["seed"]?.intValue, seed >= 0,
                  let offset = r["offset"]?.doubleValue, let scale = r["scale"]?.doubleValue
            else { throw EngramError(location, "tensor table row \(idx): needs name, shape, seed, offset, scale") }
            return Entry(name: name, shape: shape, seed: UInt64(seed), offset: offset, scale: scale)
        }
    }

    /// A tensor source (moshi naming) that computes each tensor on demand.
    public static func source(_ entries: [Entry], location: String = "weight formula") -> TensorSource {
        let byName = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return TensorSource(location: location, names: Set(byName.keys), shape: { byName[$0]?.shape }) { name in
            guard let e = byName[name] else { throw EngramError(location, "tensor '\(name)' missing") }
            return values(e)
        }
    }

    /// Encoder weights for `config` from a recipe table (moshi naming).
    public static func weights(config: MimiConfig, entries: [Entry], projections: Bool = true) throws -> MimiWeights {
        var ck = MimiCheckpoint(source: source(entries), naming: .moshi, config: config)
        return try ck.weights(projections: projections)
    }

    /// Derives the recipe table of `config`'s encoder path as the fixture generator does: names in
    /// moshi naming sorted by code point, seed = position, value rule by tensor kind; the four
    /// quantizer projections take `projectionSeeds` (first in/out, rest in/out; the released
    /// fixtures use 10108, 10109, 10113, 10114, whose derivation needs the decoder's names).
    public static func table(config: MimiConfig, projectionSeeds: [UInt64] = [10108, 10109, 10113, 10114]) -> [Entry] {
        let s = config.seanet, tr = config.transformer
        var shapes: [(String, [Int])] = []
        func conv(_ idx: Int, _ sub: String, _ out: Int, _ cin: Int, _ k: Int) {
            let p = "encoder.model.\(idx).\(sub)conv.conv."
            shapes.append((p + "weight", [out, cin, k]))
            shapes.append((p + "bias", [out]))
        }
        conv(0, "", s.nFilters, s.channels, s.kernelSize)
        for (si, stride) in config.encoderStrides.enumerated() {
            let c = config.seanetWidth(si)
            for j in 0..<s.nResidualLayers {
                let idx = config.residualIndex(stage: si, block: j)
                conv(idx, "block.1.", c / s.compress, c, s.residualKernelSize)
                conv(idx, "block.3.", c, c / s.compress, 1)
            }
            conv(config.downsampleIndex(stage: si), "", 2 * c, c, 2 * stride)
        }
        conv(config.lastConvIndex, "", s.dimension, config.seanetWidth(config.encoderStrides.count), s.lastKernelSize)
        let d = tr.dModel, f = tr.dimFeedforward
        for i in 0..<tr.numLayers {
            let p = "encoder_transformer.transformer.layers.\(i)."
            shapes += [(p + "self_attn.in_proj_weight", [3 * d, d]), (p + "self_attn.out_proj.weight", [d, d]),
                       (p + "linear1.weight", [f, d]), (p + "linear2.weight", [d, f]),
                       (p + "norm1.weight", [d]), (p + "norm1.bias", [d]), (p + "norm2.weight", [d]), (p + "norm2.bias", [d]),
                       (p + "layer_scale_1.scale", [d]), (p + "layer_scale_2.scale", [d])]
        }
        shapes.append(("downsample.conv.conv.conv.weight", [d, d, 2 * config.downsampleStride]))
        shapes.sort { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
        var out = shapes.enumerated().map { pos, t in
            let (offset, scale) = rule(name: t.0, shape: t.1)
            return Entry(name: t.0, shape: t.1, seed: UInt64(pos), offset: offset, scale: scale)
        }
        let q = config.quantizerDimension
        let proj: [(String, [Int])] = [("quantizer.rvq_first.input_proj.weight", [q, d, 1]),
                                       ("quantizer.rvq_first.output_proj.weight", [d, q, 1]),
                                       ("quantizer.rvq_rest.input_proj.weight", [q, d, 1]),
                                       ("quantizer.rvq_rest.output_proj.weight", [d, q, 1])]
        for (i, (name, shape)) in proj.enumerated() where i < projectionSeeds.count {
            let (offset, scale) = rule(name: name, shape: shape)
            out.append(Entry(name: name, shape: shape, seed: projectionSeeds[i], offset: offset, scale: scale))
        }
        return out
    }

    /// (offset, scale) by tensor kind (fixtures.json → weight_formula.rules).
    static func rule(name: String, shape: [Int]) -> (Double, Double) {
        let root3 = 1.7320508075688772
        if name.hasSuffix(".scale") { return (0.2, 0.1) }
        if name.contains(".norm") { return name.hasSuffix(".weight") ? (1.0, 0.1) : (0, 0.05) }
        if name.hasSuffix(".bias") { return (0, 0.05) }
        let fanIn = shape.dropFirst().reduce(1, *)
        return (0, root3 / Double(fanIn).squareRoot())
    }
}
