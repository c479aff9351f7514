import Numerics
import XCTest

final class PercentileTests: XCTestCase {
    func testAnalyticCases() throws {
        XCTAssertEqual(try Percentile.linear([1, 2, 3, 4] as [Double], q: 50), 2.5)
        XCTAssertEqual(try Percentile.linear([1, 2, 3, 4] as [Double], q: 25), 1.75)
        XCTAssertEqual(try Percentile.linear([5] as [Double], q: 75), 5)
        XCTAssertEqual(try Percentile.linear([3, 1, 2] as [Double], q: 100), 3)
        XCTAssertEqual(try Percentile.linear([3, 1, 2] as [Double], q: 0), 1)
        XCTAssertThrowsError(try Percentile.linear([Double](), q: 50))
        XCTAssertThrowsError(try Percentile.linear([1.0], q: 101))
        XCTAssertThrowsError(try Percentile.linear([1.0, .nan], q: 10))
    }

    func testAgainstNumpy() throws {
        try NumericsOracle.require()
        var r = TestRandom(11)
        let qs = [0, 1, 12.5, 25, 33.3, 50, 66.7, 75, 90, 99.9, 100]
        var arrays: [[Double]] = []
        for n in [1, 2, 7, 100, 1001] {
            var v = (0..<n).map { _ in r.normal() * 3 }
            if n > 10 { v[3] = v[5]; v[7] = v[5] }   // ties
            arrays.append(v)
        }
        let ref = try NumericsOracle.run(["percentile", qs.map { "\($0)" }.joined(separator: ",")]
                                         + arrays.map { try NumericsOracle.writeFloat64($0) })["values"]
        let expected = matrix(ref)
        XCTAssertEqual(expected.count, arrays.count)
        for (v, e) in zip(arrays, expected) {
            let ours = try Percentile.linear(v, q: qs)
            for (o, x) in zip(ours, e) { XCTAssertEqual(o, x, accuracy: 1e-6 * max(1, abs(x)), "n=\(v.count)") }
            // float32 input gives the same (computed in Double)
            XCTAssertEqual(try Percentile.linear(v.map { Float($0) }, q: 50), try Percentile.linear(v.map { Double(Float($0)) }, q: 50))
        }
    }
}
