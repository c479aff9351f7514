import EngramCore
import Foundation
import XCTest
import TestSupport
@testable import Phase0

/// `engram download librispeech` against scripts/range_http_server.py on 127.0.0.1, serving a small
/// archive in LibriSpeech's layout made by Python's tarfile (scripts/archive_oracle.py).
final class LibriSpeechDownloadTests: XCTestCase {
    var dir: URL!
    var archive = Data()
    var md5 = ""
    var listing: [String: [Any]] = [:]

    override func setUpWithError() throws {
        try requireOracle("python3", check: ["python3", "-c", "import tarfile, hashlib, http.server"])
        dir = makeTempDir("librispeech-dl")
        let cases = dir.appendingPathComponent("cases")
        let r = try runProcess("python3", [repoRoot.appendingPathComponent("scripts/archive_oracle.py").path, "tar", cases.path])
        XCTAssertEqual(r.status, 0, r.err)
        archive = try Data(contentsOf: cases.appendingPathComponent("pax.tar.gz"))
        listing = try JSONSerialization.jsonObject(with: Data(contentsOf: cases.appendingPathComponent("pax.json"))) as! [String: [Any]]
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("srv"), withIntermediateDirectories: true)
        try archive.write(to: dir.appendingPathComponent("srv/train-clean-100.tar.gz"))
        // The expected digest from the oracle (hashlib), not from our MD5.
        let h = try runProcess("python3", ["-c", "import hashlib,sys; print(hashlib.md5(open(sys.argv[1],'rb').read()).hexdigest())",
                                           dir.appendingPathComponent("srv/train-clean-100.tar.gz").path])
        md5 = h.out.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(md5.count, 32)
    }

    override func tearDown() {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    func downloader(_ server: RangeServer, md5: String? = nil, dest: String = "data") -> LibriSpeechDownload {
        var d = LibriSpeechDownload(subset: "train-clean-100", dest: dir.appendingPathComponent(dest),
                                    baseURL: URL(string: "http://127.0.0.1:\(server.port)")!, md5: md5 ?? self.md5)
        d.retryDelay = 0
        d.attempts = 3
        return d
    }

    /// The extracted subset holds exactly tarfile's files; SPEAKERS.TXT lands next to it.
    func assertExtracted(_ dest: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        for (path, v) in listing where v[0] as? String == "file" {
            let url = dest.appendingPathComponent(path)
            XCTAssertEqual((try? Data(contentsOf: url))?.count, v[1] as? Int, path, file: file, line: line)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dest.path)
        XCTAssertFalse(names.contains { $0.contains(".extracting-") }, "staging left: \(names)", file: file, line: line)
        XCTAssertFalse(names.contains { $0.hasSuffix(".part") }, file: file, line: line)
    }

    func testDroppedConnectionIsResumedThenVerifiedAndExtracted() throws {
        let server = try RangeServer(root: dir.appendingPathComponent("srv"), options: ["--cut-after", "30000"])
        defer { server.stop() }
        let d = downloader(server)
        let o = try d.run()
        XCTAssertEqual(o.requests, 2, "one cut transfer, one resumed")
        XCTAssertEqual(o.downloadedBytes, Int64(archive.count))
        XCTAssertEqual(server.requests, ["GET /train-clean-100.tar.gz -", "GET /train-clean-100.tar.gz bytes=30000-"])
        XCTAssertEqual(try Data(contentsOf: d.archiveURL), archive)
        try assertExtracted(d.dest)
        XCTAssertEqual(o.speakers, 2, "19/ and the long-path folder")
        XCTAssertEqual(o.flacFiles, 1)
        XCTAssertEqual(try LibriSpeechDownload.fileMD5(d.archiveURL), md5)

        // A rerun does nothing.
        let again = try d.run()
        XCTAssertTrue(again.downloadSkipped && again.extractionSkipped)
        XCTAssertEqual(server.requests.count, 2)
    }

    /// A part file left by a killed run is continued with a Range request; an archive already
    /// downloaded (but not extracted) is verified and extracted without any request.
    func testResumesAcrossRunsAndReusesAVerifiedArchive() throws {
        let server = try RangeServer(root: dir.appendingPathComponent("srv"))
        defer { server.stop() }
        let d = downloader(server)
        try FileManager.default.createDirectory(at: d.dest, withIntermediateDirectories: true)
        try archive.prefix(12345).write(to: d.partURL)
        let o = try d.run()
        XCTAssertEqual(o.resumedFrom, 12345)
        XCTAssertEqual(server.requests, ["GET /train-clean-100.tar.gz bytes=12345-"])
        try assertExtracted(d.dest)

        try FileManager.default.removeItem(at: d.subsetFolder)
        let again = try d.run()
        XCTAssertTrue(again.downloadSkipped)
        XCTAssertFalse(again.extractionSkipped)
        XCTAssertEqual(server.requests.count, 1)
        try assertExtracted(d.dest)
    }

    func testMD5MismatchDeletesTheDownloadAndExtractsNothing() throws {
        let server = try RangeServer(root: dir.appendingPathComponent("srv"))
        defer { server.stop() }
        let d = downloader(server, md5: String(repeating: "0", count: 32))
        XCTAssertThrowsError(try d.run()) { e in
            XCTAssertTrue("\(e)".contains("MD5 mismatch: the download has \(md5), the published MD5 is 00000000"), "\(e)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: d.partURL.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: d.archiveURL.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: d.dest.appendingPathComponent("LibriSpeech").path))
    }

    /// No server listening: a clear message, the partial file kept for the next run.
    func testNetworkFailureSaysSoAndKeepsThePart() throws {
        let port = try closedPort()
        var d = LibriSpeechDownload(subset: "train-clean-100", dest: dir.appendingPathComponent("data"),
                                    baseURL: URL(string: "http://127.0.0.1:\(port)")!, md5: md5)
        d.retryDelay = 0
        d.attempts = 2
        XCTAssertThrowsError(try d.run()) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains("http://127.0.0.1:\(port)/train-clean-100.tar.gz") && m.contains("download failed after 2 request(s)")
                          && m.contains("rerun the same command to resume"), m)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: d.partURL.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: d.subsetFolder.path))

        let server = try RangeServer(root: dir.appendingPathComponent("srv"))
        defer { server.stop() }
        var missing = downloader(server)
        missing.subset = "dev-clean"
        XCTAssertThrowsError(try missing.run()) { e in XCTAssertTrue("\(e)".contains("HTTP 404"), "\(e)") }
        XCTAssertEqual(server.requests.count, 1, "a 404 is not retried")
    }

    /// An archive that passes the MD5 but is corrupt inside (its gzip CRC-32 fails): the error
    /// names the archive and nothing appears at DEST/LibriSpeech/<subset>; a staging folder left by
    /// an earlier crash is cleaned up by the next successful run.
    func testCorruptArchiveLeavesNothingLookingComplete() throws {
        var bad = [UInt8](archive)
        bad[bad.count - 6] ^= 0xFF   // inside the CRC-32 of the trailer
        try Data(bad).write(to: dir.appendingPathComponent("srv/train-clean-100.tar.gz"))
        let badMD5 = try runProcess("python3", ["-c", "import hashlib,sys; print(hashlib.md5(open(sys.argv[1],'rb').read()).hexdigest())",
                                                dir.appendingPathComponent("srv/train-clean-100.tar.gz").path]).out
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try RangeServer(root: dir.appendingPathComponent("srv"))
        defer { server.stop() }
        let d = downloader(server, md5: badMD5)
        XCTAssertThrowsError(try d.run()) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains("train-clean-100.tar.gz") && m.contains("gzip CRC-32 mismatch") && m.contains("nothing was placed in"), m)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: d.subsetFolder.path))
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: d.dest.path).contains { $0.contains(".extracting-") })
        XCTAssertTrue(FileManager.default.fileExists(atPath: d.archiveURL.path), "the verified archive is kept")

        // The good archive, and a staging folder of a killed extraction lying around.
        try FileManager.default.removeItem(at: d.archiveURL)
        try archive.write(to: dir.appendingPathComponent("srv/train-clean-100.tar.gz"))
        try FileManager.default.createDirectory(at: d.dest.appendingPathComponent(".LibriSpeech-train-clean-100.extracting-999/LibriSpeech"),
                                                withIntermediateDirectories: true)
        _ = try downloader(server).run()
        try assertExtracted(d.dest)
    }

    func testUnknownSubsetAndPublishedChecksums() {
        XCTAssertThrowsError(try LibriSpeechDownload(subset: "train-clean-1000", dest: dir).run()) { e in
            XCTAssertTrue("\(e)".contains("unknown LibriSpeech subset 'train-clean-1000'") && "\(e)".contains("train-clean-360"), "\(e)")
        }
        // Seven subsets, each a 32-digit lowercase hex digest.
        XCTAssertEqual(LibriSpeechDownload.publishedMD5.count, 7)
        XCTAssertTrue(LibriSpeechDownload.publishedMD5.values.allSatisfy { $0.count == 32 && $0.allSatisfy { "0123456789abcdef".contains($0) } })
        XCTAssertEqual(LibriSpeechDownload(subset: "dev-clean", dest: dir).url.absoluteString, "https://www.openslr.org/resources/12/dev-clean.tar.gz")
    }

    /// A loopback port with nothing listening (bound, then closed).
    func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        a.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: a.sin_port))
    }
}

