import EngramCore
import Foundation
import XCTest
import TestSupport
@testable import Formats

/// gzip / DEFLATE / tar against archives made by Python's zlib, gzip and tarfile
/// (scripts/archive_oracle.py), plus corruption and hostile-member cases.
final class ArchiveTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        try requireOracle("python3", check: ["python3", "-c", "import zlib, gzip, tarfile"])
        dir = makeTempDir("archive")
    }

    override func tearDown() {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    func oracle(_ what: String) throws -> URL {
        let out = dir.appendingPathComponent(what)
        let r = try runProcess("python3", [repoRoot.appendingPathComponent("scripts/archive_oracle.py").path, what, out.path])
        XCTAssertEqual(r.status, 0, r.err)
        return out
    }

    func testCRC32KnownValues() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)   // the standard check value
        XCTAssertEqual(CRC32.checksum([]), 0)
        XCTAssertEqual(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)), 0x414F_A339)
        // Incremental = one shot, across the 8-byte fast path boundaries.
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        var c = CRC32()
        var i = 0, step = 1
        while i < bytes.count { let j = min(bytes.count, i + step); c.update(Array(bytes[i..<j])); i = j; step = step % 13 + 1 }
        XCTAssertEqual(c.value, CRC32.checksum(bytes))
    }

    /// Stored, fixed, dynamic, Huffman-only and RLE streams; empty and one-byte inputs; two
    /// members; every optional header field — all equal zlib's input, fed whole or in odd pieces.
    func testGzipMatchesZlib() throws {
        let out = try oracle("gzip")
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".gz") }.sorted()
        XCTAssertEqual(names.count, 14)
        for name in names {
            let gz = [UInt8](try Data(contentsOf: out.appendingPathComponent(name)))
            let raw = [UInt8](try Data(contentsOf: out.appendingPathComponent(name.replacingOccurrences(of: ".gz", with: ".raw"))))
            XCTAssertEqual(try Gzip.decompress(gz, location: name), raw, name)
            // Pieces of 1, 2, 3, … 17 bytes: every state boundary of the bit reader gets crossed.
            var pos = 0, size = 1
            var got = [UInt8]()
            try Gzip.decompress(location: name, source: {
                guard pos < gz.count else { return nil }
                let end = min(gz.count, pos + size)
                defer { pos = end; size = size % 17 + 1 }
                return Array(gz[pos..<end])
            }, sink: { got.append(contentsOf: $0) })
            XCTAssertEqual(got, raw, "\(name) in pieces")
        }
    }

    func testGzipCorruptionIsReported() throws {
        let out = try oracle("gzip")
        let gz = [UInt8](try Data(contentsOf: out.appendingPathComponent("text_l6.gz")))
        func message(_ bytes: [UInt8]) -> String {
            do { _ = try Gzip.decompress(bytes, location: "t.gz"); return "" } catch { return "\(error)" }
        }
        var badCRC = gz
        badCRC[gz.count - 8] ^= 0xFF
        XCTAssertTrue(message(badCRC).contains("gzip CRC-32 mismatch"), message(badCRC))
        var badLen = gz
        badLen[gz.count - 1] ^= 0x01
        XCTAssertTrue(message(badLen).contains("gzip length mismatch"), message(badLen))
        XCTAssertTrue(message(Array(gz.prefix(gz.count / 2))).contains("unexpected end of compressed data"), message(Array(gz.prefix(gz.count / 2))))
        XCTAssertTrue(message(Array(gz.prefix(5))).contains("input ends inside the gzip header"))
        XCTAssertTrue(message(Array("PK\u{3}\u{4}not gzip at all".utf8)).contains("not a gzip file"))
        XCTAssertTrue(message(gz + [0x42]).contains("after the end of the gzip data") || message(gz + [0x42]).contains("gzip header"))
        var badType = gz
        badType[10] |= 0b110   // first block header: BTYPE = 3
        XCTAssertTrue(message(badType).contains("t.gz") && !message(badType).isEmpty)
    }

    /// Seeded random corruption (bit flips, byte changes, truncation, insertion) of every reference
    /// stream: decoding throws or succeeds, never crashes; a success must have passed the CRC, so it
    /// reproduces the original exactly unless a flip fell in a header field the CRC does not cover.
    func testGzipRandomMutationsNeverCrash() throws {
        let out = try oracle("gzip")
        var g = SplitMix64(seed: 77)
        var threw = 0, ok = 0
        for name in ["text_l1.gz", "text_fixed.gz", "runs_rle.gz", "two_members.gz", "all_header_fields.gz", "big_stored.gz"] {
            let gz = [UInt8](try Data(contentsOf: out.appendingPathComponent(name)))
            let raw = [UInt8](try Data(contentsOf: out.appendingPathComponent(name.replacingOccurrences(of: ".gz", with: ".raw"))))
            for _ in 0..<30 {
                var m = gz
                for _ in 0..<(1 + g.nextInt(below: 3)) {
                    let at = g.nextInt(below: m.count)
                    switch g.nextInt(below: 4) {
                    case 0: m[at] ^= UInt8(1 << g.nextInt(below: 8))
                    case 1: m[at] = UInt8(truncatingIfNeeded: g.nextInt(below: 256))
                    case 2: m.removeSubrange(at...)
                    default: m.insert(UInt8(truncatingIfNeeded: g.nextInt(below: 256)), at: at)
                    }
                    if m.isEmpty { break }
                }
                do {
                    let d = try Gzip.decompress(m, location: name)
                    XCTAssertEqual(d, raw, "\(name): a mutation decoded to different bytes without an error")
                    ok += 1
                } catch is EngramError { threw += 1 }
            }
        }
        XCTAssertGreaterThan(threw, 150)
        print("gzip mutations: \(threw) rejected, \(ok) decoded to the original (mutations in ignored header fields)")
    }

    /// ustar (with the 155-byte prefix), GNU (long names via 'L' members) and pax (path records,
    /// UTF-8 names) archives extract to exactly the files tarfile put in; links are skipped.
    func testTarFormatsExtractLikeTarfile() throws {
        let out = try oracle("tar")
        for fmt in ["ustar", "gnu", "pax"] {
            let listing = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("\(fmt).json"))) as! [String: [Any]]
            let target = dir.appendingPathComponent("x-\(fmt)")
            let s = try TarExtractor(root: target).extractTarGz(out.appendingPathComponent("\(fmt).tar.gz"))
            XCTAssertEqual(s.skipped, 1, "\(fmt): the symlink")
            XCTAssertEqual(s.files, listing.values.filter { $0[0] as? String == "file" }.count, fmt)
            let r = try runProcess("python3", ["-c", """
            import hashlib, json, os, sys
            root = sys.argv[1]; out = {}
            for d, _, fs in os.walk(root):
                for f in fs:
                    p = os.path.join(d, f)
                    out[os.path.relpath(p, root)] = [os.path.getsize(p), hashlib.sha256(open(p, 'rb').read()).hexdigest()]
            print(json.dumps(out))
            """, target.path])
            XCTAssertEqual(r.status, 0, r.err)
            let got = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: [Any]]
            let seen = Set(got.keys)
            for (rel, v) in got {
                guard let want = listing[rel] else { XCTFail("\(fmt): unexpected file \(rel)"); continue }
                XCTAssertEqual(v[0] as? Int, want[1] as? Int, "\(fmt) \(rel)")
                XCTAssertEqual(v[1] as? String, want[2] as? String, "\(fmt) \(rel)")
            }
            XCTAssertEqual(seen, Set(listing.filter { $0.value[0] as? String == "file" }.keys), fmt)
        }
    }

    func testHostileAndCorruptTarsAreRefused() throws {
        let out = try oracle("evil")
        for (name, want) in [("dotdot", "points outside the archive folder"), ("absolute", "has an absolute path")] {
            let target = dir.appendingPathComponent("x-\(name)")
            XCTAssertThrowsError(try TarExtractor(root: target).extractTarGz(out.appendingPathComponent("\(name).tar.gz"))) { e in
                XCTAssertTrue("\(e)".contains(want) && "\(e)".contains("\(name).tar.gz"), "\(e)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.deletingLastPathComponent().appendingPathComponent("escaped.txt").path))
        }
        // A header whose checksum does not match; an archive cut inside a member.
        let tarOut = try oracle("tar")
        let tar = try Gzip.decompress([UInt8](try Data(contentsOf: tarOut.appendingPathComponent("gnu.tar.gz"))))
        var bad = tar
        bad[600] ^= 0x20   // inside the second header's name
        XCTAssertThrowsError(try TarExtractor(root: dir.appendingPathComponent("x-sum")).extractTar(bad, location: "bad.tar")) { e in
            XCTAssertTrue("\(e)".contains("checksum mismatch") && "\(e)".contains("tar byte 512"), "\(e)")
        }
        XCTAssertThrowsError(try TarExtractor(root: dir.appendingPathComponent("x-cut")).extractTar(Array(tar.prefix(5000)), location: "cut.tar")) { e in
            XCTAssertTrue("\(e)".contains("archive ends inside LibriSpeech/train-clean-100/19/198/19-198-0000.flac"), "\(e)")
        }
        // Random mutations of the tar stream: errors or a result, never a crash or a write outside.
        var g = SplitMix64(seed: 5)
        for i in 0..<60 {
            var m = tar
            for _ in 0..<3 { m[g.nextInt(below: m.count)] = UInt8(truncatingIfNeeded: g.nextInt(below: 256)) }
            _ = try? TarExtractor(root: dir.appendingPathComponent("fuzz/\(i)")).extractTar(m, location: "m.tar")
        }
    }

}
