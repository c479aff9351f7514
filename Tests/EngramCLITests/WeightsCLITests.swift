import XCTest
import Foundation
import TestSupport

/// `engram weights fetch mimi` against a local range-capable server (the tiny Mimi checkpoint
/// stands in for Kyutai's file).
final class WeightsCLITests: XCTestCase {
    func testFetchMimiResumesAndVerifies() throws {
        let engram = try requireEngram()
        let dir = makeTempDir("cli-weights")
        defer { try? FileManager.default.removeItem(at: dir) }
        let srvRoot = dir.appendingPathComponent("srv")
        try FileManager.default.createDirectory(at: srvRoot, withIntermediateDirectories: true)
        let name = "mimi_tiny_moshi.safetensors"
        try FileManager.default.copyItem(at: fixtureURL("mimi/tiny/\(name)"), to: srvRoot.appendingPathComponent(name))
        let sha = "c66dd05bf7df8402dd76831333ae829aa164bdccdf7f3e5741bf2de8cc6d8296"   // fixtures.json tiny.checkpoint_sha256
        let srv = try RangeServer(root: srvRoot, options: ["--cut-after", "100000"])
        let dest = dir.appendingPathComponent("weights").path
        let r = try runProcess(engram, ["weights", "fetch", "mimi", "--url", srv.url(name).absoluteString, "--dest", dest, "--sha256", sha])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("SHA-256 \(sha) verified"), r.out)
        XCTAssertTrue(r.out.contains("moshi naming"), r.out)
        XCTAssertEqual(srv.requests.count, 2, "one dropped transfer, one ranged resume: \(srv.requests)")
        XCTAssertTrue(srv.requests.last?.contains("bytes=") ?? false)
        // Present and verified: nothing fetched again.
        let again = try runProcess(engram, ["weights", "fetch", "mimi", "--url", srv.url(name).absoluteString, "--dest", dest, "--sha256", sha])
        XCTAssertEqual(again.status, 0)
        XCTAssertTrue(again.out.contains("already present"), again.out)
        XCTAssertEqual(srv.requests.count, 2)

        let bad = try runProcess(engram, ["weights", "fetch", "mimi", "--url", srv.url(name).absoluteString,
                                          "--dest", dir.appendingPathComponent("w2").path, "--sha256", String(repeating: "a", count: 64)])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.err.contains("SHA-256 mismatch"), bad.err)
        let unknown = try runProcess(engram, ["weights", "fetch", "encodec", "--dest", dest])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.err.contains("unknown model"), unknown.err)
    }
}
