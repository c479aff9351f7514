import EngramCore
@testable import Formats
import Foundation
import TestSupport
import XCTest

final class NPYTests: XCTestCase {
    func testRoundTripAllTypes() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = dir.appendingPathComponent("a.npy")
        try NPY.write(floats: [1, -2, 3.5, .infinity, 0, 6], shape: [2, 3], to: f)
        let a = try NPY.read(f)
        XCTAssertEqual(a.shape, [2, 3])
        XCTAssertEqual(a.dtype, .float32)
        XCTAssertEqual(try a.floats(), [1, -2, 3.5, .infinity, 0, 6])
        XCTAssertThrowsError(try a.int64s())

        try NPY.write(int64s: [Int64.min, 0, Int64.max], shape: [3], to: f)
        XCTAssertEqual(try NPY.read(f).int64s(), [Int64.min, 0, Int64.max])
        try NPY.write(int32s: [-7, 8], shape: [2, 1], to: f)
        XCTAssertEqual(try NPY.read(f).int32s(), [-7, 8])
        try NPY.write(doubles: [0.1, 1e300], shape: [2], to: f)
        XCTAssertEqual(try NPY.read(f).doubles(), [0.1, 1e300])
        try NPY.write(bools: [true, false, true], shape: [3], to: f)
        XCTAssertEqual(try NPY.read(f).bools(), [true, false, true])
        try NPY.write(uint8s: [0, 255], shape: [2], to: f)
        XCTAssertEqual(try NPY.read(f).uint8s(), [0, 255])
        try NPY.write(floats: [42], shape: [], to: f)
        XCTAssertEqual(try NPY.read(f).shape, [])
    }

    func testHeaderIsAlignedAndNumpyFormatted() throws {
        let data = try NPY.encode(try NPYArray(floats: [1, 2, 3, 4, 5, 6], shape: [2, 3]))
        let headerLen = Int(data[8]) | Int(data[9]) << 8
        XCTAssertEqual((10 + headerLen) % 64, 0)
        let text = String(decoding: data[10..<(10 + headerLen)], as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"))
        XCTAssertTrue(text.hasSuffix("\n"))
        XCTAssertEqual(data.count, 10 + headerLen + 24)
    }

    func testShapeMismatchOnWriteNamesFile() {
        let url = URL(fileURLWithPath: "/tmp/never-written.npy")
        XCTAssertThrowsError(try NPY.write(floats: [1, 2, 3], shape: [2, 2], to: url)) { e in
            XCTAssertTrue("\(e)".contains("never-written.npy"), "\(e)")
        }
    }

    func testMalformedInputsThrowNamingTheFile() throws {
        let good = try NPY.encode(try NPYArray(floats: [1, 2, 3], shape: [3]))
        var cases: [(String, Data)] = []
        cases.append(("short", Data(good.prefix(5))))
        cases.append(("truncated data", Data(good.dropLast(2))))
        cases.append(("trailing bytes", good + Data([0])))
        var badMagic = good; badMagic[1] = 0
        cases.append(("magic", badMagic))
        var badVersion = good; badVersion[6] = 9
        cases.append(("version", badVersion))
        var hugeHeader = good; hugeHeader[8] = 0xff; hugeHeader[9] = 0xff
        cases.append(("header length", hugeHeader))
        for (what, d) in cases {
            XCTAssertThrowsError(try NPY.decode(d, location: "case.npy"), what) { e in
                XCTAssertTrue("\(e)".contains("case.npy"), "\(what): \(e)")
            }
        }
        func withHeader(_ h: String) -> Data {
            var d = Data(NPY.magic + [1, 0])
            let body = Array((h + "\n").utf8)
            d.append(contentsOf: [UInt8(body.count & 0xff), UInt8(body.count >> 8)])
            d.append(contentsOf: body)
            return d
        }
        for h in ["{'descr': '<f4', 'fortran_order': True, 'shape': (0,), }",
                  "{'descr': '<c8', 'fortran_order': False, 'shape': (0,), }",
                  "{'descr': '<f4', 'shape': (0,), }",
                  "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
                  "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }",
                  "{'descr': '<f4', 'fortran_order': False, 'shape': (1,",
                  "[1, 2]"] {
            XCTAssertThrowsError(try NPY.decode(withHeader(h), location: "h.npy"), h) { e in
                XCTAssertTrue("\(e)".contains("h.npy"), "\(e)")
            }
        }
        // A valid empty array with an old-style long dimension.
        let empty = try NPY.decode(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (0L, 3L), }"), location: "x")
        XCTAssertEqual(empty.shape, [0, 3])
    }

    /// numpy writes the files (all dtypes, big-endian, v2/v3 headers, Fortran order, structured);
    /// Swift reads them and compares with the values numpy dumped; re-encoding reproduces numpy's bytes.
    func testReadsFilesWrittenByNumpy() throws {
        try FormatsOracle.require()
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FormatsOracle.run(["make-npy", dir.path])
        let expected = try ExpectedArray.load(dir.appendingPathComponent("expected.json"))
        XCTAssertGreaterThan(expected.count, 10)
        for name in expected.keys {
            let exp = ExpectedArray(expected[name]!)
            let url = dir.appendingPathComponent(name + ".npy")
            if let err = exp.error {
                XCTAssertThrowsError(try NPY.read(url), name) { e in
                    XCTAssertTrue("\(e)".contains(url.path) && "\(e)".contains(err), "\(name): \(e)")
                }
                continue
            }
            let a = try NPY.read(url)
            XCTAssertEqual(a.dtype.rawValue, exp.dtype, name)
            XCTAssertEqual(a.shape, exp.shape, name)
            switch a.dtype {
            case .float16, .float32: XCTAssertTrue(sameFloats(try a.floats(), exp.floats), name)
            case .float64: XCTAssertTrue(sameDoubles(try a.doubles(), exp.doubles), name)
            default: XCTAssertEqual(try a.int64s(), exp.int64s, name)
            }
            // Our encoder produces numpy's exact bytes for little-endian v1 files.
            if !name.contains("bigendian") && !name.hasSuffix("_v2") && !name.hasSuffix("_v3") {
                XCTAssertEqual(try NPY.encode(a), try Data(contentsOf: url), "\(name): bytes differ from numpy's")
            }
        }
    }

    /// Swift writes every supported dtype; numpy loads them and checks dtype, shape and values.
    func testNumpyReadsFilesWeWrite() throws {
        try FormatsOracle.require()
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = TestRNG(7)
        var exp = JSONObject()
        let f = rng.floats(60) + [.nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        try NPY.write(floats: f, shape: [6, 11], to: dir.appendingPathComponent("f4.npy"))
        exp["f4"] = expectedEntry(dtype: "float32", shape: [6, 11], values: f.map { .double(Double($0)) })
        let d = (0..<24).map { _ in Double(rng.normalish()) / 3 }
        try NPY.write(doubles: d, shape: [2, 3, 4], to: dir.appendingPathComponent("f8.npy"))
        exp["f8"] = expectedEntry(dtype: "float64", shape: [2, 3, 4], values: d.map { .double($0) })
        let i4: [Int32] = (0..<9).map { _ in Int32(truncatingIfNeeded: rng.next()) }
        try NPY.write(int32s: i4, shape: [9], to: dir.appendingPathComponent("i4.npy"))
        exp["i4"] = expectedEntry(dtype: "int32", shape: [9], values: i4.map { .int(Int64($0)) })
        let i8: [Int64] = (0..<6).map { _ in Int64(bitPattern: rng.next()) }
        try NPY.write(int64s: i8, shape: [3, 2], to: dir.appendingPathComponent("i8.npy"))
        exp["i8"] = expectedEntry(dtype: "int64", shape: [3, 2], values: i8.map { .int($0) })
        let u1: [UInt8] = (0..<5).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        try NPY.write(uint8s: u1, shape: [5], to: dir.appendingPathComponent("u1.npy"))
        exp["u1"] = expectedEntry(dtype: "uint8", shape: [5], values: u1.map { .int(Int64($0)) })
        let b = (0..<7).map { _ in rng.next() & 1 == 1 }
        try NPY.write(bools: b, shape: [7], to: dir.appendingPathComponent("b1.npy"))
        exp["b1"] = expectedEntry(dtype: "bool", shape: [7], values: b.map { .bool($0) })
        try NPY.write(floats: [2.5], shape: [], to: dir.appendingPathComponent("scalar.npy"))
        exp["scalar"] = expectedEntry(dtype: "float32", shape: [], values: [.double(2.5)])
        try NPY.write(floats: [], shape: [0, 4], to: dir.appendingPathComponent("empty.npy"))
        exp["empty"] = expectedEntry(dtype: "float32", shape: [0, 4], values: [])
        try writeExpected(exp, to: dir)
        let out = try FormatsOracle.run(["check-npy", dir.path])
        XCTAssertTrue(out.contains("OK 8"), out)
    }
}
