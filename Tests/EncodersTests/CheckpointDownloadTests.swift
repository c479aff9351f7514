import Foundation
import XCTest
@testable import Encoders
import EngramCore
import TestSupport

/// `n` bytes from /dev/urandom (fast even in debug builds).
func randomBytes(_ n: Int) -> Data {
    let h = FileHandle(forReadingAtPath: "/dev/urandom")!
    defer { try? h.close() }
    return (try? h.read(upToCount: n)) ?? Data()
}

final class SHA256Tests: XCTestCase {
    /// FIPS 180-4 / NIST example vectors.
    func testKnownVectors() {
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Incremental updates of uneven sizes (crossing block and padding boundaries) equal one call,
    /// and a file's digest equals coreutils' sha256sum.
    func testIncrementalAndAgainstSha256sum() throws {
        var g = SystemRandomNumberGenerator()
        for n in [55, 56, 63, 64, 65, 119, 120, 1000, 4097] {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) }
            var s = SHA256()
            var i = 0, step = 1
            while i < n { let j = min(n, i + step); s.update(Array(bytes[i..<j])); i = j; step = step * 3 % 71 + 1 }
            XCTAssertEqual(s.finalizeHex(), SHA256.hex(bytes), "n = \(n)")
        }
        try requireOracle("sha256sum", check: ["sha256sum", "--version"])
        let dir = makeTempDir("sha")
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = dir.appendingPathComponent("x.bin")
        try randomBytes((5 << 20) + 123).write(to: f)
        let ref = try runProcess("sha256sum", [f.path]).out.split(separator: " ").first.map(String.init)
        let (got, size) = try CheckpointDownload.fileSHA256(f)
        XCTAssertEqual(got, ref)
        XCTAssertEqual(size, (5 << 20) + 123)
    }
}

/// Resumable, verified downloads against scripts/range_http_server.py on 127.0.0.1.
final class CheckpointDownloadTests: XCTestCase {
    var dir: URL!
    var payload = Data()
    var digest = ""

    override func setUpWithError() throws {
        dir = makeTempDir("dl")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("srv"), withIntermediateDirectories: true)
        payload = randomBytes((3 << 20) + 777)
        try payload.write(to: dir.appendingPathComponent("srv/weights.bin"))
        digest = SHA256.hex(payload)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func destination(_ name: String = "out") -> URL { dir.appendingPathComponent(name).appendingPathComponent("weights.bin") }

    func testPlainDownloadVerifies() throws {
        let srv = try RangeServer(root: dir.appendingPathComponent("srv"))
        let dst = destination()
        let r = try CheckpointDownload(url: srv.url("weights.bin"), destination: dst, sha256: digest.uppercased()).run()
        XCTAssertEqual(r.sha256, digest)
        XCTAssertEqual(try Data(contentsOf: dst), payload)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dst.path + ".part"))
        XCTAssertEqual(srv.requests, ["GET /weights.bin -"])
    }

    /// The server drops the first transfer after 1 MB: the downloader resumes with a Range request.
    func testDroppedConnectionResumesWithRange() throws {
        let srv = try RangeServer(root: dir.appendingPathComponent("srv"), options: ["--cut-after", "\(1 << 20)"])
        let dst = destination()
        let r = try CheckpointDownload(url: srv.url("weights.bin"), destination: dst, sha256: digest).run()
        XCTAssertEqual(try Data(contentsOf: dst), payload)
        XCTAssertEqual(r.requests, 2)
        let reqs = srv.requests
        XCTAssertEqual(reqs.count, 2)
        XCTAssertEqual(reqs.first, "GET /weights.bin -")
        let resumeAt = Int(reqs.last!.replacingOccurrences(of: "GET /weights.bin bytes=", with: "").dropLast()) ?? -1
        XCTAssertGreaterThan(resumeAt, 0, reqs.last!)
        XCTAssertLessThanOrEqual(resumeAt, 1 << 20)
    }

    /// A part file left by an earlier run is continued, not restarted.
    func testExistingPartIsResumed() throws {
        let srv = try RangeServer(root: dir.appendingPathComponent("srv"))
        let dst = destination()
        try FileManager.default.createDirectory(at: dst.deletingLastPathComponent(), withIntermediateDirectories: true)
        try payload.prefix(1000).write(to: URL(fileURLWithPath: dst.path + ".part"))
        let r = try CheckpointDownload(url: srv.url("weights.bin"), destination: dst, sha256: digest).run()
        XCTAssertEqual(r.resumedFrom, 1000)
        XCTAssertEqual(srv.requests, ["GET /weights.bin bytes=1000-"])
        XCTAssertEqual(try Data(contentsOf: dst), payload)
        // A complete part (server answers 416) is verified and moved into place.
        let dst2 = destination("out2")
        try FileManager.default.createDirectory(at: dst2.deletingLastPathComponent(), withIntermediateDirectories: true)
        try payload.write(to: URL(fileURLWithPath: dst2.path + ".part"))
        XCTAssertEqual(try CheckpointDownload(url: srv.url("weights.bin"), destination: dst2, sha256: digest).run().sha256, digest)
    }

    /// A server without range support answers 200: the part is discarded and the file refetched.
    func testServerWithoutRangesRestarts() throws {
        let srv = try RangeServer(root: dir.appendingPathComponent("srv"), options: ["--no-ranges"])
        let dst = destination()
        try FileManager.default.createDirectory(at: dst.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(repeating: 0xEE, count: 5000).write(to: URL(fileURLWithPath: dst.path + ".part"))   // wrong bytes
        try CheckpointDownload(url: srv.url("weights.bin"), destination: dst, sha256: digest).run()
        XCTAssertEqual(try Data(contentsOf: dst), payload)
    }

    func testDigestFromServerAndMismatches() throws {
        let srv = try RangeServer(root: dir.appendingPathComponent("srv"), options: ["--linked-etag"])
        let r = try CheckpointDownload(url: srv.url("weights.bin"), destination: destination("a")).run()
        XCTAssertEqual(r.sha256, digest, "X-Linked-Etag used as the expected digest")

        let bad = String(repeating: "0", count: 64)
        let dst = destination("b")
        XCTAssertThrowsError(try CheckpointDownload(url: srv.url("weights.bin"), destination: dst, sha256: bad).run()) { e in
            XCTAssertTrue("\(e)".contains("SHA-256 mismatch"), "\(e)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dst.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dst.path + ".part"), "a corrupt download is deleted")
        XCTAssertThrowsError(try CheckpointDownload(url: srv.url("weights.bin"), destination: dst, sha256: "xyz").run())
        XCTAssertThrowsError(try CheckpointDownload(url: srv.url("missing.bin"), destination: dst, sha256: digest).run()) { e in
            XCTAssertTrue("\(e)".contains("HTTP 404"), "\(e)")
        }
        srv.stop()
        let plain = try RangeServer(root: dir.appendingPathComponent("srv"))
        XCTAssertThrowsError(try CheckpointDownload(url: plain.url("weights.bin"), destination: destination("c")).run()) { e in
            XCTAssertTrue("\(e)".contains("no expected SHA-256"), "\(e)")
        }
    }
}
