import Numerics
import XCTest

final class StudentTTests: XCTestCase {
    func testClosedForms() {
        // df = 1 is Cauchy; t_{0.975, ∞} → 1.959964; known table value t_{0.975, 10} = 2.228139
        XCTAssertEqual(StudentT.quantile(p: 0.75, df: 1), 1, accuracy: 1e-14)
        XCTAssertEqual(StudentT.quantile(p: 0.975, df: 10), 2.2281388519649385, accuracy: 1e-9)
        XCTAssertEqual(StudentT.quantile(p: 0.5, df: 7), 0)
        XCTAssertEqual(StudentT.cdf(StudentT.quantile(p: 0.9, df: 4.5), df: 4.5), 0.9, accuracy: 1e-13)
    }

    func testAgainstScipy() throws {
        try NumericsOracle.require()
        let ps = [1e-10, 1e-4, 0.001, 0.025, 0.05, 0.1, 0.3, 0.5, 0.6, 0.9, 0.95, 0.975, 0.995, 0.9999, 1 - 1e-9]
        let dfs = [1, 2, 3, 4, 5.5, 9, 19, 30, 49, 120, 1000, 1e5]
        let ref = matrix(try NumericsOracle.run(["tquantile", ps.map { "\($0)" }.joined(separator: ","),
                                                 dfs.map { "\($0)" }.joined(separator: ",")])["values"])
        for (i, df) in dfs.enumerated() {
            for (j, p) in ps.enumerated() {
                let e = ref[i][j]
                let o = StudentT.quantile(p: p, df: df)
                XCTAssertEqual(o, e, accuracy: 1e-8 * max(1, abs(e)), "p=\(p) df=\(df)")
            }
        }
    }
}
