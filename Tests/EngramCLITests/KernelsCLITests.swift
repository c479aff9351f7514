import Foundation
import TestSupport
import XCTest

/// `ENGRAM_KERNELS` and the kernel report of `engram --version` (run-time SIMD kernel dispatch).
final class KernelsCLITests: XCTestCase {
    func testVersionReportsKernelsAndOverride() throws {
        let engram = try requireEngram()
        let auto = try runProcess(engram, ["--version"], env: ["ENGRAM_KERNELS": ""])
        XCTAssertEqual(auto.status, 0, auto.err)
        XCTAssertTrue(auto.out.contains("kernels: "), auto.out)
        XCTAssertTrue(auto.out.contains("supported: baseline"), auto.out)
        let forced = try runProcess(engram, ["--version"], env: ["ENGRAM_KERNELS": "baseline"])
        XCTAssertTrue(forced.out.contains("kernels: baseline ("), forced.out)
        XCTAssertTrue(forced.out.contains("forced by ENGRAM_KERNELS"), forced.out)
    }

    /// An unknown set, or one the CPU cannot run, is a clean error (exit 2), not a crash.
    func testBadOverrideIsAnError() throws {
        let engram = try requireEngram()
        let bad = try runProcess(engram, ["weights", "fetch", "mimi", "--dest", "/nonexistent-dir-for-test"], env: ["ENGRAM_KERNELS": "avx9"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.err.contains("ENGRAM_KERNELS: unknown kernel set 'avx9'; use baseline, avx2 or avx512"), bad.err)
        let supported = try runProcess(engram, ["--version"], env: ["ENGRAM_KERNELS": ""]).out
        for set in ["avx2", "avx512"] where !supported.contains(" \(set)") {
            let r = try runProcess(engram, ["weights", "fetch", "mimi", "--dest", "/nonexistent-dir-for-test"], env: ["ENGRAM_KERNELS": set])
            XCTAssertEqual(r.status, 2)
            XCTAssertTrue(r.err.contains("\(set) kernels requested but this CPU lacks"), r.err)
        }
    }
}
