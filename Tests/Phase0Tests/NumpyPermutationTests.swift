import XCTest
@testable import Phase0
import TestSupport

/// The random baseline's permutation is numpy's `default_rng(seed).shuffle`, bit for bit.
final class NumpyPermutationTests: XCTestCase {
    func testAgainstNumpy() throws {
        try requireOracle("numpy", check: ["python3", "-c", "import numpy"])
        let cases: [(seed: UInt64, n: Int)] = [(0, 1), (42, 10), (1042, 1000), (2042, 70_000), (4_294_967_297, 33)]
        let script = """
        import sys, numpy as np
        for arg in sys.argv[1:]:
            s, n = map(int, arg.split(':'))
            a = np.arange(n); np.random.default_rng(s).shuffle(a)
            print(','.join(map(str, a[:50].tolist() + a[-50:].tolist())))
            print(np.random.PCG64(s).random_raw())
        """
        let r = try runProcess("python3", ["-c", script] + cases.map { "\($0.seed):\($0.n)" })
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n").map(String.init)
        for (k, c) in cases.enumerated() {
            var a = Array(0..<c.n)
            var rng = NumpyPCG64(seed: c.seed)
            rng.shuffle(&a)
            let ours = (Array(a.prefix(50)) + Array(a.suffix(50))).map(String.init).joined(separator: ",")
            XCTAssertEqual(ours, lines[2 * k], "seed \(c.seed) n \(c.n)")
            var raw = NumpyPCG64(seed: c.seed)
            XCTAssertEqual(String(raw.next64()), lines[2 * k + 1])
        }
    }
}
