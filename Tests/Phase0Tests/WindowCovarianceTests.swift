import XCTest
import EngramCore
import Numerics
@testable import Phase0
import TestSupport

/// The lagged-product covariance equals the covariance of explicitly gathered flat windows.
final class WindowCovarianceTests: XCTestCase {
    func testMatchesGatheredWindows() throws {
        let d = 3, geometry = try ContextGeometry(windowSize: 3, lags: [1, 2])
        // A = max L + W = 5: utterances of ≥ 10 frames with all frames take the lagged path; the
        // short one (8 frames) and the one with a missing frame are accumulated directly.
        let lengths = [14, 10, 23, 8, 17]
        var table = FrameTable()
        var rng = EngramCore.SplitMix64(seed: 3)
        let corpus = LatentCorpus(dim: d, nFrames: lengths)
        for (u, T) in lengths.enumerated() {
            table.utteranceIds.append("u\(u)"); table.utteranceSpeaker.append(1); table.utteranceSplit.append(.train)
            for t in 0..<T { for j in 0..<d { corpus.row(u, t)[j] = Float(rng.normal() + 5 + Double(t % 4) * Double(j)) } }
            for t in geometry.validFrames(nFrames: T) where !(u == 4 && t == 9) {
                table.utterance.append(Int32(u)); table.t.append(Int32(t)); table.posFrac.append(0); table.energy.append(0); table.isHighEnergy.append(false)
            }
        }
        var framesOf = [[Int32]](repeating: [], count: lengths.count)
        for i in 0..<table.count { framesOf[Int(table.utterance[i])].append(table.t[i]) }
        let wc = WindowCovariance(dim: d, geometry: geometry, shift: [4.9, 5.2, 6])
        wc.add(corpus: corpus, utterances: [0, 1, 2], frames: framesOf, geometry: geometry)
        let other = WindowCovariance(dim: d, geometry: geometry, shift: [4.9, 5.2, 6])
        other.add(corpus: corpus, utterances: [3, 4], frames: framesOf, geometry: geometry)
        wc.merge(other)
        let f = ContextFeatures(corpus: corpus, table: table, geometry: geometry)
        for lag in geometry.lags {
            let (cov, mean, n) = try wc.covariance(lag: lag)
            XCTAssertEqual(n, table.count)
            // Reference: explicit windows, two-pass Double.
            let fd = 3 * d
            var rows: [[Double]] = []
            for i in 0..<table.count { rows.append((0..<fd).map { Double(f.flatContext(i, lag: lag)[$0]) }) }
            let m = (0..<fd).map { j in rows.reduce(0) { $0 + $1[j] } / Double(n) }
            for j in 0..<fd { XCTAssertEqual(mean[j], m[j], accuracy: 1e-9) }
            for a in 0..<fd {
                for b in 0..<fd {
                    let ref = rows.reduce(0) { $0 + ($1[a] - m[a]) * ($1[b] - m[b]) } / Double(n - 1)
                    XCTAssertEqual(cov[a * fd + b], ref, accuracy: 1e-4 * max(1, abs(ref)), "lag \(lag) [\(a), \(b)]")
                }
            }
        }
    }
}
