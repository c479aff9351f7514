import EngramCore
import Foundation
import TestSupport
import XCTest
@testable import Formats

/// Files written by pyarrow 26 / pandas 3 (scripts/check_parquet.py write Tests/Fixtures/parquet 200),
/// committed so these run without Python: plain, dictionary (incl. fallback to plain mid-chunk),
/// v1 and v2 data pages, RLE booleans, OPTIONAL and REQUIRED columns, narrow integers, empty
/// table, and files that must be rejected (nulls, GZIP, DELTA_BINARY_PACKED, TIMESTAMP, nested).
final class ParquetFixtureTests: XCTestCase {
    func testCommittedPyarrowFiles() throws {
        let n = try checkParquetExpectationCases(in: fixtureURL("parquet"))
        XCTAssertGreaterThanOrEqual(n, 17)
    }
}
