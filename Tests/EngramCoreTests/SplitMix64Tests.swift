import XCTest
import EngramCore

final class SplitMix64Tests: XCTestCase {
    /// Outputs of Vigna's reference splitmix64.c (published test values).
    func testReferenceOutputs() {
        var g = SplitMix64(seed: 0)
        XCTAssertEqual(g.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(g.next(), 0x6E78_9E6A_A1B9_65F4)
        var h = SplitMix64(seed: 1_234_567)
        XCTAssertEqual((0..<5).map { _ in h.next() },
                       [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                        4_593_380_528_125_082_431, 16_408_922_859_458_223_821])
    }

    func testStreamsAreDistinctAndReproducible() {
        var a = SplitMix64(seed: 42, stream: 0), b = SplitMix64(seed: 42, stream: 1), a2 = SplitMix64(seed: 42, stream: 0)
        let xa = (0..<4).map { _ in a.next() }, xb = (0..<4).map { _ in b.next() }
        XCTAssertEqual(xa, (0..<4).map { _ in a2.next() })
        XCTAssertNotEqual(xa, xb)
    }

    func testUniformAndBoundedDraws() {
        var g = SplitMix64(seed: 7)
        var counts = [Int](repeating: 0, count: 5)
        var sum = 0.0, sumSq = 0.0
        let n = 50_000
        for _ in 0..<n {
            let u = g.nextDouble()
            XCTAssertTrue(u >= 0 && u < 1)
            counts[g.nextInt(below: 5)] += 1
            let z = g.normal()
            sum += z; sumSq += z * z
        }
        for c in counts { XCTAssertEqual(Double(c) / Double(n), 0.2, accuracy: 0.01) }
        XCTAssertEqual(sum / Double(n), 0, accuracy: 0.02)
        XCTAssertEqual(sumSq / Double(n), 1, accuracy: 0.03)
    }
}
