import EngramCore
@testable import Formats
import Foundation
import TestSupport
import XCTest

/// Runs `scripts/check_formats.py` (numpy, zarr-python 2, numcodecs, safetensors) as the oracle.
enum FormatsOracle {
    static let check = ["python3", "-c", "import zarr, numcodecs, numpy, safetensors; assert zarr.__version__.startswith('2.')"]

    static func require() throws {
        try requireOracle("zarr", check: check)
    }

    /// Runs a subcommand; fails the test with the script's output on a non-zero exit.
    @discardableResult
    static func run(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let script = repoRoot.appendingPathComponent("scripts/check_formats.py").path
        let r = try runProcess("python3", [script] + args)
        if r.status != 0 {
            XCTFail("check_formats.py \(args.joined(separator: " ")) failed:\n\(r.out)\n\(r.err)", file: file, line: line)
            throw EngramError("check_formats.py", "exit \(r.status)")
        }
        return r.out
    }
}

/// One entry of the checker's `expected.json`.
struct ExpectedArray {
    var dtype: String
    var shape: [Int]
    var values: [JSONValue]
    var error: String?

    init(_ v: JSONValue) {
        dtype = v["dtype"]?.stringValue ?? ""
        shape = v["shape"]?.arrayValue?.compactMap(\.intValue) ?? []
        values = v["values"]?.arrayValue ?? []
        error = v["error"]?.stringValue
    }

    var floats: [Float] { values.map { Float($0.doubleValue ?? .nan) } }
    var doubles: [Double] { values.map { $0.doubleValue ?? .nan } }
    var int64s: [Int64] {
        values.map { v -> Int64 in
            if case .int(let i) = v { return i }
            if case .bool(let b) = v { return b ? 1 : 0 }
            return Int64.min
        }
    }

    static func load(_ url: URL) throws -> JSONObject {
        guard let o = try JSON.parse(Data(contentsOf: url), location: url.path).objectValue else {
            throw EngramError(url.path, "not an object")
        }
        return o
    }
}

/// Bitwise float equality that treats NaN == NaN (same payload not required).
func sameFloats(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in (x.isNaN && y.isNaN) || x.bitPattern == y.bitPattern }
}

func sameDoubles(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in (x.isNaN && y.isNaN) || x.bitPattern == y.bitPattern }
}

/// Serialises an expected-array entry for the checker's `check-*` subcommands.
func expectedEntry(dtype: String, shape: [Int], values: [JSONValue]) -> JSONValue {
    .object(JSONObject([
        ("dtype", .string(dtype)),
        ("shape", .array(shape.map { .int(Int64($0)) })),
        ("values", .array(values)),
    ]))
}

func writeExpected(_ obj: JSONObject, to dir: URL) throws {
    try AtomicFile.write(JSON.serialize(.object(obj), indent: nil), to: dir.appendingPathComponent("expected.json"))
}

/// Deterministic pseudo-random floats (SplitMix64), for test data.
struct TestRNG {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Float { Float(next() >> 40) * 0x1p-24 }
    mutating func normalish() -> Float { (uniform() + uniform() + uniform() - 1.5) * 2 }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func floats(_ n: Int) -> [Float] { (0..<n).map { _ in normalish() } }
}
