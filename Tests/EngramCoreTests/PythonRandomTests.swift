import XCTest
import Foundation
import EngramCore
import TestSupport

/// PythonRandom against CPython's `random.Random`: committed vectors from
/// `scripts/make_random_vectors.py`, plus a live comparison when python3 is available.
final class PythonRandomTests: XCTestCase {
    struct Vectors: Decodable {
        struct Shuffle: Decodable {
            var head: [Int]
            var tail: [Int]
            var fnv1a64: String
            var full: [Int]?
            var next_uint32: UInt32
        }
        struct Seed: Decodable {
            var seed: String
            var key: [UInt32]
            var state: [UInt32]
            var state_index: Int
            var uint32: [UInt32]
            var getrandbits: [String: [String]]
            var randbelow: [String: [String]]
            var random_bits: [String]
            var shuffle: [String: Shuffle]
        }
        var generator: String
        var seeds: [Seed]
    }

    static let vectors: Vectors = {
        let data = try! Data(contentsOf: fixtureURL("random/vectors.json"))
        return try! JSONDecoder().decode(Vectors.self, from: data)
    }()

    /// FNV-1a 64 over "v\n" lines, as the generator script computes it.
    func fnv1a64Lines(_ values: [Int]) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for v in values {
            for b in "\(v)\n".utf8 { h ^= UInt64(b); h = h &* 0x100_0000_01B3 }
        }
        return h
    }

    func testVectorsCoverTheAskedSeeds() {
        let seeds = Self.vectors.seeds.map(\.seed)
        XCTAssertEqual(seeds, ["0", "1", "42", "\(UInt64(1) << 32 + 5)", "-7", "1267650600228229401496703217721", "123456789123456789123456789"])
    }

    func testStateAfterSeedingMatchesGetstate() {
        for s in Self.vectors.seeds {
            let r = PythonRandom(key: s.key)
            XCTAssertEqual(r.mt, s.state, "seed \(s.seed)")
            XCTAssertEqual(r.index, s.state_index, "seed \(s.seed)")
        }
    }

    func testIntegerInitialisersMatchKeyChunks() {
        XCTAssertEqual(PythonRandom(seed: 42).mt, PythonRandom(key: [42]).mt)
        XCTAssertEqual(PythonRandom(seed: -7).mt, PythonRandom(key: [7]).mt)
        XCTAssertEqual(PythonRandom(seed: UInt64(1) << 32 + 5).mt, PythonRandom(key: [5, 1]).mt)
        XCTAssertEqual(PythonRandom(seed: 0).mt, PythonRandom(key: []).mt)
        XCTAssertEqual(PythonRandom(key: [3, 0, 0]).mt, PythonRandom(key: [3]).mt)
        XCTAssertEqual(PythonRandom(seed: Int.min).mt, PythonRandom(key: [0, 0x8000_0000]).mt)
    }

    func testRawOutputsAcrossTwists() {
        for s in Self.vectors.seeds {
            var r = PythonRandom(key: s.key)
            let got = (0..<s.uint32.count).map { _ in r.nextUInt32() }
            XCTAssertEqual(got, s.uint32, "seed \(s.seed)")
        }
    }

    func testGetrandbits() {
        for s in Self.vectors.seeds {
            for (k, want) in s.getrandbits {
                var r = PythonRandom(key: s.key)
                let got = want.indices.map { _ in String(r.getrandbits(Int(k)!)) }
                XCTAssertEqual(got, want, "seed \(s.seed) k \(k)")
            }
        }
    }

    func testRandbelow() {
        for s in Self.vectors.seeds {
            for (n, want) in s.randbelow {
                var r = PythonRandom(key: s.key)
                let got = want.indices.map { _ in String(r.randbelow(Int(n)!)) }
                XCTAssertEqual(got, want, "seed \(s.seed) n \(n)")
            }
        }
    }

    func testRandomFloatsBitExact() {
        for s in Self.vectors.seeds {
            var r = PythonRandom(key: s.key)
            let got = s.random_bits.indices.map { _ in String(r.random().bitPattern) }
            XCTAssertEqual(got, s.random_bits, "seed \(s.seed)")
        }
    }

    func testShufflePermutations() {
        for s in Self.vectors.seeds {
            for (nText, want) in s.shuffle {
                let n = Int(nText)!
                var r = PythonRandom(key: s.key)
                var x = Array(0..<n)
                r.shuffle(&x)
                if let full = want.full { XCTAssertEqual(x, full, "seed \(s.seed) n \(n)") }
                XCTAssertEqual(Array(x.prefix(32)), want.head, "seed \(s.seed) n \(n)")
                XCTAssertEqual(n > 32 ? Array(x.suffix(32)) : x, want.tail, "seed \(s.seed) n \(n)")
                XCTAssertEqual(String(fnv1a64Lines(x)), want.fnv1a64, "seed \(s.seed) n \(n)")
                XCTAssertEqual(r.nextUInt32(), want.next_uint32, "generator position after shuffle, seed \(s.seed) n \(n)")
            }
        }
    }

    /// Shuffles strings (utterance-id-like) in a live python3 and compares every element, then
    /// the next `random()` bit pattern (the generator's position).
    func testLiveAgainstPython() throws {
        try requireOracle("python3", check: ["python3", "--version"])
        let ids = (0..<3000).map { i in "\(19 + i % 7)-\(198 + i / 97)-\(String(format: "%04d", i))" }.sorted()
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("ids.txt")
        try ids.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let script = """
        import random, struct, sys
        ids = open(sys.argv[1]).read().split("\\n")
        for seed in (42, 987654321987654321):
            r = random.Random(seed); x = list(ids); r.shuffle(x)
            print(" ".join(x)); print(struct.unpack("<Q", struct.pack("<d", r.random()))[0])
        """
        let res = try runProcess("python3", ["-c", script, input.path])
        XCTAssertEqual(res.status, 0, res.err)
        let lines = res.out.split(separator: "\n").map(String.init)
        guard lines.count == 4 else { return XCTFail("python3 printed \(lines.count) lines: \(res.err)") }
        for (i, key) in [[UInt32(42)], [0x7EF4_12B1, 0x0DB4_DA5F]].enumerated() {
            var r = PythonRandom(key: key)
            var x = ids
            r.shuffle(&x)
            XCTAssertEqual(x.joined(separator: " "), lines[2 * i], "seed index \(i)")
            XCTAssertEqual(String(r.random().bitPattern), lines[2 * i + 1], "random() after shuffle, seed index \(i)")
        }
    }
}
