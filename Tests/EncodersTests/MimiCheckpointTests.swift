import Foundation
import XCTest
@testable import Encoders
import EngramCore
import Formats
import TestSupport

/// Checkpoint loading: dtypes, weight-norm pairs, strict name/shape checks, HF config parsing.
final class MimiCheckpointTests: XCTestCase {
    /// The tiny model's tensors (name → (shape, values)), from the fixture file.
    func tinyTensors() throws -> [String: (shape: [Int], values: [Float])] {
        let f = try SafetensorsFile(MimiFixtures.tinyMoshiCheckpoint)
        var out: [String: (shape: [Int], values: [Float])] = [:]
        for n in f.names { out[n] = (try f.info(n).shape, try f.floats(n)) }
        return out
    }

    func write(_ tensors: [String: (shape: [Int], values: [Float])], dtype: ScalarType = .float32, to url: URL) throws {
        let list: [SafetensorsTensor] = tensors.keys.sorted().map { name in
            let t = tensors[name]!
            switch dtype {
            case .float16: return SafetensorsTensor(name: name, dtype: .float16, shape: t.shape, data: bytes(t.values.map(halfBitsFromFloat)))
            case .bfloat16: return SafetensorsTensor(name: name, dtype: .bfloat16, shape: t.shape, data: bytes(t.values.map(bfloat16BitsFromFloat)))
            default: return SafetensorsTensor(name: name, shape: t.shape, floats: t.values)
            }
        }
        try Safetensors.write(tensors: list, to: url)
    }

    func bytes(_ v: [UInt16]) -> Data { v.withUnsafeBytes { Data($0) } }

    func loadError(_ tensors: [String: (shape: [Int], values: [Float])], config: MimiConfig = .tiny, project: Bool = true) throws -> String {
        let dir = makeTempDir("mimi-ck")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.safetensors")
        try write(tensors, to: url)
        do {
            _ = try MimiEncoder.load(moshi: url, config: config, project: project)
            return "no error"
        } catch let e as EngramError {
            XCTAssertEqual(e.location, url.path, "error names the file")
            return e.message
        }
    }

    func testHalfPrecisionCheckpointsWidenExactly() throws {
        let tensors = try tinyTensors()
        let dir = makeTempDir("mimi-ck")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (dtype, widen) in [(ScalarType.float16, { (x: Float) in floatFromHalfBits(halfBitsFromFloat(x)) }),
                               (.bfloat16, { (x: Float) in Float(bitPattern: UInt32(bfloat16BitsFromFloat(x)) << 16) })] {
            let url = dir.appendingPathComponent("m-\(dtype).safetensors")
            try write(tensors, dtype: dtype, to: url)
            let enc = try MimiEncoder.load(moshi: url, config: .tiny)
            let name = "encoder_transformer.transformer.layers.1.linear2.weight"
            XCTAssertEqual(enc.weights.layers[1].linear2, tensors[name]!.values.map(widen), "\(dtype) widened exactly")
            XCTAssertEqual(enc.weights.stages[2].downsample.weight, tensors["encoder.model.9.conv.conv.weight"]!.values.map(widen))
            XCTAssertNotEqual(enc.weights.layers[1].linear2, tensors[name]!.values, "\(dtype) really is lower precision")
            // Half-precision weights still give latents close to the float32 reference.
            let got = try enc.encode(try MimiFixtures.input(count: 19200))
            let ref = try MimiFixtures.timeMajor("tiny/caseA_latent_projected.npy").values
            XCTAssertLessThan(relMaxDiff(got, Array(ref.prefix(got.count))), 0.05, "\(dtype)")
        }
    }

    /// weight_g / weight_v pairs (and torch's parametrizations naming) fold to the plain weight.
    func testWeightNormPairsAreFolded() throws {
        var tensors = try tinyTensors()
        var folded = 0
        for name in tensors.keys.sorted() where name.hasPrefix("encoder.model.") && name.hasSuffix(".weight") {
            let (shape, w) = tensors.removeValue(forKey: name)!
            let out = shape[0], per = w.count / out
            var v = w, g = [Float](repeating: 0, count: out)
            for o in 0..<out {
                let c = Float(1 + o % 3) * 0.7                       // arbitrary positive per-channel scale
                var ss = 0.0
                for i in 0..<per { v[o * per + i] = w[o * per + i] * c; ss += Double(w[o * per + i]) * Double(w[o * per + i]) }
                g[o] = Float(ss.squareRoot())
            }
            let base = String(name.dropLast("weight".count))
            let (gName, vName) = folded % 2 == 0 ? (base + "weight_g", base + "weight_v")
                : (base + "parametrizations.weight.original0", base + "parametrizations.weight.original1")
            tensors[gName] = ([out, 1, 1], g)
            tensors[vName] = (shape, v)
            folded += 1
        }
        XCTAssertEqual(folded, 14)
        let dir = makeTempDir("mimi-ck")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("wn.safetensors")
        try write(tensors, to: url)
        let enc = try MimiEncoder.load(moshi: url, config: .tiny)
        let got = try enc.encode(try MimiFixtures.input(count: 76800))
        assertRelClose(got, try MimiFixtures.timeMajor("tiny/caseA_latent_projected.npy").values, tol: 1e-5, "weight-norm checkpoint")
    }

