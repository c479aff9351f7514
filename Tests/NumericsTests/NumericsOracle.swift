import Foundation
import EngramCore
import Numerics
import TestSupport
import XCTest

/// Runs `scripts/numerics_oracle.py` (numpy / scipy / scikit-learn) and decodes its JSON answer.
enum NumericsOracle {
    static func require() throws {
        try requireOracle("sklearn", check: ["python3", "-c", "import sklearn, scipy, numpy"])
    }

    static func run(_ args: [String]) throws -> [String: Any] {
        let script = repoRoot.appendingPathComponent("scripts/numerics_oracle.py").path
        let r = try runProcess("python3", [script] + args)
        guard r.status == 0 else { throw XCTSkip("oracle failed: \(r.err)") }
        guard let obj = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any] else {
            throw NSError(domain: "oracle", code: 1, userInfo: [NSLocalizedDescriptionKey: "bad JSON: \(r.out.prefix(200))"])
        }
        return obj
    }

    /// Writes little-endian float32 values to a temporary file and returns its path.
    static func writeFloat32(_ v: [Float]) throws -> String {
        let url = makeTempDir("numerics").appendingPathComponent("x.f32")
        let data = v.withUnsafeBufferPointer { Data(buffer: $0) }
        try data.write(to: url)
        return url.path
    }

    static func writeFloat64(_ v: [Double]) throws -> String {
        let url = makeTempDir("numerics").appendingPathComponent("v.f64")
        try v.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: url)
        return url.path
    }
}

/// Deterministic test data.
struct TestRandom {
    var rng: SplitMix64
    init(_ seed: UInt64) { rng = SplitMix64(seed: seed) }
    mutating func uniform() -> Double { rng.nextDouble() }
    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u1 = max(rng.nextDouble(), 1e-300), u2 = rng.nextDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
    mutating func floats(_ n: Int, scale: Double = 1) -> [Float] { (0..<n).map { _ in Float(normal() * scale) } }
}

func doubles(_ any: Any?) -> [Double] { (any as? [Any] ?? []).map { ($0 as? NSNumber)?.doubleValue ?? .nan } }
func matrix(_ any: Any?) -> [[Double]] { (any as? [Any] ?? []).map { doubles($0) } }
