import EngramCore
import Foundation
import TestSupport
import XCTest
@testable import Formats

/// Cross-checks against the reference Snappy library bundled with pyarrow (`pa.compress`).
final class SnappyOracleTests: XCTestCase {
    let script = repoRoot.appendingPathComponent("scripts/check_parquet.py").path

    func testReferenceCompressesWeDecompressAndViceVersa() throws {
        try requireOracle("pyarrow", check: ["python3", "-c", "import pyarrow, pandas"])
        let dir = makeTempDir("snappy-oracle")
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs = SnappyTests.inputs()
        for (name, input) in inputs {
            try Data(input).write(to: dir.appendingPathComponent("\(name).raw"))
            try Data(Snappy.compress(input)).write(to: dir.appendingPathComponent("\(name).ours.snappy"))
        }
        for command in ["snappy-compress", "snappy-decompress"] {
            let r = try runProcess("python3", [script, command, dir.path])
            XCTAssertEqual(r.status, 0, "\(command): \(r.err)")
        }
        for (name, input) in inputs {
            // Reference stream → our decoder.
            let theirs = [UInt8](try Data(contentsOf: dir.appendingPathComponent("\(name).ref.snappy")))
            XCTAssertEqual(try Snappy.decompress(theirs, location: name), input, "decoding reference stream \(name)")
            // Our stream → reference decoder.
            XCTAssertEqual([UInt8](try Data(contentsOf: dir.appendingPathComponent("\(name).back"))), input, "reference decoding our stream \(name)")
            // Same greedy algorithm family: sizes within a few percent of the reference.
            let ours = Snappy.compress(input).count
            XCTAssertLessThanOrEqual(Double(ours), Double(theirs.count) * 1.05 + 8, "\(name): ours \(ours) vs reference \(theirs.count)")
        }
    }
}
