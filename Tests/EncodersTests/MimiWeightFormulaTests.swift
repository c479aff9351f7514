import Foundation
import XCTest
@testable import Encoders
import Formats
import TestSupport

final class MimiWeightFormulaTests: XCTestCase {
    func testHashTestVectors() throws {
        let vectors = try XCTUnwrap(MimiFixtures.json["weight_formula"]?["test_vectors"]?.objectValue)
        XCTAssertEqual(vectors.count, 8)
        for key in vectors.keys {       // "u(7,2)"
            let nums = key.dropFirst(2).dropLast().split(separator: ",").map { UInt64($0)! }
            XCTAssertEqual(MimiWeightFormula.u(nums[0], nums[1]), vectors[key]?.doubleValue, key)
        }
    }

    /// The table derived from the config reproduces the generator's table (names, shapes, seeds, rules).
    func testDerivedTableMatchesFixtures() throws {
        XCTAssertEqual(MimiWeightFormula.table(config: .released), try MimiFixtures.table("full"))
        XCTAssertEqual(MimiWeightFormula.table(config: .tiny, projectionSeeds: [10048, 10049, 10053, 10054]),
                       try MimiFixtures.table("tiny").filter { !$0.name.hasPrefix("decoder") && !$0.name.contains("vq.") && !$0.name.hasPrefix("upsample") })
    }

    /// The formula gives the tiny checkpoint's values bit for bit.
    func testFormulaEqualsTinyCheckpoint() throws {
        let file = try SafetensorsFile(MimiFixtures.tinyMoshiCheckpoint)
        let table = try MimiFixtures.table("tiny")
        XCTAssertEqual(Set(file.names), Set(table.map(\.name)))
        for e in table {
            XCTAssertEqual(try file.floats(e.name), MimiWeightFormula.values(e), e.name)
        }
        let full = try MimiFixtures.table("full")
        XCTAssertEqual(full.reduce(0) { $0 + $1.shape.reduce(1, *) }, 38_867_232 + 524_288, "fixtures.json parameter counts")
    }
}
