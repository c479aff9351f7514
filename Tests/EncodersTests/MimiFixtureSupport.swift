import Foundation
import XCTest
import Encoders
import Formats
import TestSupport

/// The Mimi parity fixtures copied from the shared fixture set by scripts/mimi/copy_fixtures.py
/// (written by moshi 0.2.13 itself; see Tests/Fixtures/mimi/README.md).
enum MimiFixtures {
    static let root = fixtureURL("mimi")
    static func url(_ rel: String) -> URL { root.appendingPathComponent(rel) }

    /// A [1, C, T] activation as time-major [T, C] (the encoder's layout).
    static func timeMajor(_ rel: String) throws -> (steps: Int, channels: Int, values: [Float]) {
        let a = try NPY.read(url(rel))
        guard a.shape.count == 3, a.shape[0] == 1 else { throw EngramTestError("\(rel): expected [1, C, T], got \(a.shape)") }
        let c = a.shape[1], t = a.shape[2]
        let v = try a.floats()
        var out = [Float](repeating: 0, count: c * t)
        for ci in 0..<c { for ti in 0..<t { out[ti * c + ci] = v[ci * t + ti] } }
        return (t, c, out)
    }

    /// The first `count` samples of the fixture waveform (tiny caseA = 76800, caseB = 75566, full = 307200).
    static func input(count: Int? = nil) throws -> [Float] {
        let v = try NPY.read(url("full/input.npy")).floats()
        return count.map { Array(v.prefix($0)) } ?? v
    }

    /// `fixtures.json`, parsed with exact number conversion.
    static let json: JSONValue = try! JSON.parse(Data(contentsOf: url("fixtures.json")), location: "fixtures.json")

    /// `fixtures.json → <section>.tensors` as formula recipes.
    static func table(_ section: String) throws -> [MimiWeightFormula.Entry] {
        try MimiWeightFormula.entries(json: json[section]?["tensors"] ?? .null, location: "fixtures.json \(section).tensors")
    }

    static let tinyMoshiCheckpoint = url("tiny/mimi_tiny_moshi.safetensors")
    static let tinyHFFolder = url("tiny/hf")
}

struct EngramTestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Runs the encoder and keeps every tapped activation, concatenated over chunks ([T, C] each).
/// `only`: the tap names to keep (all when nil).
func encodeWithTaps(_ enc: MimiEncoder, _ wave: [Float], only: Set<String>? = nil) throws -> (latents: [Float], taps: [String: [Float]]) {
    var taps: [String: [Float]] = [:]
    let out = try enc.encode(wave) { name, p, rows, cols in
        if let only, !only.contains(name) { return }
        taps[name, default: []].append(contentsOf: UnsafeBufferPointer(start: p, count: rows * cols))
    }
    return (out, taps)
}

/// max|got − ref| / max|ref| ≤ tol, reported with the measured value.
func assertRelClose(_ got: [Float], _ ref: [Float], tol: Float = 1e-4, _ what: String,
                    file: StaticString = #filePath, line: UInt = #line) {
    guard got.count == ref.count else {
        XCTFail("\(what): \(got.count) values, reference has \(ref.count)", file: file, line: line)
        return
    }
    let e = relMaxDiff(got, ref)
    XCTAssert(e <= tol, "\(what): max|Δ|/max|ref| = \(e) > \(tol)", file: file, line: line)
}
