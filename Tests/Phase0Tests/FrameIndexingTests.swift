import XCTest
import EngramCore
@testable import Phase0
import TestSupport

/// A hand-built latent x[t] = (t, 1000·u + t) makes every window, lag and valid-frame rule visible.
final class FrameIndexingTests: XCTestCase {
    let W = 3, lags = [1, 2, 4]

    func makeStore(lengths: [Int]) -> (InMemoryLatents, [LatentIndexEntry]) {
        var dict: [String: InMemoryLatents.Utterance] = [:]
        var index: [LatentIndexEntry] = []
        for (u, T) in lengths.enumerated() {
            var x = [Float]()
            for t in 0..<T { x += [Float(t), Float(1000 * u + t)] }
            let id = "1-1-\(u)"
            dict[id] = .init(x: x, frames: T, dim: 2, energy: (0..<T).map { Float($0) })
            index.append(LatentIndexEntry(utteranceId: id, speakerId: 1 + u % 2, nFrames: T, durationSec: 10))
        }
        return (InMemoryLatents(dict), index)
    }

    func config() -> Phase0Config {
        var c = Phase0Config()
        c.vae.latentDim = 2
        c.context.windowSize = W
        c.context.lags = lags
        return c
    }

    func testGeometry() throws {
        let g = try ContextGeometry(windowSize: 8, lags: [1, 2, 4])
        XCTAssertEqual(g.firstValidFrame, 11)            // W − 1 + max L
        XCTAssertEqual(g.validFrames(nFrames: 20), 11..<20)
        XCTAssertEqual(g.validFrames(nFrames: 11).count, 0)
        XCTAssertEqual(g.contextFrames(target: 11, lag: 4), 0...7)   // inclusive: ends at t − L
        XCTAssertEqual(g.contextFrames(target: 11, lag: 1), 3...10)
        XCTAssertEqual(try ContextGeometry(windowSize: 1, lags: [1]).firstValidFrame, 1)   // t ≥ 1 for Δx
    }

    func testFramesWindowsAndTargets() throws {
        let (store, index) = makeStore(lengths: [9, 12])
        let c = config()
        let s = try Phase0Frames.build(config: c, index: index, store: store, splits: ([1], [2]))
        let first = W - 1 + 4   // 6
        XCTAssertEqual(s.table.t.map(Int.init), Array(first..<9) + Array(first..<12))
        XCTAssertEqual(s.table.posFrac[0], 6.0 / 9.0)
        XCTAssertEqual(s.table.utteranceSplit, [.train, .eval])
        // Median of all train-speaker frames' energies (utterance 0: 0…8) is 4; eval frames use the same threshold.
        XCTAssertEqual(s.medianEnergy, 4)
        XCTAssertEqual(s.table.isHighEnergy, s.table.energy.map { $0 > 4 })

        let g = try ContextGeometry(c)
        let corpus = try LatentCorpus.load(table: s.table, store: store, expectedDim: 2, geometry: g, framesFile: "f")
        let f = ContextFeatures(corpus: corpus, table: s.table, geometry: g)
        for i in 0..<s.table.count {
            let u = Int(s.table.utterance[i]), t = Int(s.table.t[i])
            for lag in lags {
                let flat = Array(UnsafeBufferPointer(start: f.flatContext(i, lag: lag), count: W * 2))
                var expect: [Float] = []
                for tt in (t - lag - W + 1)...(t - lag) { expect += [Float(tt), Float(1000 * u + tt)] }
                XCTAssertEqual(flat, expect, "frame \(i) lag \(lag)")
                XCTAssertEqual(flat[(W - 1) * 2], Float(t - lag), "last context frame is x[t − L]")
                let mean = f.meanFeatures([Int32(i)], lag: lag)
                XCTAssertEqual(mean[0], Float(t - lag) - Float(W - 1) / 2, accuracy: 1e-6)
            }
        }
        // Δx_t = x_t − x_{t−1} = (1, 1); normalised with μ = 1, σ floored → z = 0.
        let norm = try NormStats.fit(corpus: corpus, targetRows: f.targetRow)
        XCTAssertEqual(norm.mu, [1, 1])
        XCTAssertEqual(norm.sigma, [Float(NormStats.minSigma), Float(NormStats.minSigma)])
    }

    func testLagsTooLargeNameTheKey() throws {
        let (store, index) = makeStore(lengths: [9, 12])
        var c = config()
        c.context.lags = [1, 20]
        XCTAssertThrowsError(try Phase0Frames.build(config: c, index: index, store: store, splits: ([1], [2]))) { e in
            XCTAssertEqual((e as? EngramError)?.location, "context.lags", "\(e)")
        }
    }

    func testBadUtterancesAreErrorsOrSkipped() throws {
        var (store, index) = makeStore(lengths: [9, 12, 10, 11])
        store.utterances["1-1-1"]!.x[5] = .nan
        store.utterances["1-1-2"] = .init(x: [Float](repeating: 0, count: 30), frames: 10, dim: 3, energy: [Float](repeating: 0, count: 10))
        index.append(LatentIndexEntry(utteranceId: "1-1-4", speakerId: 1, nFrames: 5, durationSec: 10))
        store.utterances["1-1-4"] = .init(x: [Float](repeating: 0, count: 10), frames: 5, dim: 2, energy: [Float](repeating: 0, count: 5))
        var c = config()
        XCTAssertThrowsError(try Phase0Frames.build(config: c, index: index, store: store, splits: ([1], [2]))) { e in
            XCTAssertTrue("\(e)".contains("1-1-1") && "\(e)".contains("nan"), "\(e)")
        }
        c.data.onError = .skip
        var warnings: [String] = []
        let s = try Phase0Frames.build(config: c, index: index, store: store, splits: ([1], [2]), warn: { warnings.append($0) })
        XCTAssertEqual(s.table.utteranceIds, ["1-1-0", "1-1-3"])
        XCTAssertEqual(warnings.count, 3)
        XCTAssertTrue(warnings.contains { $0.contains("1-1-2") && $0.contains("width is 3") }, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.contains("1-1-4") && $0.contains("at least 7") }, "\(warnings)")
    }
}