/// The download and the extraction on a disk that fills up (a small tmpfs; see ScratchMount).
final class LibriSpeechDownloadDiskTests: XCTestCase {
    /// `srv/train-clean-100.tar.gz`: a LibriSpeech-layout archive of `payload` bytes of zeros
    /// (tiny compressed, large extracted), made by Python's tarfile; returns its MD5 (hashlib).
    func makeArchive(_ srv: URL, payload: Int) throws -> String {
        try FileManager.default.createDirectory(at: srv, withIntermediateDirectories: true)
        let r = try runProcess("python3", ["-c", """
        import gzip, hashlib, io, sys, tarfile
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
            for name, size in (("LibriSpeech/SPEAKERS.TXT", 40), ("LibriSpeech/train-clean-100/19/198/19-198-0000.flac", int(sys.argv[2]))):
                ti = tarfile.TarInfo(name); ti.size = size; ti.mtime = 0
                tf.addfile(ti, io.BytesIO(b"\\0" * size))
        data = gzip.compress(buf.getvalue(), mtime=0)
        open(sys.argv[1], "wb").write(data)
        print(hashlib.md5(data).hexdigest())
        """, srv.appendingPathComponent("train-clean-100.tar.gz").path, String(payload)])
        XCTAssertEqual(r.status, 0, r.err)
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testDiskFullWhileExtractingLeavesNothingLookingComplete() throws {
        try requireOracle("python3", check: ["python3", "-c", "import tarfile, http.server"])
        let dir = makeTempDir("dl-disk")
        defer { try? FileManager.default.removeItem(at: dir) }
        let md5 = try makeArchive(dir.appendingPathComponent("srv"), payload: 600_000)
        let disk = try ScratchMount(size: "256k")
        defer { disk.unmount() }
        let server = try RangeServer(root: dir.appendingPathComponent("srv"))
        defer { server.stop() }
        var d = LibriSpeechDownload(subset: "train-clean-100", dest: disk.dir, baseURL: URL(string: "http://127.0.0.1:\(server.port)")!, md5: md5)
        d.retryDelay = 0
        XCTAssertThrowsError(try d.run()) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains("19-198-0000.flac") && m.contains("disk full") && m.contains("nothing was placed in"), m)
            print("extraction on a full disk: \(m)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: d.subsetFolder.path))
        let left = try FileManager.default.contentsOfDirectory(atPath: disk.dir.path)
        XCTAssertFalse(left.contains { $0.contains(".extracting-") }, "\(left)")
        XCTAssertTrue(left.contains("train-clean-100.tar.gz"), "the verified archive is kept: \(left)")

        // With room, the rerun extracts from the kept archive without downloading again.
        try disk.remount("size=4m")
        let o = try d.run()
        XCTAssertTrue(o.downloadSkipped)
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertEqual(try Data(contentsOf: d.subsetFolder.appendingPathComponent("19/198/19-198-0000.flac")).count, 600_000)
    }

    func testDiskFullWhileDownloadingKeepsThePartAndSaysSo() throws {
        try requireOracle("python3", check: ["python3", "-c", "import tarfile, http.server"])
        let dir = makeTempDir("dl-disk")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Random (incompressible) content: the archive itself outgrows the disk.
        let srv = dir.appendingPathComponent("srv")
        try FileManager.default.createDirectory(at: srv, withIntermediateDirectories: true)
        var g = SplitMix64(seed: 3)
        try Data((0..<300_000).map { _ in UInt8(truncatingIfNeeded: g.next()) }).write(to: srv.appendingPathComponent("train-clean-100.tar.gz"))
        let disk = try ScratchMount(size: "128k")
        defer { disk.unmount() }
        let server = try RangeServer(root: srv)
        defer { server.stop() }
        var d = LibriSpeechDownload(subset: "train-clean-100", dest: disk.dir, baseURL: URL(string: "http://127.0.0.1:\(server.port)")!,
                                    md5: String(repeating: "a", count: 32))
        d.retryDelay = 0
        XCTAssertThrowsError(try d.run()) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains("train-clean-100.tar.gz.part") && m.contains("the disk is full (0 bytes free") && m.contains("rerun the same command to resume"), m)
            print("download on a full disk: \(m)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: d.partURL.path), "the partial download is kept for a resume")
        XCTAssertEqual(server.requests.count, 1, "a full disk is not retried")
    }
}
