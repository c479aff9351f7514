import Foundation
import XCTest
import TestSupport
@testable import Numerics

/// The FFT against the DFT's definition (evaluated in Double), analytic cases, and numpy.fft.
final class FFTTests: XCTestCase {
    /// Deterministic pseudo-random values in [-1, 1).
    func noise(_ n: Int, seed: UInt64) -> [Float] {
        var s = seed &* 0x9E3779B97F4A7C15 | 1
        return (0..<n).map { _ in
            s ^= s << 13; s ^= s >> 7; s ^= s << 17
            return Float(Double(s >> 11) / Double(1 << 53) * 2 - 1)
        }
    }

    func naiveDFT(_ re: [Float], _ im: [Float]) -> ([Double], [Double]) {
        let n = re.count
        var outR = [Double](repeating: 0, count: n), outI = outR
        for s in 0..<n {
            var ar = 0.0, ai = 0.0
            for t in 0..<n {
                let a = -2 * Double.pi * Double((s * t) % n) / Double(n)
                ar += Double(re[t]) * cos(a) - Double(im[t]) * sin(a)
                ai += Double(re[t]) * sin(a) + Double(im[t]) * cos(a)
            }
            outR[s] = ar; outI[s] = ai
        }
        return (outR, outI)
    }

    func testComplexMatchesDefinitionForMixedRadixLengths() {
        // Radix 4, 2, 3, 5 stages, a generic prime (7, 11, 13) and composites of all of them.
        for n in [1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 15, 16, 20, 30, 45, 49, 60, 64, 77, 120, 128, 240, 480] {
            var re = noise(n, seed: UInt64(n)), im = noise(n, seed: UInt64(n) + 1000)
            let (er, ei) = naiveDFT(re, im)
            FFT(length: n).forward(re: &re, im: &im)
            let scale = sqrt(Double(n))   // |X| grows like √n for noise
            var err = 0.0
            for s in 0..<n { err = max(err, abs(Double(re[s]) - er[s]), abs(Double(im[s]) - ei[s])) }
            XCTAssertLessThan(err / scale, 2e-6, "n = \(n)")
        }
    }

    func testRadixPlan() {
        XCTAssertEqual(FFT(length: 1920).radices, [4, 4, 4, 2, 3, 5])
        XCTAssertEqual(FFT(length: 3840).radices.reduce(1, *), 3840)
        XCTAssertEqual(FFT(length: 2 * 7 * 7 * 11).radices, [2, 7, 7, 11])
    }

    func testRealMatchesDefinition() {
        for n in [2, 4, 6, 10, 16, 30, 96, 240, 480] {
            let x = noise(n, seed: UInt64(n) + 7)
            let (er, ei) = naiveDFT(x, [Float](repeating: 0, count: n))
            let (re, im) = RealFFT(length: n).forward(x)
            XCTAssertEqual(re.count, n / 2 + 1)
            var err = 0.0
            for s in 0...(n / 2) { err = max(err, abs(Double(re[s]) - er[s]), abs(Double(im[s]) - ei[s])) }
            XCTAssertLessThan(err / sqrt(Double(n)), 2e-6, "n = \(n)")
        }
    }

    /// cos(2π k t / n) has X[k] = n/2 and zeros elsewhere; a constant has X[0] = n·c.
    func testRealAnalyticTones() {
        let n = 3840
        let fft = RealFFT(length: n)
        for k in [1, 7, 100, 1919] {
            let x = (0..<n).map { Float(cos(2 * Double.pi * Double(k * $0 % n) / Double(n))) }
            let (re, im) = fft.forward(x)
            for s in 0...(n / 2) {
                let expect: Float = s == k ? Float(n) / 2 : 0
                XCTAssertEqual(re[s], expect, accuracy: 2e-3, "k = \(k), bin \(s)")
                XCTAssertEqual(im[s], 0, accuracy: 2e-3, "k = \(k), bin \(s)")
            }
        }
        let (re, im) = fft.forward([Float](repeating: 0.25, count: n))
        XCTAssertEqual(re[0], 960, accuracy: 1e-3)
        XCTAssertEqual(im[0], 0, accuracy: 1e-3)
        XCTAssertEqual(re[n / 2], 0, accuracy: 1e-3)
    }

    /// numpy.fft.rfft on the mel encoder's length (3840 = 2⁸·3·5) and a power of two.
    func testRealMatchesNumpy() throws {
        try requireOracle("numpy", check: ["python3", "-c", "import numpy"])
        let dir = makeTempDir("fft")
        defer { try? FileManager.default.removeItem(at: dir) }
        for n in [3840, 4096] {
            let x = noise(n, seed: 99 + UInt64(n))
            let inURL = dir.appendingPathComponent("x.f32"), outURL = dir.appendingPathComponent("y.f64")
            try x.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: inURL)
            let script = """
            import numpy as np, sys
            x = np.fromfile(sys.argv[1], dtype='<f4').astype(np.float64)
            y = np.fft.rfft(x)
            np.stack([y.real, y.imag], axis=1).astype('<f8').tofile(sys.argv[2])
            """
            let r = try runProcess("python3", ["-c", script, inURL.path, outURL.path])
            XCTAssertEqual(r.status, 0, r.err)
            let ref = try Data(contentsOf: outURL).withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
            let (re, im) = RealFFT(length: n).forward(x)
            XCTAssertEqual(ref.count, 2 * re.count)
            var err = 0.0
            for s in 0..<re.count {
                err = max(err, abs(Double(re[s]) - ref[2 * s]), abs(Double(im[s]) - ref[2 * s + 1]))
            }
            XCTAssertLessThan(err / sqrt(Double(n)), 2e-6, "n = \(n)")
        }
    }
}
