import XCTest
import Foundation
import AudioIO
import TestSupport

/// The corpus's header-only probe: sample counts against `metaflac`, and every truncation rejected.
final class FLACProbeTests: XCTestCase {
    func flacFixtures() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: fixtureURL("flac"), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "flac" }.sorted { $0.path < $1.path }
    }

    func testTotalsMatchMetaflacOnEveryFixture() throws {
        try requireOracle("flac", check: ["metaflac", "--version"])
        let files = try flacFixtures() + ["short_1s", "long_3p5s", "odd_12345", "tiny_100"].map { fixtureURL("corpus/\($0).flac") }
        XCTAssertGreaterThan(files.count, 10)
        for f in files {
            let res = try runProcess("metaflac", ["--show-total-samples", "--show-sample-rate", "--show-channels", "--show-bps", f.path])
            let v = res.out.split(separator: "\n").compactMap { Int($0) }
            XCTAssertEqual(v.count, 4, f.lastPathComponent)
            switch FLACProbe.read(path: f.path) {
            case .success(let p):
                XCTAssertEqual([p.totalSamples, p.sampleRate, p.channels, p.bitsPerSample], v, f.lastPathComponent)
            case .failure(let issue):
                // Only a stream with no samples may be refused (its duration is unknown).
                XCTAssertEqual(v.first, 0, "\(issue)")
                XCTAssertTrue(issue.message.contains("0 total samples"), issue.message)
            }
        }
    }

    /// Cutting a file anywhere inside its audio must be reported; only the full file passes.
    func testEveryTruncationIsRejected() throws {
        let dir = makeTempDir("probe")
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["corpus/odd_12345.flac", "flac/vb_s16.flac", "flac/s16_5b192.flac"] {
            let bytes = try Data(contentsOf: fixtureURL(name))
            let f = dir.appendingPathComponent("x.flac")
            try bytes.write(to: f)
            guard case .success = FLACProbe.read(path: f.path) else { return XCTFail("\(name) should pass whole") }
            var cut = bytes.count - 1
            var tried = 0
            while cut > 0 {
                try bytes.prefix(cut).write(to: f)
                if case .success = FLACProbe.read(path: f.path) { XCTFail("\(name) cut to \(cut) of \(bytes.count) bytes was accepted") }
                tried += 1
                cut -= cut > bytes.count - 100 ? 1 : 211
            }
            XCTAssertGreaterThan(tried, 150)
        }
    }
}
