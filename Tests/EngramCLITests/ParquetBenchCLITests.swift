import Foundation
import TestSupport
import XCTest

/// `engram bench parquet` runs end to end on a small table (ours, and next to pyarrow).
final class ParquetBenchCLITests: XCTestCase {
    func testBenchParquetSmallTable() throws {
        let engram = try requireEngram()
        let r = try runProcess(engram, ["bench", "parquet", "--rows", "3000", "--repeats", "1", "--no-python"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("phase0_frames: 3000 rows") && r.out.contains("read our SNAPPY dict file") && r.out.contains("Mrows/s"), r.out)

        try requireOracle("pyarrow", check: ["python3", "-c", "import pyarrow, pandas"])
        let p = try runProcess(engram, ["bench", "parquet", "--rows", "3000", "--repeats", "1"])
        XCTAssertEqual(p.status, 0, p.err)
        XCTAssertTrue(p.out.contains("pyarrow read its dictionary file") && p.out.contains("ratios"), p.out)
    }
}