    func testMissingExtraAndMisshapenTensorsAreNamed() throws {
        var t = try tinyTensors()
        t.removeValue(forKey: "encoder.model.6.conv.conv.bias")
        XCTAssertTrue(try loadError(t).contains("'encoder.model.6.conv.conv.bias' missing"))

        t = try tinyTensors()
        t["encoder.model.16.conv.conv.weight"] = ([2, 2, 1], [1, 2, 3, 4])
        XCTAssertTrue(try loadError(t).contains("unexpected tensor 'encoder.model.16.conv.conv.weight'"))

        t = try tinyTensors()
        t["quantizer.rvq_first.input_proj.bias"] = ([8], [Float](repeating: 0, count: 8))
        XCTAssertTrue(try loadError(t).contains("unexpected tensor 'quantizer.rvq_first.input_proj.bias'"))

        t = try tinyTensors()
        t["encoder_transformer.transformer.layers.1.linear1.weight"] = ([64, 31], [Float](repeating: 0, count: 64 * 31))
        let msg = try loadError(t)
        XCTAssertTrue(msg.contains("'encoder_transformer.transformer.layers.1.linear1.weight' has shape [64, 31], expected [64, 32]"), msg)

        // The tiny file read with the released configuration: the first tensor read is misshapen.
        XCTAssertTrue(try loadError(try tinyTensors(), config: .released).contains("has shape [4, 1, 7], expected [64, 1, 7]"))

        // Projections: required for projected latents, optional otherwise.
        t = try tinyTensors()
        for k in t.keys where k.hasPrefix("quantizer.") && k.contains("_proj.") { t.removeValue(forKey: k) }
        XCTAssertTrue(try loadError(t).contains("'quantizer.rvq_first.input_proj.weight' missing"))
        XCTAssertEqual(try loadError(t, project: false), "no error")
    }

    func testNotAMimiFileAndBadFiles() throws {
        let dir = makeTempDir("mimi-ck")
        defer { try? FileManager.default.removeItem(at: dir) }
        let other = dir.appendingPathComponent("other.safetensors")
        try Safetensors.write([(name: "foo", shape: [2], values: [1, 2])], to: other)
        XCTAssertThrowsError(try MimiEncoder(config: .tiny, checkpoint: other, project: true)) { e in
            XCTAssertTrue("\(e)".contains("not a Mimi checkpoint"), "\(e)")
        }
        let garbage = dir.appendingPathComponent("garbage.safetensors")
        try Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2]).write(to: garbage)
        XCTAssertThrowsError(try MimiEncoder.load(moshi: garbage, config: .tiny)) { e in
            XCTAssertTrue("\(e)".contains(garbage.path), "\(e)")
        }
        let missing = dir.appendingPathComponent("absent.safetensors")
        XCTAssertThrowsError(try MimiEncoder(config: .tiny, checkpoint: missing, project: true)) { e in
            XCTAssertTrue("\(e)".contains("not found"), "\(e)")
        }
        XCTAssertThrowsError(try MimiEncoder(config: .tiny, checkpoint: nil, project: true))
    }

    func testHuggingFaceConfigParsing() throws {
        let cfgData = try Data(contentsOf: MimiFixtures.tinyHFFolder.appendingPathComponent("config.json"))
        XCTAssertEqual(try MimiConfig(huggingFaceJSON: cfgData, location: "c"), .tiny)
        XCTAssertEqual(try MimiConfig(huggingFaceJSON: Data("{\"model_type\": \"mimi\"}".utf8), location: "c"), .released,
                       "transformers' defaults describe kyutai/mimi")
        for (json, expect) in [("{\"model_type\": \"encodec\"}", "model_type"),
                               ("{\"pad_mode\": \"reflect\"}", "pad_mode"),
                               ("{\"sliding_window\": 2.5}", "sliding_window"),
                               ("{\"use_causal_conv\": false}", "use_causal_conv"),
                               ("{\"hidden_size\": 30}", "head_dim"),
                               ("[1, 2]", "not a JSON object"),
                               ("{\"upsampling_ratios\": [8, \"x\"]}", "upsampling_ratios")] {
            XCTAssertThrowsError(try MimiConfig(huggingFaceJSON: Data(json.utf8), location: "cfg.json"), json) { e in
                XCTAssertTrue("\(e)".contains(expect), "\(json): \(e)")
            }
        }
    }

    func testUnpermuteInvertsTransformersPermutation() {
        // HF[64h + j] = moshi[64h + 2j], HF[64h + 32 + j] = moshi[64h + 2j + 1] (here: 2 heads of 4, 1 column).
        let moshi: [Float] = [0, 1, 2, 3, 10, 11, 12, 13]
        let hf: [Float] = [0, 2, 1, 3, 10, 12, 11, 13]
        XCTAssertEqual(unpermuteRotateHalf(hf, heads: 2, headDim: 4, columns: 1), moshi)
    }
}
