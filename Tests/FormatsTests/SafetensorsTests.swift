import EngramCore
@testable import Formats
import Foundation
import TestSupport
import XCTest

final class SafetensorsTests: XCTestCase {
    func testRoundTripAndMetadata() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.safetensors")
        try Safetensors.write([("b", [2], [1, 2]), ("a.weight", [2, 3], [1, 2, 3, 4, 5, 6])], metadata: ["format": "pt"], to: url)
        let f = try SafetensorsFile(url)
        XCTAssertEqual(f.names, ["a.weight", "b"])
        XCTAssertEqual(f.metadata, ["format": "pt"])
        XCTAssertEqual(try f.floats("a.weight"), [1, 2, 3, 4, 5, 6])
        let t = try f.tensor("b")
        XCTAssertEqual(t.dtype, .float32)
        XCTAssertEqual(t.shape, [2])
        XCTAssertEqual(t.data.count, 8)
        XCTAssertThrowsError(try f.floats("missing")) { e in XCTAssertTrue("\(e)".contains("m.safetensors")) }
        // Header length is a multiple of 8.
        let raw = try Data(contentsOf: url)
        XCTAssertEqual(Int(raw[0]) % 8, 0)
    }

    func testHalfAndBFloat16Conversions() {
        XCTAssertEqual(floatFromHalfBits(0x3c00), 1)
        XCTAssertEqual(floatFromHalfBits(0xc000), -2)
        XCTAssertEqual(floatFromHalfBits(0x7bff), 65504)
        XCTAssertEqual(floatFromHalfBits(0x0001), 0x1p-24)
        XCTAssertEqual(floatFromHalfBits(0x7c00), .infinity)
        XCTAssertTrue(floatFromHalfBits(0x7e00).isNaN)
        // Every finite half survives half -> float -> half.
        for h in UInt16(0)...UInt16(0xffff) where (h & 0x7c00) != 0x7c00 {
            XCTAssertEqual(halfBitsFromFloat(floatFromHalfBits(h)), h)
        }
        XCTAssertEqual(halfBitsFromFloat(1e6), 0x7c00)
        XCTAssertEqual(floatFromBFloat16Bits(0x3f80), 1)
        XCTAssertEqual(bfloat16BitsFromFloat(1.00390625), 0x3f80)  // tie rounds to even
        XCTAssertEqual(bfloat16BitsFromFloat(-2.5), 0xc020)
    }

    /// Builds a file from a raw header string and a data section.
    private func file(_ header: String, data: Int, in dir: URL, _ name: String = "bad.safetensors") throws -> URL {
        var d = Data()
        let h = Array(header.utf8)
        withUnsafeBytes(of: UInt64(h.count).littleEndian) { d.append(contentsOf: $0) }
        d.append(contentsOf: h)
        d.append(Data(count: data))
        let url = dir.appendingPathComponent(name)
        try d.write(to: url)
        return url
    }

    func testInvalidOffsetsAreRejectedNamingFileAndTensor() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, Int, String)] = [
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, 12, "overlap"),
            (#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, 8, "past the end"),
            (#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, 8, "needs 12 bytes"),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, 8, "hole"),
            (#"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, 8, "unsupported dtype"),
            (#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#, 0, "negative"),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}"#, 8, "invalid data_offsets"),
        ]
        for (header, n, what) in cases {
            let url = try file(header, data: n, in: dir)
            XCTAssertThrowsError(try SafetensorsFile(url), what) { e in
                let s = "\(e)"
                XCTAssertTrue(s.contains(url.path) && s.contains(what), "\(what): \(s)")
                if what != "hole" { XCTAssertTrue(s.contains("'a'") || s.contains("'b'"), s) }
            }
        }
        let trailing = try file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: 8, in: dir)
        XCTAssertThrowsError(try SafetensorsFile(trailing)) { e in XCTAssertTrue("\(e)".contains("trailing"), "\(e)") }
        let empty = dir.appendingPathComponent("empty.safetensors")
        try Data().write(to: empty)
        XCTAssertThrowsError(try SafetensorsFile(empty)) { e in XCTAssertTrue("\(e)".contains("empty.safetensors")) }
    }

    /// safetensors (the reference library) writes F32/F16/F64/I64/BF16 tensors with metadata;
    /// Swift reads them and compares with the values Python dumped.
    func testReadsFilesWrittenByReferenceLibrary() throws {
        try FormatsOracle.require()
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FormatsOracle.run(["make-safetensors", dir.path])
        let expected = try ExpectedArray.load(dir.appendingPathComponent("expected.json"))
        var checked = 0
        for fname in expected.keys {
            let f = try SafetensorsFile(dir.appendingPathComponent(fname + ".safetensors"))
            let tensors = expected[fname]!.objectValue!
            for name in tensors.keys {
                if name == "__metadata__" {
                    let m = tensors[name]!.objectValue!
                    XCTAssertEqual(f.metadata, Dictionary(uniqueKeysWithValues: m.keys.map { ($0, m[$0]!.stringValue!) }))
                    continue
                }
                let exp = ExpectedArray(tensors[name]!)
                let info = try f.info(name)
                XCTAssertEqual(info.shape, exp.shape, name)
                XCTAssertEqual(info.dtype.rawValue, exp.dtype, name)
                if info.dtype.isFloatingPoint {
                    XCTAssertTrue(sameFloats(try f.floats(name), exp.floats), name)
                } else {
                    XCTAssertEqual(try f.int64s(name), exp.int64s, name)
                }
                checked += 1
            }
            XCTAssertEqual(Set(f.names), Set(tensors.keys.filter { $0 != "__metadata__" }))
        }
        XCTAssertEqual(checked, 8)
    }

    /// Swift writes F32, F16, BF16, I64 tensors with metadata; the reference library reads them.
    func testReferenceLibraryReadsFilesWeWrite() throws {
        try FormatsOracle.require()
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = TestRNG(11)
        let w = rng.floats(12), bias = rng.floats(3)
        try Safetensors.write([("layer.weight", [3, 4], w), ("layer.bias", [3], bias), ("empty", [0], [])],
                              metadata: ["format": "pt", "who": "engram"], to: dir.appendingPathComponent("f32.safetensors"))
        let halves = rng.floats(6).map(halfBitsFromFloat)
        let bf = rng.floats(4).map(bfloat16BitsFromFloat)
        let ids: [Int64] = [-5, 0, 1 << 40]
        try Safetensors.write(tensors: [
            SafetensorsTensor(name: "h", dtype: .float16, shape: [2, 3], data: rawBytes(halves)),
            SafetensorsTensor(name: "bf", dtype: .bfloat16, shape: [4], data: rawBytes(bf)),
            SafetensorsTensor(name: "ids", dtype: .int64, shape: [3], data: rawBytes(ids)),
        ], to: dir.appendingPathComponent("mixed.safetensors"))
        var exp = JSONObject()
        exp["f32"] = .object(JSONObject([
            ("__metadata__", .object(JSONObject([("format", .string("pt")), ("who", .string("engram"))]))),
            ("layer.weight", expectedEntry(dtype: "float32", shape: [3, 4], values: w.map { .double(Double($0)) })),
            ("layer.bias", expectedEntry(dtype: "float32", shape: [3], values: bias.map { .double(Double($0)) })),
            ("empty", expectedEntry(dtype: "float32", shape: [0], values: [])),
        ]))
        exp["mixed"] = .object(JSONObject([
            ("h", expectedEntry(dtype: "float16", shape: [2, 3], values: halves.map { .double(Double(floatFromHalfBits($0))) })),
            ("bf", expectedEntry(dtype: "bfloat16", shape: [4], values: bf.map { .double(Double(floatFromBFloat16Bits($0))) })),
            ("ids", expectedEntry(dtype: "int64", shape: [3], values: ids.map { .int($0) })),
        ]))
        try writeExpected(exp, to: dir)
        let out = try FormatsOracle.run(["check-safetensors", dir.path])
        XCTAssertTrue(out.contains("OK 6"), out)
    }
}
