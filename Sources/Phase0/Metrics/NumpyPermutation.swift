import Foundation

/// numpy's `np.random.default_rng(seed).shuffle(a)` for a 1-D array, bit for bit: `SeedSequence`
/// (pool of 4 uint32 words, hashmix/mix) seeding `PCG64` (128-bit LCG, XSL-RR output), and the
/// Fisher–Yates loop of `Generator.shuffle` drawing `random_interval` (masked rejection sampling on
/// 32-bit draws when the bound fits in 32 bits). The research pipeline permutes cluster ids this
/// way for its random baseline (seed + 1000 for train, seed + 2000 for eval), so the same ids give
/// the same permuted ids — and an independent checker can reproduce them with numpy.
public struct NumpyPCG64 {
    private var state: UInt128
    private let increment: UInt128
    private var bufferedHalf: UInt32? = nil

    static let multiplier: UInt128 = (UInt128(0x2360_ED05_1FC6_5DA4) << 64) | UInt128(0x4385_DF64_9FCC_F645)

    /// `np.random.default_rng(seed)` for a non-negative integer seed.
    public init(seed: UInt64) {
        let words = NumpyPCG64.seedSequenceState(entropy: seed, nWords: 8)
        func u64(_ i: Int) -> UInt64 { UInt64(words[2 * i]) | (UInt64(words[2 * i + 1]) << 32) }
        let initState = (UInt128(u64(0)) << 64) | UInt128(u64(1))
        let initSeq = (UInt128(u64(2)) << 64) | UInt128(u64(3))
        increment = (initSeq << 1) | 1
        state = 0
        step()
        state = state &+ initState
        step()
    }

    private mutating func step() { state = state &* NumpyPCG64.multiplier &+ increment }

    /// Next 64 bits (`pcg64_next64`).
    public mutating func next64() -> UInt64 {
        step()
        let hi = UInt64(truncatingIfNeeded: state >> 64), lo = UInt64(truncatingIfNeeded: state)
        let rot = UInt64(truncatingIfNeeded: state >> 122)
        let x = hi ^ lo
        return (x >> rot) | (x << ((64 &- rot) & 63))
    }

    /// Next 32 bits (`pcg64_next32`: low half of a 64-bit draw, the high half kept for the next call).
    public mutating func next32() -> UInt32 {
        if let b = bufferedHalf { bufferedHalf = nil; return b }
        let v = next64()
        bufferedHalf = UInt32(truncatingIfNeeded: v >> 32)
        return UInt32(truncatingIfNeeded: v)
    }

    /// `random_interval(max)`: uniform in 0...max.
    public mutating func interval(_ max: UInt64) -> UInt64 {
        if max == 0 { return 0 }
        var mask = max
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8; mask |= mask >> 16; mask |= mask >> 32
        if max <= 0xFFFF_FFFF {
            while true { let v = UInt64(next32()) & mask; if v <= max { return v } }
        }
        while true { let v = next64() & mask; if v <= max { return v } }
    }

    /// `Generator.shuffle` of a 1-D array.
    public mutating func shuffle<T>(_ a: inout [T]) {
        var i = a.count - 1
        while i >= 1 {
            let j = Int(interval(UInt64(i)))
            a.swapAt(i, j)
            i -= 1
        }
    }

    /// `SeedSequence(entropy).generate_state(nWords, uint32)`.
    static func seedSequenceState(entropy: UInt64, nWords: Int) -> [UInt32] {
        let initA: UInt32 = 0x43b0_d7e5, multA: UInt32 = 0x931e_8875
        let initB: UInt32 = 0x8b51_f9dd, multB: UInt32 = 0x58f3_8ded
        let mixL: UInt32 = 0xca01_f9dd, mixR: UInt32 = 0x4973_f715
        var ent: [UInt32] = [UInt32(truncatingIfNeeded: entropy)]
        if entropy >> 32 != 0 { ent.append(UInt32(truncatingIfNeeded: entropy >> 32)) }
        var hashConst = initA
        func hashmix(_ v: UInt32) -> UInt32 {
            var value = v ^ hashConst
            hashConst = hashConst &* multA
            value = value &* hashConst
            value ^= value >> 16
            return value
        }
        func mix(_ x: UInt32, _ y: UInt32) -> UInt32 {
            var r = mixL &* x &- mixR &* y
            r ^= r >> 16
            return r
        }
        var pool = [UInt32](repeating: 0, count: 4)
        for i in 0..<4 { pool[i] = hashmix(i < ent.count ? ent[i] : 0) }
        for src in 0..<4 { for dst in 0..<4 where src != dst { pool[dst] = mix(pool[dst], hashmix(pool[src])) } }
        if ent.count > 4 { for src in 4..<ent.count { for dst in 0..<4 { pool[dst] = mix(pool[dst], hashmix(ent[src])) } } }
        var out = [UInt32](repeating: 0, count: nWords)
        var hc = initB
        for i in 0..<nWords {
            var v = pool[i % 4]
            v ^= hc
            hc = hc &* multB
            v = v &* hc
            v ^= v >> 16
            out[i] = v
        }
        return out
    }
}
