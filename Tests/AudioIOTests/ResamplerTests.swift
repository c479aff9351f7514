import Foundation
import XCTest
import TestSupport
@testable import AudioIO

/// The resampler against torchaudio 2.11 (`Tests/Fixtures/resample`, made by
/// `scripts/make_resample_fixtures.py`) and analytic cases.
final class ResamplerTests: XCTestCase {
    struct Manifest: Decodable {
        struct Case: Decodable {
            let from: Int, to: Int, signal: String
            let n_in: Int, n_out: Int
            let input: String, transforms_resample: String, functional_resample: String
            let max_abs_diff_functional_vs_transforms: Double
        }
        struct Kernel: Decodable {
            let from: Int, to: Int, orig: Int, new: Int, width: Int
            let shape: [Int], file: String
        }
        let torchaudio: String
        let cases: [Case]
        let kernels: [Kernel]
    }

    static let dir = fixtureURL("resample")

    func loadManifest() throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: Self.dir.appendingPathComponent("manifest.json")))
    }

    func readF32(_ name: String) throws -> [Float] {
        let d = try Data(contentsOf: Self.dir.appendingPathComponent(name))
        XCTAssertEqual(d.count % 4, 0, name)
        let bytes = [UInt8](d)
        return (0..<(bytes.count / 4)).map { i -> Float in
            var u = UInt32(bytes[i * 4])
            u |= UInt32(bytes[i * 4 + 1]) << 8
            u |= UInt32(bytes[i * 4 + 2]) << 16
            u |= UInt32(bytes[i * 4 + 3]) << 24
            return Float(bitPattern: u)
        }
    }

    func testKernelEqualsTorchaudio() throws {
        let m = try loadManifest()
        XCTAssertGreaterThanOrEqual(m.kernels.count, 4)
        for k in m.kernels {
            let ours = SincResampleKernel(fromRate: k.from, toRate: k.to)
            XCTAssertEqual(ours.orig, k.orig); XCTAssertEqual(ours.new, k.new); XCTAssertEqual(ours.width, k.width)
            XCTAssertEqual([ours.new, 1, ours.length], k.shape)
            let ref = try readF32(k.file)
            // Same float64 formula rounded to float32: equal up to the last bit of libm's sin/cos.
            XCTAssertLessThanOrEqual(maxAbsDiff(ours.taps, ref), 1e-7, "\(k.from)→\(k.to)")
            // Taps outside the support are negligible (torchaudio's cos² window at ±π/2).
            for j in 0..<ours.new {
                for t in 0..<ours.length where !ours.support[j].contains(t) {
                    XCTAssertLessThan(abs(ref[j * ours.length + t]), 1e-30)
                }
            }
        }
    }

    func testMatchesTorchaudioOnFixtures() throws {
        let m = try loadManifest()
        XCTAssertGreaterThanOrEqual(m.cases.count, 80)
        var resamplers = [String: Resampler]()
        var worst: Float = 0
        for c in m.cases {
            let key = "\(c.from)-\(c.to)"
            let r = resamplers[key] ?? Resampler(fromRate: c.from, toRate: c.to)
            resamplers[key] = r
            let x = try readF32(c.input)
            XCTAssertEqual(x.count, c.n_in)
            let y = r.resample(x)
            XCTAssertEqual(y.count, c.n_out, "\(c.transforms_resample)")
            XCTAssertEqual(r.outputLength(inputLength: c.n_in), c.n_out)
            guard y.count == c.n_out else { continue }
            let ref = try readF32(c.transforms_resample)
            let d = maxAbsDiff(y, ref)
            worst = max(worst, d)
            XCTAssertLessThanOrEqual(d, 1e-5, "\(c.transforms_resample) vs transforms.Resample")
            // functional.resample builds its kernel in float32; it differs from the transform by
            // the recorded amount, so we are within 1e-5 of it plus that.
            let fn = try readF32(c.functional_resample)
            XCTAssertLessThanOrEqual(Double(maxAbsDiff(y, fn)), 1e-5 + c.max_abs_diff_functional_vs_transforms,
                                     "\(c.functional_resample) vs functional.resample")
        }
        print("resampler: max |ours − torchaudio.transforms.Resample| = \(worst) over \(m.cases.count) cases (torchaudio \(m.torchaudio))")
    }

    func testEqualRatesReturnInput() {
        let x: [Float] = [0.1, -0.2, 0.3]
        XCTAssertEqual(Resampler(fromRate: 24000, toRate: 24000).resample(x), x)
        XCTAssertEqual(Resampler(fromRate: 16000, toRate: 24000).resample([]), [])
    }

    func testOutputLengthRule() {
        let r = Resampler(fromRate: 16000, toRate: 24000)
        XCTAssertEqual(r.outputLength(inputLength: 1), 2)       // ceil(3·1/2)
        XCTAssertEqual(r.outputLength(inputLength: 16000), 24000)
        XCTAssertEqual(r.outputLength(inputLength: 16001), 24002)
        XCTAssertEqual(Resampler(fromRate: 44100, toRate: 24000).outputLength(inputLength: 44101), 24001)
    }

    /// A tone well inside both bands comes out as the same tone at the new rate (away from the
    /// edges, where the zero padding shows), with unit DC gain up to the filter's ripple.
    func testToneIsPreserved() {
        for (a, b) in [(16000, 24000), (24000, 16000), (44100, 24000)] {
            let f = 1000.0, n = a / 4
            let x = (0..<n).map { Float(0.5 * sin(2 * Double.pi * f * Double($0) / Double(a))) }
            let y = Resampler(fromRate: a, toRate: b).resample(x)
            var err: Float = 0
            for i in (b / 100)..<(y.count - b / 100) {
                err = max(err, abs(y[i] - Float(0.5 * sin(2 * Double.pi * f * Double(i) / Double(b)))))
            }
            XCTAssertLessThan(err, 2e-3, "\(a)→\(b)")
        }
    }
}
