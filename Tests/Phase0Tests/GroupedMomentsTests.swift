import XCTest
import EngramCore
@testable import Phase0
import TestSupport

/// Grouped sums against direct two-pass formulas on small random data.
final class GroupedMomentsTests: XCTestCase {
    func testPooledAndSpeakerScoresMatchDirectFormulas() throws {
        let d = 5, n = 400, k = 6, nSpk = 4
        var rng = EngramCore.SplitMix64(seed: 7)
        // One "utterance" per speaker, rows of z written straight into a corpus (row 0 unused).
        var table = FrameTable()
        let per = n / nSpk
        for s in 0..<nSpk {
            table.utteranceIds.append("u\(s)"); table.utteranceSpeaker.append(10 + s); table.utteranceSplit.append(.train)
            for t in 1...per { table.utterance.append(Int32(s)); table.t.append(Int32(t)); table.posFrac.append(0.5); table.energy.append(1); table.isHighEnergy.append(true) }
        }
        let corpus = LatentCorpus(dim: d, nFrames: [Int](repeating: per + 1, count: nSpk))
        var z = [[Double]](repeating: [], count: n)
        var labels = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let u = Int(table.utterance[i]), t = Int(table.t[i])
            labels[i] = Int32(rng.nextInt(below: k))
            for j in 0..<d {
                let v = Float(rng.normal() + Double(labels[i]) * 0.3 * Double(j))
                corpus.row(u, t)[j] = v
                z[i].append(Double(v))
            }
        }
        let targetRows = (0..<n).map { corpus.globalRow(Int(table.utterance[$0]), Int(table.t[$0])) }
        let targets = NormalizedTargetsView(corpus: corpus, rows: targetRows)
        let samples = (0..<n).map { Int32($0) }
        let m = GroupedMoments.accumulate(targets: targets.targets, samples: samples, group: labels, nGroups: k,
                                          speaker: (0..<n).map { table.utterance[$0] }, nSpeakers: nSpk)
        let p = PooledScores(m)
        func vr(_ idx: [Int]) -> Double {
            var mean = [Double](repeating: 0, count: d)
            for i in idx { for j in 0..<d { mean[j] += z[i][j] / Double(idx.count) } }
            var tot = 0.0
            for i in idx { for j in 0..<d { tot += (z[i][j] - mean[j]) * (z[i][j] - mean[j]) } }
            var within = 0.0
            for c in 0..<k {
                let ci = idx.filter { labels[$0] == c }
                if ci.isEmpty { continue }
                var cm = [Double](repeating: 0, count: d)
                for i in ci { for j in 0..<d { cm[j] += z[i][j] / Double(ci.count) } }
                for i in ci { for j in 0..<d { within += (z[i][j] - cm[j]) * (z[i][j] - cm[j]) } }
            }
            return within / tot
        }
        XCTAssertEqual(p.varianceRatio, vr(Array(0..<n)), accuracy: 1e-12)
        let sp = SpeakerStatistics(m.speakers!, dim: d, speakerIds: [10, 11, 12, 13])
        XCTAssertEqual(sp.speakers.count, nSpk)
        for s in 0..<nSpk {
            XCTAssertEqual(sp.speakers[s].varianceRatio, vr(Array((s * per)..<((s + 1) * per))), accuracy: 1e-12)
            XCTAssertEqual(sp.speakers[s].nSamples, per)
        }
        // Entropy: H of all samples from population variances.
        var h = 0.0
        for j in 0..<d {
            let col = z.map { $0[j] }
            let mu = col.reduce(0, +) / Double(n)
            h += log(col.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(n))
        }
        XCTAssertEqual(p.entropy, 0.5 * h, accuracy: 1e-9)
        // Against own means the train-means VR equals the VR.
        XCTAssertEqual(PooledScores.varianceRatio(m, against: PooledScores.means(m), total: p.sseTotal), p.varianceRatio, accuracy: 1e-12)
    }

    func testSpeakerSummaryUsesSampleSemAndPopulationStd() {
        let v = [0.5, 0.7, 0.6, 0.9]
        let (mean, std, lo, hi, mn, mx) = SpeakerStatistics.summarise(v)
        XCTAssertEqual(mean, 0.675, accuracy: 1e-15)
        XCTAssertEqual(std, (0.0875 / 4).squareRoot(), accuracy: 1e-15)
        // scipy.stats.t.interval(0.95, 3, loc=0.675, scale=sem) with t_{0.975,3} = 3.182446305284263
        let sem = (0.0875 / 3).squareRoot() / 2
        XCTAssertEqual(lo, 0.675 - 3.182446305284263 * sem, accuracy: 1e-9)
        XCTAssertEqual(hi, 0.675 + 3.182446305284263 * sem, accuracy: 1e-9)
        XCTAssertEqual(mn, 0.5); XCTAssertEqual(mx, 0.9)
        XCTAssertTrue(SpeakerStatistics.summarise([0.5]).2.isNaN)
    }
}

/// Wraps a corpus whose target rows already hold z (no normalisation applied).
struct NormalizedTargetsView {
    let targets: NormalizedTargets
    init(corpus: LatentCorpus, rows: [Int]) { targets = NormalizedTargets(corpus: corpus, targetRows: rows) }
}
