import Foundation
import XCTest
import TestSupport
@testable import Phase0

/// Per-frame RMS energy (SPEC §2): analytic cases and numpy.
final class FrameEnergyTests: XCTestCase {
    func testAnalyticBlocks() {
        XCTAssertEqual(frameEnergy([], frameSize: 1920), [])
        // A constant c has RMS |c|; the zero-padded tail block of 960 samples has c·sqrt(1/2).
        let e = frameEnergy([Float](repeating: -0.5, count: 1920 * 2 + 960), frameSize: 1920)
        XCTAssertEqual(e.count, 3)
        XCTAssertEqual(e[0], 0.5, accuracy: 1e-7)
        XCTAssertEqual(e[1], 0.5, accuracy: 1e-7)
        XCTAssertEqual(e[2], 0.5 * Float(0.5).squareRoot(), accuracy: 1e-7)
        // A sine with a whole number of periods per block has RMS A/√2.
        let s = (0..<(1920 * 4)).map { Float(0.8 * sin(2 * Double.pi * 50 * Double($0) / 1920)) }
        for v in frameEnergy(s, frameSize: 1920) { XCTAssertEqual(v, 0.8 / Float(2).squareRoot(), accuracy: 1e-6) }
        // Blocks are independent: energy only in block 1.
        var x = [Float](repeating: 0, count: 1920 * 3)
        for i in 1920..<3840 { x[i] = 0.25 }
        XCTAssertEqual(frameEnergy(x, frameSize: 1920), [0, 0.25, 0])
    }

    func testMatchesNumpy() throws {
        try requireOracle("numpy", check: ["python3", "-c", "import numpy"])
        let dir = makeTempDir("energy")
        defer { try? FileManager.default.removeItem(at: dir) }
        var s: UInt64 = 12345
        let x = (0..<(1920 * 5 + 77)).map { _ -> Float in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: s >> 1) % 20001 - 10000) / 10000
        }
        let inURL = dir.appendingPathComponent("x.f32"), outURL = dir.appendingPathComponent("e.f32")
        try x.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: inURL)
        let script = """
        import numpy as np, sys
        x = np.fromfile(sys.argv[1], dtype='<f4').astype(np.float64)
        T = -(-len(x) // 1920)
        p = np.zeros(T * 1920); p[:len(x)] = x
        np.sqrt((p.reshape(T, 1920) ** 2).mean(axis=1)).astype('<f4').tofile(sys.argv[2])
        """
        let r = try runProcess("python3", ["-c", script, inURL.path, outURL.path])
        XCTAssertEqual(r.status, 0, r.err)
        let ref = try Data(contentsOf: outURL).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let e = frameEnergy(x, frameSize: 1920)
        XCTAssertEqual(e.count, 6)
        XCTAssertLessThanOrEqual(maxAbsDiff(e, ref), 1e-7)
    }
}
