import Foundation
import XCTest
import TestSupport

/// `engram download librispeech` as a user runs it, against a local server that drops the first
/// transfer part-way; a wrong MD5 deletes the download, the right one extracts (scripts/range_http_server.py on 127.0.0.1).
final class DownloadCLITests: XCTestCase {
    func testDownloadResumesVerifiesAndExtracts() throws {
        let engram = try requireEngram()
        try requireOracle("python3", check: ["python3", "-c", "import tarfile, hashlib, http.server"])
        let dir = makeTempDir("cli-download")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases = dir.appendingPathComponent("cases")
        let made = try runProcess("python3", [repoRoot.appendingPathComponent("scripts/archive_oracle.py").path, "tar", cases.path])
        XCTAssertEqual(made.status, 0, made.err)
        let srv = dir.appendingPathComponent("srv")
        try FileManager.default.createDirectory(at: srv, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: cases.appendingPathComponent("gnu.tar.gz"), to: srv.appendingPathComponent("train-clean-100.tar.gz"))
        let md5 = try runProcess("python3", ["-c", "import hashlib,sys; print(hashlib.md5(open(sys.argv[1],'rb').read()).hexdigest())",
                                             srv.appendingPathComponent("train-clean-100.tar.gz").path]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try RangeServer(root: srv, options: ["--cut-after", "20000"])
        defer { server.stop() }
        let args = ["download", "librispeech", "--subset", "train-clean-100", "--dest", dir.appendingPathComponent("data").path,
                    "--base-url", "http://127.0.0.1:\(server.port)", "--retry-delay", "0"]

        let wrong = try runProcess(engram, args + ["--md5", String(repeating: "f", count: 32)])
        XCTAssertEqual(wrong.status, 2)
        XCTAssertTrue(wrong.err.contains("transfer interrupted") && wrong.err.contains("resuming at byte 20000"), wrong.err)
        XCTAssertTrue(wrong.err.contains("MD5 mismatch") && wrong.err.contains("the download was deleted"), wrong.err)

        let r = try runProcess(engram, args + ["--md5", md5])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("speakers: 2, audio files: 1"), r.out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.path + "/data/LibriSpeech/train-clean-100/19/198/19-198-0000.flac"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.path + "/data/LibriSpeech/SPEAKERS.TXT"))

        let again = try runProcess(engram, args + ["--md5", md5])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.err.contains("already exists; skipping download and extraction"), again.err)
    }
}
