import XCTest
import EngramCore
import TestSupport

final class AtomicFileTests: XCTestCase {
    func testWriteReplacesAndLeavesNoTemporaries() throws {
        let dir = makeTempDir()
        let f = dir.appendingPathComponent("sub/a.txt")
        try AtomicFile.write("one", to: f)
        try AtomicFile.write("two", to: f)
        XCTAssertEqual(try String(contentsOf: f, encoding: .utf8), "two")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: f.deletingLastPathComponent().path), ["a.txt"])
    }

    func testUnwritableFolderNamesThePath() throws {
        XCTAssertThrowsError(try AtomicFile.write("x", to: URL(fileURLWithPath: "/proc/engram-nope/a.txt"))) { e in
            XCTAssertTrue("\(e)".contains("/proc/engram-nope"), "\(e)")
        }
    }
}
